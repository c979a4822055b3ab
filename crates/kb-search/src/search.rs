//! Search execution: turns a parsed query into tantivy queries (with prefix and typo
//! expansion against the term dictionary), runs them, and assembles [`SearchResults`]
//! with excerpts, area counts and suggestions. Shared by the static index (native and
//! wasm) and the live index of `kb serve`.

use std::collections::{BTreeMap, BTreeSet};

use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, FuzzyTermQuery, Occur,
    PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{Searcher, TantivyDocument, Term};

use crate::blob::Catalog;
use crate::collector::{AreaCounter, Collected, Counts, SectionCollector, NO_AREA};
use crate::excerpt::excerpt;
use crate::query::{parse, Clause, ClauseKind, ParsedQuery, Scope};
use crate::results::{round_score, AreaCount, SearchHit, SearchResults};
use crate::schema::Fields;
use crate::settings::{QueryOptions, MAX_LIMIT};
use crate::tokenizer::{analyze, TokenKind};

/// Below this many matches, words of [`FUZZY_MIN_CHARS`] or more also match terms one
/// edit away.
const FUZZY_BELOW: usize = 3;
/// Shortest word that gets typo tolerance: shorter words have too many neighbours.
const FUZZY_MIN_CHARS: usize = 5;
/// Shortest prefix that is expanded while typing.
const PREFIX_MIN_CHARS: usize = 2;
/// Most terms one prefix expands to (the most frequent win), by typed length: a short
/// prefix matches many frequent terms and each costs a posting list walk.
const PREFIX_MAX_TERMS: [usize; 3] = [4, 8, 12];
/// Most terms one misspelt word expands to.
const FUZZY_MAX_TERMS: usize = 8;
/// Terms scanned per field and segment for one prefix, so `a` cannot walk a dictionary.
const PREFIX_SCAN_LIMIT: usize = 4000;
/// Weight of a term found by prefix relative to the word as typed.
const PREFIX_WEIGHT: f32 = 0.7;
/// Weight of a term found by typo tolerance.
const FUZZY_WEIGHT: f32 = 0.5;
/// How much the other fields count next to the best one for a word.
const TIE_BREAKER: f32 = 0.2;
/// Most suggestions offered when nothing matched.
const MAX_SUGGESTIONS: usize = 3;

/// A text field that words are searched in.
#[derive(Clone, Copy)]
struct TextField {
    field: Field,
    boost: f32,
    positions: bool,
}

/// What one word or phrase may match, before it is spread over fields.
#[derive(Default)]
struct Alternatives {
    /// Single terms with their weight.
    terms: Vec<(String, f32)>,
    /// A sequence of terms with their relative positions.
    phrase: Option<Vec<(usize, String)>>,
    /// Some term came from typo tolerance.
    fuzzy: bool,
}

impl Alternatives {
    fn push_term(&mut self, term: String, weight: f32) {
        if !self.terms.iter().any(|(t, _)| *t == term) {
            self.terms.push((term, weight));
        }
    }

    fn all_terms(&self) -> impl Iterator<Item = &str> {
        let phrase = self.phrase.iter().flatten().map(|(_, t)| t.as_str());
        self.terms.iter().map(|(t, _)| t.as_str()).chain(phrase)
    }
}

/// A query ready to run, with the terms to mark in excerpts.
struct Plan {
    query: Box<dyn Query>,
    marks: BTreeSet<String>,
    fuzzy: bool,
}

/// Runs queries against one searcher.
pub(crate) struct Engine<'a> {
    pub searcher: &'a Searcher,
    pub fields: &'a Fields,
    pub catalog: &'a Catalog,
}

