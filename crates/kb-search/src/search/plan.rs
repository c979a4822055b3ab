//! The tantivy queries of a parsed query, one per clause and per level: each word's
//! alternatives spread over the fields it may match in (the best field counts, the others
//! a little), once over page documents (which pages match) and once over section documents
//! (which sections of a matched page to show).

use std::collections::BTreeSet;

use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use super::expand::Alternatives;
use super::normed::{CountQuery, PhraseOfQuery};
use super::pair::pair_query;
use super::sparse_union::SparseUnion;
use super::{Engine, Level, TextField};
use crate::query::{Clause, ClauseKind, ParsedQuery, Scope};

/// How much the other fields count next to the best one for a word.
pub(super) const TIE_BREAKER: f32 = 0.2;
/// Most word pairs scored for proximity: each is a phrase (or pair) query per field.
const MAX_PAIRS: usize = 4;

/// What a clause does to the pages it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// A word or phrase a page should have; left out only when no page has all of them.
    Required,
    /// A stop word: scores, never required.
    Optional,
    /// Two words typed next to each other: scores where they stand next to each other,
    /// on the best pages only (see `pages.rs`). Never required.
    Pair,
    /// `-word`: pages that have it are excluded. Never left out.
    Excluded,
    /// `tag:` or `area:`: only pages that pass. Never left out.
    Filter,
}

/// One clause, ready to run.
pub(super) struct ClausePlan {
    /// Position of the clause in the parsed query.
    pub(super) index: usize,
    pub(super) role: Role,
    /// The query over page documents.
    pub(super) page: Box<dyn Query>,
    /// The query over section documents (words and phrases only).
    pub(super) section: Option<Box<dyn Query>>,
    /// Terms to mark in excerpts when the clause is searched.
    pub(super) marks: Vec<String>,
    /// A word pair's phrases with their weights, when sections score them in their own
    /// text (see `near.rs`); `section` is then `None`.
    pub(super) phrases: Vec<(Vec<(usize, String)>, f32)>,
}

/// A whole query, clause by clause.
pub(super) struct Plan {
    pub(super) clauses: Vec<ClausePlan>,
    /// Some term came from typo tolerance.
    pub(super) fuzzy: bool,
}

impl Plan {
    /// Terms to mark in excerpts: what the searched (not left out) required words match.
    pub(super) fn marks(&self, dropped: &[usize]) -> BTreeSet<String> {
        self.clauses
            .iter()
            .filter(|c| c.role == Role::Required && !dropped.contains(&c.index))
            .flat_map(|c| c.marks.iter().cloned())
            .collect()
    }
}

impl Engine<'_> {
    /// Spreads alternatives over fields: the best field counts, the others a little. A
    /// phrase of two words on page documents reads its pair term where the index has it.
    /// `sparse`: the query only scores chosen documents (see `sparse_union.rs`).
    fn text_query(
        &self,
        alts: &Alternatives,
        fields: &[TextField],
        sparse: bool,
    ) -> Option<Box<dyn Query>> {
        // Each phrase's pair, where the index has its pair terms (looked up once).
        let any_pairs = fields.iter().any(|f| f.pairs.is_some());
        let pairs: Vec<_> = alts
            .phrases
            .iter()
            .map(|(phrase, _)| {
                pair_of(phrase).filter(|(a, b)| any_pairs && self.pair_indexed(a, b))
            })
            .collect();
        let mut per_field: Vec<Box<dyn Query>> = Vec::with_capacity(fields.len());
        for f in fields {
            let mut subs: Vec<Box<dyn Query>> = Vec::new();
            for (term, weight) in &alts.terms {
                let q = CountQuery::word(f.term(term), f.field);
                subs.push(boosted(Box::new(q), *weight));
            }
            if f.positions {
                for ((phrase, weight), pair) in alts.phrases.iter().zip(&pairs) {
                    let q: Box<dyn Query> = match (f.pairs, pair) {
                        (Some((pairs, tag)), Some((first, second))) => {
                            Box::new(pair_query(pairs, tag, f, first, second))
                        }
                        _ => {
                            let terms = phrase.iter().map(|(p, t)| (*p, f.term(t))).collect();
                            Box::new(PhraseOfQuery::new(terms, f.field))
                        }
                    };
                    subs.push(boosted(q, *weight));
                }
            }
            let q: Box<dyn Query> = match subs.len() {
                0 => continue,
                1 => subs.remove(0),
                _ if sparse => Box::new(SparseUnion::sum(subs)),
                _ => Box::new(BooleanQuery::union(subs)),
            };
            per_field.push(boosted(q, f.boost));
        }
        match per_field.len() {
            0 => None,
            1 => Some(per_field.remove(0)),
            _ if sparse => Some(Box::new(SparseUnion::max(per_field, TIE_BREAKER))),
            _ => Some(Box::new(DisjunctionMaxQuery::with_tie_breaker(
                per_field,
                TIE_BREAKER,
            ))),
        }
    }

    /// Builds the queries of `parsed`, leaving out clause `skip`. `None` when nothing is
    /// left to search for.
    pub(super) fn plan(
        &self,
        parsed: &ParsedQuery,
        skip: Option<usize>,
        fuzzy: bool,
    ) -> Option<Plan> {
        let mut clauses = Vec::new();
        let mut used_fuzzy = false;
        for (index, clause) in parsed.clauses.iter().enumerate() {
            if Some(index) == skip {
                continue;
            }
            let Clause {
                kind,
                scope,
                negated,
                prefix,
                optional,
                ..
            } = clause;
            let role = match kind {
                _ if *negated => Role::Excluded,
                ClauseKind::Tag(_) | ClauseKind::Area(_) => Role::Filter,
                _ if *optional => Role::Optional,
                _ => Role::Required,
            };
            let (page, section, marks, alt_fuzzy) = match kind {
                ClauseKind::Tag(tag) => (const_term(self.fields.tag, tag), None, vec![], false),
                ClauseKind::Area(area) => (const_term(self.fields.area, area), None, vec![], false),
                ClauseKind::Word(_) | ClauseKind::Phrase(_) => {
                    let page_fields = self.text_fields(*scope, Level::Page);
                    let alts = match kind {
                        ClauseKind::Word(w) => {
                            self.word_alternatives(w, &page_fields, *prefix, fuzzy && !negated)
                        }
                        _ => self.phrase_alternatives(kind),
                    };
                    let Some(alts) = alts else { continue };
                    let Some(page) = self.text_query(&alts, &page_fields, false) else {
                        continue;
                    };
                    let section_fields = self.text_fields(*scope, Level::Section);
                    let section = self.text_query(&alts, &section_fields, true);
                    let marks = alts.all_terms().map(str::to_owned).collect();
                    (page, section, marks, alts.fuzzy)
                }
            };
            // Optional function words still score, but marking every "the" in an excerpt
            // would drown the words that matter.
            let marks = if role == Role::Required {
                marks
            } else {
                vec![]
            };
            used_fuzzy |= role == Role::Required && alt_fuzzy;
            clauses.push(ClausePlan {
                index,
                role,
                page,
                section,
                marks,
                phrases: Vec::new(),
            });
        }
        clauses.extend(self.proximity(parsed, skip));
        let searches = clauses
            .iter()
            .any(|c| matches!(c.role, Role::Required | Role::Filter));
        searches.then_some(Plan {
            clauses,
            fuzzy: used_fuzzy,
        })
    }
}

