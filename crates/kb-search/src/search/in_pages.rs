//! Filters that keep chosen documents: those of some pages, found by their `page_ord`
//! fast field ([`InPages`]), or some documents by address ([`InDocs`]).
//!
//! Why not a term query on `page_url`: the URL of a matched page is only in the doc
//! store, and reading a page document's block costs the browser one more index page per
//! shown page (most of what a query downloaded). The page number is in a column that
//! page matching reads anyway.

use std::sync::Arc;

use tantivy::columnar::ColumnIndex;
use tantivy::index::SegmentId;
use tantivy::query::{BitSetDocSet, ConstScorer, EmptyScorer, EnableScoring, Explanation};
use tantivy::query::{Query, Scorer, Weight};
use tantivy::TantivyError;
use tantivy::{BitSet, DocAddress, DocId, Score, Searcher, SegmentReader};

use crate::schema::name;

/// Documents scanned per call of the column's batch read.
const BATCH: u32 = 1024;
/// Widest span of page numbers looked up in a bitset (a bit per number); wider spans
/// (never seen: pages are numbered from 1) use a binary search.
const MAX_BITSET_SPAN: u64 = 1 << 24;

/// The documents whose `page_ord` is one of `ords`. Scores nothing.
#[derive(Debug, Clone)]
pub(super) struct InPages {
    ords: Arc<Ords>,
}

/// A set of page numbers, cheap to test: the filter tests every document of a segment.
#[derive(Debug)]
struct Ords {
    /// Sorted, unique.
    sorted: Vec<u64>,
    /// Bit `n - low` set for each number `n`, when the span is at most [`MAX_BITSET_SPAN`].
    bits: Option<Vec<u64>>,
}

impl Ords {
    fn new(mut sorted: Vec<u64>) -> Ords {
        sorted.sort_unstable();
        sorted.dedup();
        let bits = match (sorted.first(), sorted.last()) {
            (Some(&low), Some(&high)) if high - low < MAX_BITSET_SPAN => {
                let mut bits = vec![0u64; ((high - low) / 64 + 1) as usize];
                for n in &sorted {
                    let at = n - low;
                    bits[(at / 64) as usize] |= 1 << (at % 64);
                }
                Some(bits)
            }
            _ => None,
        };
        Ords { sorted, bits }
    }

    fn contains(&self, n: u64) -> bool {
        let (Some(&low), Some(&high)) = (self.sorted.first(), self.sorted.last()) else {
            return false;
        };
        if n < low || n > high {
            return false;
        }
        match &self.bits {
            Some(bits) => {
                let at = n - low;
                bits[(at / 64) as usize] & 1 << (at % 64) != 0
            }
            None => self.sorted.binary_search(&n).is_ok(),
        }
    }
}

impl InPages {
    /// A filter for the pages numbered `ords` (any order, repeats allowed).
    pub(super) fn new(ords: Vec<u64>) -> InPages {
        InPages {
            ords: Arc::new(Ords::new(ords)),
        }
    }

    /// The documents of `reader` in the pages.
    fn docs(&self, reader: &SegmentReader) -> tantivy::Result<BitSet> {
        let max_doc = reader.max_doc();
        let mut docs = BitSet::with_max_value(max_doc);
        if self.ords.sorted.is_empty() {
            return Ok(docs);
        }
        let column = reader.fast_fields().u64(name::PAGE_ORD)?;
        let mut start = 0;
        if let ColumnIndex::Full = column.index {
            // Every document has its page's number: decode them in runs.
            let mut values = vec![0u64; BATCH as usize];
            while start < max_doc {
                let end = max_doc.min(start + BATCH);
                let values = &mut values[..(end - start) as usize];
                column.values.get_range(u64::from(start), values);
                for (doc, &value) in (start..end).zip(values.iter()) {
                    if self.ords.contains(value) {
                        docs.insert(doc);
                    }
                }
                start = end;
            }
            return Ok(docs);
        }
        let mut ids: Vec<DocId> = Vec::with_capacity(BATCH as usize);
        let mut values = vec![None; BATCH as usize];
        while start < max_doc {
            let end = max_doc.min(start + BATCH);
            ids.clear();
            ids.extend(start..end);
            let values = &mut values[..ids.len()];
            values.fill(None);
            column.first_vals(&ids, values);
            for (&doc, value) in ids.iter().zip(values.iter()) {
                if value.is_some_and(|v| self.ords.contains(v)) {
                    docs.insert(doc);
                }
            }
            start = end;
        }
        Ok(docs)
    }
}

