//! Where `kb serve` keeps the files it serves: on disk, in a folder of its own, not in its
//! memory. At 100,000 pages the served files are about 3 GB of HTML, Markdown twins and
//! scripts, about 1.2 GB gzip-compressed, which the server held on its heap until they
//! moved here. The folder is a fresh temporary one ([`FileStore::new`], in the system's
//! temporary folder as `mdbook serve`'s is; nothing in the site chooses it), removed when
//! the server stops. The server's memory holds only where each file is: a number, a
//! length and whether it is compressed. Reading a file asks the system, whose page cache
//! keeps the files in use without counting them in the server's resident size.
//!
//! Each file is written once under a fresh name and never changed: an edit that replaces
//! a file writes a new one, and the old one is removed when the last reader lets go of it
//! ([`StoredFile`] is shared), so a request never reads a half-written or a mixed file. A
//! file is served only after all its bytes are written; a failed write (a full disk) is
//! an error that names the file, and what failed is removed.
//!
//! A file is gzip-compressed when that shrinks it by a tenth, as it is otherwise: gzip at
//! its fastest level keeps about a third of a page (a 17.6 kB page becomes 5.6 kB), so the
//! folder and the page cache hold a third of the bytes. A browser that accepts gzip gets
//! the compressed bytes as they are; anything else gets them decompressed, byte for byte
//! what `kb build` writes. The few files past a megabyte (`llms-full.txt`, sitemaps) are
//! kept as they are, so that an edit that rewrites one does not wait for it to be
//! compressed.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;

/// Files larger than this are kept as they are.
const LARGEST_COMPRESSED: usize = 1 << 20;

/// The folder the served files are written to, and the names given so far.
pub(crate) struct FileStore {
    folder: PathBuf,
    /// Owns the folder: removed with it when the store is dropped or [`FileStore::remove`]d.
    dir: Mutex<Option<tempfile::TempDir>>,
    next: AtomicU64,
}

impl FileStore {
    /// A new, empty store in a fresh folder of the system's temporary folder.
    pub(crate) fn new() -> io::Result<Arc<FileStore>> {
        let dir = tempfile::Builder::new()
            .prefix("kb-serve-")
            .tempdir()
            .map_err(|e| {
                let tmp = std::env::temp_dir();
                let why = format!(
                    "cannot make a folder for the served files in {}: {e}",
                    tmp.display()
                );
                io::Error::new(e.kind(), why)
            })?;
        Ok(Arc::new(FileStore {
            folder: dir.path().to_path_buf(),
            dir: Mutex::new(Some(dir)),
            next: AtomicU64::new(0),
        }))
    }

    /// The folder the files are in.
    #[cfg(test)]
    pub(crate) fn folder(&self) -> &std::path::Path {
        &self.folder
    }

    /// Removes the folder and every file in it, whoever still holds a file: the server
    /// stops (its rebuild thread is not waited for, and would keep the store alive).
    pub(crate) fn remove(&self) {
        let dir = self.dir.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(dir) = dir {
            let folder = dir.path().to_path_buf();
            if let Err(e) = dir.close() {
                log::warn!("cannot remove {}: {e}", folder.display());
            }
        }
    }

    /// Keeps `bytes` (at `site_path` in the site, named in errors), compressed when that
    /// saves at least a tenth. Only the file's place stays in memory.
    pub(crate) fn put(self: &Arc<Self>, site_path: &str, bytes: Vec<u8>) -> io::Result<StoredFile> {
        let (bytes, gzip) = match compress(&bytes) {
            Some(gz) => (gz, true),
            None => (bytes, false),
        };
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let place = self.place(id);
        let written = File::create_new(&place).and_then(|mut file| file.write_all(&bytes));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&place);
            let why = format!(
                "cannot write {site_path} to kb serve's store ({}): {e}",
                place.display()
            );
            return Err(io::Error::new(e.kind(), why));
        }
        Ok(StoredFile::Disk(Arc::new(Blob {
            store: self.clone(),
            id,
            len: bytes.len() as u64,
            gzip,
        })))
    }

    fn place(&self, id: u64) -> PathBuf {
        self.folder.join(format!("{id:x}"))
    }
}

impl Drop for FileStore {
    fn drop(&mut self) {
        self.remove();
    }
}

