//! The query language, parsed into clauses. Pure: no index, no tantivy.
//!
//! ```text
//! max open conns          all words must match (or any, with use-boolean-and = false)
//! "exact phrase"          words next to each other, in order
//! -word  -"a phrase"      exclude sections that match
//! title:pool              the word must be in the page title (title:"a phrase" too)
//! tag:postgres            the page has this tag
//! area:caching            the section is in this area (folder)
//! conn                    the last word, while typing, also matches as a prefix
//! ```
//!
//! Nothing here can fail: an unclosed quote runs to the end of the query, an unknown
//! `name:value` is searched as words, lone operators are ignored. A query longer than
//! [`MAX_QUERY_BYTES`] is cut (at a character boundary) and at most [`MAX_CLAUSES`]
//! clauses are kept, so a 10 KB paste costs no more than a long sentence.

/// Longest query we search, in bytes.
pub const MAX_QUERY_BYTES: usize = 256;
/// Most clauses we search.
pub const MAX_CLAUSES: usize = 12;

/// Stop words: English function words, and the connectives of "X vs Y" and "the
/// difference between X and Y". They are never dropped from the index (`go`, `it`, `on`
/// matter here) but in a query they are optional when other words are present, so "how to
/// set the pool size" does not require "how", "to" and "the"; they still count for
/// ranking, and inside a quoted phrase they are required like any word. Only plain words
/// are stop words: not `Is` in `errors.Is`, not `IS`, not `isOK`.
const OPTIONAL_WORDS: &[&str] = &[
    "a",
    "about",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "between",
    "but",
    "by",
    "can",
    "could",
    "did",
    "difference",
    "do",
    "does",
    "for",
    "from",
    "get",
    "has",
    "have",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "me",
    "my",
    "of",
    "on",
    "or",
    "our",
    "should",
    "so",
    "than",
    "that",
    "the",
    "then",
    "there",
    "these",
    "this",
    "those",
    "to",
    "use",
    "using",
    "versus",
    "vs",
    "was",
    "we",
    "were",
    "what",
    "whats",
    "when",
    "where",
    "which",
    "who",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
];

/// What one clause asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ClauseKind {
    /// One word as typed (may be an identifier such as `context.WithTimeout`).
    Word(String),
    /// Quoted words that must appear in order.
    Phrase(String),
    /// `tag:value`, lowercased.
    Tag(String),
    /// `area:value`.
    Area(String),
}

/// Where a word or phrase clause looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Title, heading, tags, body and code.
    Everywhere,
    /// The page title only (`title:`).
    Title,
}

/// One clause of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Clause {
    pub kind: ClauseKind,
    pub scope: Scope,
    /// `-word`: sections matching it are excluded.
    pub negated: bool,
    /// The last word while typing: also matches terms starting with it.
    pub prefix: bool,
    /// A common function word in a query with other words: scores but is not required.
    pub optional: bool,
    /// The clause as the user wrote it, to rebuild suggested queries.
    pub raw: String,
}

impl Clause {
    /// A word or phrase that must (or may) match, as opposed to a filter or exclusion.
    pub(crate) fn is_positive_text(&self) -> bool {
        !self.negated && matches!(self.kind, ClauseKind::Word(_) | ClauseKind::Phrase(_))
    }
}

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ParsedQuery {
    /// The query text actually searched (after cutting).
    pub text: String,
    pub clauses: Vec<Clause>,
    /// The input was cut to [`MAX_QUERY_BYTES`] or [`MAX_CLAUSES`].
    pub truncated: bool,
}

impl ParsedQuery {
    /// The words to highlight on a target page: positive words and phrase words, lowercased.
    pub(crate) fn highlight_words(&self) -> Vec<String> {
        let mut words: Vec<String> = Vec::new();
        for c in self.clauses.iter().filter(|c| c.is_positive_text()) {
            let text = match &c.kind {
                ClauseKind::Word(w) | ClauseKind::Phrase(w) => w,
                _ => continue,
            };
            for w in text.split_whitespace() {
                let w = w.to_lowercase();
                if !words.contains(&w) {
                    words.push(w);
                }
            }
        }
        words
    }

