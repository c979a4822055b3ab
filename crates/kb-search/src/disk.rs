//! The on-disk directory the index parts and their merge are written in, read with
//! positioned reads (`pread`) instead of tantivy's memory maps.
//!
//! Merging the parts of a large site reads every byte of every part, and packing the
//! merged segment reads every byte of it again. Through memory maps, each page read stays
//! in the process's resident memory until the file is unmapped: at 100,000 pages that was
//! 0.7 GB on top of the heap. Positioned reads copy only the range tantivy asks for into a
//! buffer it drops when done; the file's pages stay in the kernel's page cache, which the
//! kernel can take back. Writes, locks and `meta.json` go to tantivy's own directory.

use std::fs::File;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    DirectoryLock, FileHandle, Lock, MmapDirectory, OwnedBytes, WatchCallback, WatchHandle,
    WritePtr,
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
        self.inner.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
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
    use std::io::Write;
    use tantivy::directory::TerminatingWrite;

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
}
