//! A union of queries for scoring a few chosen documents: the sections of the shown pages,
//! and the best pages when word pairs are scored.
//!
//! Why not tantivy's union (`BooleanQuery::union`, `DisjunctionMaxQuery`): it buffers
//! 4,096 documents ahead, so each seek to a far document scores every child on the next
//! 4,096 documents. Intersected with a filter of a few scattered documents, that made one
//! query score most of the index. This union seeks each child to the target and scores
//! only the documents it lands on. It scores as tantivy's does: the sum of the children,
//! or with a tie-breaker `t` the best child plus `t` times the others.

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::SeekDangerResult;
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, TERMINATED};

/// Documents matching any of `children`.
#[derive(Debug)]
pub(super) struct SparseUnion {
    children: Vec<Box<dyn Query>>,
    /// `None`: the scores add up; `Some(t)`: disjunction-max with tie-breaker `t`.
    tie_breaker: Option<f32>,
}

impl Clone for SparseUnion {
    fn clone(&self) -> Self {
        SparseUnion {
            children: self.children.iter().map(|c| c.box_clone()).collect(),
            tie_breaker: self.tie_breaker,
        }
    }
}

impl SparseUnion {
    /// The sum of the children's scores.
    pub(super) fn sum(children: Vec<Box<dyn Query>>) -> SparseUnion {
        SparseUnion {
            children,
            tie_breaker: None,
        }
    }

    /// The best child's score plus `tie_breaker` times the others'.
    pub(super) fn max(children: Vec<Box<dyn Query>>, tie_breaker: f32) -> SparseUnion {
        SparseUnion {
            children,
            tie_breaker: Some(tie_breaker),
        }
    }
}

impl SparseUnion {
    /// The weight, as its own type (see `and_maybe.rs`).
    pub(super) fn union_weight(
        &self,
        scoring: EnableScoring<'_>,
    ) -> tantivy::Result<SparseUnionWeight> {
        let children = self
            .children
            .iter()
            .map(|c| c.weight(scoring))
            .collect::<tantivy::Result<_>>()?;
        Ok(SparseUnionWeight {
            children,
            tie_breaker: self.tie_breaker,
        })
    }
}

impl Query for SparseUnion {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.union_weight(scoring)?))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a tantivy::Term, bool)) {
        for c in &self.children {
            c.query_terms(visitor);
        }
    }
}

pub(super) struct SparseUnionWeight {
    children: Vec<Box<dyn Weight>>,
    tie_breaker: Option<f32>,
}

impl SparseUnionWeight {
    fn union_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<SparseUnionScorer> {
        let mut children = Vec::with_capacity(self.children.len());
        for w in &self.children {
            let scorer = w.scorer(reader, boost)?;
            if scorer.doc() != TERMINATED {
                children.push(Child {
                    next: scorer.doc(),
                    exact: true,
                    scorer,
                });
            }
        }
        let doc = children.iter().map(|c| c.next).min().unwrap_or(TERMINATED);
        Ok(SparseUnionScorer {
            children,
            tie_breaker: self.tie_breaker,
            doc,
        })
    }

    /// A scorer whose children start at `target`: a phrase does not look for its first
    /// match, which may be far, only whether it has `target`. Without `Found`, the scorer
    /// stands nowhere exact (see [`DocSet::seek_danger`]).
    pub(super) fn union_scorer_danger(
        &self,
        reader: &SegmentReader,
        target: DocId,
        boost: Score,
    ) -> tantivy::Result<(SeekDangerResult, SparseUnionScorer)> {
        let mut children = Vec::with_capacity(self.children.len());
        for w in &self.children {
            let (found, scorer) = w.scorer_danger(reader, target, boost)?;
            let (next, exact) = match found {
                SeekDangerResult::Found => (target, true),
                SeekDangerResult::SeekLowerBound(bound) => (bound.max(target + 1), false),
            };
            if next < TERMINATED {
                children.push(Child {
                    scorer,
                    next,
                    exact,
                });
            }
        }
        let mut union = SparseUnionScorer {
            children,
            tie_breaker: self.tie_breaker,
            doc: target,
        };
        let found = union.seek_danger(target);
        Ok((found, union))
    }
}

