//! Search execution: turns a parsed query into tantivy queries, runs them, and assembles
//! [`SearchResults`] with excerpts, area counts and suggestions. Shared by the static
//! index (native and wasm) and the live index of `kb serve`.
//!
//! This file runs one query end to end ([`Engine::search`]); the steps are split by
//! concern:
//!
//! * `expand.rs`: what one word or phrase may match (synonyms, prefix and typo expansion
//!   against the term dictionary); `synonyms.rs`: the synonym list;
//! * `plan.rs`: the tantivy queries of each clause, over pages and over sections;
//! * `pages.rs`: which pages match and their order, leaving out words no page has;
//! * `sections.rs`: which sections of those pages to show (`in_pages.rs`: the filter that
//!   finds them);
//! * `sparse_union.rs`: a union that scores only the documents it is asked about;
//!   `and_maybe.rs`: one query's documents, scored with another's where it matches too;
//! * `term_counts.rs`: the most frequent terms a prefix or a misspelt word expands to;
//! * `suggest.rs`: other queries to offer when this one found nothing;
//! * `warm.rs`: reading all a plan reads once a step missed pages, so the browser loads
//!   them in one round.

mod and_maybe;
mod expand;
mod in_pages;
mod near;
mod normed;
mod pages;
mod pair;
mod plan;
mod sections;
mod sparse_union;
mod suggest;
mod synonyms;
mod term_counts;
mod warm;

#[cfg(feature = "writer")]
pub(crate) use warm::read_kinds;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use tantivy::schema::{Field, Value};
use tantivy::store::StoreReader;
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use crate::blob::Catalog;
use crate::collector::{Docs, NO_AREA};
use crate::excerpt::excerpt;
use crate::query::{parse, Scope};
use crate::results::{round_score, AreaCount, SearchHit, SearchResults};
use crate::schema::{Fields, Holds};
use crate::settings::{QueryOptions, MAX_LIMIT};
use crate::sparse::SparseSkip;

/// Below this many matches, words of [`FUZZY_MIN_CHARS`](expand::FUZZY_MIN_CHARS) or more
/// also match terms one edit away.
const FUZZY_BELOW: usize = 3;

/// Blocks of stored sections a doc store opened by one search keeps decompressed: a
/// shown section is read for its word pairs and for its hit.
const STORE_CACHE_BLOCKS: usize = 8;

/// Which documents a query is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    /// Page documents: which pages match.
    Page,
    /// Section documents: which sections of a matched page to show.
    Section,
}

/// A text field that words are searched in.
#[derive(Clone, Copy)]
struct TextField {
    /// The field itself: its norms and token count (and stored text, on sections).
    field: Field,
    /// The tagged field its words are terms of, and their tag (see `words.rs`).
    words: Field,
    tag: char,
    boost: f32,
    positions: bool,
    /// On page documents, where the field's word pairs are terms of their own: the
    /// pairs' field and this field's tag (see `pairs.rs`).
    pairs: Option<(Field, char)>,
}

impl TextField {
    /// The term of `word` in this field: its tagged term.
    fn term(&self, word: &str) -> Term {
        Term::from_field_text(self.words, &crate::words::term(word, self.tag))
    }
}

/// Runs queries against one searcher.
pub(crate) struct Engine<'a> {
    pub searcher: &'a Searcher,
    pub fields: &'a Fields,
    pub catalog: &'a Catalog,
    /// On an index that may lack pages: whether a read so far wanted a page that is not
    /// loaded. A step that missed then reads all its plan reads (`warm.rs`) and the search
    /// stops there, as its answer would be thrown away (see `SearchIndex::answer`), so the
    /// browser loads what that step named. `None` when every page is there (native,
    /// `kb serve`).
    pub pending: Option<&'a dyn Fn() -> bool>,
    /// Whether each segment holds page documents and sections, asked once per search.
    segment_docs: std::cell::OnceCell<Vec<(bool, bool)>>,
    /// Planning ahead of the typo step (see [`Engine::search`]): only words whose
    /// dictionary lookups all answered "not there" are taken for typos.
    typos_ahead: std::cell::Cell<bool>,
    /// The skip indexes of the doc stores read sparsely (`sparse.rs`).
    skips: &'a [SparseSkip],
    /// Their doc stores, opened by this search (see [`Engine::doc`]), by segment ordinal.
    stores: std::cell::RefCell<BTreeMap<u32, Option<StoreReader>>>,
}

