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

impl Query for SparseUnion {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let children = self
            .children
            .iter()
            .map(|c| c.weight(scoring))
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(SparseUnionWeight {
            children,
            tie_breaker: self.tie_breaker,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a tantivy::Term, bool)) {
        for c in &self.children {
            c.query_terms(visitor);
        }
    }
}

struct SparseUnionWeight {
    children: Vec<Box<dyn Weight>>,
    tie_breaker: Option<f32>,
}

impl Weight for SparseUnionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut children = Vec::with_capacity(self.children.len());
        for w in &self.children {
            let scorer = w.scorer(reader, boost)?;
            if scorer.doc() != TERMINATED {
                children.push(scorer);
            }
        }
        let doc = children.iter().map(|c| c.doc()).min().unwrap_or(TERMINATED);
        Ok(Box::new(SparseUnionScorer {
            children,
            tie_breaker: self.tie_breaker,
            doc,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        Ok(Explanation::new("sparse union", scorer.score()))
    }
}

struct SparseUnionScorer {
    children: Vec<Box<dyn Scorer>>,
    tie_breaker: Option<f32>,
    doc: DocId,
}

impl SparseUnionScorer {
    /// The smallest document of the children (they are all past the previous one).
    fn settle(&mut self) -> DocId {
        self.children.retain(|c| c.doc() != TERMINATED);
        self.doc = self
            .children
            .iter()
            .map(|c| c.doc())
            .min()
            .unwrap_or(TERMINATED);
        self.doc
    }
}

impl DocSet for SparseUnionScorer {
    fn advance(&mut self) -> DocId {
        let current = self.doc;
        for c in &mut self.children {
            if c.doc() == current {
                c.advance();
            }
        }
        self.settle()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for c in &mut self.children {
            if c.doc() < target {
                c.seek(target);
            }
        }
        self.settle()
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.children
            .iter()
            .map(|c| c.size_hint())
            .max()
            .unwrap_or(0)
    }
}

impl Scorer for SparseUnionScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        let (mut sum, mut max) = (0.0, 0.0f32);
        for c in &mut self.children {
            if c.doc() == doc {
                let s = c.score();
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
    use crate::schema::{build_schema, register_tokenizer, Fields};
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, DisjunctionMaxQuery, TermQuery};
    use tantivy::schema::IndexRecordOption;
    use tantivy::{doc, Index, Term};

    /// Scores of every document for `query`, by document.
    fn scores(searcher: &tantivy::Searcher, query: &dyn Query) -> Vec<(u32, f32)> {
        let mut top: Vec<(u32, f32)> = searcher
            .search(query, &TopDocs::with_limit(100).order_by_score())
            .unwrap()
            .into_iter()
            .map(|(s, a)| (a.doc_id, s))
            .collect();
        top.sort_by_key(|(d, _)| *d);
        top
    }

    #[test]
    fn scores_like_tantivys_unions_and_seeks() {
        let index = Index::create_in_ram(build_schema());
        register_tokenizer(&index);
        let f = Fields::from_schema(&index.schema()).unwrap();
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
}
