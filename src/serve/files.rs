//! The files `kb serve` serves, kept on disk (see [`FileStore`]) with only their places in
//! memory: the [`Sink`] its build session writes into, read by the HTTP handlers. The browser's search
//! files are made from the session's search sections only when first asked for, by the
//! same calls `kb build` makes, so the bytes are the same without paying for an index on
//! every edit; they go to the same store. While the first build runs, a file it has not written yet is asked of the
//! [`Preview`].

use std::collections::HashMap;
use std::io;
use std::sync::{Arc, Mutex, RwLock};

use axum::body::Bytes;
use rayon::prelude::*;

use crate::build::output::{Batch, FileBytes, Sink};
use crate::build::progress::ProgressStyle;
use crate::build::search;
use crate::build::session::SearchSnapshot;
use crate::serve::preview::Preview;
use crate::serve::stored::{FileStore, StoredFile};

/// The site's files, and its search sections when search is on.
pub(crate) struct SiteFiles {
    /// Where the files' bytes are.
    store: Arc<FileStore>,
    files: HashMap<String, StoredFile>,
    search: Option<SearchSnapshot>,
    /// The browser's search files made from `search`, once asked for.
    search_files: Mutex<Option<Arc<HashMap<String, StoredFile>>>>,
    /// The first build is running: what it has not written may be previewed.
    building: bool,
    preview: Option<Preview>,
}

impl SiteFiles {
    /// No files yet, their bytes to go into `store`.
    fn new(store: Arc<FileStore>) -> SiteFiles {
        SiteFiles {
            store,
            files: HashMap::new(),
            search: None,
            search_files: Mutex::new(None),
            building: false,
            preview: None,
        }
    }

    /// The bytes of the file at `path` (relative to the site root), if the site has it.
    #[cfg(test)]
    pub(crate) fn get(&self, path: &str) -> Option<io::Result<Bytes>> {
        self.get_stored(path).map(|file| file.bytes())
    }

    /// The file at `path` as it is kept (compressed or not), if the site has it.
    pub(crate) fn get_stored(&self, path: &str) -> Option<StoredFile> {
        if self.search.is_some() && is_search_file(path) {
            // Made on first use; every path of the search folder is answered from them.
            return self
                .search_files()
                .and_then(|files| files.get(path).cloned());
        }
        if let Some(file) = self.files.get(path) {
            return Some(file.clone());
        }
        let preview = self.preview.as_ref()?;
        preview
            .file(path)
            .map(|bytes| StoredFile::Memory(Bytes::from(bytes)))
    }

    /// Whether the first build is still running.
    pub(crate) fn building(&self) -> bool {
        self.building
    }

    /// The first build starts: `preview` answers for the files it has not written.
    pub(crate) fn start_building(&mut self, preview: Option<Preview>) {
        self.building = true;
        self.preview = preview;
    }

    /// The first build is over: only its files are served, and the preview stops.
    pub(crate) fn finish_building(&mut self) {
        self.building = false;
        self.preview = None;
    }

    /// Whether the site may have a file at `path`, without making the search files (any
    /// path under the index pages folder counts).
    pub(crate) fn contains(&self, path: &str) -> bool {
        (self.search.is_some() && is_search_file(path)) || self.files.contains_key(path)
    }

    /// Whether the site has search.
    pub(crate) fn search_enabled(&self) -> bool {
        self.search.is_some()
    }

    /// Every path of the site, the search files made if search is on.
    #[cfg(test)]
    pub fn paths(&self) -> std::collections::BTreeSet<String> {
        let mut paths: std::collections::BTreeSet<String> = self.files.keys().cloned().collect();
        if let Some(files) = self.search_files() {
            paths.extend(files.keys().cloned());
        }
        paths
    }

