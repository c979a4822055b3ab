//! The static index: built once from all sections into a deterministic blob (native),
//! opened from that blob and searched (native and wasm).

use std::path::Path;
use std::sync::Arc;

use tantivy::{Directory, Index, IndexReader, ReloadPolicy};

use crate::blob::{Catalog, CATALOG_FILE};
use crate::directory::BlobDirectory;
use crate::error::SearchError;
use crate::paged::{Layout, PagedBlob};
use crate::results::SearchResults;
use crate::schema::{name, register_tokenizer, Fields};
use crate::search::Engine;
use crate::settings::{QueryOptions, SearchSettings};

/// A read-only index opened from a whole blob, or from its head with more pages loaded
/// as searches need them (the browser).
pub struct SearchIndex {
    blob: Arc<PagedBlob>,
    reader: IndexReader,
    fields: Fields,
    catalog: Catalog,
    /// The skip indexes read by hand (`sparse.rs`).
    skips: Vec<crate::sparse::SparseSkip>,
}

/// The answer to a request on an index that may lack pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The wire JSON, exactly what the whole index answers.
    Json(String),
    /// Load these pages (`search/pages/<n>.bin`) and ask again.
    NeedPages(Vec<u32>),
}

fn corrupt(what: impl std::fmt::Display) -> SearchError {
    SearchError::CorruptBlob(what.to_string())
}

impl SearchIndex {
    /// Opens a whole blob written by [`build_index`] (or `LiveIndex::to_blob`).
    pub fn from_blob(blob: &[u8]) -> Result<Self, SearchError> {
        let whole = tantivy::directory::OwnedBytes::new(blob.to_vec());
        Self::open(Arc::new(PagedBlob::whole(
            whole,
            &Layout::default(),
            false,
        )?))
    }

    /// Opens the head of a paged blob (`search/index.bin`); see [`SearchIndex::answer`].
    pub fn from_head(head: &[u8]) -> Result<Self, SearchError> {
        Self::open(Arc::new(PagedBlob::from_head(head)?))
    }

    fn open(blob: Arc<PagedBlob>) -> Result<Self, SearchError> {
        let directory = BlobDirectory::open(blob.clone())?;
        let catalog = directory
            .atomic_read(Path::new(CATALOG_FILE))
            .map_err(corrupt)?;
        let catalog: Catalog = serde_json::from_slice(&catalog).map_err(corrupt)?;
        let index = Index::open(directory.clone())?;
        register_tokenizer(&index);
        let fields = Fields::from_schema(&index.schema())?;
        // Before the reader: its doc stores read their skip indexes whole.
        let (sparse, skips) = crate::sparse::sparse_ranges(&index, fields.kind, &blob, |path| {
            directory.place(path).ok()
        });
        blob.set_sparse(sparse);
        // No threads on wasm32: no reload watcher, no warmers.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .num_warming_threads(0)
            .try_into()?;
        let index = SearchIndex {
            blob,
            reader,
            fields,
            catalog: Catalog {
                settings: catalog.settings.sanitized(),
                ..catalog
            },
            skips,
        };
        index.warm();
        let missing = index.blob.take_missing();
        if !missing.is_empty() {
            // Display, not Debug: the browser's module is built without Debug formatting.
            let missing: Vec<String> = missing.iter().map(u32::to_string).collect();
            return Err(corrupt(format!(
                "the head lacks pages [{}] that opening reads",
                missing.join(", ")
            )));
        }
        Ok(index)
    }

    /// Opens what every search reads before its own terms: each field's term dictionary
    /// (its block index, not its terms) and the area and page columns. These reads decide which
    /// pages the head holds. Field norms are read with a query's postings (`warm.rs`):
    /// one byte per section and field, they were most of the head of a large site.
    fn warm(&self) {
        let searcher = self.reader.searcher();
        let schema = searcher.schema();
        for segment in searcher.segment_readers() {
            for (field, entry) in schema.fields() {
                if entry.is_indexed() {
                    let _ = segment.inverted_index(field);
                }
            }
            let _ = segment.fast_fields().u64(name::AREA_ID);
            let _ = segment.fast_fields().u64(name::PAGE_ORD);
            // What a search asks first of each segment: does it hold pages, sections?
            let _ = crate::collector::Docs::Pages.in_segment(segment, self.fields.kind);
        }
    }

    /// Loads page `n` of the blob (bytes of `search/pages/<n>.bin`).
    pub fn add_page(&self, n: u32, data: &[u8]) -> Result<(), SearchError> {
        self.blob.add_page(n, data)
    }

    /// The id that names the folder of the blob's pages (`search/pages/<id>/`).
    pub fn pages_id(&self) -> String {
        self.blob.id()
    }

