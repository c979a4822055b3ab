//! Other queries to offer when a query found nothing: the query without one of its
//! clauses (a filter or an exclusion, which are never left out), or with a word the index
//! does not know replaced by the nearest one it does, most matching pages first.

use super::plan::Plan;
use super::Engine;
use crate::query::{parse, ClauseKind, ParsedQuery};

/// Most suggestions offered when nothing matched.
const MAX_SUGGESTIONS: usize = 3;

impl Engine<'_> {
    /// Counts the pages a plan matches with all its words (in the selected area).
    fn count(&self, plan: &Plan, area: Option<u64>) -> usize {
        let matched = self.match_pages(plan, area, 0);
        if matched.dropped.is_empty() {
            matched.total
        } else {
            0
        }
    }

    /// Other queries that find something, when this one found nothing.
    pub(super) fn suggestions(&self, parsed: &ParsedQuery, area: Option<u64>) -> Vec<String> {
        let mut found: Vec<(usize, String)> = Vec::new();
        if parsed.clauses.len() >= 2 {
            // Words are left out by the search itself; filters and exclusions never are.
            for (i, clause) in parsed.clauses.iter().enumerate() {
                if clause.is_positive_text() {
                    continue;
                }
                if let Some(plan) = self.plan(parsed, Some(i), true) {
                    let total = self.count(&plan, area);
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
            let fields = self.text_fields(clause.scope, super::Level::Page);
            let lower = word.to_lowercase();
            // Only words the index does not know, and two edits only for long words:
            // `pool` must not become `too`.
            if self.knows(&fields, &[&crate::tokenizer::stem_word(&lower), &lower]) {
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
                    let total = self.count(&plan, area);
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
}