    /// Hands over the session's current search sections (the browser's index files are
    /// made again when next asked for).
    pub(crate) fn set_search(&mut self, search: Option<SearchSnapshot>) {
        self.search = search;
        *self
            .search_files
            .get_mut()
            .unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// The browser's search files, built from the current sections on first use.
    fn search_files(&self) -> Option<Arc<HashMap<String, StoredFile>>> {
        let snapshot = self.search.as_ref()?;
        let mut cache = self.search_files.lock().ok()?;
        if cache.is_none() {
            let pages = snapshot.pages.iter().map(|(_, d)| &**d);
            let made = StoreSink {
                store: &self.store,
                files: Mutex::default(),
            };
            let written = search::index_blob_of(pages, &snapshot.settings)
                .and_then(|blob| search::write_site_files(&blob, &made, ProgressStyle::Off));
            match written {
                Ok(_) => {
                    let files = made.files.into_inner().unwrap_or_else(|e| e.into_inner());
                    *cache = Some(Arc::new(files));
                }
                Err(e) => log::error!("cannot build the search index: {e}"),
            }
        }
        cache.clone()
    }
}

/// Writes the browser's search files into the store as they are made.
struct StoreSink<'a> {
    store: &'a Arc<FileStore>,
    files: Mutex<HashMap<String, StoredFile>>,
}

impl Sink for StoreSink<'_> {
    fn write(&self, path: &str, bytes: &[u8]) -> io::Result<()> {
        let file = self.store.put(path, bytes.to_vec())?;
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.insert(path.to_string(), file);
        Ok(())
    }

    fn remove(&self, path: &str) -> io::Result<()> {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.remove(path);
        Ok(())
    }
}