    /// Number of pages of the blob.
    pub fn page_count(&self) -> usize {
        self.blob.page_count()
    }

    /// Answers a request string, or names the pages it needs first. Once those are
    /// loaded, asking again gives the answer of the whole index, byte for byte.
    pub fn answer(&self, request: &str) -> Answer {
        self.blob.take_missing();
        let json = self.search_json(request);
        let missing = self.blob.take_missing();
        if missing.is_empty() {
            Answer::Json(json)
        } else {
            Answer::NeedPages(missing)
        }
    }

    /// Searches. Never fails: malformed syntax is searched as plain words. On an index
    /// opened from its head, missing pages read as "no match": use [`SearchIndex::answer`].
    pub fn search(&self, query: &str, options: &QueryOptions) -> SearchResults {
        self.with_engine(|engine| engine.search(query, options))
    }

    /// Answers a request string (`q=...&area=...&limit=...`) with the wire JSON: the
    /// entry point of `kb serve`'s `/__kb/search`.
    pub fn search_json(&self, request: &str) -> String {
        self.with_engine(|engine| engine.search_json(request))
    }

    pub(crate) fn with_engine<R>(&self, run: impl FnOnce(&Engine<'_>) -> R) -> R {
        let searcher = self.reader.searcher();
        let missing = || self.blob.has_missing();
        let pending = (!self.blob.is_whole()).then_some(&missing as &dyn Fn() -> bool);
        run(&Engine::new(
            &searcher,
            &self.fields,
            &self.catalog,
            pending,
            &self.skips,
        ))
    }

    /// The blob, to see which pages a search loaded.
    #[cfg(test)]
    pub(crate) fn blob(&self) -> &PagedBlob {
        &self.blob
    }

    /// Answers `request` as the browser does, loading the pages it names from `whole`.
    #[cfg(test)]
    pub(crate) fn answer_loading(&self, request: &str, whole: &PagedBlob) -> String {
        loop {
            match self.answer(request) {
                Answer::Json(json) => return json,
                Answer::NeedPages(pages) => {
                    for n in pages {
                        self.add_page(n, &whole.page(n).unwrap()).unwrap();
                    }
                }
            }
        }
    }

    /// Number of sections in the index.
    pub fn sections(&self) -> usize {
        self.catalog.sections
    }

    /// The settings the index was built with.
    pub fn settings(&self) -> &SearchSettings {
        &self.catalog.settings
    }
}

/// Where to cut the pages of a whole blob (opened with recording on): the ranges opening
/// it reads (what the head must hold), then the units a query may read; and what the
/// browser may fetch before its module runs (see `prefetch.rs`).
#[cfg(feature = "writer")]
pub(crate) fn probe_layout(
    paged: Arc<PagedBlob>,
) -> Result<(Layout, crate::prefetch::Probe), SearchError> {
    let index = SearchIndex::open(paged.clone())?;
    let head = paged.take_touched();
    let units = index.read_units(&paged);
    let prefetch = index.read_prefetch(&paged);
    let sparse = paged.sparse().to_vec();
    // Opening reads a skip index whole; its finest layer is not the head's (`sparse.rs`).
    let finest: Vec<_> = index.skips.iter().map(|s| s.finest.clone()).collect();
    let head = head.into_iter().flat_map(|r| without(r, &finest)).collect();
    Ok((
        Layout {
            head,
            units,
            sparse,
        },
        prefetch,
    ))
}

/// `range` without the parts that lie in `holes`.
#[cfg(feature = "writer")]
fn without(
    range: std::ops::Range<usize>,
    holes: &[std::ops::Range<usize>],
) -> Vec<std::ops::Range<usize>> {
    let mut parts = vec![range];
    for hole in holes {
        parts = parts
            .into_iter()
            .flat_map(|r| {
                [r.start..r.end.min(hole.start), r.start.max(hole.end)..r.end]
                    .into_iter()
                    .filter(|p| !p.is_empty())
            })
            .collect();
    }
    parts
}

/// Each block of `dict` with its first term, in order: found by looking up every
/// [`EVERY`]th term and, where two of those lie in different blocks, bisecting the terms
/// between them (a block holds about 90 terms). `paged` records the reads.
#[cfg(feature = "writer")]
fn dictionary_blocks(
    dict: &tantivy::termdict::TermDictionary,
    paged: &PagedBlob,
) -> Vec<(String, std::ops::Range<usize>)> {
    use std::ops::Bound::Included;
    use std::ops::Range;
    /// Terms per lookup while walking the dictionary.
    const EVERY: usize = 16;
    let block_of = |key: &[u8]| -> Option<Range<usize>> {
        paged.take_touched();
        let slice = dict.file_slice_for_range((Included(key), Included(key)), None);
        slice.read_bytes().ok()?;
        paged.take_touched().into_iter().next()
    };
    let mut blocks: Vec<(String, Range<usize>)> = Vec::new();
    let mut push = |key: &[u8], range: Range<usize>| {
        if blocks.last().map(|b| &b.1) != Some(&range) {
            blocks.push((String::from_utf8_lossy(key).into_owned(), range));
        }
    };
    // Block starts among `rest`, which lie after a term of block `from` and before one of
    // block `to`: each start's term and block.
    let starts_among = |rest: &[Vec<u8>], mut from: Range<usize>, to: &Range<usize>| {
        let mut starts = Vec::new();
        let mut rest = rest;
        while from != *to {
            let i = rest.partition_point(|k| block_of(k).as_ref() == Some(&from));
            let Some((key, range)) = rest.get(i).and_then(|k| Some((k, block_of(k)?))) else {
                break;
            };
            starts.push((key.clone(), range.clone()));
            from = range;
            rest = &rest[i + 1..];
        }
        starts
    };
    let Ok(mut terms) = dict.stream() else {
        return Vec::new();
    };
    let mut between: Vec<Vec<u8>> = Vec::with_capacity(EVERY);
    let mut last: Option<Range<usize>> = None;
    let mut n = 0usize;
    while terms.advance() {
        if n.is_multiple_of(EVERY) {
            let Some(range) = block_of(terms.key()) else {
                break;
            };
            if let Some(from) = last.take() {
                for (key, block) in starts_among(&between, from, &range) {
                    push(&key, block);
                }
            }
            between.clear();
            push(terms.key(), range.clone());
            last = Some(range);
        } else {
            between.push(terms.key().to_vec());
        }
        n += 1;
    }
    // Blocks that start after the last looked-up term.
    if let (Some(from), Some(key)) = (last, between.last()) {
        if let Some(to) = block_of(key) {
            for (key, block) in starts_among(&between, from, &to) {
                push(&key, block);
            }
        }
    }
    blocks
}

#[cfg(feature = "writer")]
impl SearchIndex {
    /// The reads `prefetch.rs` lists, recorded on `paged`: each text field's norms in the
    /// segment that holds its kind of document (unless they are read sparsely, `sparse.rs`),
    /// and where each block of that kind's tagged words' dictionary there starts.
    fn read_prefetch(&self, paged: &PagedBlob) -> crate::prefetch::Probe {
        use crate::collector::Docs;
        let f = &self.fields;
        let by_kind = [
            (
                Docs::Pages,
                f.page_text().map(|(field, _)| field).to_vec(),
                f.p_words,
            ),
            (
                Docs::Sections,
                f.section_text().map(|(field, _)| field).to_vec(),
                f.words,
            ),
        ];
        let mut probe = crate::prefetch::Probe::default();
        let searcher = self.reader.searcher();
        paged.take_touched();
        for segment in searcher.segment_readers() {
            crate::search::read_kinds(segment, f.kind);
            probe.always.extend(paged.take_touched());
            for (docs, fields, words) in &by_kind {
                if !docs.in_segment(segment, f.kind) {
                    continue;
                }
                paged.take_touched();
                let sparse = crate::sparse::is_sparse(segment, f.kind);
                for &field in fields {
                    if !sparse {
                        let _ = segment.get_fieldnorms_reader(field);
                        probe.always.extend(paged.take_touched());
                    }
                }
                if let Ok(inverted) = segment.inverted_index(*words) {
                    probe.dicts.push(dictionary_blocks(inverted.terms(), paged));
                }
                if *docs == Docs::Pages && !self.catalog.common.is_empty() {
                    if let Ok(inverted) = segment.inverted_index(f.p_pairs) {
                        probe.pairs = dictionary_blocks(inverted.terms(), paged);
                        probe.common = self.catalog.common.clone();
                    }
                }
            }
        }
        probe
    }

