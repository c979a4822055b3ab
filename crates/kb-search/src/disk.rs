//! The on-disk directory the index parts and their merge are written in, read with
//! positioned reads (`pread`) instead of tantivy's memory maps.
//!
//! Merging the parts of a large site reads every byte of every part, and packing the
//! merged segment reads every byte of it again. Through memory maps, each page read stays
//! in the process's resident memory until the file is unmapped: at 100,000 pages that was
//! 0.7 GB on top of the heap. Positioned reads copy only the range tantivy asks for into a
//! buffer it drops when done; the file's pages stay in the kernel's page cache, which the
//! kernel can take back. Locks go to tantivy's own directory.
//!
//! The folder is scratch space (a build's working folder, `kb serve`'s live index), removed
//! when its index is done with; what outlives it is written elsewhere. So nothing here is
//! synced to disk. tantivy's own directory calls `fdatasync` on every file it closes, on
//! each `meta.json` and on the folder: 20 times in a build of the guide, after its last
//! page, and 89 times in a `kb serve` that started and took four edits, in the edit path.
//! Each is a flush of the disk's cache, a few milliseconds on a laptop's SSD.

use std::fs::File;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use std::io::Write;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};

use tantivy::directory::{
    AntiCallToken, DirectoryLock, FileHandle, Lock, MmapDirectory, OwnedBytes, TerminatingWrite,
    WatchCallback, WatchHandle, WritePtr,
};
use tantivy::{Directory, HasLen};

/// A folder of index files: written as tantivy writes them, read range by range.
#[derive(Debug, Clone)]
pub(crate) struct ReadDirectory {
    folder: PathBuf,
    inner: MmapDirectory,
}

impl ReadDirectory {
    /// The directory of `folder`, which must exist.
    pub(crate) fn open(folder: &Path) -> Result<ReadDirectory, tantivy::TantivyError> {
        Ok(ReadDirectory {
            folder: folder.to_path_buf(),
            inner: MmapDirectory::open(folder).map_err(tantivy::TantivyError::from)?,
        })
    }
}

impl Directory for ReadDirectory {
    #[cfg(unix)]
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        let full = self.folder.join(path);
        let file = File::open(&full).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => OpenReadError::FileDoesNotExist(path.to_path_buf()),
            _ => OpenReadError::wrap_io_error(e, full.clone()),
        })?;
        let len = file
            .metadata()
            .map_err(|e| OpenReadError::wrap_io_error(e, full))?
            .len() as usize;
        Ok(Arc::new(PositionedFile { file, len }))
    }

    /// Without positioned reads in `std`, tantivy's memory maps.
    #[cfg(not(unix))]
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        let full = self.folder.join(path);
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&full)
            .map_err(|e| match e.kind() {
                io::ErrorKind::AlreadyExists => OpenWriteError::FileAlreadyExists(path.into()),
                _ => OpenWriteError::wrap_io_error(e, path.into()),
            })?;
        Ok(io::BufWriter::new(Box::new(UnsyncedFile(file))))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    /// Written beside, then renamed over `path`: a reader sees the old file or the new
    /// one, never half of one.
    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        let full = self.folder.join(path);
        let parent = full.parent().unwrap_or(&self.folder);
        let mut file = tempfile::Builder::new().tempfile_in(parent)?;
        file.write_all(data)?;
        file.persist(&full).map_err(|e| e.error)?;
        Ok(())
    }

    fn sync_directory(&self) -> io::Result<()> {
        Ok(())
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

/// A file being written, closed without syncing it to disk (see the module notes).
struct UnsyncedFile(File);

impl Write for UnsyncedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl TerminatingWrite for UnsyncedFile {
    fn terminate_ref(&mut self, _: AntiCallToken) -> io::Result<()> {
        self.0.flush()
    }
}

/// An open file read at offsets; its length is fixed when opened (tantivy never reads a
/// file it is still writing).
#[cfg(unix)]
#[derive(Debug)]
struct PositionedFile {
    file: File,
    len: usize,
}

#[cfg(unix)]
impl FileHandle for PositionedFile {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        use std::os::unix::fs::FileExt;
        if range.start > range.end || range.end > self.len {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("read of {range:?} past the end of a {}-byte file", self.len),
            ));
        }
        if range.is_empty() {
            return Ok(OwnedBytes::empty());
        }
        let mut buffer = vec![0; range.len()];
        self.file.read_exact_at(&mut buffer, range.start as u64)?;
        Ok(OwnedBytes::new(buffer))
    }
}

#[cfg(unix)]
impl HasLen for PositionedFile {
    fn len(&self) -> usize {
        self.len
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn reads_ranges_of_written_files() {
        let folder = tempfile::tempdir().unwrap();
        let directory = ReadDirectory::open(folder.path()).unwrap();
        let mut out = directory.open_write(Path::new("a.bin")).unwrap();
        out.write_all(b"0123456789").unwrap();
        out.terminate().unwrap();
        let slice = directory.open_read(Path::new("a.bin")).unwrap();
        assert_eq!(slice.len(), 10);
        assert_eq!(slice.slice(2..5).read_bytes().unwrap().as_slice(), b"234");
        assert_eq!(slice.read_bytes().unwrap().as_slice(), b"0123456789");
        assert!(slice.slice(4..4).read_bytes().unwrap().is_empty());
        let handle = directory.get_file_handle(Path::new("a.bin")).unwrap();
        assert!(handle.read_bytes(8..11).is_err(), "past the end");
        assert!(matches!(
            directory.open_read(Path::new("missing.bin")),
            Err(OpenReadError::FileDoesNotExist(_))
        ));
    }

    #[test]
    fn writes_whole_files_and_never_overwrites_by_accident() {
        let folder = tempfile::tempdir().unwrap();
        let directory = ReadDirectory::open(folder.path()).unwrap();
        let meta = Path::new("meta.json");
        directory.atomic_write(meta, b"first").unwrap();
        directory.atomic_write(meta, b"second").unwrap();
        assert_eq!(directory.atomic_read(meta).unwrap(), b"second");
        assert_eq!(
            std::fs::read_dir(folder.path()).unwrap().count(),
            1,
            "no temporary file is left beside it"
        );
        let mut out = directory.open_write(Path::new("a.bin")).unwrap();
        out.write_all(b"data").unwrap();
        out.terminate().unwrap();
        assert!(matches!(
            directory.open_write(Path::new("a.bin")),
            Err(OpenWriteError::FileAlreadyExists(_))
        ));
        assert_eq!(std::fs::read(folder.path().join("a.bin")).unwrap(), b"data");
        directory.sync_directory().unwrap();
    }
}
