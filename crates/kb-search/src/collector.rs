//! One pass over the matching sections that yields the best ones (in the selected area),
//! how many matched there, and how many matched in each area (the area filter's counts).
//!
//! Why not tantivy's `TopDocs` plus a count: our queries spread each word over fields
//! with a disjunction-max, so tantivy cannot prune with block-max WAND anyway, and a
//! second pass only to count would walk every posting list twice.

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

/// How many sections matched.
#[derive(Debug, Default)]
pub(crate) struct Counts {
    /// Matching sections in the selected area (all, if none is selected).
    pub total: usize,
    /// Matching sections per area id, ignoring the area filter.
    pub per_area: Vec<usize>,
}

/// Counts matches per area and in one area (or all).
pub(crate) struct AreaCounter {
    /// `None`: all areas.
    pub area: Option<u64>,
}

pub(crate) struct SegmentAreaCounter {
    areas: Column<u64>,
    area: Option<u64>,
    counts: Counts,
}

impl Collector for AreaCounter {
    type Fruit = Counts;
    type Child = SegmentAreaCounter;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentAreaCounter> {
        Ok(SegmentAreaCounter {
            areas: segment.fast_fields().u64(name::AREA_ID)?,
            area: self.area,
            counts: Counts::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut merged = Counts::default();
        for fruit in fruits {
            merged.total += fruit.total;
            if merged.per_area.len() < fruit.per_area.len() {
                merged.per_area.resize(fruit.per_area.len(), 0);
            }
            for (id, n) in fruit.per_area.into_iter().enumerate() {
                merged.per_area[id] += n;
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for SegmentAreaCounter {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _: Score) {
        let area = self.areas.first(doc).unwrap_or(NO_AREA);
        if area < MAX_AREAS {
            let id = area as usize;
            if self.counts.per_area.len() <= id {
                self.counts.per_area.resize(id + 1, 0);
            }
            self.counts.per_area[id] += 1;
        }
        if self.area.is_none_or(|wanted| wanted == area) {
            self.counts.total += 1;
        }
    }

    fn harvest(self) -> Counts {
        self.counts
    }
}

/// A scored section, ordered best first: higher score, then earlier in the index, so ties
/// break the same way on every platform.
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

/// The best sections and the counts of one query.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    /// Best first, at most `limit`.
    pub top: Vec<Scored>,
    pub counts: Counts,
}

/// Collects the top sections of one area (or of all) and counts every area.
pub(crate) struct SectionCollector {
    pub limit: usize,
    /// `None`: all areas.
    pub area: Option<u64>,
}

pub(crate) struct SegmentSectionCollector {
    segment_ord: SegmentOrdinal,
    counter: SegmentAreaCounter,
    limit: usize,
    heap: BinaryHeap<Reverse<Scored>>,
}

impl Collector for SectionCollector {
    type Fruit = Collected;
    type Child = SegmentSectionCollector;

    fn for_segment(
        &self,
        segment_ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentSectionCollector> {
        let counter = AreaCounter { area: self.area }.for_segment(segment_ord, segment)?;
        Ok(SegmentSectionCollector {
            segment_ord,
            counter,
            limit: self.limit,
            heap: BinaryHeap::with_capacity(self.limit + 1),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Collected>) -> tantivy::Result<Collected> {
        let mut top = Vec::new();
        let mut counts = Vec::new();
        for fruit in fruits {
            top.extend(fruit.top);
            counts.push(fruit.counts);
        }
        top.sort_unstable_by(|a, b| b.cmp(a));
        top.truncate(self.limit);
        Ok(Collected {
            top,
            counts: AreaCounter { area: self.area }.merge_fruits(counts)?,
        })
    }
}

impl SegmentCollector for SegmentSectionCollector {
    type Fruit = Collected;

    fn collect(&mut self, doc: DocId, score: Score) {
        let before = self.counter.counts.total;
        self.counter.collect(doc, score);
        if self.counter.counts.total == before || self.limit == 0 {
            return; // outside the selected area
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
            counts: self.counter.harvest(),
        }
    }
}
