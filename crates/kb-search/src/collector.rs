//! One pass over the matching documents that keeps every one of them, with its score and
//! one fast field's value: page matching counts words per page itself, and the sections of
//! the shown pages are grouped by page.
//!
//! Why not tantivy's `TopDocs`: a page's rank depends on which words it has, which no
//! single tantivy score tells, and our queries spread each word over fields with a
//! disjunction-max, so tantivy could not prune with block-max WAND anyway.

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

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

/// Every matching document, in index order, with its score and one fast field's value.
///
/// Page matching reads every page a word matches (pages are few next to sections), and
/// ranks them itself once it knows which words each page has.
pub(crate) struct AllMatches {
    /// The fast field to read: `area_id` on pages, `page_ord` on sections.
    pub column: &'static str,
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