    /// Reads every unit a query may read, one read each, recorded on `paged`: each
    /// field's norms, each term's postings and positions, the term dictionary block of
    /// every [`LOOKUP_EVERY`]th term (a block holds a few hundred), and each doc-store
    /// block. The units, in order. A word's tagged terms (`words.rs`) are one unit of
    /// postings and one of positions: a query reads them all, and a page cut between them
    /// brought the next words' bytes with the last of them.
    fn read_units(&self, paged: &PagedBlob) -> Vec<std::ops::Range<usize>> {
        /// Terms per dictionary lookup: one lookup per block finds the block's bounds.
        const LOOKUP_EVERY: usize = 16;
        use tantivy::schema::IndexRecordOption;
        let mut units = Vec::new();
        // The reads since the last call, those next to each other merged (a term's
        // postings and the next one's, not reads in different files).
        let flush = |units: &mut Vec<std::ops::Range<usize>>| {
            units.extend(crate::paged::merged(paged.take_touched()));
        };
        let searcher = self.reader.searcher();
        let schema = searcher.schema();
        let f = &self.fields;
        for segment in searcher.segment_readers() {
            for (field, entry) in schema.fields() {
                if !entry.is_indexed() {
                    continue;
                }
                let _ = segment.get_fieldnorms_reader(field);
                flush(&mut units);
                let Ok(inverted) = segment.inverted_index(field) else {
                    continue;
                };
                let Ok(mut terms) = inverted.terms().stream() else {
                    continue;
                };
                let tagged = field == f.p_words || field == f.words;
                let mut word: Vec<u8> = Vec::new();
                let mut n = 0usize;
                while terms.advance() {
                    let key = terms.key();
                    // A tagged term's word; every other term is a word of its own.
                    let of = tagged.then(|| crate::words::split(key)).flatten();
                    match of {
                        Some((w, _)) if w == word.as_slice() => {}
                        _ => {
                            flush(&mut units);
                            word.clear();
                            word.extend(of.map_or(&[][..], |(w, _)| w));
                        }
                    }
                    // Its block is in another file than the postings: a unit of its own.
                    if n.is_multiple_of(LOOKUP_EVERY) {
                        let _ = inverted.terms().get(key);
                    }
                    n += 1;
                    let with = IndexRecordOption::WithFreqsAndPositions;
                    let _ = inverted.read_postings_from_terminfo(terms.value(), with);
                }
                flush(&mut units);
            }
            if let Ok(store) = segment.get_store_reader(1) {
                for doc in 0..segment.max_doc() {
                    let _ = store.get_document_bytes(doc);
                    flush(&mut units);
                }
            }
        }
        units
    }
}

#[cfg(feature = "writer")]
pub use writer::{build_index, DocPreparer, IndexWriter, PreparedDoc};

#[cfg(feature = "writer")]
pub(crate) mod writer {
    //! Writing: sections to tantivy documents, a segment of sections and one of page
    //! documents, packed blob.
    //!
    //! Why two segments: tantivy reads a field's norms whole, one byte for every document
    //! of the segment. Page matching scores the page fields and section ranking the
    //! section fields; in one segment each read norms for every document of both kinds.
    //! Apart, each reads its own kind's (a search skips the other kind's segment, see
    //! `collector.rs`): at 10,000 pages the norms a query reads went from 781 to 345 KB.
    //! The scores are the same (BM25's statistics are the searcher's, over both).