impl Engine<'_> {
    fn text_fields(&self, scope: Scope) -> Vec<TextField> {
        let s = &self.catalog.settings;
        let f = self.fields;
        let tf = |field, boost, positions| TextField {
            field,
            boost,
            positions,
        };
        match scope {
            Scope::Title => vec![tf(f.page_title, s.boost_title, true)],
            Scope::Everywhere => vec![
                tf(f.page_title, s.boost_title, true),
                tf(f.heading, s.boost_heading, true),
                tf(f.tags, s.boost_heading, false),
                tf(f.body, s.boost_body, true),
                tf(f.code, s.boost_code, true),
            ],
        }
    }

    /// Total document frequency of `term` over the given fields.
    fn doc_freq(&self, fields: &[TextField], term: &str) -> u64 {
        fields
            .iter()
            .map(|f| {
                self.searcher
                    .doc_freq(&Term::from_field_text(f.field, term))
                    .unwrap_or(0)
            })
            .sum()
    }

    /// Terms starting with `prefix` in any of `fields`, most frequent first.
    fn prefix_terms(&self, fields: &[TextField], prefix: &str) -> Vec<String> {
        let mut freq: BTreeMap<String, u64> = BTreeMap::new();
        for segment in self.searcher.segment_readers() {
            for f in fields {
                let Ok(inverted) = segment.inverted_index(f.field) else {
                    continue;
                };
                let Ok(mut stream) = inverted.terms().range().ge(prefix.as_bytes()).into_stream()
                else {
                    continue;
                };
                let mut scanned = 0;
                while stream.advance() && scanned < PREFIX_SCAN_LIMIT {
                    scanned += 1;
                    let key = stream.key();
                    if !key.starts_with(prefix.as_bytes()) {
                        break;
                    }
                    if let Ok(term) = std::str::from_utf8(key) {
                        *freq.entry(term.to_owned()).or_default() +=
                            u64::from(stream.value().doc_freq);
                    }
                }
            }
        }
        let chars = prefix.chars().count();
        let max = PREFIX_MAX_TERMS[chars
            .saturating_sub(PREFIX_MIN_CHARS)
            .min(PREFIX_MAX_TERMS.len() - 1)];
        top_terms(freq, max)
    }

    /// Terms within `distance` edits of `word` in any of `fields`, most frequent first.
    fn fuzzy_terms(
        &self,
        fields: &[TextField],
        word: &str,
        distance: u8,
        max: usize,
    ) -> Vec<String> {
        let mut freq: BTreeMap<String, u64> = BTreeMap::new();
        for segment in self.searcher.segment_readers() {
            for f in fields {
                let Ok(inverted) = segment.inverted_index(f.field) else {
                    continue;
                };
                // tantivy caches the Levenshtein automaton builders; we only borrow its DFA.
                let fuzzy =
                    FuzzyTermQuery::new(Term::from_field_text(f.field, word), distance, true);
                let Ok(dfa) = fuzzy.automaton() else { continue };
                let Ok(mut stream) = inverted.terms().search(dfa).into_stream() else {
                    continue;
                };
                while stream.advance() {
                    if let Ok(term) = std::str::from_utf8(stream.key()) {
                        *freq.entry(term.to_owned()).or_default() +=
                            u64::from(stream.value().doc_freq);
                    }
                }
            }
        }
        freq.remove(word);
        top_terms(freq, max)
    }

    /// What a word as typed may match.
    fn word_alternatives(
        &self,
        word: &str,
        fields: &[TextField],
        prefix: bool,
        fuzzy: bool,
    ) -> Option<Alternatives> {
        let tokens = analyze(word);
        let parts: Vec<_> = tokens
            .iter()
            .filter(|t| t.kind == TokenKind::Part)
            .collect();
        let (first, last) = (parts.first()?, parts.last()?);
        let mut alts = Alternatives::default();
        let whole = tokens
            .iter()
            .find(|t| t.kind == TokenKind::Whole && t.from == first.from && t.to == last.to);
        if parts.len() == 1 {
            alts.push_term(first.text.clone(), 1.0);
            // Identifiers typed in lowercase (`setmaxopenconns`) are indexed unstemmed.
            let lower = word[first.from..first.to].to_lowercase();
            alts.push_term(lower, 1.0);
        } else {
            // The identifier as written, if the site has it; otherwise its parts in a row
            // (`x/sync/errgroup` inside `golang.org/x/sync/errgroup`, or prose that spells
            // it out). Not both: a phrase of common parts (`with` in `WithTimeout`) costs
            // more than everything else in the query.
            let known = whole.filter(|w| self.doc_freq(fields, &w.text) > 0);
            match known {
                Some(whole) => alts.push_term(whole.text.clone(), 1.0),
                None => {
                    let base = first.position;
                    let phrase = parts.iter().map(|t| (t.position - base, t.text.clone()));
                    alts.phrase = Some(phrase.collect());
                }
            }
        }
        if prefix {
            // The prefix is what was typed, unstemmed: `connecti` must reach `connect`
            // (a stem shorter than the prefix) and `connection...` wholes.
            let typed = match whole {
                Some(w) if parts.len() > 1 => w.text.clone(),
                _ => word[last.from..last.to].to_lowercase(),
            };
            if typed.chars().count() >= PREFIX_MIN_CHARS {
                for term in self.prefix_terms(fields, &typed) {
                    alts.push_term(term, PREFIX_WEIGHT);
                }
                if parts.len() == 1 {
                    let mut cut = typed.clone();
                    for _ in 0..3 {
                        cut.pop();
                        if cut.chars().count() < 4 {
                            break;
                        }
                        if self.doc_freq(fields, &cut) > 0 {
                            alts.push_term(cut.clone(), PREFIX_WEIGHT);
                        }
                    }
                }
            }
        }
        if fuzzy && parts.len() == 1 {
            let lower = word[first.from..first.to].to_lowercase();
            if lower.chars().count() >= FUZZY_MIN_CHARS {
                let mut seeds = vec![lower];
                if first.text != seeds[0] {
                    seeds.push(first.text.clone());
                }
                for seed in seeds {
                    for term in self.fuzzy_terms(fields, &seed, 1, FUZZY_MAX_TERMS) {
                        alts.fuzzy = true;
                        alts.push_term(term, FUZZY_WEIGHT);
                    }
                }
            }
        }
        Some(alts)
    }

    /// What a quoted phrase may match: its parts, in order.
    fn phrase_alternatives(phrase: &str) -> Option<Alternatives> {
        let parts: Vec<_> = analyze(phrase)
            .into_iter()
            .filter(|t| t.kind == TokenKind::Part)
            .collect();
        let first = parts.first()?;
        let mut alts = Alternatives::default();
        if parts.len() == 1 {
            alts.push_term(first.text.clone(), 1.0);
        } else {
            let base = first.position;
            alts.phrase = Some(
                parts
                    .iter()
                    .map(|t| (t.position - base, t.text.clone()))
                    .collect(),
            );
        }
        Some(alts)
    }

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
    fn plan(&self, parsed: &ParsedQuery, skip: Option<usize>, fuzzy: bool) -> Option<Plan> {
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

    /// Counts matches (per area, and in the selected area).
    fn count(&self, query: &dyn Query, area: Option<u64>) -> Counts {
        self.searcher
            .search(query, &AreaCounter { area })
            .unwrap_or_default()
    }

    /// The best `limit` sections of the selected area and the counts, in one pass.
    fn collect(&self, query: &dyn Query, limit: usize, area: Option<u64>) -> Collected {
        self.searcher
            .search(query, &SectionCollector { limit, area })
            .unwrap_or_default()
    }

    fn area_counts(&self, per_area: &[usize], empty_query: bool) -> Vec<AreaCount> {
        self.catalog
            .areas
            .iter()
            .map(|a| AreaCount {
                area: a.area.clone(),
                title: a.title.clone(),
                count: if empty_query {
                    a.sections
                } else {
                    per_area.get(a.id as usize).copied().unwrap_or(0)
                },
            })
            .collect()
    }

    fn hit(&self, score: f32, doc: &TantivyDocument, marks: &BTreeSet<String>) -> SearchHit {
        let text = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_owned()
        };
        let f = self.fields;
        SearchHit {
            url: text(f.url),
            page_url: text(f.page_url),
            page_title: text(f.page_title),
            heading: text(f.heading),
            breadcrumb: text(f.breadcrumb),
            area: text(f.area),
            area_title: text(f.area_title),
            score: round_score(score),
            excerpt: excerpt(&text(f.body), &text(f.code), marks),
        }
    }

    /// Other queries that find something, when this one found nothing.
    fn suggestions(&self, parsed: &ParsedQuery, area: Option<u64>) -> Vec<String> {
        let mut found: Vec<(usize, String)> = Vec::new();
        if parsed.clauses.len() >= 2 {
            for i in 0..parsed.clauses.len() {
                if let Some(plan) = self.plan(parsed, Some(i), true) {
                    let total = self.count(plan.query.as_ref(), area).total;
                    if total > 0 {
                        found.push((total, parsed.text_without(i)));
                    }
                }
            }
        }
        for (i, clause) in parsed.clauses.iter().enumerate() {
            let ClauseKind::Word(word) = &clause.kind else {
                continue;
            };
            if clause.negated
                || word.chars().count() < 4
                || word.chars().any(|c| !c.is_alphabetic())
            {
                continue;
            }
            let fields = self.text_fields(clause.scope);
            let lower = word.to_lowercase();
            // Only words the index does not know, and two edits only for long words:
            // `pool` must not become `too`.
            if self.doc_freq(&fields, &crate::tokenizer::stem_word(&lower)) > 0
                || self.doc_freq(&fields, &lower) > 0
            {
                continue;
            }
            let distance = if lower.chars().count() >= 7 { 2 } else { 1 };
            if let Some(term) = self
                .fuzzy_terms(&fields, &lower, distance, 1)
                .into_iter()
                .next()
            {
                let text = parsed.text_replacing(i, &term);
                let replaced = parse(&format!("{text} "));
                if let Some(plan) = self.plan(&replaced, None, false) {
                    let total = self.count(plan.query.as_ref(), area).total;
                    if total > 0 {
                        found.push((total, text));
                    }
                }
            }
        }
        found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let mut out: Vec<String> = Vec::new();
        for (_, text) in found {
            if !out.contains(&text) && out.len() < MAX_SUGGESTIONS {
                out.push(text);
            }
        }
        out
    }

    /// Runs one query. Never fails: errors inside tantivy read as "no results".
    pub(crate) fn search(&self, query: &str, options: &QueryOptions) -> SearchResults {
        let parsed = parse(query);
        let limit = match options.limit {
            0 => self.catalog.settings.limit_results,
            n => n.min(MAX_LIMIT),
        };
        let area = options.area.as_ref().map(|wanted| {
            self.catalog
                .areas
                .iter()
                .find(|a| &a.area == wanted)
                .map_or(NO_AREA, |a| a.id)
        });
        let mut results = SearchResults {
            query: parsed.text.clone(),
            truncated: parsed.truncated,
            words: parsed.highlight_words(),
            ..SearchResults::default()
        };
        let Some(mut plan) = self.plan(&parsed, None, false) else {
            results.areas = self.area_counts(&[], parsed.clauses.is_empty());
            return results;
        };
        let mut collected = self.collect(plan.query.as_ref(), limit, area);
        if collected.counts.total < FUZZY_BELOW {
            if let Some(fuzzy) = self.plan(&parsed, None, true).filter(|p| p.fuzzy) {
                let more = self.collect(fuzzy.query.as_ref(), limit, area);
                if more.counts.total > collected.counts.total {
                    collected = more;
                    plan = fuzzy;
                    results.fuzzy = true;
                }
            }
        }
        results.total = collected.counts.total;
        results.areas = self.area_counts(&collected.counts.per_area, false);
        for scored in &collected.top {
            if let Ok(doc) = self.searcher.doc::<TantivyDocument>(scored.address) {
                results.hits.push(self.hit(scored.score, &doc, &plan.marks));
            }
        }
        if results.total == 0 {
            results.suggestions = self.suggestions(&parsed, area);
        }
        results
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

/// The `max` most frequent terms, ties by term, for a result that does not depend on
/// how the index is split into segments.
fn top_terms(freq: BTreeMap<String, u64>, max: usize) -> Vec<String> {
    let mut terms: Vec<(String, u64)> = freq.into_iter().collect();
    terms.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    terms.into_iter().take(max).map(|(t, _)| t).collect()
}