impl Weight for SparseUnionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(self.union_scorer(reader, boost)?))
    }

    fn scorer_danger(
        &self,
        reader: &SegmentReader,
        target: DocId,
        boost: Score,
    ) -> tantivy::Result<(SeekDangerResult, Box<dyn Scorer>)> {
        let (found, union) = self.union_scorer_danger(reader, target, boost)?;
        Ok((found, Box::new(union)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explain_score(self.scorer(reader, 1.0)?, doc, "sparse union")
    }
}

/// The score of `doc`, for a query that explains no more than its score.
pub(super) fn explain_score(
    mut scorer: Box<dyn Scorer>,
    doc: DocId,
    what: &'static str,
) -> tantivy::Result<Explanation> {
    if scorer.seek(doc) != doc {
        return Err(TantivyError::InvalidArgument(format!(
            "document {doc} does not match"
        )));
    }
    Ok(Explanation::new(what, scorer.score()))
}

/// A child of the union and where it stands.
struct Child {
    scorer: Box<dyn Scorer>,
    /// With `exact`, the child's document; without, a document it has none before: its
    /// last `seek_danger` missed, and until one hits it may only be asked `seek_danger`.
    next: DocId,
    exact: bool,
}

impl Child {
    /// Whether the child has `target`, past which it has not moved. Asks `seek_danger`:
    /// a phrase checks that one document instead of looking for its next match.
    fn has(&mut self, target: DocId) -> bool {
        if self.next > target {
            return false;
        }
        if self.exact && self.next == target {
            return true;
        }
        match self.scorer.seek_danger(target) {
            SeekDangerResult::Found => {
                (self.next, self.exact) = (target, true);
                true
            }
            SeekDangerResult::SeekLowerBound(bound) => {
                (self.next, self.exact) = (bound.max(target + 1), false);
                false
            }
        }
    }

    /// Moves the child to its first document at or after `target`.
    fn seek(&mut self, target: DocId) {
        if self.exact {
            if self.next < target {
                self.next = self.scorer.seek(target);
            }
            return;
        }
        let mut at = target.max(self.next);
        while at < TERMINATED && !self.has(at) {
            at = self.next;
        }
        (self.next, self.exact) = (at.min(TERMINATED), true);
    }
}

pub(super) struct SparseUnionScorer {
    children: Vec<Child>,
    tie_breaker: Option<f32>,
    doc: DocId,
}

impl SparseUnionScorer {
    /// The smallest document of the children, once they all stand exactly.
    fn settle(&mut self) -> DocId {
        for c in &mut self.children {
            if !c.exact {
                c.seek(c.next);
            }
        }
        self.children.retain(|c| c.next != TERMINATED);
        self.doc = self
            .children
            .iter()
            .map(|c| c.next)
            .min()
            .unwrap_or(TERMINATED);
        self.doc
    }

    /// Whether some child has `target` (past which the union has not moved). Children
    /// only check `target`, so when none has it the union stands nowhere exact until the
    /// next call: [`DocSet::seek_danger`]'s contract.
    pub(super) fn has(&mut self, target: DocId) -> bool {
        let mut found = false;
        for c in &mut self.children {
            found |= c.has(target);
        }
        if found {
            self.doc = target;
        }
        found
    }
}

impl DocSet for SparseUnionScorer {
    fn advance(&mut self) -> DocId {
        let current = self.doc;
        for c in &mut self.children {
            if c.exact && c.next == current {
                c.next = c.scorer.advance();
            }
        }
        self.settle()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for c in &mut self.children {
            c.seek(target);
        }
        self.settle()
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        if target >= TERMINATED {
            return SeekDangerResult::SeekLowerBound(TERMINATED);
        }
        if self.has(target) {
            return SeekDangerResult::Found;
        }
        let bound = self.children.iter().map(|c| c.next).min();
        SeekDangerResult::SeekLowerBound(bound.unwrap_or(TERMINATED))
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.children
            .iter()
            .map(|c| c.scorer.size_hint())
            .max()
            .unwrap_or(0)
    }
}

impl Scorer for SparseUnionScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        let (mut sum, mut max) = (0.0, 0.0f32);
        for c in &mut self.children {
            if c.exact && c.next == doc {
                let s = c.scorer.score();
                sum += s;
                max = max.max(s);
            }
        }
        match self.tie_breaker {
            None => sum,
            Some(t) => max + t * (sum - max),
        }
    }
}