/// The given documents (of any segments of one searcher). Scores nothing.
#[derive(Debug, Clone)]
pub(super) struct InDocs {
    docs: Arc<Vec<(SegmentId, BitSet)>>,
}

impl InDocs {
    /// A filter for `addresses` of `searcher`'s segments.
    pub(super) fn new(searcher: &Searcher, addresses: impl Iterator<Item = DocAddress>) -> InDocs {
        let mut docs: Vec<(SegmentId, BitSet)> = searcher
            .segment_readers()
            .iter()
            .map(|r| (r.segment_id(), BitSet::with_max_value(r.max_doc())))
            .collect();
        for a in addresses {
            if let Some((_, set)) = docs.get_mut(a.segment_ord as usize) {
                set.insert(a.doc_id);
            }
        }
        InDocs {
            docs: Arc::new(docs),
        }
    }

    fn docs(&self, reader: &SegmentReader) -> tantivy::Result<BitSet> {
        let found = self.docs.iter().find(|(id, _)| *id == reader.segment_id());
        Ok(found.map_or_else(|| BitSet::with_max_value(0), |(_, set)| set.clone()))
    }
}

/// Query and weight of a filter that finds its documents per segment.
macro_rules! filter_query {
    ($filter:ty, $what:literal) => {
        impl Query for $filter {
            fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
                Ok(Box::new(self.clone()))
            }
        }

        impl Weight for $filter {
            fn scorer(
                &self,
                reader: &SegmentReader,
                _boost: Score,
            ) -> tantivy::Result<Box<dyn Scorer>> {
                let docs = self.docs(reader)?;
                if docs.len() == 0 {
                    return Ok(Box::new(EmptyScorer));
                }
                Ok(Box::new(ConstScorer::new(BitSetDocSet::from(docs), 0.0)))
            }

            fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
                if self.docs(reader)?.contains(doc) {
                    Ok(Explanation::new($what, 0.0))
                } else {
                    Err(TantivyError::InvalidArgument(format!(
                        "document {doc} is not {}",
                        $what
                    )))
                }
            }
        }
    };
}

filter_query!(InPages, "in the pages");
filter_query!(InDocs, "one of the documents");

#[cfg(all(test, feature = "writer"))]
mod tests {
    use super::*;
    use crate::collector::{AllMatches, Docs};
    use crate::schema::{build_schema, register_tokenizer, Fields};
    use tantivy::{doc, Index};

    #[test]
    fn keeps_the_documents_of_the_pages_only() {
        let index = Index::create_in_ram(build_schema());
        register_tokenizer(&index);
        let f = Fields::from_schema(&index.schema()).unwrap();
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        for ord in [1u64, 2, 3, 2, 5, 1] {
            writer
                .add_document(doc!(f.page_ord => ord, f.area_id => 0u64))
                .unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let collector = AllMatches {
            column: name::PAGE_ORD,
            segments: vec![Docs::Sections.in_segment(searcher.segment_reader(0), f.kind)],
        };
        let found = |ords: Vec<u64>| -> Vec<(u32, u64)> {
            let matches = searcher.search(&InPages::new(ords), &collector).unwrap();
            matches
                .iter()
                .map(|m| (m.address.doc_id, m.value))
                .collect()
        };
        assert_eq!(found(vec![2, 1, 2]), [(0, 1), (1, 2), (3, 2), (5, 1)]);
        assert_eq!(found(vec![4]), []);
        assert_eq!(found(vec![]), []);
        let docs = InDocs::new(&searcher, [1, 4].map(|d| DocAddress::new(0, d)).into_iter());
        let matches = searcher.search(&docs, &collector).unwrap();
        let got: Vec<u32> = matches.iter().map(|m| m.address.doc_id).collect();
        assert_eq!(got, [1, 4]);
    }
}