    /// Rebuilds a query string from all clauses but the one at `skip`.
    pub(crate) fn text_without(&self, skip: usize) -> String {
        let parts: Vec<&str> = self
            .clauses
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != skip)
            .map(|(_, c)| c.raw.as_str())
            .collect();
        parts.join(" ")
    }

    /// Rebuilds a query string with clause `at` replaced by `word`.
    pub(crate) fn text_replacing(&self, at: usize, word: &str) -> String {
        let parts: Vec<&str> = self
            .clauses
            .iter()
            .enumerate()
            .map(|(i, c)| if i == at { word } else { c.raw.as_str() })
            .collect();
        parts.join(" ")
    }
}

/// Cuts `s` to at most `max` bytes at a character boundary.
fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Parses a query. Never fails.
pub(crate) fn parse(input: &str) -> ParsedQuery {
    let text = cut(input, MAX_QUERY_BYTES);
    let mut truncated = text.len() < input.len();
    let typing_last_word = !text.ends_with(char::is_whitespace);
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let end_of = |k: usize| chars.get(k).map_or(text.len(), |&(i, _)| i);
    let mut clauses: Vec<Clause> = Vec::new();
    let mut negate_next = false;
    let mut k = 0;
    while k < chars.len() {
        if chars[k].1.is_whitespace() {
            k += 1;
            continue;
        }
        let raw_start = chars[k].0;
        let mut negated = std::mem::take(&mut negate_next);
        // Leading operators: `-` excludes, `+` is the default anyway.
        while k < chars.len() && matches!(chars[k].1, '-' | '+') {
            negated |= chars[k].1 == '-';
            k += 1;
        }
        if k >= chars.len() || chars[k].1.is_whitespace() {
            continue; // a lone operator
        }
        // A field prefix such as `title:` (only the names we know).
        let mut field: Option<&str> = None;
        let word_start = k;
        let mut j = k;
        while j < chars.len() && chars[j].1.is_ascii_alphabetic() {
            j += 1;
        }
        if j < chars.len()
            && chars[j].1 == ':'
            && j + 1 < chars.len()
            && !chars[j + 1].1.is_whitespace()
        {
            let name = text[chars[word_start].0..chars[j].0].to_ascii_lowercase();
            field = match name.as_str() {
                "title" => Some("title"),
                "tag" | "tags" => Some("tag"),
                "area" => Some("area"),
                _ => None,
            };
            if field.is_some() {
                k = j + 1;
            }
        }
        let quoted = chars[k].1 == '"';
        let (value, next) = if quoted {
            let close = (k + 1..chars.len()).find(|&i| chars[i].1 == '"');
            let stop = close.unwrap_or(chars.len());
            (&text[end_of(k + 1)..end_of(stop)], stop + 1)
        } else {
            let stop = (k..chars.len())
                .find(|&i| chars[i].1.is_whitespace())
                .unwrap_or(chars.len());
            (&text[end_of(k)..end_of(stop)], stop)
        };
        let raw = text[raw_start..end_of(next.min(chars.len()))].to_owned();
        let at_end = next >= chars.len();
        k = next;
        // Stray quotes inside a bare word are separators, like any punctuation.
        let value = value.trim();
        if value.is_empty() || !value.chars().any(char::is_alphanumeric) {
            continue;
        }
        if field.is_none() && !quoted && matches!(value, "AND" | "OR" | "NOT") {
            negate_next = value == "NOT";
            continue;
        }
        let (kind, scope) = match field {
            Some("tag") => (ClauseKind::Tag(value.to_lowercase()), Scope::Everywhere),
            Some("area") => (ClauseKind::Area(value.to_owned()), Scope::Everywhere),
            Some(_) if quoted => (ClauseKind::Phrase(value.to_owned()), Scope::Title),
            Some(_) => (ClauseKind::Word(value.to_owned()), Scope::Title),
            None if quoted => (ClauseKind::Phrase(value.to_owned()), Scope::Everywhere),
            None => (ClauseKind::Word(value.to_owned()), Scope::Everywhere),
        };
        let prefix = at_end
            && typing_last_word
            && !quoted
            && !negated
            && matches!(kind, ClauseKind::Word(_));
        if clauses.len() == MAX_CLAUSES {
            truncated = true;
            break;
        }
        clauses.push(Clause {
            kind,
            scope,
            negated,
            prefix,
            optional: false,
            raw,
        });
    }
    mark_optional_words(&mut clauses);
    ParsedQuery {
        text: text.to_owned(),
        clauses,
        truncated,
    }
}

