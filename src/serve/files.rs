//! The files `kb serve` serves, kept in memory (compressed, see [`StoredFile`]): the
//! [`Sink`] its build session writes into, read by the HTTP handlers. The browser's search
//! files are made from the session's search sections only when first asked for, by the
//! same calls `kb build` makes, so the bytes are the same without paying for an index on
//! every edit. While the first build runs, a file it has not written yet is asked of the
//! [`Preview`].

use std::collections::HashMap;
use std::io;
use std::sync::{Arc, Mutex, RwLock};

use axum::body::Bytes;
use rayon::prelude::*;

use crate::build::output::{Batch, FileBytes, MemorySink, Sink};
use crate::build::progress::ProgressStyle;
use crate::build::search;
use crate::build::session::SearchSnapshot;
use crate::serve::preview::Preview;
use crate::serve::stored::StoredFile;

/// The site's files, and its search sections when search is on.
#[derive(Default)]
pub(crate) struct SiteFiles {
    files: HashMap<String, StoredFile>,
    search: Option<SearchSnapshot>,
    /// The browser's search files made from `search`, once asked for.
    search_files: Mutex<Option<Arc<HashMap<String, StoredFile>>>>,
    /// The first build is running: what it has not written may be previewed.
    building: bool,
    preview: Option<Preview>,
}

impl SiteFiles {
    /// The bytes of the file at `path` (relative to the site root), if the site has it.
    pub(crate) fn get(&self, path: &str) -> Option<Bytes> {
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
            .map(|bytes| StoredFile::Plain(Bytes::from(bytes)))
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
            let made = MemorySink::default();
            let written = search::index_blob_of(pages, &snapshot.settings)
                .and_then(|blob| search::write_site_files(&blob, &made, ProgressStyle::Off));
            match written {
                Ok(_) => {
                    *cache = Some(Arc::new(
                        made.into_files()
                            .into_par_iter()
                            .map(|(p, b)| (p, StoredFile::new(b)))
                            .collect(),
                    ));
                }
                Err(e) => log::error!("cannot build the search index: {e}"),
            }
        }
        cache.clone()
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
    ]
    .contains(&path)
        || path
            .strip_prefix(kb_search::PAGES_DIR)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The served files, shared by the rebuild thread (writing) and the HTTP handlers.
#[derive(Clone, Default)]
pub(crate) struct LiveFiles(pub Arc<RwLock<SiteFiles>>);

impl LiveFiles {
    pub(crate) fn write_lock(&self) -> std::sync::RwLockWriteGuard<'_, SiteFiles> {
        self.0.write().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for LiveFiles {
    fn write(&self, path: &str, bytes: &[u8]) -> io::Result<()> {
        let file = StoredFile::new(bytes.to_vec());
        self.write_lock().files.insert(path.to_string(), file);
        Ok(())
    }

    fn remove(&self, path: &str) -> io::Result<()> {
        self.write_lock().files.remove(path);
        Ok(())
    }

    /// Compressed as it is made (see [`StoredFile`]).
    fn pack(&self, bytes: Vec<u8>) -> FileBytes {
        FileBytes::Packed(Box::new(StoredFile::new(bytes)))
    }

    /// All of a rebuild's files at once, so no request sees half of it. Those not packed
    /// yet are compressed first, on every core, without holding the lock.
    fn apply(&self, batch: Batch) -> io::Result<()> {
        let files: Vec<(String, Option<StoredFile>)> = batch
            .files
            .into_par_iter()
            .map(|(path, bytes)| {
                let file = match bytes {
                    None => None,
                    Some(FileBytes::Plain(bytes)) => Some(StoredFile::new(bytes)),
                    Some(FileBytes::Packed(packed)) => match packed.downcast::<StoredFile>() {
                        Ok(file) => Some(*file),
                        Err(_) => {
                            let why = format!("{path} was packed for another kind of output");
                            return Err(io::Error::other(why));
                        }
                    },
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
