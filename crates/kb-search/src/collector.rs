//! One pass over the matching documents that keeps every one of them, with its score and
//! one fast field's value: page matching counts words per page itself, and the sections of
//! the shown pages are grouped by page.
//!
//! Why not tantivy's `TopDocs`: a page's rank depends on which words it has, which no
//! single tantivy score tells, and our queries spread each word over fields with a
//! disjunction-max, so tantivy could not prune with block-max WAND anyway.

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::Weight;
use tantivy::schema::Field;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader, Term};

use crate::schema::name;

/// Area id given to a document without one, and used as an area filter nobody has.
pub(crate) const NO_AREA: u64 = u64::MAX;
/// Area ids above this are not counted (ids are positions in the area list).
pub(crate) const MAX_AREAS: u64 = 4096;

/// One matching document with its score and the value of a fast field.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Match {
    pub address: DocAddress,
    pub score: Score,
    /// The value of the collector's column ([`NO_AREA`] when the document has none).
    pub value: u64,
}

/// The documents a search is for: page documents or sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Docs {
    Pages,
    Sections,
}

impl Docs {
    /// Whether `segment` may hold documents of this kind (`kind` is the `kind` field). A
    /// built index keeps its page documents in a segment of their own (see `index.rs`), so
    /// a search for one kind skips the other's segment before reading any of its postings
    /// or field norms; the live index mixes them. Unsure (a page not loaded yet) is yes.
    /// A search asks once per segment (`Engine::segments_with`).
    pub(crate) fn in_segment(self, segment: &SegmentReader, kind: Field) -> bool {
        let pages = segment
            .inverted_index(kind)
            .and_then(|index| Ok(index.doc_freq(&Term::from_field_text(kind, name::PAGE_KIND))?));
        match (self, pages) {
            (_, Err(_)) => true,
            (Docs::Pages, Ok(pages)) => pages > 0,
            (Docs::Sections, Ok(pages)) => pages < segment.max_doc(),
        }
    }
}

/// Every matching document, in index order, with its score and one fast field's value.
///
/// Page matching reads every page a word matches (pages are few next to sections), and
/// ranks them itself once it knows which words each page has.
pub(crate) struct AllMatches {
    /// The fast field to read: `area_id` on pages, `page_ord` on sections.
    pub column: &'static str,
    /// Whether to search each segment, by ordinal (see [`Docs::in_segment`]); a segment
    /// past the end is searched.
    pub segments: Vec<bool>,
}

pub(crate) struct SegmentAllMatches {
    segment_ord: SegmentOrdinal,
    column: Column<u64>,
    matches: Vec<Match>,
}

impl Collector for AllMatches {
    type Fruit = Vec<Match>;
    type Child = SegmentAllMatches;

    fn for_segment(
        &self,
        segment_ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentAllMatches> {
        Ok(SegmentAllMatches {
            segment_ord,
            column: segment.fast_fields().u64(self.column)?,
            matches: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    /// tantivy's own pass over the segment's matches, unless the segment holds none of
    /// the documents searched for.
    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment_ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Vec<Match>> {
        if self.segments.get(segment_ord as usize) == Some(&false) {
            return Ok(Vec::new());
        }
        let mut collector = self.for_segment(segment_ord, segment)?;
        match segment.alive_bitset() {
            Some(alive) => weight.for_each(segment, &mut |doc, score| {
                if alive.is_alive(doc) {
                    collector.collect(doc, score);
                }
            })?,
            None => weight.for_each(segment, &mut |doc, score| collector.collect(doc, score))?,
        }
        Ok(collector.harvest())
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Match>>) -> tantivy::Result<Vec<Match>> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for SegmentAllMatches {
    type Fruit = Vec<Match>;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.matches.push(Match {
            address: DocAddress::new(self.segment_ord, doc),
            score,
            value: self.column.first(doc).unwrap_or(NO_AREA),
        });
    }

    fn harvest(self) -> Vec<Match> {
        self.matches
    }
}