impl Engine<'_> {
    /// Proximity: two words typed next to each other score more where they stand next to
    /// each other. One phrase clause per pair of adjacent words (not both stop
    /// words, neither a filter nor an exclusion), at most [`MAX_PAIRS`].
    fn proximity(&self, parsed: &ParsedQuery, skip: Option<usize>) -> Vec<ClausePlan> {
        let word = |i: usize| match parsed.clauses.get(i) {
            Some(c) if Some(i) != skip && !c.negated && c.scope == Scope::Everywhere => {
                match &c.kind {
                    ClauseKind::Word(w) => Some((w.as_str(), c.optional)),
                    _ => None,
                }
            }
            _ => None,
        };
        let mut plans = Vec::new();
        for i in 1..parsed.clauses.len() {
            let (Some((a, a_stop)), Some((b, b_stop))) = (word(i - 1), word(i)) else {
                continue;
            };
            if (a_stop && b_stop) || plans.len() == MAX_PAIRS {
                continue;
            }
            let pair = ClauseKind::Phrase(format!("{a} {b}"));
            let Some(alts) = self.phrase_alternatives(&pair) else {
                continue;
            };
            if alts.phrases.is_empty() {
                continue; // one term: nothing to be near
            }
            let page_fields = self.text_fields(Scope::Everywhere, Level::Page);
            let page = self.text_query(&alts, &page_fields, true);
            // Sections score the pair through the index's positions while those are
            // small, else in their own text (`near.rs`): the same scores either way.
            let section_fields = self.text_fields(Scope::Everywhere, Level::Section);
            let (section, phrases) = if self.pair_in_text(&alts, &section_fields) {
                (None, alts.phrases)
            } else {
                (self.text_query(&alts, &section_fields, true), Vec::new())
            };
            if let Some(page) = page {
                plans.push(ClausePlan {
                    index: i,
                    role: Role::Pair,
                    page,
                    section,
                    marks: vec![],
                    phrases,
                });
            }
        }
        plans
    }
}

/// The two terms of a phrase of two terms next to each other, which a pair term holds.
fn pair_of(phrase: &[(usize, String)]) -> Option<(&str, &str)> {
    match phrase {
        [(a, first), (b, second)] if *b == a + 1 => Some((first, second)),
        [(b, second), (a, first)] if *b == a + 1 => Some((first, second)),
        _ => None,
    }
}

/// `q` with its score multiplied by `boost`.
pub(super) fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if boost == 1.0 {
        q
    } else {
        Box::new(BoostQuery::new(q, boost))
    }
}

/// A raw term that filters without scoring.
pub(super) fn const_term(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(
        Box::new(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        )),
        0.0,
    ))
}

/// The clauses of a boolean query, as a query.
pub(super) fn boolean(clauses: Vec<(Occur, Box<dyn Query>)>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(clauses))
}