/// One served file: where its bytes are.
#[derive(Clone, Debug)]
pub(crate) enum StoredFile {
    /// Held in memory: a page previewed while the first build runs, made for one request.
    Memory(Bytes),
    /// A file of the [`FileStore`], removed when the last holder lets go.
    Disk(Arc<Blob>),
}

/// A file of the store: its name (a number), length and form.
pub(crate) struct Blob {
    store: Arc<FileStore>,
    id: u64,
    len: u64,
    /// The file is a gzip member of the served bytes.
    gzip: bool,
}

impl std::fmt::Debug for Blob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Blob")
            .field("id", &self.id)
            .field("len", &self.len)
            .field("gzip", &self.gzip)
            .finish()
    }
}

impl Blob {
    /// The bytes as written, checked against the length written: a file changed or cut
    /// short under the server (a cleaner of the temporary folder) is an error, not a page.
    fn read(&self) -> io::Result<Bytes> {
        let place = self.store.place(self.id);
        let read = || -> io::Result<Vec<u8>> {
            let mut file = File::open(&place)?;
            let mut bytes = Vec::with_capacity(self.len as usize);
            (&mut file).take(self.len + 1).read_to_end(&mut bytes)?;
            if bytes.len() as u64 != self.len {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("{} bytes, not the {} written", bytes.len(), self.len),
                ));
            }
            Ok(bytes)
        };
        read().map(Bytes::from).map_err(|e| {
            let why = format!("cannot read {}: {e}", place.display());
            io::Error::new(e.kind(), why)
        })
    }
}

impl Drop for Blob {
    fn drop(&mut self) {
        // Nothing to do when the folder is gone already (the server stopped).
        match std::fs::remove_file(self.store.place(self.id)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                log::warn!("cannot remove a served file: {e}")
            }
            _ => {}
        }
    }
}

impl StoredFile {
    /// The file's bytes, decompressed.
    pub(crate) fn bytes(&self) -> io::Result<Bytes> {
        match self {
            StoredFile::Memory(bytes) => Ok(bytes.clone()),
            StoredFile::Disk(blob) if !blob.gzip => blob.read(),
            StoredFile::Disk(blob) => {
                let gz = blob.read()?;
                let mut out = Vec::with_capacity(gz.len() * 4);
                flate2::read::GzDecoder::new(&gz[..])
                    .read_to_end(&mut out)
                    .map_err(|e| {
                        let place = blob.store.place(blob.id);
                        io::Error::new(e.kind(), format!("{}: {e}", place.display()))
                    })?;
                Ok(Bytes::from(out))
            }
        }
    }

    /// Whether the file is kept gzip-compressed.
    pub(crate) fn is_gzip(&self) -> bool {
        matches!(self, StoredFile::Disk(blob) if blob.gzip)
    }

    /// The gzip-compressed bytes, when the file is kept that way.
    pub(crate) fn gzip(&self) -> Option<io::Result<Bytes>> {
        match self {
            StoredFile::Disk(blob) if blob.gzip => Some(blob.read()),
            _ => None,
        }
    }

    /// How many bytes the file takes where it is kept.
    #[cfg(test)]
    pub(crate) fn stored_len(&self) -> u64 {
        match self {
            StoredFile::Memory(bytes) => bytes.len() as u64,
            StoredFile::Disk(blob) => blob.len,
        }
    }
}