#[cfg(all(test, feature = "writer"))]
mod tests {
    use super::*;
    use crate::search::scores_by_doc as scores;
    use tantivy::query::{BooleanQuery, DisjunctionMaxQuery, PhraseQuery, TermQuery};
    use tantivy::schema::IndexRecordOption;
    use tantivy::{doc, Term};

    #[test]
    fn scores_like_tantivys_unions_and_seeks() {
        let (index, f) = crate::search::plain_index();
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        for (body, heading) in [
            ("pool of connections", "pool"),
            ("cache", "cache pool"),
            ("nothing here", "none"),
            ("pool cache pool", "retry"),
        ] {
            writer
                .add_document(doc!(f.body => body, f.heading => heading))
                .unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let term = |field, text| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, text),
                IndexRecordOption::WithFreqs,
            ))
        };
        let children = || {
            vec![
                term(f.body, "pool"),
                term(f.heading, "pool"),
                term(f.body, "cache"),
            ]
        };
        let ours = scores(&searcher, &SparseUnion::sum(children()));
        let theirs = scores(&searcher, &BooleanQuery::union(children()));
        assert_eq!(ours.len(), 3);
        for ((d1, s1), (d2, s2)) in ours.iter().zip(&theirs) {
            assert_eq!(d1, d2);
            assert!((s1 - s2).abs() < 1e-5, "{s1} {s2}");
        }
        let ours = scores(&searcher, &SparseUnion::max(children(), 0.2));
        let theirs = scores(
            &searcher,
            &DisjunctionMaxQuery::with_tie_breaker(children(), 0.2),
        );
        for ((d1, s1), (d2, s2)) in ours.iter().zip(&theirs) {
            assert_eq!(d1, d2);
            assert!((s1 - s2).abs() < 1e-5, "{s1} {s2}");
        }
        // Seeking lands on the next match and skips the others.
        let weight = SparseUnion::sum(children())
            .weight(EnableScoring::enabled_from_searcher(&searcher))
            .unwrap();
        let mut scorer = weight.scorer(searcher.segment_reader(0), 1.0).unwrap();
        assert_eq!(scorer.doc(), 0);
        assert_eq!(scorer.seek(2), 3);
        assert_eq!(scorer.advance(), TERMINATED);
    }

    #[test]
    fn checks_documents_without_looking_for_the_next_match() {
        let (index, f) = crate::search::plain_index();
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        for body in [
            "pool lock",      // 0: the phrase
            "lock pool",      // 1: both words, not the phrase
            "lock",           // 2: one word
            "disk",           // 3: the term
            "lock lock pool", // 4: both words
            "pool lock pool", // 5: the phrase
        ] {
            writer.add_document(doc!(f.body => body)).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let children = || -> Vec<Box<dyn Query>> {
            let terms = ["pool", "lock"].map(|t| Term::from_field_text(f.body, t));
            vec![
                Box::new(PhraseQuery::new(terms.to_vec())),
                Box::new(TermQuery::new(
                    Term::from_field_text(f.body, "disk"),
                    IndexRecordOption::WithFreqs,
                )),
            ]
        };
        let union = SparseUnion::sum(children());
        let weight = union
            .union_weight(EnableScoring::enabled_from_searcher(&searcher))
            .unwrap();
        let reader = searcher.segment_reader(0);
        // Started at 1: no child has it; the phrase says only that it is past 1.
        let (found, mut scorer) = weight.union_scorer_danger(reader, 1, 1.0).unwrap();
        assert!(
            matches!(found, SeekDangerResult::SeekLowerBound(b) if b > 1 && b <= 3),
            "{found:?}"
        );
        assert_eq!(scorer.seek_danger(2), SeekDangerResult::SeekLowerBound(3));
        assert_eq!(scorer.seek_danger(3), SeekDangerResult::Found);
        assert!(scorer.score() > 0.0);
        assert!(!scorer.has(4));
        // Back to exact moves: from 4, the next match is 5, then none.
        assert_eq!(scorer.seek(5), 5);
        assert_eq!(scorer.advance(), TERMINATED);
        // Every document either way: checked one by one, or walked.
        let mut walked = weight.union_scorer(reader, 1.0).unwrap();
        let mut checked = weight.union_scorer_danger(reader, 0, 1.0).unwrap().1;
        for doc in 0..6 {
            let expected = walked.doc() == doc;
            assert_eq!(checked.has(doc), expected, "document {doc}");
            if expected {
                assert_eq!(checked.score(), walked.score());
                walked.advance();
            }
        }
    }
}