impl<'a> Engine<'a> {
    pub(crate) fn new(
        searcher: &'a Searcher,
        fields: &'a Fields,
        catalog: &'a Catalog,
        pending: Option<&'a dyn Fn() -> bool>,
        skips: &'a [SparseSkip],
    ) -> Self {
        Engine {
            searcher,
            fields,
            catalog,
            pending,
            segment_docs: std::cell::OnceCell::new(),
            typos_ahead: std::cell::Cell::new(false),
            skips,
            stores: std::cell::RefCell::new(BTreeMap::new()),
        }
    }

    /// The stored document at `address`, `None` when its pages are not loaded (they are
    /// then named missing). In a doc store read sparsely (`sparse.rs`) the path through
    /// its skip index is read first, byte by byte, and the document from a doc store
    /// opened now: the searcher's read the skip index when the index opened, before
    /// those pages came.
    pub(super) fn doc(&self, address: DocAddress) -> Option<TantivyDocument> {
        let segment = self.searcher.segment_reader(address.segment_ord);
        let sparse = self
            .skips
            .iter()
            .find(|s| s.segment == segment.segment_id());
        // A whole blob (native, `kb search`) has every page: the searcher's store will do.
        let Some(skip) = sparse.filter(|_| self.pending.is_some()) else {
            return self.searcher.doc(address).ok();
        };
        if !skip.path_loaded(address.doc_id) {
            return None;
        }
        let mut stores = self.stores.borrow_mut();
        let store = stores
            .entry(address.segment_ord)
            .or_insert_with(|| segment.get_store_reader(STORE_CACHE_BLOCKS).ok());
        store.as_ref()?.get(address.doc_id).ok()
    }

    /// Whether to search each segment (by ordinal) for `docs` (see [`Docs::in_segment`]).
    pub(super) fn segments_with(&self, docs: Docs) -> Vec<bool> {
        let all = self.segment_docs.get_or_init(|| {
            let kind = self.fields.kind;
            self.searcher
                .segment_readers()
                .iter()
                .map(|s| {
                    (
                        Docs::Pages.in_segment(s, kind),
                        Docs::Sections.in_segment(s, kind),
                    )
                })
                .collect()
        });
        all.iter()
            .map(|&(pages, sections)| match docs {
                Docs::Pages => pages,
                Docs::Sections => sections,
            })
            .collect()
    }
}

