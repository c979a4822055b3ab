//! The live index of `kb serve`: one page's sections replaced or removed in milliseconds
//! when its file changes, and searched with the same engine as the static index.
//!
//! It lives in files of a private temporary folder, removed when the index is dropped, and
//! is read with positioned reads ([`ReadDirectory`]): at 100,000 pages an index in RAM held
//! 0.9 GB of heap, and a memory-mapped one would count every page a query or a merge read
//! in the process's resident size for as long as the segment lives. Read this way, the
//! files' pages stay in the kernel's page cache, which it can take back. The index keeps
//! no sections either: what the catalog needs (each page's area and number of sections)
//! is all it remembers of them.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, Term};

use crate::blob::{AreaInfo, Catalog};
use crate::disk::ReadDirectory;
use crate::doc::SectionDoc;
use crate::error::SearchError;
use crate::index::writer::{to_document, tokenizers};
use crate::page_doc::page_document;
use crate::results::SearchResults;
use crate::schema::{build_schema, Fields};
use crate::search::Engine;
use crate::settings::{QueryOptions, SearchSettings};

/// Writer memory for incremental updates (tantivy's minimum is 15 MB per thread).
const LIVE_WRITER_MEMORY: usize = 50_000_000;

/// A read-only view of a [`LiveIndex`] at one commit: queries on it never wait for the
/// writer, and the writer never waits for them.
pub struct LiveSnapshot {
    searcher: Searcher,
    fields: Fields,
    catalog: Catalog,
}

impl LiveSnapshot {
    /// Searches, exactly like [`crate::SearchIndex::search`].
    pub fn search(&self, query: &str, options: &QueryOptions) -> SearchResults {
        self.engine().search(query, options)
    }

    /// The `/__kb/search` answer for a request string, like [`crate::SearchIndex::search_json`].
    pub fn search_json(&self, request: &str) -> String {
        self.engine().search_json(request)
    }

    fn engine(&self) -> Engine<'_> {
        Engine::new(&self.searcher, &self.fields, &self.catalog, None, &[])
    }
}

/// What the catalog counts of one indexed page.
struct PageEntry {
    /// Its area folder and the area's title.
    area: String,
    area_title: String,
    sections: usize,
}

/// A searchable index that can change one page at a time.
pub struct LiveIndex {
    settings: SearchSettings,
    /// Indexed pages, in the order they were first seen (the catalog's area titles come
    /// from the first page of each area, as in a build).
    pages: Vec<(String, PageEntry)>,
    /// Each page's place in `pages`, by URL: at 100,000 pages a search through `pages` for
    /// every page added made the first index take minutes.
    page_places: HashMap<String, usize>,
    /// Area folder to the id stored in its sections; ids are never reused.
    area_ids: BTreeMap<String, u64>,
    /// Page URL to the `page_ord` of its documents; numbers are never reused.
    page_ords: BTreeMap<String, u64>,
    writer: IndexWriter,
    reader: IndexReader,
    fields: Fields,
    catalog: Catalog,
    /// The folder of the index files: declared last, so it is removed after the writer
    /// and the reader are dropped.
    folder: tempfile::TempDir,
}

impl LiveIndex {
    /// Indexes `docs` (any order; sections of one page keep their relative order), in a
    /// new folder of the system's temporary folder.
    pub fn new(docs: &[SectionDoc], settings: &SearchSettings) -> Result<Self, SearchError> {
        let mut grouped: Vec<(String, Vec<SectionDoc>)> = Vec::new();
        let mut places: HashMap<&str, usize> = HashMap::new();
        for d in docs {
            match places.get(d.page_url.as_str()) {
                Some(&k) => grouped[k].1.push(d.clone()),
                None => {
                    places.insert(&d.page_url, grouped.len());
                    grouped.push((d.page_url.clone(), vec![d.clone()]));
                }
            }
        }
        LiveIndex::from_pages(grouped, settings)
    }

    /// Indexes the sections of each page, by page URL, in order, in a new folder of the
    /// system's temporary folder (removed when the index is dropped). The sections are
    /// dropped once indexed.
    pub fn from_pages<U: AsRef<str>, D: AsRef<[SectionDoc]>>(
        pages: impl IntoIterator<Item = (U, D)>,
        settings: &SearchSettings,
    ) -> Result<Self, SearchError> {
        let io = |e: std::io::Error| SearchError::Index(e.into());
        let folder = tempfile::Builder::new()
            .prefix("kb-live-index-")
            .tempdir()
            .map_err(io)?;
        let index = Index::builder()
            .schema(build_schema())
            .tokenizers(tokenizers(Default::default()))
            .open_or_create(ReadDirectory::open(folder.path())?)?;
        let writer = index.writer_with_num_threads(1, LIVE_WRITER_MEMORY)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let fields = Fields::from_schema(&index.schema())?;
        let mut live = LiveIndex {
            settings: settings.sanitized(),
            pages: Vec::new(),
            page_places: HashMap::new(),
            area_ids: BTreeMap::new(),
            page_ords: BTreeMap::new(),
            writer,
            reader,
            fields,
            catalog: Catalog::default(),
            folder,
        };
        // A page without sections is not in the index (as with `new`, which never sees it).
        for (url, sections) in pages {
            if !sections.as_ref().is_empty() {
                live.add(url.as_ref(), sections.as_ref())?;
            }
        }
        live.commit()?;
        Ok(live)
    }

