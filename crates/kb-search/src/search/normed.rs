//! Queries over terms of one field scored with another field's norms and statistics:
//! a word's tagged term (`words.rs`) or a word pair's term (`pairs.rs`) stands for a word
//! or a phrase of a text field, whose norms and average length BM25 reads.
//!
//! tantivy's term and phrase queries read the norms and the token count of the field their
//! terms are in. These take them from the text field instead, and are otherwise theirs:
//! the same weight (`Bm25Weight::for_terms`), the same count (a term's frequency, or the
//! positions where every term of a phrase stands at its offset, as tantivy's phrase scorer
//! counts them without slop; that scorer is not public), so the scores are those of a term
//! or phrase query on the text field itself, float for float.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{
    Bm25StatisticsProvider, Bm25Weight, EmptyScorer, EnableScoring, Explanation, Query, Scorer,
    Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term, TERMINATED};

/// BM25 statistics of terms that stand for words of `norms`: their document frequencies,
/// and the token count of `norms`.
pub(super) struct FieldStats<'a> {
    pub(super) inner: &'a dyn Bm25StatisticsProvider,
    pub(super) norms: Field,
}

impl Bm25StatisticsProvider for FieldStats<'_> {
    fn total_num_tokens(&self, _field: Field) -> tantivy::Result<u64> {
        self.inner.total_num_tokens(self.norms)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        self.inner.total_num_docs()
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        self.inner.doc_freq(term)
    }
}

/// The weight of `terms` standing for words of `norms`; `None` when scoring is off.
fn bm25(
    scoring: &EnableScoring<'_>,
    terms: &[Term],
    norms: Field,
) -> tantivy::Result<Option<Bm25Weight>> {
    match scoring {
        EnableScoring::Enabled {
            statistics_provider,
            ..
        } => {
            let stats = FieldStats {
                inner: *statistics_provider,
                norms,
            };
            Ok(Some(Bm25Weight::for_terms(&stats, terms)?))
        }
        EnableScoring::Disabled { .. } => Ok(None),
    }
}

/// Documents with the term `postings`, scored by its count with the weight of `idf` (one
/// tagged term: a word; two: a word pair, as a phrase of them) and the norms of `norms`.
#[derive(Debug, Clone)]
pub(super) struct CountQuery {
    postings: Term,
    idf: Vec<Term>,
    norms: Field,
}

impl CountQuery {
    /// A word: its tagged term in a field whose norms are `norms`'.
    pub(super) fn word(term: Term, norms: Field) -> CountQuery {
        CountQuery {
            idf: vec![term.clone()],
            postings: term,
            norms,
        }
    }

    /// A pair: the pair term, for the phrase of the tagged terms `words`.
    pub(super) fn pair(pair: Term, words: [Term; 2], norms: Field) -> CountQuery {
        CountQuery {
            postings: pair,
            idf: words.to_vec(),
            norms,
        }
    }
}

impl Query for CountQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(CountWeight {
            term: self.postings.clone(),
            norms: self.norms,
            bm25: bm25(&scoring, &self.idf, self.norms)?,
        }))
    }

    /// The term, and a pair's words: their dictionary entries give the weight (and
    /// reading ahead for them, `warm.rs`, reads the norms the score reads).
    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        visitor(&self.postings, false);
        for word in self.idf.iter().filter(|t| **t != self.postings) {
            visitor(word, false);
        }
    }
}

struct CountWeight {
    term: Term,
    norms: Field,
    bm25: Option<Bm25Weight>,
}