fn is_optional_word(c: &Clause) -> bool {
    match &c.kind {
        ClauseKind::Word(w) if c.scope == Scope::Everywhere && !c.negated => {
            // A plain word: letters only, capitalised at most at the start of a sentence.
            let plain = w.chars().all(|ch| ch.is_ascii_alphabetic())
                && w.chars().skip(1).all(|ch| ch.is_ascii_lowercase());
            plain && OPTIONAL_WORDS.contains(&w.to_lowercase().as_str())
        }
        _ => false,
    }
}

fn mark_optional_words(clauses: &mut [Clause]) {
    let required = clauses
        .iter()
        .filter(|c| c.is_positive_text() && !is_optional_word(c))
        .count();
    if required == 0 {
        return;
    }
    for c in clauses.iter_mut() {
        if is_optional_word(c) {
            c.optional = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(q: &str) -> Vec<(ClauseKind, bool, bool)> {
        parse(q)
            .clauses
            .into_iter()
            .map(|c| (c.kind, c.negated, c.prefix))
            .collect()
    }

    fn word(w: &str) -> ClauseKind {
        ClauseKind::Word(w.into())
    }

    #[test]
    fn words_phrases_and_exclusions() {
        assert_eq!(
            kinds(r#"pool "max open" -sqlite conn"#),
            [
                (word("pool"), false, false),
                (ClauseKind::Phrase("max open".into()), false, false),
                (word("sqlite"), true, false),
                (word("conn"), false, true),
            ]
        );
    }

    #[test]
    fn trailing_space_ends_prefix_mode() {
        assert_eq!(kinds("conn "), [(word("conn"), false, false)]);
    }

    #[test]
    fn filters() {
        let q = parse(r#"title:"cache stampede" tag:Postgres area:caching foo:bar"#);
        let c: Vec<_> = q
            .clauses
            .iter()
            .map(|c| (c.kind.clone(), c.scope))
            .collect();
        assert_eq!(
            c,
            [
                (ClauseKind::Phrase("cache stampede".into()), Scope::Title),
                (ClauseKind::Tag("postgres".into()), Scope::Everywhere),
                (ClauseKind::Area("caching".into()), Scope::Everywhere),
                (word("foo:bar"), Scope::Everywhere),
            ]
        );
    }

    #[test]
    fn malformed_syntax_degrades() {
        assert_eq!(
            kinds(r#""unclosed phrase"#),
            [(ClauseKind::Phrase("unclosed phrase".into()), false, false)]
        );
        assert_eq!(
            kinds(r#"- -- "" title: ::"#),
            [(word("title:"), false, false)]
        );
        assert_eq!(
            kinds("a NOT b"),
            [(word("a"), false, false), (word("b"), true, false)]
        );
        assert!(parse("").clauses.is_empty());
    }

    #[test]
    fn huge_query_is_cut() {
        let q = "é".repeat(10_000);
        let p = parse(&q);
        assert!(p.truncated);
        assert!(p.text.len() <= MAX_QUERY_BYTES);
        let many = "word ".repeat(2_000);
        let p = parse(&many);
        assert!(p.truncated && p.clauses.len() <= MAX_CLAUSES);
    }

    #[test]
    fn function_words_are_optional_only_next_to_others() {
        let q = parse("how to size the pool");
        let optional: Vec<bool> = q.clauses.iter().map(|c| c.optional).collect();
        assert_eq!(optional, [true, true, false, true, false]);
        assert!(parse("to be").clauses.iter().all(|c| !c.optional));
    }

    #[test]
    fn connectives_are_stop_words_but_code_tokens_are_not() {
        let optional =
            |q: &str| -> Vec<bool> { parse(q).clauses.iter().map(|c| c.optional).collect() };
        assert_eq!(optional("kafka vs rabbitmq"), [false, true, false]);
        assert_eq!(optional("How do I retry"), [true, true, true, false]);
        // `IS` and `isOK` are not the English word.
        assert_eq!(optional("IS isOK errors.Is"), [false, false, false]);
        // Inside a phrase every word counts.
        assert_eq!(optional(r#""the pool" size"#), [false, false]);
    }

    #[test]
    fn rebuilds_query_text() {
        let q = parse(r#"a "b c" -d"#);
        assert_eq!(q.text_without(0), r#""b c" -d"#);
        assert_eq!(q.text_replacing(0, "x"), r#"x "b c" -d"#);
        assert_eq!(q.highlight_words(), ["a", "b", "c"]);
    }
}
