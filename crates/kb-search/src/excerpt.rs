//! Excerpts: the short passage shown under a hit, with the matched words marked.
//!
//! tantivy's snippet generator only knows the terms of plain term queries, and returns
//! nothing for prefix and fuzzy matches. We know every term a query actually used
//! (exact, prefix-expanded, typo-corrected), so we re-tokenize the section text with the
//! same tokenizer and mark the tokens whose term is in that set. Output is plain text
//! runs, never HTML.

use std::cell::RefCell;
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use crate::results::ExcerptPart;
use crate::tokenizer::analyze;

/// Target length of an excerpt, in bytes of source text.
const EXCERPT_BYTES: usize = 200;
/// How much text to show before the first mark of the chosen window.
const LEAD_BYTES: usize = 50;

/// Texts whose tokens are kept, per thread (the browser has one).
const TOKENS_KEPT: usize = 256;

/// The analysed tokens of a text: term, start and end byte.
type Tokens = Rc<[(String, usize, usize)]>;

thread_local! {
    /// The tokens of recently shown texts, by the text's hash. A reader typing a query
    /// letter by letter sees the same sections again and again, and analysing their text
    /// (stemming every word) was the largest part of a warm query.
    static TOKENS: RefCell<HashMap<u64, Tokens>> =
        RefCell::new(HashMap::new());
}

/// The analysed tokens of `text`: term, start and end byte.
fn tokens(text: &str) -> Tokens {
    let mut hasher = DefaultHasher::new();
    text.hash(&mut hasher);
    let key = hasher.finish();
    if let Some(found) = TOKENS.with(|t| t.borrow().get(&key).cloned()) {
        return found;
    }
    let tokens: Tokens = analyze(text)
        .into_iter()
        .map(|t| (t.text, t.from, t.to))
        .collect();
    TOKENS.with(|t| {
        let mut t = t.borrow_mut();
        if t.len() >= TOKENS_KEPT {
            t.clear();
        }
        t.insert(key, tokens.clone());
    });
    tokens
}

/// Byte spans of `text` whose tokens are in `terms`, sorted and merged.
fn marked_spans(text: &str, terms: &BTreeSet<String>) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = tokens(text)
        .iter()
        .filter(|(term, _, _)| terms.contains(term))
        .map(|&(_, from, to)| (from, to))
        .collect();
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (from, to) in spans {
        // Parts of one identifier (`x` `/` `sync` `/` `errgroup`) read as one mark.
        let joined = |last: &(usize, usize)| {
            from <= last.1
                || text[last.1..from]
                    .chars()
                    .all(|c| matches!(c, '.' | '_' | '-' | '/' | ':'))
        };
        match merged.last_mut() {
            Some(last) if joined(last) => last.1 = last.1.max(to),
            _ => merged.push((from, to)),
        }
    }
    merged
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Moves a window start forward to just after whitespace, unless that skips past `limit`.
fn snap_start(text: &str, start: usize, limit: usize) -> usize {
    if start == 0 {
        return 0;
    }
    match text[start..limit].find(char::is_whitespace) {
        Some(ws) => {
            let after = start + ws;
            after + text[after..].chars().next().map_or(0, char::len_utf8)
        }
        None => start,
    }
}

/// Moves a window end back to whitespace, unless that cuts before `limit`.
fn snap_end(text: &str, end: usize, limit: usize) -> usize {
    if end >= text.len() {
        return text.len();
    }
    match text[limit..end].rfind(char::is_whitespace) {
        Some(ws) => limit + ws,
        None => end,
    }
}

/// Picks the window of about [`EXCERPT_BYTES`] with the most distinct marked words.
fn choose_window(text: &str, spans: &[(usize, usize)]) -> (usize, usize) {
    if text.len() <= EXCERPT_BYTES {
        return (0, text.len());
    }
    let mut best = (0usize, 0usize, 0usize); // (distinct, start, end)
    for &(first_from, _) in spans {
        let start = floor_boundary(text, first_from.saturating_sub(LEAD_BYTES));
        let start = snap_start(text, start, first_from);
        let end = floor_boundary(text, start + EXCERPT_BYTES);
        let mut words: BTreeSet<String> = BTreeSet::new();
        for &(f, t) in spans.iter().filter(|&&(f, t)| f >= start && t <= end) {
            words.insert(text[f..t].to_lowercase());
        }
        if words.len() > best.0 {
            best = (words.len(), start, end);
        }
    }
    if best.0 == 0 {
        let end = floor_boundary(text, EXCERPT_BYTES);
        return (0, snap_end(text, end, floor_boundary(text, end / 2)));
    }
    let (_, start, end) = best;
    let last_mark_end = spans
        .iter()
        .filter(|&&(_, t)| t <= end)
        .map(|&(_, t)| t)
        .max()
        .unwrap_or(start);
    (start, snap_end(text, end, last_mark_end.max(start)))
}