/// A generated search file: the head, the module, their scripts, an index page, or the
/// pre-compressed twin of one.
fn is_search_file(path: &str) -> bool {
    let path = path
        .strip_suffix(".br")
        .or_else(|| path.strip_suffix(".gz"))
        .unwrap_or(path);
    [
        kb_search::INDEX_FILE,
        kb_search::WASM_FILE,
        kb_search::INDEX_SCRIPT,
        kb_search::WASM_SCRIPT,
        kb_search::PREFETCH_FILE,
    ]
    .contains(&path)
        || path
            .strip_prefix(kb_search::PAGES_DIR)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The served files, shared by the rebuild thread (writing) and the HTTP handlers.
#[derive(Clone)]
pub(crate) struct LiveFiles(pub Arc<RwLock<SiteFiles>>);

impl LiveFiles {
    /// No files yet, their bytes to go into `store`.
    pub(crate) fn new(store: Arc<FileStore>) -> LiveFiles {
        LiveFiles(Arc::new(RwLock::new(SiteFiles::new(store))))
    }

    /// The store the files' bytes go into.
    fn store(&self) -> Arc<FileStore> {
        self.0
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .store
            .clone()
    }

    pub(crate) fn write_lock(&self) -> std::sync::RwLockWriteGuard<'_, SiteFiles> {
        self.0.write().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for LiveFiles {
    fn write(&self, path: &str, bytes: &[u8]) -> io::Result<()> {
        // Written before the lock is taken: readers wait only for the insertion.
        let file = self.store().put(path, bytes.to_vec())?;
        self.write_lock().files.insert(path.to_string(), file);
        Ok(())
    }

    fn remove(&self, path: &str) -> io::Result<()> {
        self.write_lock().files.remove(path);
        Ok(())
    }

    /// Compressed and written to the store as it is made (see [`FileStore`]); served only
    /// once [`Sink::apply`] publishes it. A failed write is kept for `apply` to report.
    fn pack(&self, path: &str, bytes: Vec<u8>) -> FileBytes {
        let file: io::Result<StoredFile> = self.store().put(path, bytes);
        FileBytes::Packed(Box::new(file))
    }

    /// All of a rebuild's files at once, so no request sees half of it. Those not in the
    /// store yet are written first, on every core, without holding the lock. When one
    /// cannot be written, none is published and the files written are removed.
    fn apply(&self, batch: Batch) -> io::Result<()> {
        let store = self.store();
        let files: Vec<(String, Option<StoredFile>)> = batch
            .files
            .into_par_iter()
            .map(|(path, bytes)| {
                let file = match bytes {
                    None => None,
                    Some(FileBytes::Plain(bytes)) => Some(store.put(&path, bytes)?),
                    Some(FileBytes::Packed(packed)) => {
                        match packed.downcast::<io::Result<StoredFile>>() {
                            Ok(file) => Some((*file)?),
                            Err(_) => {
                                let why = format!("{path} was packed for another kind of output");
                                return Err(io::Error::other(why));
                            }
                        }
                    }
                };
                Ok((path, file))
            })
            .collect::<io::Result<_>>()?;
        let mut site = self.write_lock();
        for (path, file) in files {
            match file {
                Some(file) => {
                    site.files.insert(path, file);
                }
                None => {
                    site.files.remove(&path);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live() -> LiveFiles {
        LiveFiles::new(FileStore::new().unwrap())
    }

    fn files_in(live: &LiveFiles) -> usize {
        let folder = live.store().folder().to_path_buf();
        std::fs::read_dir(folder).unwrap().count()
    }

    fn batch(files: &[(&str, Option<&str>)], live: &LiveFiles) -> Batch {
        let mut batch = Batch::default();
        for (path, bytes) in files {
            match bytes {
                // Packed as the session packs pages, or plain as it writes the rest.
                Some(bytes) if path.ends_with(".html") => {
                    let packed = live.pack(path, bytes.as_bytes().to_vec());
                    batch.write_file(path.to_string(), packed);
                }
                Some(bytes) => batch.write(path.to_string(), bytes.as_bytes().to_vec()),
                None => batch.remove(path.to_string()),
            }
        }
        batch
    }

    fn read(live: &LiveFiles, path: &str) -> Option<String> {
        let site = live.0.read().unwrap();
        let bytes = site.get(path)?.unwrap();
        Some(String::from_utf8(bytes.to_vec()).unwrap())
    }

    #[test]
    fn a_file_replaced_while_it_is_read_is_read_whole_and_old() {
        let live = live();
        let old = "<p>old</p>".repeat(500);
        let new = "<p>new</p>".repeat(700);
        live.apply(batch(&[("a/index.html", Some(&old))], &live))
            .unwrap();
        // A request found the file, then an edit replaced it before the request read it.
        let found = live.0.read().unwrap().get_stored("a/index.html").unwrap();
        live.apply(batch(&[("a/index.html", Some(&new))], &live))
            .unwrap();
        assert_eq!(found.bytes().unwrap(), old.as_bytes());
        assert_eq!(read(&live, "a/index.html").unwrap(), new);
        assert_eq!(files_in(&live), 2, "the old file stays while it is read");
        drop(found);
        assert_eq!(files_in(&live), 1);
    }

    #[test]
    fn removed_files_leave_the_store() {
        let live = live();
        let files = [("a/index.html", Some("<p>a</p>")), ("b.txt", Some("b"))];
        live.apply(batch(&files, &live)).unwrap();
        assert_eq!(read(&live, "b.txt").as_deref(), Some("b"));
        assert_eq!(files_in(&live), 2);
        live.apply(batch(&[("a/index.html", None), ("b.txt", None)], &live))
            .unwrap();
        assert_eq!(read(&live, "a/index.html"), None);
        assert_eq!(files_in(&live), 0);
    }

    #[test]
    fn a_batch_that_cannot_be_written_changes_nothing_and_names_the_file() {
        let live = live();
        live.apply(batch(&[("a.txt", Some("a"))], &live)).unwrap();
        // The store's folder is gone (a full disk fails the same way: at the write).
        let store = live.store();
        let folder = store.folder().to_path_buf();
        std::fs::rename(&folder, folder.with_extension("moved")).unwrap();
        let failed = live.apply(batch(
            &[("a.txt", Some("b")), ("c/index.html", Some("c"))],
            &live,
        ));
        std::fs::rename(folder.with_extension("moved"), &folder).unwrap();
        let err = failed.unwrap_err().to_string();
        assert!(err.contains("cannot write"), "{err}");
        assert!(err.contains(&*folder.to_string_lossy()), "{err}");
        assert_eq!(read(&live, "a.txt").as_deref(), Some("a"));
        assert_eq!(read(&live, "c/index.html"), None);
        assert_eq!(files_in(&live), 1);
    }
}
