//! One pass over the matching sections that yields the best ones (in the selected area),
//! how many matched, and how many matched in each area (for the area filter's counts).

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::schema::name;

/// Area id given to a section without one, and used as an area filter nobody has.
pub(crate) const NO_AREA: u64 = u64::MAX;
/// Area ids above this are not counted (ids are positions in the area list).
const MAX_AREAS: u64 = 4096;

/// A scored section. Ordered best first: higher score, then earlier in the index, so
/// ties break the same way on every platform.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scored {
    pub score: Score,
    pub address: DocAddress,
}

impl Ord for Scored {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then_with(|| other.address.segment_ord.cmp(&self.address.segment_ord))
            .then_with(|| other.address.doc_id.cmp(&self.address.doc_id))
    }
}

impl PartialOrd for Scored {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Scored {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Scored {}

/// What one query collected.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    /// Best sections first, at most `limit`.
    pub top: Vec<Scored>,
    /// Matching sections in the selected area.
    pub total: usize,
    /// Matching sections per area id, ignoring the area filter.
    pub per_area: Vec<usize>,
}

/// Collects the top sections of one area (or of all) and counts every area.
pub(crate) struct SectionCollector {
    pub limit: usize,
    /// `None`: all areas.
    pub area: Option<u64>,
}

pub(crate) struct SectionSegmentCollector {
    segment_ord: SegmentOrdinal,
    areas: Column<u64>,
    area: Option<u64>,
    limit: usize,
    heap: BinaryHeap<Reverse<Scored>>,
    total: usize,
    per_area: Vec<usize>,
}

impl Collector for SectionCollector {
    type Fruit = Collected;
    type Child = SectionSegmentCollector;

    fn for_segment(
        &self,
        segment_ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SectionSegmentCollector> {
        Ok(SectionSegmentCollector {
            segment_ord,
            areas: segment.fast_fields().u64(name::AREA_ID)?,
            area: self.area,
            limit: self.limit,
            heap: BinaryHeap::with_capacity(self.limit + 1),
            total: 0,
            per_area: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Collected>) -> tantivy::Result<Collected> {
        let mut merged = Collected::default();
        for fruit in fruits {
            merged.top.extend(fruit.top);
            merged.total += fruit.total;
            if merged.per_area.len() < fruit.per_area.len() {
                merged.per_area.resize(fruit.per_area.len(), 0);
            }
            for (id, n) in fruit.per_area.into_iter().enumerate() {
                merged.per_area[id] += n;
            }
        }
        merged.top.sort_unstable_by(|a, b| b.cmp(a));
        merged.top.truncate(self.limit);
        Ok(merged)
    }
}

impl SegmentCollector for SectionSegmentCollector {
    type Fruit = Collected;

    fn collect(&mut self, doc: DocId, score: Score) {
        let area = self.areas.first(doc).unwrap_or(NO_AREA);
        if area < MAX_AREAS {
            let id = area as usize;
            if self.per_area.len() <= id {
                self.per_area.resize(id + 1, 0);
            }
            self.per_area[id] += 1;
        }
        if self.area.is_some_and(|wanted| wanted != area) {
            return;
        }
        self.total += 1;
        if self.limit == 0 {
            return;
        }
        let scored = Scored {
            score,
            address: DocAddress::new(self.segment_ord, doc),
        };
        if self.heap.len() < self.limit {
            self.heap.push(Reverse(scored));
        } else if self.heap.peek().is_some_and(|worst| scored > worst.0) {
            self.heap.pop();
            self.heap.push(Reverse(scored));
        }
    }

    fn harvest(self) -> Collected {
        let mut top: Vec<Scored> = self.heap.into_iter().map(|r| r.0).collect();
        top.sort_unstable_by(|a, b| b.cmp(a));
        Collected {
            top,
            total: self.total,
            per_area: self.per_area,
        }
    }
}