/// Collapses runs of whitespace (newlines in code, indentation) into one space.
fn push_text(parts: &mut Vec<ExcerptPart>, text: &str, mark: bool) {
    let mut s = String::with_capacity(text.len());
    let mut in_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !in_space {
                s.push(' ');
            }
            in_space = true;
        } else {
            s.push(c);
            in_space = false;
        }
    }
    if s.is_empty() {
        return;
    }
    match parts.last_mut() {
        Some(last) if last.mark == mark => last.text.push_str(&s),
        _ => parts.push(ExcerptPart { text: s, mark }),
    }
}

/// Builds the excerpt of a section: from its prose if a query term occurs there, else
/// from its code, else the start of the prose.
pub(crate) fn excerpt(body: &str, code: &str, terms: &BTreeSet<String>) -> Vec<ExcerptPart> {
    let body_spans = marked_spans(body, terms);
    let (text, spans) = if !body_spans.is_empty() {
        (body, body_spans)
    } else {
        let code_spans = marked_spans(code, terms);
        if !code_spans.is_empty() || body.trim().is_empty() {
            (code, code_spans)
        } else {
            (body, body_spans)
        }
    };
    let (start, end) = choose_window(text, &spans);
    let mut parts = Vec::new();
    if start > 0 {
        push_text(&mut parts, "… ", false);
    }
    let mut at = start;
    for &(f, t) in spans.iter().filter(|&&(f, t)| f >= start && t <= end) {
        push_text(&mut parts, &text[at..f], false);
        push_text(&mut parts, &text[f..t], true);
        at = t;
    }
    push_text(&mut parts, &text[at..end], false);
    if end < text.len() {
        push_text(&mut parts, " …", false);
    }
    if let Some(first) = parts.first_mut() {
        let trimmed = first.text.trim_start().to_owned();
        first.text = trimmed;
    }
    parts.retain(|p| !p.text.is_empty());
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_without_marks_cuts_between_characters() {
        // Half the window falls inside the three bytes of `“`: slicing there panicked
        // (in the browser, a panic stops the search module).
        let body = format!("{}“quoted”{}", "x".repeat(99), " word".repeat(60));
        let parts = excerpt(&body, "", &BTreeSet::new());
        let text: String = parts.iter().map(|p| p.text.as_str()).collect();
        assert!(text.starts_with(&"x".repeat(99)), "{text}");
        assert!(text.ends_with(" …"), "{text}");
    }

    fn terms(t: &[&str]) -> BTreeSet<String> {
        t.iter().map(|s| s.to_string()).collect()
    }

    fn render(parts: &[ExcerptPart]) -> String {
        parts
            .iter()
            .map(|p| {
                if p.mark {
                    format!("[{}]", p.text)
                } else {
                    p.text.clone()
                }
            })
            .collect()
    }

    #[test]
    fn marks_stemmed_and_identifier_parts() {
        let e = excerpt(
            "Call db.SetMaxOpenConns to cap connections.",
            "",
            &terms(&["conn", "connect"]),
        );
        assert_eq!(
            render(&e),
            "Call db.SetMaxOpen[Conns] to cap [connections]."
        );
    }

    #[test]
    fn whole_identifier_is_one_mark() {
        let e = excerpt(
            "Use context.WithTimeout always",
            "",
            &terms(&["context.withtimeout", "with", "timeout"]),
        );
        assert_eq!(render(&e), "Use [context.WithTimeout] always");
    }

    #[test]
    fn falls_back_to_code_then_to_start() {
        let e = excerpt("Prose without it.", "GOGC=off\n  go run", &terms(&["gogc"]));
        assert_eq!(render(&e), "[GOGC]=off go run");
        let e = excerpt("Prose without it.", "code", &terms(&["zzz"]));
        assert_eq!(render(&e), "Prose without it.");
    }

    #[test]
    fn long_text_is_windowed_around_the_matches() {
        let body = format!(
            "{} the stampede happens here {}",
            "filler ".repeat(60),
            "tail ".repeat(60)
        );
        let e = render(&excerpt(&body, "", &terms(&["stamped"])));
        assert!(e.starts_with("… "), "{e}");
        assert!(e.ends_with(" …"), "{e}");
        assert!(e.contains("[stampede]"), "{e}");
        assert!(e.len() < 260, "{e}");
    }

    #[test]
    fn html_is_just_text() {
        let e = excerpt("<img src=x onerror=alert(1)> pool", "", &terms(&["pool"]));
        assert_eq!(render(&e), "<img src=x onerror=alert(1)> [pool]");
    }
}