    fn area_id(&mut self, area: &str) -> u64 {
        let next = self.area_ids.len() as u64;
        *self.area_ids.entry(area.to_owned()).or_insert(next)
    }

    /// The folder the index files are in (removed when the index is dropped).
    pub fn folder(&self) -> &Path {
        self.folder.path()
    }

    fn add(&mut self, page_url: &str, sections: &[SectionDoc]) -> Result<(), SearchError> {
        let next = self.page_ords.len() as u64 + 1;
        let page_ord = *self.page_ords.entry(page_url.to_owned()).or_insert(next);
        for d in sections.iter() {
            let id = self.area_id(&d.area);
            let mut doc = to_document(&self.fields, d, id);
            doc.add_u64(self.fields.page_ord, page_ord);
            self.writer.add_document(doc)?;
        }
        if let Some(first) = sections.first() {
            let id = self.area_id(&first.area);
            if let Some(page) = page_document(&self.fields, sections, id, page_ord) {
                self.writer.add_document(page)?;
            }
        }
        let entry = PageEntry {
            area: sections.first().map(|d| d.area.clone()).unwrap_or_default(),
            area_title: (sections.first())
                .map(|d| d.area_title.clone())
                .unwrap_or_default(),
            sections: sections.len(),
        };
        match self.page_places.get(page_url) {
            Some(&k) => self.pages[k].1 = entry,
            None => {
                self.page_places
                    .insert(page_url.to_owned(), self.pages.len());
                self.pages.push((page_url.to_owned(), entry));
            }
        }
        Ok(())
    }

    fn delete(&mut self, page_url: &str) {
        self.writer
            .delete_term(Term::from_field_text(self.fields.page_url, page_url));
    }

    fn commit(&mut self) -> Result<(), SearchError> {
        self.writer.commit()?;
        self.reader.reload()?;
        self.catalog = self.current_catalog();
        Ok(())
    }

    fn current_catalog(&self) -> Catalog {
        let mut areas: BTreeMap<&str, (String, usize, usize)> = BTreeMap::new();
        let mut sections = 0;
        // Every section of a page names the page's area.
        for (_, page) in self.pages.iter().filter(|(_, p)| p.sections > 0) {
            sections += page.sections;
            let area = areas
                .entry(&page.area)
                .or_insert_with(|| (page.area_title.clone(), 0, 0));
            area.1 += page.sections;
            area.2 += 1;
        }
        Catalog {
            settings: self.settings.clone(),
            areas: areas
                .into_iter()
                .map(|(area, (title, n, pages))| AreaInfo {
                    id: self
                        .area_ids
                        .get(area)
                        .copied()
                        .unwrap_or(crate::collector::NO_AREA),
                    area: area.to_owned(),
                    title,
                    sections: n,
                    pages,
                })
                .collect(),
            pages: self.pages.iter().filter(|(_, p)| p.sections > 0).count(),
            sections,
            // No common terms: the live index has no word pairs (`pairs.rs`).
            common: Vec::new(),
        }
    }

    /// Replaces all sections of `page_url` by `docs` (adds the page if it is new).
    pub fn replace_page(&mut self, page_url: &str, docs: &[SectionDoc]) -> Result<(), SearchError> {
        self.delete(page_url);
        self.add(page_url, docs)?;
        self.commit()
    }

    /// Removes all sections of `page_url`.
    pub fn remove_page(&mut self, page_url: &str) -> Result<(), SearchError> {
        self.delete(page_url);
        if self.page_places.remove(page_url).is_some() {
            self.pages.retain(|(url, _)| url != page_url);
            self.page_places = (self.pages.iter().enumerate())
                .map(|(k, (url, _))| (url.clone(), k))
                .collect();
        }
        self.commit()
    }

    /// Searches, exactly like [`crate::SearchIndex::search`].
    pub fn search(&self, query: &str, options: &QueryOptions) -> SearchResults {
        self.snapshot().search(query, options)
    }

    /// The `/__kb/search` answer for a request string, like [`crate::SearchIndex::search_json`].
    pub fn search_json(&self, request: &str) -> String {
        self.snapshot().search_json(request)
    }

    /// The index as it is now, searchable from any thread while this one keeps changing
    /// (cheap: the segments are shared, not copied).
    pub fn snapshot(&self) -> LiveSnapshot {
        LiveSnapshot {
            searcher: self.reader.searcher(),
            fields: self.fields,
            catalog: self.catalog.clone(),
        }
    }
}