    use std::collections::{BTreeMap, BTreeSet};
    use std::io::Write;
    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    use tantivy::directory::FileSlice;
    use tantivy::schema::Value;
    use tantivy::tokenizer::TokenizerManager;
    use tantivy::{doc, Directory, IndexBuilder, IndexSettings, TantivyDocument};

    use super::corrupt;
    use crate::blob::{self, AreaInfo, Catalog, SharedBlob, CATALOG_FILE, FIXED_SEGMENT_ID};
    use crate::doc::SectionDoc;
    use crate::error::SearchError;
    use crate::page_doc::PageDoc;
    use crate::pairs::{CommonTerms, PairTokenizer, Sample};
    use crate::parts::{Location, Parts, PAGE_PART_SHARE, PART_DOCS};
    use crate::schema::{build_schema, Fields, Holds};
    use crate::settings::SearchSettings;
    use crate::tokenizer::{KbTokenizer, TOKENIZER_NAME};

    /// The blob an index on disk is packed into, in the writer's folder.
    const PACKED_FILE: &str = "index.bin";
    /// Bytes of stored text per compressed doc-store block (tantivy's default is 16 KiB).
    /// A hit shown in the browser downloads the whole block, so keep it near a section.
    const DOCSTORE_BLOCK: usize = 4096;

    /// The tantivy document of one section.
    pub(crate) fn to_document(f: &Fields, d: &SectionDoc, area_id: u64) -> TantivyDocument {
        let mut doc = doc!(
            f.url => d.url.as_str(),
            f.page_url => d.page_url.as_str(),
            f.page_title => d.page_title.as_str(),
            f.heading => d.heading.as_str(),
            f.breadcrumb => d.breadcrumb.as_str(),
            f.body => d.body.as_str(),
            f.code => d.code.as_str(),
            f.area => d.area.as_str(),
            f.area_id => area_id,
            f.area_title => d.area_title.as_str(),
        );
        for tag in &d.tags {
            doc.add_text(f.tags, tag);
            doc.add_text(f.tag, tag.to_lowercase());
        }
        let texts = [
            (&d.page_title, Holds::Title),
            (&d.heading, Holds::Headings),
            (&d.body, Holds::Prose),
            (&d.code, Holds::Code),
        ];
        let tags = d.tags.iter().map(|t| (t, Holds::Tags));
        for (text, holds) in texts.into_iter().chain(tags) {
            if let Some(words) = crate::words::value(text, holds) {
                doc.add_text(f.words, words);
            }
        }
        doc
    }

