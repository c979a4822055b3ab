//! The live index of `kb serve`: held in RAM, one page's sections replaced or removed in
//! milliseconds when its file changes, searched with the same engine as the static index,
//! and packed into the same blob on demand.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, Term};

use crate::blob::{AreaInfo, Catalog};
use crate::doc::SectionDoc;
use crate::error::SearchError;
use crate::index::writer::{build_index, to_document, tokenizers};
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
        Engine {
            searcher: &self.searcher,
            fields: &self.fields,
            catalog: &self.catalog,
            pending: None,
        }
    }
}

/// A searchable index that can change one page at a time.
pub struct LiveIndex {
    settings: SearchSettings,
    /// Sections by page, in the order pages were first seen (the blob keeps that order);
    /// shared with the caller when given shared ([`LiveIndex::from_pages`]), so the
    /// sections' text is not held twice.
    pages: Vec<(String, Arc<Vec<SectionDoc>>)>,
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
}

impl LiveIndex {
    /// Indexes `docs` (any order; sections of one page keep their relative order).
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
        LiveIndex::from_pages(
            grouped
                .into_iter()
                .map(|(url, sections)| (url, Arc::new(sections))),
            settings,
        )
    }

    /// Indexes the sections of each page, by page URL, in order; the sections are kept
    /// shared, not copied.
    pub fn from_pages<U: AsRef<str>>(
        pages: impl IntoIterator<Item = (U, Arc<Vec<SectionDoc>>)>,
        settings: &SearchSettings,
    ) -> Result<Self, SearchError> {
        let index = Index::builder()
            .schema(build_schema())
            .tokenizers(tokenizers())
            .create_in_ram()?;
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
        };
        // A page without sections is not in the index (as with `new`, which never sees it).
        for (url, sections) in pages.into_iter().filter(|(_, s)| !s.is_empty()) {
            live.add(url.as_ref(), sections)?;
        }
        live.commit()?;
        Ok(live)
    }

    fn area_id(&mut self, area: &str) -> u64 {
        let next = self.area_ids.len() as u64;
        *self.area_ids.entry(area.to_owned()).or_insert(next)
    }

    fn add(&mut self, page_url: &str, sections: Arc<Vec<SectionDoc>>) -> Result<(), SearchError> {
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
            if let Some(page) = page_document(&self.fields, &sections, id, page_ord) {
                self.writer.add_document(page)?;
            }
        }
        match self.page_places.get(page_url) {
            Some(&k) => self.pages[k].1 = sections,
            None => {
                self.page_places
                    .insert(page_url.to_owned(), self.pages.len());
                self.pages.push((page_url.to_owned(), sections));
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
        for (_, page) in &self.pages {
            for (i, d) in page.iter().enumerate() {
                sections += 1;
                let area = areas
                    .entry(&d.area)
                    .or_insert_with(|| (d.area_title.clone(), 0, 0));
                area.1 += 1;
                area.2 += usize::from(i == 0);
            }
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
            pages: self.pages.iter().filter(|(_, s)| !s.is_empty()).count(),
            sections,
        }
    }

    /// Replaces all sections of `page_url` by `docs` (adds the page if it is new).
    pub fn replace_page(&mut self, page_url: &str, docs: &[SectionDoc]) -> Result<(), SearchError> {
        self.replace_shared_page(page_url, Arc::new(docs.to_vec()))
    }

    /// [`LiveIndex::replace_page`] with sections kept shared, not copied.
    pub fn replace_shared_page(
        &mut self,
        page_url: &str,
        docs: Arc<Vec<SectionDoc>>,
    ) -> Result<(), SearchError> {
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

    /// The blob [`crate::build_index`] would write for the current sections.
    pub fn to_blob(&self) -> Result<Vec<u8>, SearchError> {
        let docs: Vec<SectionDoc> = self
            .pages
            .iter()
            .flat_map(|(_, s)| s.iter().cloned())
            .collect();
        build_index(&docs, &self.settings)
    }
}
