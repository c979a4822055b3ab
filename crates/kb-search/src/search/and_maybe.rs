//! The documents of one query, scored with another's score added where it matches too:
//! a section's required words, and its stop words and word pairs.
//!
//! Why not tantivy's boolean query (`Must` and `Should`): for each document of the
//! required part it moves the optional part to its next match, and a phrase of two common
//! words reads position after position until it finds one, often far past the document
//! asked about. Here the optional part only checks the documents asked about (see
//! `sparse_union.rs`). Scores add up as tantivy's do: the required part, then the optional.

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader};

use super::sparse_union::{explain_score, SparseUnion, SparseUnionScorer, SparseUnionWeight};

/// The documents of `required`, scored with `optional` added where it matches.
#[derive(Debug)]
pub(super) struct AndMaybe {
    required: Box<dyn Query>,
    optional: SparseUnion,
}

impl Clone for AndMaybe {
    fn clone(&self) -> Self {
        AndMaybe {
            required: self.required.box_clone(),
            optional: self.optional.clone(),
        }
    }
}

impl AndMaybe {
    pub(super) fn new(required: Box<dyn Query>, optional: SparseUnion) -> AndMaybe {
        AndMaybe { required, optional }
    }
}

impl Query for AndMaybe {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(AndMaybeWeight {
            required: self.required.weight(scoring)?,
            optional: self.optional.union_weight(scoring)?,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a tantivy::Term, bool)) {
        self.required.query_terms(visitor);
        self.optional.query_terms(visitor);
    }
}

struct AndMaybeWeight {
    required: Box<dyn Weight>,
    optional: SparseUnionWeight,
}

impl Weight for AndMaybeWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let required = self.required.scorer(reader, boost)?;
        let (_, optional) = self
            .optional
            .union_scorer_danger(reader, required.doc(), boost)?;
        Ok(Box::new(AndMaybeScorer { required, optional }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explain_score(self.scorer(reader, 1.0)?, doc, "and maybe")
    }
}

struct AndMaybeScorer {
    required: Box<dyn Scorer>,
    /// Only asked whether it has the documents scored, in increasing order.
    optional: SparseUnionScorer,
}

impl DocSet for AndMaybeScorer {
    fn advance(&mut self) -> DocId {
        self.required.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.required.seek(target)
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        self.required.seek_danger(target)
    }

    fn doc(&self) -> DocId {
        self.required.doc()
    }

    fn size_hint(&self) -> u32 {
        self.required.size_hint()
    }

    fn cost(&self) -> u64 {
        self.required.cost()
    }
}

impl Scorer for AndMaybeScorer {
    fn score(&mut self) -> Score {
        let doc = self.required.doc();
        // As tantivy's sum: from zero, the required part, then the optional one.
        let mut score = 0.0;
        score += self.required.score();
        if self.optional.has(doc) {
            score += self.optional.score();
        }
        score
    }
}

#[cfg(all(test, feature = "writer"))]
mod tests {
    use super::*;
    use tantivy::query::{BooleanQuery, Occur, PhraseQuery, TermQuery};
    use tantivy::schema::IndexRecordOption;
    use tantivy::{doc, Term};

    #[test]
    fn matches_and_scores_as_a_boolean_must_and_should() {
        let (index, f) = crate::search::plain_index();
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        for body in [
            "pool lock disk",
            "lock pool",
            "disk",
            "pool",
            "disk disk pool lock",
            "lock",
        ] {
            writer.add_document(doc!(f.body => body)).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let term = |t| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(f.body, t),
                IndexRecordOption::WithFreqs,
            ))
        };
        let optional = || {
            let phrase = ["pool", "lock"].map(|t| Term::from_field_text(f.body, t));
            SparseUnion::sum(vec![
                Box::new(PhraseQuery::new(phrase.to_vec())),
                term("disk"),
            ])
        };
        let scores = |query: &dyn Query| crate::search::scores_by_doc(&searcher, query);
        let ours = scores(&AndMaybe::new(term("pool"), optional()));
        let theirs = scores(&BooleanQuery::new(vec![
            (Occur::Must, term("pool")),
            (Occur::Should, Box::new(optional())),
        ]));
        assert_eq!(
            ours.iter().map(|(d, _)| *d).collect::<Vec<_>>(),
            [0, 1, 3, 4]
        );
        assert_eq!(ours, theirs);
        // The optional part adds: with it, 0 and 4 outscore 1 and 3.
        assert!(ours[0].1 > ours[1].1 && ours[3].1 > ours[2].1);
    }
}