    /// The tokenizers of an index whose pairs are those of `common` (see `pairs.rs`).
    pub(crate) fn tokenizers(common: CommonTerms) -> TokenizerManager {
        let manager = TokenizerManager::default();
        manager.register(TOKENIZER_NAME, KbTokenizer::default());
        manager.register(
            crate::pairs::PAIR_TOKENIZER_NAME,
            PairTokenizer::new(common),
        );
        manager.register(
            crate::words::TAGGED_TOKENIZER_NAME,
            crate::words::TaggedTokenizer::default(),
        );
        manager.register(
            crate::words::COUNT_TOKENIZER_NAME,
            crate::words::CountTokenizer::default(),
        );
        manager
    }

    /// Builds the index of `docs` (in this order) and packs it into a blob.
    ///
    /// Deterministic: the same sections and settings always give the same bytes. Each
    /// segment is written by one thread in input order, and the random segment UUIDs are
    /// replaced by fixed ones.
    pub fn build_index(
        docs: &[SectionDoc],
        settings: &SearchSettings,
    ) -> Result<Vec<u8>, SearchError> {
        let areas = docs.iter().map(|d| (d.area.clone(), d.area_title.clone()));
        let mut writer = IndexWriter::new(areas, settings)?;
        for d in docs {
            writer.add(d)?;
        }
        let mut blob = Vec::new();
        writer.finish_into(&mut blob)?;
        Ok(blob)
    }

    /// A section turned into the tantivy document the index stores, ready to be added.
    ///
    /// Made by a [`DocPreparer`] on the thread that made the section, so the section's
    /// strings are freed where they were allocated and the indexing thread only indexes.
    pub struct PreparedDoc {
        doc: TantivyDocument,
        area_id: u64,
        /// The page document this section would start, used when it is its page's first.
        page: PageDoc,
    }

    /// Prepares sections for an [`IndexWriter`]: shareable across threads.
    #[derive(Debug, Clone)]
    pub struct DocPreparer {
        fields: Fields,
        /// Area folder to area id.
        area_ids: Arc<BTreeMap<String, u64>>,
    }

    impl DocPreparer {
        /// The document of `doc`; its area id comes from the writer's declared areas.
        pub fn prepare(&self, doc: &SectionDoc) -> PreparedDoc {
            let area_id = self
                .area_ids
                .get(&doc.area)
                .copied()
                .unwrap_or(crate::collector::NO_AREA);
            PreparedDoc {
                doc: to_document(&self.fields, doc, area_id),
                area_id,
                page: PageDoc::new(&self.fields, doc, area_id),
            }
        }
    }

    /// Builds an index from sections handed over one by one, for a caller that makes them
    /// while it renders. Gives the same bytes as [`build_index`] over the same sections when
    /// every declared area has sections.
    pub struct IndexWriter {
        /// The section documents, then the page documents: two streams of parts, each
        /// merged into a segment of its own (see [`pack_index`]).
        section_docs: Parts,
        page_docs: Parts,
        /// The folder the blob is packed into, for a writer on disk.
        folder: Option<PathBuf>,
        settings: SearchSettings,
        preparer: DocPreparer,
        /// Declared areas by id (their sorted order): folder, title, sections and pages so far.
        areas: Vec<(String, String, usize, usize)>,
        pages: BTreeSet<String>,
        /// The page document of the page whose sections are arriving.
        page: Option<PageDoc>,
        /// The first page documents, until they decide the common terms (`pairs.rs`).
        sample: Sample,
        /// Number of that page (pages are numbered from 1 in the order they come).
        page_ord: u64,
        sections: usize,
    }

    impl IndexWriter {
        /// `areas` are the `(area, area title)` pairs the sections may name, in any order
        /// and with repeats; ids follow the areas' sorted order. A section naming an area
        /// not declared here counts in no area.
        pub fn new(
            areas: impl IntoIterator<Item = (String, String)>,
            settings: &SearchSettings,
        ) -> Result<Self, SearchError> {
            Self::with_parts(areas, settings, Location::Memory, 1, PART_DOCS)
        }

