//! A read-only tantivy `Directory` over a [`PagedBlob`]: each file of the blob's table of
//! contents is a window into the pages, read without copying when a read stays in one page.

use std::collections::BTreeMap;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    DirectoryLock, FileHandle, Lock, OwnedBytes, WatchCallback, WatchHandle, WritePtr,
};
use tantivy::{Directory, HasLen};

use crate::blob::table_of_contents;
use crate::error::SearchError;
use crate::paged::PagedBlob;

/// The index files of a paged blob.
#[derive(Debug, Clone)]
pub(crate) struct BlobDirectory {
    blob: Arc<PagedBlob>,
    files: Arc<BTreeMap<PathBuf, Range<usize>>>,
}

impl BlobDirectory {
    /// Reads the table of contents of the blob (its pages must be loaded).
    pub(crate) fn open(blob: Arc<PagedBlob>) -> Result<Self, SearchError> {
        let mut read = |at: usize, n: usize| blob.get(at, n);
        let entries = table_of_contents(blob.len(), &mut read)?;
        let files = entries
            .iter()
            .map(|e| (PathBuf::from(&e.name), e.offset..e.offset + e.len))
            .collect();
        Ok(BlobDirectory {
            blob,
            files: Arc::new(files),
        })
    }

    /// The byte range of the file at `path` in the blob.
    pub(crate) fn place(&self, path: &Path) -> Result<Range<usize>, OpenReadError> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| OpenReadError::FileDoesNotExist(path.to_owned()))
    }
}

/// One file: a window into the blob.
#[derive(Debug)]
struct BlobFile {
    blob: Arc<PagedBlob>,
    place: Range<usize>,
}

impl HasLen for BlobFile {
    fn len(&self) -> usize {
        self.place.len()
    }
}

impl FileHandle for BlobFile {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        if range.end > self.place.len() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "read past the end of a search index file",
            ));
        }
        let start = self.place.start;
        self.blob.read(start + range.start..start + range.end)
    }
}

fn read_only() -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        "the search index is read-only",
    )
}

impl Directory for BlobDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        Ok(Arc::new(BlobFile {
            blob: self.blob.clone(),
            place: self.place(path)?,
        }))
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        Err(DeleteError::IoError {
            io_error: Arc::new(read_only()),
            filepath: path.to_owned(),
        })
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        Ok(self.files.contains_key(path))
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        Err(OpenWriteError::IoError {
            io_error: Arc::new(read_only()),
            filepath: path.to_owned(),
        })
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        let place = self.place(path)?;
        self.blob
            .read(place)
            .map(|b| b.as_slice().to_vec())
            .map_err(|e| OpenReadError::IoError {
                io_error: Arc::new(e),
                filepath: path.to_owned(),
            })
    }

    fn atomic_write(&self, _path: &Path, _data: &[u8]) -> io::Result<()> {
        Err(read_only())
    }

    /// Nothing can write, so there is nothing to lock against.
    fn acquire_lock(&self, _lock: &Lock) -> Result<DirectoryLock, LockError> {
        Ok(DirectoryLock::from(Box::new(())))
    }

    fn sync_directory(&self) -> io::Result<()> {
        Ok(())
    }

    fn watch(&self, _callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        Ok(WatchHandle::empty())
    }
}
