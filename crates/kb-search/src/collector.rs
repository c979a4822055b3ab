//! Counting the matching sections, per area and in the selected area, without scoring
//! them. The best hits come from tantivy's `TopDocs`, which can skip sections that cannot
//! make the top (block-max WAND); counting is kept apart so it never blocks that pruning.

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

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
