//! Word pairs scored in a section's own stored text, not through the index's positions.
//!
//! Sections are ranked only within the best pages (`sections.rs`), and a section shown
//! has its stored text read for its excerpt anyway. tantivy reads a term's positions
//! whole, so a phrase query over sections reads every position of both words in every
//! section of the site: on a 10,000-page site, about half of a first search's bytes for
//! two common words. There the pair is counted in the text of the candidate sections of
//! the pages shown, tokenized as the indexer tokenized it, and scored exactly as the
//! phrase query scores it: BM25 over the phrase's count in the field, with the terms'
//! summed idf and the section's field norm, each field boosted, the best field counting
//! most. The scores are tantivy's own, so the sections shown are the same.
//!
//! Reading the text costs the stored sections shown pages have besides those shown, so a
//! pair whose positions are small ([`POSITIONS_IN_TEXT_ABOVE`]) keeps its phrase query:
//! on the guide, a word's positions in every section are a few hundred bytes.

use std::cell::RefCell;
use std::collections::HashMap;

use tantivy::query::Bm25Weight;
use tantivy::schema::{Field, Value};
use tantivy::tokenizer::{TokenStream, Tokenizer};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use super::expand::Alternatives;
use super::normed::FieldStats;
use super::plan::{Plan, Role, TIE_BREAKER};
use super::{Engine, Level, TextField};
use crate::collector::Docs;
use crate::query::Scope;
use crate::tokenizer::KbTokenizer;

/// Bytes of positions (both words' in every section field) above which a pair is scored
/// in the sections' text. Against them stand the stored sections of the pages shown
/// that are not shown themselves, about a 4 KiB doc-store block per page shown: on the
/// guide, where pairs have 0.3 to 1.8 KB of positions, the text cost 7 KB more for the
/// first five results; at 1,000 pages (7 to 19 KB) it saved 8 KB on `connection pool`.
const POSITIONS_IN_TEXT_ABOVE: usize = 8 * 1024;

/// Longest token tantivy indexes (its `MAX_TOKEN_LEN`): longer ones are dropped.
const MAX_TOKEN_LEN: usize = u16::MAX as usize - 5;

/// One phrase of a pair in one field, with its BM25 weight (boosts included).
struct FieldPhrase {
    field: Field,
    /// Offsets and terms, as `PhraseQuery::new_with_offset` takes them.
    terms: Vec<(usize, String)>,
    weight: Bm25Weight,
}

/// One field of a pair: the sum of its phrases' scores.
struct PairField {
    phrases: Vec<FieldPhrase>,
}

/// The word pairs of a query, ready to score sections.
pub(super) struct SectionPairs {
    /// Per pair, in the plan's order: its fields, in the section fields' order.
    pairs: Vec<Vec<PairField>>,
    /// One tokenizer for every section scored, so its cache of compounds serves them all.
    tokenizer: RefCell<KbTokenizer>,
    /// The terms the phrases look for in each field: only their positions are kept.
    wanted: HashMap<Field, Vec<String>>,
}