/// `bytes` gzip-compressed, when that is worth it.
fn compress(bytes: &[u8]) -> Option<Vec<u8>> {
    // Under a few hundred bytes the gzip header and trailer eat most of the saving.
    // Past a megabyte the file is one of the few the whole site makes (`llms-full.txt`
    // up to 16 MiB, sitemaps): compressing it again would add up to 100 ms to every
    // edit that rewrites it, to save little of the total.
    if bytes.len() < 256 || bytes.len() > LARGEST_COMPRESSED {
        return None;
    }
    let mut gz = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 3),
        flate2::Compression::fast(),
    );
    // Writing into memory does not fail.
    let gz = gz.write_all(bytes).and_then(|()| gz.finish()).ok()?;
    (gz.len() * 10 < bytes.len() * 9).then_some(gz)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn files_in(folder: &Path) -> usize {
        std::fs::read_dir(folder).map_or(0, |dir| dir.count())
    }

    #[test]
    fn a_page_is_kept_compressed_on_disk_and_decodes_to_its_bytes() {
        let store = FileStore::new().unwrap();
        let html = "<nav><a href=\"../a/\">Pools</a></nav><p>Connection pools</p>\n".repeat(300);
        let stored = store
            .put("a/index.html", html.clone().into_bytes())
            .unwrap();
        assert!(stored.is_gzip());
        assert!(
            stored.stored_len() * 4 < html.len() as u64,
            "{}",
            stored.stored_len()
        );
        assert_eq!(files_in(store.folder()), 1);
        assert_eq!(stored.bytes().unwrap(), html.as_bytes());
        // What a browser that accepts gzip gets is a gzip member of the same bytes.
        let gz = stored.gzip().unwrap().unwrap();
        assert_eq!(gz[..2], [0x1f, 0x8b]);
        let mut decoded = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut decoded)
            .unwrap();
        assert_eq!(decoded, html);
    }

    #[test]
    fn small_and_incompressible_files_are_kept_as_they_are() {
        let store = FileStore::new().unwrap();
        let small = store.put("a.txt", b"<p>hi</p>".to_vec()).unwrap();
        assert!(small.gzip().is_none());
        assert_eq!(small.bytes().unwrap(), &b"<p>hi</p>"[..]);
        // A xorshift stream: compression cannot shrink it.
        let noise: Vec<u8> = std::iter::successors(Some(0x2545_f491_4f6c_dd1du64), |x| {
            let x = x ^ (x << 13);
            let x = x ^ (x >> 7);
            Some(x ^ (x << 17))
        })
        .take(20_000)
        .map(|x| x as u8)
        .collect();
        let stored = store.put("noise.bin", noise.clone()).unwrap();
        assert!(stored.gzip().is_none());
        assert_eq!(stored.bytes().unwrap(), noise);
        let empty = store.put("empty.txt", Vec::new()).unwrap();
        assert_eq!(empty.bytes().unwrap().len(), 0);
    }

    #[test]
    fn a_file_of_the_whole_site_is_kept_as_it_is() {
        let store = FileStore::new().unwrap();
        let text = "# Pools\n".repeat(LARGEST_COMPRESSED / 8 + 1).into_bytes();
        let stored = store.put("llms-full.txt", text.clone()).unwrap();
        assert!(stored.gzip().is_none());
        assert_eq!(stored.bytes().unwrap(), text);
    }

    #[test]
    fn a_file_is_removed_when_its_last_holder_lets_go() {
        let store = FileStore::new().unwrap();
        let file = store.put("a.html", b"<p>a</p>".to_vec()).unwrap();
        let reader = file.clone();
        drop(file);
        assert_eq!(files_in(store.folder()), 1, "a reader still holds it");
        assert_eq!(reader.bytes().unwrap(), &b"<p>a</p>"[..]);
        drop(reader);
        assert_eq!(files_in(store.folder()), 0);
    }

    #[test]
    fn the_folder_is_removed_with_the_store_even_while_files_are_held() {
        let store = FileStore::new().unwrap();
        let folder = store.folder().to_path_buf();
        let held = store
            .put("a.html", "<p>a</p>".repeat(100).into_bytes())
            .unwrap();
        assert!(folder.is_dir());
        store.remove();
        assert!(!folder.exists());
        // The file is gone: reading it is an error naming where it was, not a panic.
        let err = held.bytes().unwrap_err().to_string();
        assert!(err.contains(&*folder.to_string_lossy()), "{err}");
        drop(held);
        // Writing after the folder is gone is an error naming the file.
        let err = store.put("b.html", b"b".to_vec()).unwrap_err().to_string();
        assert!(err.contains("cannot write b.html"), "{err}");

        let store = FileStore::new().unwrap();
        let folder = store.folder().to_path_buf();
        store.put("a.html", b"a".to_vec()).unwrap();
        drop(store);
        assert!(!folder.exists());
    }

    #[test]
    fn a_file_cut_short_under_the_server_is_an_error() {
        let store = FileStore::new().unwrap();
        let file = store
            .put("a.html", "<p>a</p>".repeat(100).into_bytes())
            .unwrap();
        let StoredFile::Disk(blob) = &file else {
            panic!("a stored file is on disk")
        };
        let place = store.place(blob.id);
        std::fs::write(&place, b"\x1f\x8b").unwrap();
        let err = file.bytes().unwrap_err().to_string();
        assert!(err.contains("not the"), "{err}");
    }
}