        /// A writer like [`IndexWriter::new`] whose index is built in `folder` (which it
        /// fills; the caller removes it) by `threads` threads, and packed there: the
        /// postings and the blob stay off the heap, for sites of any size. The blob is
        /// the same as in memory.
        pub fn on_disk(
            areas: impl IntoIterator<Item = (String, String)>,
            settings: &SearchSettings,
            folder: &Path,
            threads: usize,
        ) -> Result<Self, SearchError> {
            Self::with_parts(
                areas,
                settings,
                Location::Disk(folder.to_path_buf()),
                threads,
                PART_DOCS,
            )
        }

        /// A writer of parts of `part_docs` sections (see [`PART_DOCS`]) at `location`.
        pub(crate) fn with_parts(
            areas: impl IntoIterator<Item = (String, String)>,
            settings: &SearchSettings,
            location: Location,
            threads: usize,
            part_docs: usize,
        ) -> Result<Self, SearchError> {
            let mut declared: BTreeMap<String, String> = BTreeMap::new();
            for (area, title) in areas {
                declared.entry(area).or_insert(title);
            }
            let area_ids = declared
                .keys()
                .enumerate()
                .map(|(id, area)| (area.clone(), id as u64))
                .collect();
            let common = CommonTerms::default();
            let tokenizer_common = common.clone();
            let builder = move || {
                IndexBuilder::new()
                    .schema(build_schema())
                    .settings(IndexSettings {
                        docstore_blocksize: DOCSTORE_BLOCK,
                        // Compress doc-store blocks on the writing thread: kb build already
                        // keeps every core busy, and the hand-off to a dedicated thread
                        // cost more in context switches than the compression itself.
                        docstore_compress_dedicated_thread: false,
                        ..IndexSettings::default()
                    })
                    .tokenizers(tokenizers(tokenizer_common.clone()))
            };
            // One thread or more per stream: they hold about as much text each (a page
            // document has all its sections' words).
            let page_threads = (threads / 2).max(1);
            let section_threads = threads.saturating_sub(page_threads).max(1);
            let page_part_docs = (part_docs / PAGE_PART_SHARE).max(1);
            Ok(IndexWriter {
                section_docs: Parts::new(
                    location.within("sections"),
                    section_threads,
                    part_docs,
                    builder.clone(),
                )?,
                page_docs: Parts::new(
                    location.within("pages"),
                    page_threads,
                    page_part_docs,
                    builder,
                )?,
                sample: Sample::new(common),
                folder: match &location {
                    Location::Memory => None,
                    Location::Disk(dir) => Some(dir.clone()),
                },
                settings: settings.clone(),
                preparer: DocPreparer {
                    fields: Fields::from_schema(&build_schema())?,
                    area_ids: Arc::new(area_ids),
                },
                areas: declared
                    .into_iter()
                    .map(|(area, title)| (area, title, 0, 0))
                    .collect(),
                pages: BTreeSet::new(),
                page: None,
                page_ord: 0,
                sections: 0,
            })
        }

        /// How many parts [`Self::finish`] has to merge so far: the section and page
        /// documents are each written in parts, and a kind written in more than one is
        /// merged into one segment.
        pub fn parts_to_merge(&self) -> usize {
            [&self.section_docs, &self.page_docs]
                .iter()
                .map(|parts| parts.count())
                .filter(|&n| n > 1)
                .sum()
        }

        /// Something that prepares sections for this writer on other threads.
        pub fn preparer(&self) -> DocPreparer {
            self.preparer.clone()
        }

        /// Indexes the next section.
        pub fn add(&mut self, doc: &SectionDoc) -> Result<(), SearchError> {
            let prepared = self.preparer.prepare(doc);
            self.add_prepared(prepared)
        }

        /// Indexes the next section, prepared by this writer's [`DocPreparer`]. Sections
        /// of one page must come one after the other: the page's document is written when
        /// the next page starts.
        pub fn add_prepared(&mut self, prepared: PreparedDoc) -> Result<(), SearchError> {
            let PreparedDoc { doc, area_id, page } = prepared;
            let same_page = self
                .page
                .as_ref()
                .is_some_and(|p| p.page_url() == page.page_url());
            if let Some((_, _, sections, pages)) = self.areas.get_mut(area_id as usize) {
                *sections += 1;
                *pages += usize::from(!same_page);
            }
            if !same_page {
                self.finish_page()?;
                self.pages.insert(page.page_url().to_owned());
                self.page = Some(page);
                self.page_ord += 1;
            }
            let mut doc = doc;
            let f = &self.preparer.fields;
            let text = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("");
            if let Some(current) = self.page.as_mut() {
                current.push(f, text(f.heading), text(f.body), text(f.code));
            }
            doc.add_u64(f.page_ord, self.page_ord);
            self.sections += 1;
            self.section_docs.add(doc)
        }

