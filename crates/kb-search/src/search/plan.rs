//! The tantivy query for a whole parsed query: each word's alternatives spread over the
//! fields it may match in (the best field counts, the others a little), combined with
//! the clauses' required, optional, excluded and filter roles.

use std::collections::BTreeSet;

use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, PhraseQuery, Query,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use super::expand::Alternatives;
use super::{Engine, TextField};
use crate::query::{Clause, ClauseKind, ParsedQuery};

/// How much the other fields count next to the best one for a word.
const TIE_BREAKER: f32 = 0.2;

/// A query ready to run, with the terms to mark in excerpts.
pub(super) struct Plan {
    /// The whole query, every clause in its role.
    pub(super) query: Box<dyn Query>,
    /// Terms to mark in excerpts: what the words that must match may match.
    pub(super) marks: BTreeSet<String>,
    /// Some term came from typo tolerance.
    pub(super) fuzzy: bool,
}

impl Engine<'_> {
    /// Spreads alternatives over fields: the best field counts, the others a little.
    fn text_query(alts: &Alternatives, fields: &[TextField]) -> Box<dyn Query> {
        let mut per_field: Vec<Box<dyn Query>> = Vec::with_capacity(fields.len());
        for f in fields {
            let mut subs: Vec<Box<dyn Query>> = Vec::new();
            for (term, weight) in &alts.terms {
                let q = TermQuery::new(
                    Term::from_field_text(f.field, term),
                    IndexRecordOption::WithFreqs,
                );
                subs.push(boosted(Box::new(q), *weight));
            }
            if let (Some(phrase), true) = (&alts.phrase, f.positions) {
                let terms = phrase
                    .iter()
                    .map(|(p, t)| (*p, Term::from_field_text(f.field, t)))
                    .collect();
                subs.push(Box::new(PhraseQuery::new_with_offset(terms)));
            }
            let q: Box<dyn Query> = match subs.len() {
                0 => continue,
                1 => subs.remove(0),
                _ => Box::new(BooleanQuery::union(subs)),
            };
            per_field.push(boosted(q, f.boost));
        }
        if per_field.len() == 1 {
            return per_field.remove(0);
        }
        Box::new(DisjunctionMaxQuery::with_tie_breaker(
            per_field,
            TIE_BREAKER,
        ))
    }

    /// Builds the query for `parsed`, leaving out clause `skip`. `None` when nothing is
    /// left to search for.
    pub(super) fn plan(
        &self,
        parsed: &ParsedQuery,
        skip: Option<usize>,
        fuzzy: bool,
    ) -> Option<Plan> {
        let and = self.catalog.settings.use_boolean_and;
        let mut required: Vec<Box<dyn Query>> = Vec::new();
        let mut optional: Vec<Box<dyn Query>> = Vec::new();
        let mut excluded: Vec<Box<dyn Query>> = Vec::new();
        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        let mut marks = BTreeSet::new();
        let mut used_fuzzy = false;
        for (i, clause) in parsed.clauses.iter().enumerate() {
            if Some(i) == skip {
                continue;
            }
            let Clause {
                kind,
                scope,
                negated,
                prefix,
                optional: is_optional,
                ..
            } = clause;
            let query: Box<dyn Query> = match kind {
                ClauseKind::Tag(tag) => Box::new(ConstScoreQuery::new(
                    Box::new(term_query(self.fields.tag, tag)),
                    0.0,
                )),
                ClauseKind::Area(area) => Box::new(ConstScoreQuery::new(
                    Box::new(term_query(self.fields.area, area)),
                    0.0,
                )),
                ClauseKind::Word(_) | ClauseKind::Phrase(_) => {
                    let fields = self.text_fields(*scope);
                    let alts = match kind {
                        ClauseKind::Word(w) => {
                            self.word_alternatives(w, &fields, *prefix, fuzzy && !negated)
                        }
                        ClauseKind::Phrase(p) => Self::phrase_alternatives(p),
                        ClauseKind::Tag(_) | ClauseKind::Area(_) => None,
                    };
                    let Some(alts) = alts else { continue };
                    // Optional function words still score, but marking every "the" in
                    // an excerpt would drown the words that matter.
                    if !negated && !is_optional {
                        marks.extend(alts.all_terms().map(str::to_owned));
                        used_fuzzy |= alts.fuzzy;
                    }
                    Self::text_query(&alts, &fields)
                }
            };
            let is_filter = matches!(kind, ClauseKind::Tag(_) | ClauseKind::Area(_));
            if *negated {
                excluded.push(query);
            } else if is_filter {
                filters.push(query);
            } else if *is_optional {
                optional.push(query);
            } else {
                required.push(query);
            }
        }
        if required.is_empty() && filters.is_empty() {
            return None;
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if and || required.len() <= 1 {
            clauses.extend(required.into_iter().map(|q| (Occur::Must, q)));
        } else {
            // Any word may match, but at least one must: a union that is itself required,
            // so a filter next to it does not make the words optional.
            clauses.push((Occur::Must, Box::new(BooleanQuery::union(required))));
        }
        clauses.extend(filters.into_iter().map(|q| (Occur::Must, q)));
        clauses.extend(optional.into_iter().map(|q| (Occur::Should, q)));
        clauses.extend(excluded.into_iter().map(|q| (Occur::MustNot, q)));
        Some(Plan {
            query: Box::new(BooleanQuery::new(clauses)),
            marks,
            fuzzy: used_fuzzy,
        })
    }
}

fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if boost == 1.0 {
        q
    } else {
        Box::new(BoostQuery::new(q, boost))
    }
}

fn term_query(field: Field, value: &str) -> TermQuery {
    TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    )
}
