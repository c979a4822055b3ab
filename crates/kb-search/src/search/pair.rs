//! A two-word phrase on page documents, scored from its pair term (`pairs.rs`) instead of
//! the words' positions: the term's count in a page is the phrase's count there, so with
//! the phrase's BM25 weight (the words' summed idf, the field's average length) and the
//! field's own norm it gives the phrase query's score, float for float, from the pair's
//! postings alone.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{Bm25Weight, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term};

use super::Engine;
use crate::pairs;

impl Engine<'_> {
    /// Whether the index has the pair terms of `first second`: both are common terms,
    /// listed in the catalog (see `pairs.rs`). Then a pair with no term does not occur.
    pub(super) fn pair_indexed(&self, first: &str, second: &str) -> bool {
        let common = &self.catalog.common;
        let listed = |term: &str| common.binary_search_by(|c| c.as_str().cmp(term)).is_ok();
        listed(first) && listed(second)
    }
}

/// The phrase `first second` in `field`, read from the pair term in `pairs_field`.
#[derive(Debug, Clone)]
pub(super) struct PairQuery {
    pair: Term,
    words: [Term; 2],
}

impl PairQuery {
    /// The phrase of the terms `first` and `second` (next to each other) in `field`,
    /// whose pairs are tagged `tag` in `pairs_field`.
    pub(super) fn new(
        pairs_field: Field,
        tag: char,
        field: Field,
        first: &str,
        second: &str,
    ) -> PairQuery {
        PairQuery {
            pair: Term::from_field_text(pairs_field, &pairs::term(first, second, tag)),
            words: [
                Term::from_field_text(field, first),
                Term::from_field_text(field, second),
            ],
        }
    }
}

impl Query for PairQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let bm25 = match scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => Some(Bm25Weight::for_terms(statistics_provider, &self.words)?),
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(PairWeight {
            pair: self.pair.clone(),
            field: self.words[0].field(),
            bm25,
        }))
    }

    /// The pair term, and the words: their dictionary entries give the weight, and
    /// reading ahead for them (`warm.rs`) reads their field's norms, which the score reads.
    /// Without them a quoted pair took nine rounds at 10,000 pages instead of four.
    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        visitor(&self.pair, false);
        for word in &self.words {
            visitor(word, false);
        }
    }
}

struct PairWeight {
    pair: Term,
    /// The field the phrase stands in: its norms.
    field: Field,
    bm25: Option<Bm25Weight>,
}

impl Weight for PairWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let inverted = reader.inverted_index(self.pair.field())?;
        let Some(postings) = inverted.read_postings(&self.pair, IndexRecordOption::WithFreqs)?
        else {
            return Ok(Box::new(EmptyScorer));
        };
        Ok(Box::new(PairScorer {
            postings,
            norms: reader.get_fieldnorms_reader(self.field)?,
            bm25: self.bm25.as_ref().map(|w| w.boost_by(boost)),
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} does not have the pair"
            )));
        }
        Ok(Explanation::new("word pair", scorer.score()))
    }
}

/// Pages with the pair, each scored as the phrase query scores it.
struct PairScorer {
    postings: SegmentPostings,
    norms: FieldNormReader,
    /// `None` when scoring is off: every page scores 1, as with a phrase query.
    bm25: Option<Bm25Weight>,
}

impl DocSet for PairScorer {
    fn advance(&mut self) -> DocId {
        self.postings.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.postings.seek(target)
    }

    fn doc(&self) -> DocId {
        self.postings.doc()
    }

    fn size_hint(&self) -> u32 {
        self.postings.size_hint()
    }
}