impl Weight for CountWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let inverted = reader.inverted_index(self.term.field())?;
        let Some(postings) = inverted.read_postings(&self.term, IndexRecordOption::WithFreqs)?
        else {
            return Ok(Box::new(EmptyScorer));
        };
        Ok(Box::new(CountScorer {
            postings,
            norms: norms(reader, self.norms, self.bm25.is_some())?,
            bm25: self.bm25.as_ref().map(|w| w.boost_by(boost)),
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explain(self.scorer(reader, 1.0)?, doc)
    }
}

/// The norms of `field` where scores are wanted, else (or without norms) a constant one,
/// as tantivy's term and phrase queries read them.
fn norms(reader: &SegmentReader, field: Field, scored: bool) -> tantivy::Result<FieldNormReader> {
    if scored {
        if let Some(norms) = reader.fieldnorms_readers().get_field(field)? {
            return Ok(norms);
        }
    }
    Ok(FieldNormReader::constant(reader.max_doc(), 1))
}

fn explain(mut scorer: Box<dyn Scorer>, doc: DocId) -> tantivy::Result<Explanation> {
    if scorer.seek(doc) != doc {
        return Err(TantivyError::InvalidArgument(format!(
            "document {doc} does not match"
        )));
    }
    Ok(Explanation::new(
        "count with a field's norms",
        scorer.score(),
    ))
}

/// Documents with a term, each scored as a term query on the text field scores it.
struct CountScorer {
    postings: SegmentPostings,
    norms: FieldNormReader,
    /// `None` when scoring is off: every document scores 1, as with tantivy's queries.
    bm25: Option<Bm25Weight>,
}

impl DocSet for CountScorer {
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

impl Scorer for CountScorer {
    fn score(&mut self) -> Score {
        let Some(bm25) = &self.bm25 else {
            return 1.0;
        };
        let norm = self.norms.fieldnorm_id(self.doc());
        bm25.score(norm, self.postings.term_freq())
    }
}

/// A phrase of tagged terms (with their offsets), scored with the norms of `norms`: what
/// tantivy's phrase query on the text field scores.
#[derive(Debug, Clone)]
pub(super) struct PhraseOfQuery {
    terms: Vec<(usize, Term)>,
    norms: Field,
}

impl PhraseOfQuery {
    pub(super) fn new(mut terms: Vec<(usize, Term)>, norms: Field) -> PhraseOfQuery {
        terms.sort_by_key(|(offset, _)| *offset);
        PhraseOfQuery { terms, norms }
    }
}

impl Query for PhraseOfQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let terms: Vec<Term> = self.terms.iter().map(|(_, t)| t.clone()).collect();
        Ok(Box::new(PhraseOfWeight {
            terms: self.terms.clone(),
            norms: self.norms,
            bm25: bm25(&scoring, &terms, self.norms)?,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (_, term) in &self.terms {
            visitor(term, true);
        }
    }
}

struct PhraseOfWeight {
    terms: Vec<(usize, Term)>,
    norms: Field,
    bm25: Option<Bm25Weight>,
}

impl Weight for PhraseOfWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let norms = norms(reader, self.norms, self.bm25.is_some())?;
        let mut postings = Vec::with_capacity(self.terms.len());
        for (offset, term) in &self.terms {
            let inverted = reader.inverted_index(term.field())?;
            let with = IndexRecordOption::WithFreqsAndPositions;
            let Some(p) = inverted.read_postings(term, with)? else {
                return Ok(Box::new(EmptyScorer));
            };
            postings.push((*offset, p));
        }
        let bm25 = self.bm25.as_ref().map(|w| w.boost_by(boost));
        Ok(Box::new(PhraseCountScorer::new(postings, norms, bm25)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explain(self.scorer(reader, 1.0)?, doc)
    }
}

/// Documents where every term of a phrase stands at its offset from the first, each
/// scored by how many times, with a text field's norms.
struct PhraseCountScorer {
    /// Each term's postings, with what aligns its positions: the largest offset minus its.
    terms: Vec<(u32, SegmentPostings)>,
    norms: FieldNormReader,
    bm25: Option<Bm25Weight>,
    doc: DocId,
    count: u32,
    /// The aligned positions common to the terms so far, and the next term's.
    common: Vec<u32>,
    next: Vec<u32>,
}

impl PhraseCountScorer {
    fn new(
        terms: Vec<(usize, SegmentPostings)>,
        norms: FieldNormReader,
        bm25: Option<Bm25Weight>,
    ) -> PhraseCountScorer {
        let max = terms.iter().map(|(offset, _)| *offset).max().unwrap_or(0);
        let mut scorer = PhraseCountScorer {
            terms: terms
                .into_iter()
                .map(|(offset, p)| ((max - offset) as u32, p))
                .collect(),
            norms,
            bm25,
            doc: 0,
            count: 0,
            common: Vec::new(),
            next: Vec::new(),
        };
        scorer.find(0);
        scorer
    }

    /// Moves to the first document from `target` on where the phrase stands.
    fn find(&mut self, mut target: DocId) -> DocId {
        loop {
            // Every term's postings on one document, the first from `target` they share.
            let mut doc = target;
            'align: loop {
                for (_, postings) in &mut self.terms {
                    let at = match postings.doc() < doc {
                        true => postings.seek(doc),
                        false => postings.doc(),
                    };
                    if at > doc {
                        doc = at;
                        continue 'align;
                    }
                }
                break;
            }
            if doc == TERMINATED || self.terms.is_empty() {
                self.doc = TERMINATED;
                self.count = 0;
                return TERMINATED;
            }
            let count = self.phrase_count();
            if count > 0 {
                self.doc = doc;
                self.count = count;
                return doc;
            }
            target = doc + 1;
        }
    }

    /// How many aligned positions every term has in the current document.
    fn phrase_count(&mut self) -> u32 {
        let (common, next) = (&mut self.common, &mut self.next);
        for (i, (align, postings)) in self.terms.iter_mut().enumerate() {
            let out = if i == 0 { &mut *common } else { &mut *next };
            postings.positions_with_offset(*align, out);
            if i > 0 {
                let mut j = 0;
                common.retain(|p| {
                    while j < next.len() && next[j] < *p {
                        j += 1;
                    }
                    j < next.len() && next[j] == *p
                });
            }
            if common.is_empty() {
                return 0;
            }
        }
        common.len() as u32
    }
}

impl DocSet for PhraseCountScorer {
    fn advance(&mut self) -> DocId {
        match self.doc {
            TERMINATED => TERMINATED,
            doc => self.find(doc + 1),
        }
    }

    fn seek(&mut self, target: DocId) -> DocId {
        match target <= self.doc {
            true => self.doc,
            false => self.find(target),
        }
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.terms
            .iter()
            .map(|(_, p)| p.size_hint())
            .min()
            .unwrap_or(0)
    }
}

impl Scorer for PhraseCountScorer {
    fn score(&mut self) -> Score {
        let Some(bm25) = &self.bm25 else {
            return 1.0;
        };
        bm25.score(self.norms.fieldnorm_id(self.doc), self.count)
    }
}

#[cfg(all(test, feature = "writer"))]
mod tests {
    use super::*;
    use crate::search::scores_by_doc as scores;
    use tantivy::query::{BoostQuery, PhraseQuery, TermQuery};
    use tantivy::schema::{Schema, TextFieldIndexing, TextOptions};
    use tantivy::{Index, TantivyDocument};

    use crate::schema::{register_tokenizer, Holds};
    use crate::words;

    /// The same texts in a plain field (the kb tokenizer, positions, norms), and as the
    /// index writes them: counted in a field of their own and tagged in a field of words.
    /// Term and phrase queries on the plain field and ours on the other two score every
    /// document the same, float for float, boosted or not.
    #[test]
    fn scores_are_those_of_term_and_phrase_queries_on_the_field_itself() {
        let mut b = Schema::builder();
        let indexing = |tokenizer: &str, record: IndexRecordOption, norms: bool| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(tokenizer)
                    .set_index_option(record)
                    .set_fieldnorms(norms),
            )
        };
        let with = IndexRecordOption::WithFreqsAndPositions;
        let plain = b.add_text_field("plain", indexing("kb", with, true));
        let counted = b.add_text_field(
            "counted",
            indexing(words::COUNT_TOKENIZER_NAME, IndexRecordOption::Basic, true),
        );
        let tagged = b.add_text_field(
            "tagged",
            indexing(words::TAGGED_TOKENIZER_NAME, with, false),
        );
        // Another field's words in the same tagged field must not count.
        let other = b.add_text_field(
            "other",
            indexing(words::COUNT_TOKENIZER_NAME, IndexRecordOption::Basic, true),
        );
        let index = Index::create_in_ram(b.build());
        register_tokenizer(&index);
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        let texts: [&[&str]; 7] = [
            &["Size the connection pool. A connection pool of ten."],
            &[
                "pool connection, not the phrase",
                "connection",
                "pool again",
            ],
            &["db.SetMaxOpenConns(10) sets the max open conns of the pool"],
            &["connections pooled: connection pool connection pool connection"],
            &["unrelated text"],
            &[],
            &["pool pool pool", "set max open"],
        ];
        for (n, values) in texts.iter().enumerate() {
            let mut doc = TantivyDocument::default();
            for text in *values {
                doc.add_text(plain, text);
                doc.add_text(counted, text);
                doc.add_text(tagged, words::value(text, Holds::Prose).unwrap());
            }
            let noise = "connection pool ".repeat(n);
            doc.add_text(other, &noise);
            if let Some(v) = words::value(&noise, Holds::Headings) {
                doc.add_text(tagged, v);
            }
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let ours = |t: &str| Term::from_field_text(tagged, &words::term(t, 'b'));
        let theirs = |t: &str| Term::from_field_text(plain, t);
        for word in ["connect", "pool", "setmaxopenconns", "ten", "absent"] {
            let a = scores(&searcher, &CountQuery::word(ours(word), counted));
            let b = scores(
                &searcher,
                &TermQuery::new(theirs(word), IndexRecordOption::WithFreqs),
            );
            assert_eq!(a, b, "{word}");
            let a = scores(
                &searcher,
                &BoostQuery::new(Box::new(CountQuery::word(ours(word), counted)), 1.7),
            );
            let b = scores(
                &searcher,
                &BoostQuery::new(
                    Box::new(TermQuery::new(theirs(word), IndexRecordOption::WithFreqs)),
                    1.7,
                ),
            );
            assert_eq!(a, b, "{word}, boosted");
        }
        let phrases: [&[(usize, &str)]; 5] = [
            &[(0, "connect"), (1, "pool")],
            &[(1, "pool"), (0, "connect")],
            &[(0, "set"), (1, "max"), (2, "open")],
            &[(0, "pool"), (1, "pool")],
            &[(0, "connect"), (2, "connect")],
        ];
        for phrase in phrases {
            let a: Vec<_> = phrase.iter().map(|(p, t)| (*p, ours(t))).collect();
            let b: Vec<_> = phrase.iter().map(|(p, t)| (*p, theirs(t))).collect();
            let a = scores(&searcher, &PhraseOfQuery::new(a, counted));
            let b = scores(&searcher, &PhraseQuery::new_with_offset(b));
            assert!(!b.is_empty(), "{phrase:?} matches somewhere");
            assert_eq!(a, b, "{phrase:?}");
        }
    }
}