        /// Writes the page document of the page whose sections came last.
        fn finish_page(&mut self) -> Result<(), SearchError> {
            if let Some(page) = self.page.take() {
                let f = &self.preparer.fields;
                let doc = page.finish(f, self.page_ord);
                for doc in self.sample.add(f, doc) {
                    self.page_docs.add(doc)?;
                }
            }
            Ok(())
        }

        /// Writes the segment and packs it into a blob: in memory, or for a writer
        /// [`on_disk`](IndexWriter::on_disk) into a file of its folder, mapped.
        pub fn finish(self) -> Result<SharedBlob, SearchError> {
            let Some(folder) = self.folder.clone() else {
                let mut blob = Vec::new();
                self.finish_into(&mut blob)?;
                return Ok(SharedBlob::from(blob));
            };
            let io = |e: std::io::Error| SearchError::Index(e.into());
            let file = std::fs::File::create(folder.join(PACKED_FILE)).map_err(io)?;
            let mut out = std::io::BufWriter::new(file);
            self.finish_into(&mut out)?;
            out.flush().map_err(io)?;
            drop(out);
            let mapped = crate::mapped::MappedFile::open(&folder.join(PACKED_FILE)).map_err(io)?;
            Ok(SharedBlob::mapped(mapped))
        }

        /// Writes the segment and packs it into `out`. Areas without sections are left
        /// out of the catalog (their ids stay unused).
        fn finish_into(mut self, out: &mut dyn Write) -> Result<(), SearchError> {
            self.finish_page()?;
            for doc in self.sample.finish() {
                self.page_docs.add(doc)?;
            }
            let catalog = Catalog {
                settings: self.settings.sanitized(),
                areas: self
                    .areas
                    .into_iter()
                    .enumerate()
                    .filter(|(_, (_, _, sections, _))| *sections > 0)
                    .map(|(id, (area, title, sections, pages))| AreaInfo {
                        id: id as u64,
                        area,
                        title,
                        sections,
                        pages,
                    })
                    .collect(),
                pages: self.pages.len(),
                sections: self.sections,
                common: self.sample.common().to_vec(),
            };
            // The two streams' last parts and merges, side by side.
            let (section_docs, page_docs) = (self.section_docs, self.page_docs);
            let (sections, pages) = std::thread::scope(|scope| {
                let pages = scope.spawn(move || page_docs.finish());
                let sections = section_docs.finish();
                let pages = pages.join().unwrap_or_else(|_| {
                    Err(corrupt("the thread closing the page documents panicked"))
                });
                (sections, pages)
            });
            pack_index(&[sections?, pages?], &catalog, out)
        }
    }

    /// Packs indexes of one segment each into `out`, as one index of those segments in
    /// this order, their ids normalised (the `n`th is [`fixed_segment_id`]`(n)`).
    fn pack_index(
        indexes: &[(tantivy::Index, Box<dyn Directory>)],
        catalog: &Catalog,
        out: &mut dyn Write,
    ) -> Result<(), SearchError> {
        let mut meta: Option<serde_json::Value> = None;
        let mut ids = Vec::new();
        let mut segment_files = Vec::new();
        for (n, (index, directory)) in indexes.iter().enumerate() {
            let metas = index.searchable_segment_metas()?;
            let [segment] = metas.as_slice() else {
                return Err(corrupt(format!(
                    "expected one segment, found {}",
                    metas.len()
                )));
            };
            let (id, fixed) = (segment.id().uuid_string(), fixed_segment_id(n));
            let json = directory
                .atomic_read(Path::new("meta.json"))
                .map_err(corrupt)?;
            let json: serde_json::Value = serde_json::from_slice(&json).map_err(corrupt)?;
            match meta.as_mut() {
                None => meta = Some(json),
                Some(first) => {
                    let more = json["segments"].as_array().cloned().unwrap_or_default();
                    if let Some(segments) = first["segments"].as_array_mut() {
                        segments.extend(more);
                    }
                }
            }
            use tantivy::index::SegmentComponent as C;
            // Every component a read-only segment can have; the temp store only exists
            // while sorting and `.del` only after deletes.
            let components = [
                C::Postings,
                C::Positions,
                C::FastFields,
                C::FieldNorms,
                C::Terms,
                C::Store,
            ];
            for component in components {
                let path = segment.relative_path(component);
                // The component list names every possible file; a fresh segment has no `.del`.
                if !directory.exists(&path).map_err(corrupt)? {
                    continue;
                }
                let data = directory.open_read(&path).map_err(corrupt)?;
                let name = path.to_string_lossy().replace(&id, &fixed);
                segment_files.push((name, data));
            }
            ids.push((id, fixed));
        }
        let mut meta = meta.ok_or_else(|| corrupt("no index to pack"))?;
        // The note a merge leaves names the merged parts' random ids; nothing reads it.
        meta["payload"] = serde_json::Value::Null;
        let mut meta = serde_json::to_string_pretty(&meta).map_err(corrupt)?;
        for (id, fixed) in &ids {
            meta = meta
                .replace(id, fixed)
                .replace(&hyphenate(id), &hyphenate(fixed));
        }
        segment_files.sort_by(|a, b| a.0.cmp(&b.0));
        let mut files = vec![("meta.json".to_owned(), FileSlice::from(meta.into_bytes()))];
        files.extend(segment_files);
        let catalog = serde_json::to_vec(catalog).map_err(corrupt)?;
        files.push((CATALOG_FILE.to_owned(), FileSlice::from(catalog)));
        blob::pack_to(files, out)
    }