impl Scorer for PairScorer {
    fn score(&mut self) -> Score {
        let Some(bm25) = &self.bm25 else {
            return 1.0;
        };
        let norm = self.norms.fieldnorm_id(self.doc());
        bm25.score(norm, self.postings.term_freq())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tantivy::directory::OwnedBytes;

    use crate::blob::{unpack, FIXED_SEGMENT_ID};
    use crate::index::{probe_layout, SearchIndex};
    use crate::paged::{pack_head, Layout, PagedBlob};
    use crate::{build_index, LiveIndex, SearchSettings, SectionDoc};

    fn section(page: &str, s: usize, title: &str, body: &str, code: &str) -> SectionDoc {
        SectionDoc {
            url: format!("{page}#s{s}"),
            page_url: page.to_owned(),
            page_title: title.to_owned(),
            heading: format!("Part {s}"),
            body: body.to_owned(),
            code: code.to_owned(),
            area: "databases".into(),
            area_title: "Databases".into(),
            ..SectionDoc::default()
        }
    }

    /// 1,200 pages where `connection`, `pool` and `limits` are common (more than a
    /// thousand times in the first thousand pages), some with the words side by side,
    /// some apart, in varied amounts so scores differ; and `rare` and `words`, which are
    /// not.
    fn docs() -> Vec<SectionDoc> {
        let mut docs = Vec::new();
        for n in 0..1_200 {
            let page = format!("filler/{n}/");
            let together = "Size the connection pool to its limits. ".repeat(n % 3);
            let apart = "A connection waits; the pool has limits. ".repeat(1 + n % 4);
            docs.push(section(&page, 0, &format!("Filler {n}"), &together, ""));
            docs.push(section(
                &page,
                1,
                &format!("Notes {n}"),
                &apart,
                &"pool.Get(connection) // pool limits\n".repeat(n % 2),
            ));
        }
        docs.push(section(
            "target/",
            0,
            "The connection pool",
            "Connection pool limits, and rare words side by side.",
            "",
        ));
        docs
    }

    const QUERIES: [&str; 9] = [
        "q=connection%20pool",
        "q=pool%20connection",
        "q=%22connection%20pool%22",
        "q=%22pool%20limits%22",
        "q=connection%20pool%20limits&limit=30",
        "q=title%3A%22connection%20pool%22",
        "q=the%20connection%20pool",
        "q=%22rare%20words%22",
        "q=connection%20rare",
    ];

    #[test]
    fn pairs_of_common_words_score_as_phrases_without_positions() {
        let docs = docs();
        let settings = SearchSettings::default();
        let blob = build_index(&docs, &settings).unwrap();
        let whole = SearchIndex::from_blob(&blob).unwrap();
        // The live index of `kb serve` indexes no pairs: its phrases read positions.
        let live = LiveIndex::new(&docs, &settings).unwrap();
        for q in QUERIES {
            let json = whole.search_json(q);
            assert!(json.contains("\"url\""), "{q}: {json}");
            assert_eq!(json, live.search_json(q), "{q}");
        }
        // Paged, the pages' positions are never read for pairs of common words.
        let probe = Arc::new(
            PagedBlob::whole(OwnedBytes::new(blob.clone()), &Layout::default(), true).unwrap(),
        );
        let (plan, _) = probe_layout(probe.clone()).unwrap();
        let paged = probe.laid_out(&plan).unwrap();
        let pages_segment = format!("{}0002", &FIXED_SEGMENT_ID[..FIXED_SEGMENT_ID.len() - 4]);
        let file = |ext: &str| {
            let name = format!("{pages_segment}.{ext}");
            let (_, bytes) = unpack(&blob)
                .unwrap()
                .into_iter()
                .find(|(n, _)| *n == name)
                .unwrap_or_else(|| panic!("no {name}"));
            let at = bytes.as_ptr() as usize - blob.as_ptr() as usize;
            paged.pages_of(std::slice::from_ref(&(at..at + bytes.len())))
        };
        let (positions, pairs) = (file("pos"), file("term"));
        let head_pages = paged.pages_of(&plan.head);
        let head = pack_head(&paged, &head_pages);
        for q in QUERIES {
            let index = SearchIndex::from_head(&head).unwrap();
            let json = index.answer_loading(q, &paged);
            assert_eq!(json, whole.search_json(q), "{q}");
            let loaded = |pages: &[u32]| {
                pages.iter().any(|n| {
                    head_pages.binary_search(n).is_err() && index.blob().page(*n).is_some()
                })
            };
            assert!(loaded(&pairs), "{q}: no dictionary page of the pages read");
            // `rare` is not common: its pairs are phrase queries over positions.
            assert_eq!(
                loaded(&positions),
                q.contains("rare"),
                "{q}: positions read"
            );
        }
    }
}