impl SectionPairs {
    fn new(pairs: Vec<Vec<PairField>>) -> SectionPairs {
        let mut wanted: HashMap<Field, Vec<String>> = HashMap::new();
        for phrase in pairs.iter().flatten().flat_map(|f| &f.phrases) {
            let terms = wanted.entry(phrase.field).or_default();
            for (_, term) in &phrase.terms {
                if !terms.contains(term) {
                    terms.push(term.clone());
                }
            }
        }
        SectionPairs {
            pairs,
            tokenizer: RefCell::new(KbTokenizer::default()),
            wanted,
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The sum of the pairs' scores in the section at `address` with stored text `doc`,
    /// added in the order the pairs came in the optional part of the section query.
    pub(super) fn score(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        doc: &TantivyDocument,
    ) -> f32 {
        let segment = searcher.segment_reader(address.segment_ord);
        // Per field, read once per section: the wanted terms' positions and the norm.
        let mut fields_read: HashMap<Field, (HashMap<String, Vec<u32>>, u8)> = HashMap::new();
        let mut total = 0.0;
        for fields in &self.pairs {
            let (mut sum, mut max, mut matched) = (0.0f32, 0.0f32, false);
            for field in fields {
                let mut field_score = 0.0f32;
                let mut field_matched = false;
                for phrase in &field.phrases {
                    let (terms, norm) = fields_read.entry(phrase.field).or_insert_with(|| {
                        let wanted = self.wanted.get(&phrase.field).map_or(&[][..], |w| w);
                        let tokenizer = &mut self.tokenizer.borrow_mut();
                        let norm =
                            crate::sparse::norm(segment, phrase.field, address.doc_id).unwrap_or(0);
                        (field_positions(tokenizer, doc, phrase.field, wanted), norm)
                    });
                    let count = phrase_count(terms, &phrase.terms);
                    if count == 0 {
                        continue;
                    }
                    field_score += phrase.weight.score(*norm, count);
                    field_matched = true;
                }
                if !field_matched {
                    continue;
                }
                // One phrase alone is its own score; several are summed from zero, as
                // a union sums them: the same float either way.
                sum += field_score;
                max = max.max(field_score);
                matched = true;
            }
            if !matched {
                continue;
            }
            total += if fields.len() == 1 {
                sum
            } else {
                max + TIE_BREAKER * (sum - max)
            };
        }
        total
    }
}

impl Engine<'_> {
    /// Whether sections score the pair `alts` in their text: when its terms' positions
    /// in `fields`, in the segments of sections, weigh more than
    /// [`POSITIONS_IN_TEXT_ABOVE`]. Read from the term dictionaries the words' own
    /// lookups loaded.
    pub(super) fn pair_in_text(&self, alts: &Alternatives, fields: &[TextField]) -> bool {
        let sections = self.segments_with(Docs::Sections);
        let mut bytes = 0;
        for (ord, segment) in self.searcher.segment_readers().iter().enumerate() {
            if !sections.get(ord).copied().unwrap_or(true) {
                continue;
            }
            for f in fields.iter().filter(|f| f.positions) {
                let Ok(inverted) = segment.inverted_index(f.words) else {
                    continue;
                };
                for (terms, _) in &alts.phrases {
                    for (_, term) in terms {
                        if let Ok(Some(info)) = inverted.get_term_info(&f.term(term)) {
                            bytes += info.positions_range.len();
                        }
                    }
                }
            }
        }
        bytes > POSITIONS_IN_TEXT_ABOVE
    }

    /// The word pairs of `plan` that section ranking scores (pairs whose second word was
    /// not left out), each spread over the section fields with positions as the phrase
    /// queries of `plan.rs` spread them. A phrase whose weight cannot be computed (a
    /// dictionary page not loaded yet: this round's answer is not used) scores nothing.
    pub(super) fn section_pairs(&self, plan: &Plan, dropped: &[usize]) -> SectionPairs {
        let fields = self.text_fields(Scope::Everywhere, Level::Section);
        let mut pairs = Vec::new();
        for clause in &plan.clauses {
            if clause.role != Role::Pair
                || clause.phrases.is_empty()
                || dropped.contains(&clause.index)
            {
                continue;
            }
            let mut per_field = Vec::new();
            for f in fields.iter().filter(|f| f.positions) {
                let mut phrases = Vec::new();
                for (terms, weight) in &clause.phrases {
                    let tantivy_terms: Vec<Term> = terms.iter().map(|(_, t)| f.term(t)).collect();
                    // The boosts as tantivy passes them down: the field's, then the
                    // phrase's (a boost of one is no boost query at all).
                    let mut boost = 1.0f32;
                    if f.boost != 1.0 {
                        boost *= f.boost;
                    }
                    if *weight != 1.0 {
                        boost *= *weight;
                    }
                    let stats = FieldStats {
                        inner: self.searcher,
                        norms: f.field,
                    };
                    let Ok(weight) = Bm25Weight::for_terms(&stats, &tantivy_terms) else {
                        continue;
                    };
                    let weight = weight.boost_by(boost);
                    phrases.push(FieldPhrase {
                        field: f.field,
                        terms: terms.clone(),
                        weight,
                    });
                }
                if !phrases.is_empty() {
                    per_field.push(PairField { phrases });
                }
            }
            if !per_field.is_empty() {
                pairs.push(per_field);
            }
        }
        SectionPairs::new(pairs)
    }
}

/// The positions of the `wanted` terms in `field` of `doc`, as tantivy indexed them: a
/// value's tokens from the end of the one before plus one.
fn field_positions(
    tokenizer: &mut KbTokenizer,
    doc: &TantivyDocument,
    field: Field,
    wanted: &[String],
) -> HashMap<String, Vec<u32>> {
    let mut terms: HashMap<String, Vec<u32>> = HashMap::new();
    let mut end = 0u32;
    for value in doc.get_all(field) {
        let Some(text) = value.as_str() else {
            continue;
        };
        let mut stream = tokenizer.token_stream(text);
        let start = end;
        let mut value_end = end;
        while stream.advance() {
            let token = stream.token();
            if token.text.len() > MAX_TOKEN_LEN {
                continue;
            }
            let position = start + token.position as u32;
            value_end = value_end.max(position + token.position_length as u32);
            if wanted.contains(&token.text) {
                terms.entry(token.text.clone()).or_default().push(position);
            }
        }
        end = value_end + 1;
    }
    terms
}

/// How many positions `phrase` (terms at offsets) starts at, as tantivy's phrase scorer
/// counts them: each term at its offset from the same start.
fn phrase_count(terms: &HashMap<String, Vec<u32>>, phrase: &[(usize, String)]) -> u32 {
    let mut lists = Vec::with_capacity(phrase.len());
    for (offset, term) in phrase {
        match terms.get(term) {
            Some(positions) => lists.push((*offset as u32, positions)),
            None => return 0,
        }
    }
    let Some(&(first_offset, first)) = lists.first() else {
        return 0;
    };
    let mut starts: Vec<u32> = first
        .iter()
        .filter_map(|p| p.checked_sub(first_offset))
        .collect();
    starts.sort_unstable();
    starts.dedup();
    starts
        .into_iter()
        .filter(|start| {
            lists[1..]
                .iter()
                .all(|(offset, positions)| positions.contains(&(start + offset)))
        })
        .count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenizer::{analyze, TokenKind};

    fn positions(pairs: &[(&str, &[u32])]) -> HashMap<String, Vec<u32>> {
        pairs
            .iter()
            .map(|(t, p)| ((*t).to_owned(), p.to_vec()))
            .collect()
    }

    #[test]
    fn a_phrase_counts_the_starts_where_every_term_stands_at_its_offset() {
        let terms = positions(&[("connect", &[0, 5, 9]), ("pool", &[1, 7, 10])]);
        let phrase = vec![(0, "connect".to_owned()), (1, "pool".to_owned())];
        assert_eq!(phrase_count(&terms, &phrase), 2);
        let gap = vec![(0, "connect".to_owned()), (2, "pool".to_owned())];
        assert_eq!(phrase_count(&terms, &gap), 1);
        let missing = vec![(0, "connect".to_owned()), (1, "leak".to_owned())];
        assert_eq!(phrase_count(&terms, &missing), 0);
        let repeated = positions(&[("pool", &[3, 4, 5])]);
        let twice = vec![(0, "pool".to_owned()), (1, "pool".to_owned())];
        assert_eq!(phrase_count(&repeated, &twice), 2);
    }

    /// The pair scores equal those of the phrase queries they replace, float for float,
    /// on prose, identifiers, repeats and fields of several values.
    #[cfg(feature = "writer")]
    #[test]
    fn scores_a_section_as_the_phrase_queries_did() {
        use super::super::normed::PhraseOfQuery;
        use super::super::sparse_union::SparseUnion;
        use crate::schema::{build_schema, register_tokenizer, Fields, Holds};
        use tantivy::collector::TopDocs;
        use tantivy::query::{BoostQuery, Query};
        use tantivy::Index;

        let index = Index::create_in_ram(build_schema());
        register_tokenizer(&index);
        let f = Fields::from_schema(&index.schema()).unwrap();
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        // Each text in its field and, tagged, in `words`, as the indexer writes them.
        let section = |texts: &[(Holds, &str)]| {
            let mut doc = TantivyDocument::default();
            for &(holds, text) in texts {
                let field = match holds {
                    Holds::Title => f.page_title,
                    Holds::Headings => f.heading,
                    Holds::Code => f.code,
                    _ => f.body,
                };
                doc.add_text(field, text);
                doc.add_text(f.words, crate::words::value(text, holds).unwrap());
            }
            doc
        };
        use Holds::{Code, Headings, Prose, Title};
        let docs = [
            section(&[
                (Prose, "Size the connection pool. A connection pool of ten."),
                (Headings, "Pools"),
            ]),
            section(&[
                (Prose, "pool connection, not the phrase"),
                (Headings, "Connection pools"),
            ]),
            section(&[
                (Code, "db.SetMaxOpenConns(10) // connection"),
                (Code, "pool := sql.Open()"),
                (Prose, "nothing"),
            ]),
            section(&[
                (Code, "connectionPool := newConnectionPool()"),
                (Headings, "Connection pool sizing"),
            ]),
            section(&[
                (Prose, "connections pooled: connection pool connection pool"),
                (Title, "Connection pool"),
            ]),
            section(&[(Prose, "unrelated text")]),
        ];
        for d in docs {
            writer.add_document(d).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let phrase: Vec<(usize, String)> = analyze("connection pool")
            .into_iter()
            .filter(|t| t.kind == TokenKind::Part)
            .map(|t| (t.position, t.text))
            .collect();
        let fields = [
            (f.page_title, Title, 3.0),
            (f.heading, Headings, 1.5),
            (f.body, Prose, 1.0),
            (f.code, Code, 0.5),
        ];
        let tagged = |holds: Holds, t: &str| {
            Term::from_field_text(f.words, &crate::words::term(t, holds.tag()))
        };
        let pairs = SectionPairs::new(vec![fields
            .iter()
            .map(|&(field, holds, boost)| {
                let terms: Vec<Term> = phrase.iter().map(|(_, t)| tagged(holds, t)).collect();
                let stats = FieldStats {
                    inner: &searcher,
                    norms: field,
                };
                let weight = Bm25Weight::for_terms(&stats, &terms).unwrap();
                PairField {
                    phrases: vec![FieldPhrase {
                        field,
                        terms: phrase.clone(),
                        weight: weight.boost_by(boost),
                    }],
                }
            })
            .collect()]);
        // The phrase queries of `plan.rs` (`normed.rs` pins them to tantivy's own).
        let per_field: Vec<Box<dyn Query>> = fields
            .iter()
            .map(|&(field, holds, boost)| -> Box<dyn Query> {
                let terms = phrase.iter().map(|(p, t)| (*p, tagged(holds, t))).collect();
                let q = Box::new(PhraseOfQuery::new(terms, field));
                if boost == 1.0 {
                    q
                } else {
                    Box::new(BoostQuery::new(q, boost))
                }
            })
            .collect();
        let query = SparseUnion::max(per_field, TIE_BREAKER);
        let theirs: HashMap<u32, f32> = searcher
            .search(&query, &TopDocs::with_limit(10).order_by_score())
            .unwrap()
            .into_iter()
            .map(|(score, a)| (a.doc_id, score))
            .collect();
        assert_eq!(theirs.len(), 4, "{theirs:?}");
        for doc_id in 0..6 {
            let address = DocAddress::new(0, doc_id);
            let doc: TantivyDocument = searcher.doc(address).unwrap();
            let ours = pairs.score(&searcher, address, &doc);
            assert_eq!(
                ours,
                theirs.get(&doc_id).copied().unwrap_or(0.0),
                "document {doc_id}"
            );
        }
    }

    /// Sections score a pair in their text only where its positions are large: on a
    /// small site the phrase query stays (its positions are a few hundred bytes).
    #[cfg(feature = "writer")]
    #[test]
    fn common_words_pairs_are_scored_in_text_rare_ones_by_positions() {
        use crate::query::parse;
        use crate::{build_index, SearchIndex, SearchSettings, SectionDoc};

        let section = |page: usize, s: usize, body: &str| SectionDoc {
            url: format!("p/{page}/#s{s}"),
            page_url: format!("p/{page}/"),
            page_title: format!("Page {page}"),
            heading: "Notes".to_owned(),
            breadcrumb: format!("Page {page} > Notes"),
            body: body.to_owned(),
            area: "a".to_owned(),
            area_title: "A".to_owned(),
            ..SectionDoc::default()
        };
        let body = "connection reuse and pool limits: a connection per request, a pool per \
                    host, connection timeouts, pool sizes, connection errors, pool metrics. "
            .repeat(5);
        // (pages, whether the pair is scored in text)
        for (pages, in_text) in [(3, false), (1_500, true)] {
            let docs: Vec<SectionDoc> = (0..pages)
                .flat_map(|p| {
                    [
                        section(p, 0, &body),
                        section(p, 1, "size the connection pool"),
                    ]
                })
                .collect();
            let blob = build_index(&docs, &SearchSettings::default()).unwrap();
            let index = SearchIndex::from_blob(&blob).unwrap();
            index.with_engine(|engine| {
                let plan = engine.plan(&parse("connection pool"), None, false).unwrap();
                let pair = plan.clauses.iter().find(|c| c.role == Role::Pair).unwrap();
                assert_eq!(pair.section.is_none(), in_text, "{pages} pages");
                assert_eq!(!pair.phrases.is_empty(), in_text, "{pages} pages");
            });
        }
    }
}