    /// The id the `n`th segment of a packed index gets: [`FIXED_SEGMENT_ID`] for the first.
    fn fixed_segment_id(n: usize) -> String {
        let keep = FIXED_SEGMENT_ID.len() - 4;
        format!("{}{:04x}", &FIXED_SEGMENT_ID[..keep], n + 1)
    }

    fn hyphenate(id: &str) -> String {
        if id.len() != 32 {
            return id.to_owned();
        }
        format!(
            "{}-{}-{}-{}-{}",
            &id[..8],
            &id[8..12],
            &id[12..16],
            &id[16..20],
            &id[20..]
        )
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::index::SearchIndex;
        use crate::settings::QueryOptions;

        const WORDS: [&str; 11] = [
            "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
            "juliet", "kilo",
        ];

        fn sections(n: usize) -> Vec<SectionDoc> {
            (0..n)
                .map(|i| SectionDoc {
                    url: format!("p{i}/"),
                    page_url: format!("p{i}/"),
                    page_title: format!("Page {i}"),
                    body: format!("connection pool {}", WORDS[i]),
                    area: ["apis", "caching"][i % 2].to_string(),
                    area_title: ["APIs", "Caching"][i % 2].to_string(),
                    ..SectionDoc::default()
                })
                .collect()
        }

        fn blob(docs: &[SectionDoc], location: Location, threads: usize, part: usize) -> Vec<u8> {
            let areas = docs.iter().map(|d| (d.area.clone(), d.area_title.clone()));
            let settings = SearchSettings::default();
            let mut writer =
                IndexWriter::with_parts(areas, &settings, location, threads, part).unwrap();
            docs.iter().for_each(|d| writer.add(d).unwrap());
            writer.finish().unwrap().to_vec()
        }

        #[test]
        fn one_part_is_what_build_index_writes() {
            let docs = sections(7);
            let whole = build_index(&docs, &SearchSettings::default()).unwrap();
            let dir = tempfile::tempdir().unwrap();
            // Seven sections on seven pages: one part of each kind (a part of pages holds
            // a sixth of a part of sections).
            let on_disk = blob(&docs, Location::Disk(dir.path().into()), 2, 42);
            assert_eq!(on_disk, whole);
        }

        #[test]
        fn parts_merge_into_two_segments_the_same_wherever_and_however_built() {
            let docs = sections(11);
            let in_memory = blob(&docs, Location::Memory, 1, 3);
            let dir = tempfile::tempdir().unwrap();
            let on_disk = blob(&docs, Location::Disk(dir.path().into()), 3, 3);
            assert_eq!(
                in_memory, on_disk,
                "same bytes whatever the threads and place"
            );
            assert_ne!(
                in_memory,
                build_index(&docs, &SearchSettings::default()).unwrap(),
                "four parts of sections and eleven of pages were merged"
            );
            let index = SearchIndex::from_blob(&in_memory).unwrap();
            assert_eq!(index.sections(), 11);
            // The sections, then the pages, each kind in a segment of its own: a search
            // for one kind never reads the other's postings or field norms.
            let searcher = index.reader.searcher();
            let segments = searcher.segment_readers();
            let sizes: Vec<u32> = segments.iter().map(|s| s.max_doc()).collect();
            assert_eq!(sizes, [11, 11]);
            let kind = index.fields.kind;
            use crate::collector::Docs;
            assert!(Docs::Sections.in_segment(&segments[0], kind));
            assert!(!Docs::Pages.in_segment(&segments[0], kind));
            assert!(Docs::Pages.in_segment(&segments[1], kind));
            assert!(!Docs::Sections.in_segment(&segments[1], kind));
            for i in [0, 5, 10] {
                let hits = index.search(WORDS[i], &QueryOptions::default());
                let urls: Vec<&str> = hits.hits.iter().map(|h| h.url.as_str()).collect();
                assert_eq!(urls, [format!("p{i}/")], "section {i} of its part");
            }
        }
    }
}