impl Engine<'_> {
    /// Answers a request string (`q=...&area=...&limit=...`) with the wire JSON.
    pub(crate) fn search_json(&self, request: &str) -> String {
        let req = crate::settings::SearchRequest::from_url_query(request);
        self.search(&req.query, &req.options).to_json()
    }

    /// The fields a clause in `scope` is searched in at `level`, with their boosts.
    fn text_fields(&self, scope: Scope, level: Level) -> Vec<TextField> {
        let s = &self.catalog.settings;
        let f = self.fields;
        let pairs = |holds| match level {
            Level::Page => crate::pairs::tag(holds).map(|tag| (f.p_pairs, tag)),
            Level::Section => None,
        };
        let words = match level {
            Level::Page => f.p_words,
            Level::Section => f.words,
        };
        let tf = |(field, holds): (Field, Holds)| TextField {
            field,
            words,
            tag: holds.tag(),
            pairs: pairs(holds),
            boost: match holds {
                Holds::Title => s.boost_title,
                Holds::Description => s.boost_description,
                Holds::Tags | Holds::Headings => s.boost_heading,
                Holds::Prose => s.boost_body,
                Holds::Code => s.boost_code,
            },
            positions: holds.positions(),
        };
        match (scope, level) {
            (Scope::Title, Level::Page) => vec![tf((f.p_title, Holds::Title))],
            (Scope::Title, Level::Section) => vec![tf((f.page_title, Holds::Title))],
            (Scope::Everywhere, Level::Page) => f.page_text().map(tf).to_vec(),
            (Scope::Everywhere, Level::Section) => f.section_text().map(tf).to_vec(),
        }
    }

    fn area_counts(&self, per_area: &[usize], empty_query: bool) -> Vec<AreaCount> {
        self.catalog
            .areas
            .iter()
            .map(|a| AreaCount {
                area: a.area.clone(),
                title: a.title.clone(),
                count: if empty_query {
                    a.pages
                } else {
                    per_area.get(a.id as usize).copied().unwrap_or(0)
                },
            })
            .collect()
    }

    fn hit(&self, score: f32, doc: &TantivyDocument, marks: &BTreeSet<String>) -> SearchHit {
        let text = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_owned()
        };
        let f = self.fields;
        SearchHit {
            url: text(f.url),
            page_url: text(f.page_url),
            page_title: text(f.page_title),
            heading: text(f.heading),
            breadcrumb: text(f.breadcrumb),
            area: text(f.area),
            area_title: text(f.area_title),
            score: round_score(score),
            excerpt: excerpt(&text(f.body), &text(f.code), marks),
        }
    }

    /// Runs one query. Never fails: errors inside tantivy read as "no results".
    pub(crate) fn search(&self, query: &str, options: &QueryOptions) -> SearchResults {
        let parsed = parse(query);
        let limit = match options.limit {
            0 => self.catalog.settings.limit_results,
            n => n.min(MAX_LIMIT),
        };
        let area = options.area.as_ref().map(|wanted| {
            self.catalog
                .areas
                .iter()
                .find(|a| &a.area == wanted)
                .map_or(NO_AREA, |a| a.id)
        });
        let mut results = SearchResults {
            query: parsed.text.clone(),
            truncated: parsed.truncated,
            words: parsed.highlight_words(),
            ..SearchResults::default()
        };
        let Some(mut plan) = self.plan(&parsed, None, false) else {
            results.areas = self.area_counts(&[], parsed.clauses.is_empty());
            return results;
        };
        let mut matched = self.match_pages(&plan, area, limit);
        if self.missed(&plan) {
            // A word the index surely does not know leaves its clause unmatched, so the
            // typo step below will walk the dictionaries for its neighbours: walk them
            // now, and their pages come in this round rather than one of their own.
            self.typos_ahead.set(true);
            let _ = self.plan(&parsed, None, true);
            self.typos_ahead.set(false);
            return results;
        }
        if !matched.dropped.is_empty() || matched.total < FUZZY_BELOW {
            if let Some(fuzzy) = self.plan(&parsed, None, true).filter(|p| p.fuzzy) {
                let more = self.match_pages(&fuzzy, area, limit);
                if self.missed(&fuzzy) {
                    return results;
                }
                let better = (more.dropped.len(), Reverse(more.total))
                    < (matched.dropped.len(), Reverse(matched.total));
                if better {
                    matched = more;
                    plan = fuzzy;
                    results.fuzzy = true;
                }
            }
        }
        results.total = matched.total;
        results.areas = self.area_counts(&matched.per_area, false);
        results.dropped = matched
            .dropped
            .iter()
            .filter_map(|&i| parsed.clauses.get(i).map(|c| c.raw.clone()))
            .collect();
        let marks = plan.marks(&matched.dropped);
        for (address, score) in self.shown_sections(&plan, &matched.dropped, &matched.pages, limit)
        {
            if let Some(doc) = self.doc(address) {
                results.hits.push(self.hit(score, &doc, &marks));
            }
        }
        if results.total == 0 {
            results.suggestions = self.suggestions(&parsed, area);
        }
        results
    }
}

/// For the tests of query combinators: an index of two plain text fields, `body` and
/// `heading` (the kb tokenizer, with positions and norms), as tantivy's own term and
/// phrase queries read them.
#[cfg(all(test, feature = "writer"))]
pub(crate) fn plain_index() -> (tantivy::Index, PlainFields) {
    use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions, STORED};
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(crate::tokenizer::TOKENIZER_NAME)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    ) | STORED;
    let fields = PlainFields {
        body: b.add_text_field("body", text.clone()),
        heading: b.add_text_field("heading", text),
    };
    let index = tantivy::Index::create_in_ram(b.build());
    crate::schema::register_tokenizer(&index);
    (index, fields)
}

/// The fields of [`plain_index`].
#[cfg(all(test, feature = "writer"))]
pub(crate) struct PlainFields {
    pub body: Field,
    pub heading: Field,
}

/// For the tests of queries: the score of every document `query` matches, by document.
#[cfg(all(test, feature = "writer"))]
pub(crate) fn scores_by_doc(
    searcher: &tantivy::Searcher,
    query: &dyn tantivy::query::Query,
) -> Vec<(u32, f32)> {
    use tantivy::collector::TopDocs;
    let mut top: Vec<(u32, f32)> = searcher
        .search(query, &TopDocs::with_limit(100).order_by_score())
        .unwrap()
        .into_iter()
        .map(|(s, a)| (a.doc_id, s))
        .collect();
    top.sort_by_key(|(d, _)| *d);
    top
}
