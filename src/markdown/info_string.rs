//! Code fence info strings: ```` ```go,fragment title="main.go" hl_lines="3-5 9" linenos ````.

use std::collections::BTreeSet;

/// A parsed info string.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct InfoString {
    /// The language, lowercased (`go`); empty when none was given.
    pub lang: String,
    /// Comma flags after the language (`fragment`, `ignore`).
    pub flags: Vec<String>,
    pub title: Option<String>,
    /// 1-based line numbers to emphasise.
    pub hl_lines: BTreeSet<usize>,
    pub linenos: bool,
    /// Attributes kb does not know, kept for a warning.
    pub unknown: Vec<String>,
}

/// Attributes of Rust code blocks that rustdoc and mdBook define (`rust,ignore`,
/// `rust editable`): known words, whichever way they are written. A block that starts with
/// one (```` ```ignore ````) is Rust, as rustdoc reads it.
const RUSTDOC_ATTRIBUTES: &[&str] = &[
    "ignore",
    "editable",
    "noplayground",
    "noplaypen",
    "no_run",
    "should_panic",
    "compile_fail",
    "test_harness",
    "allow_fail",
    "mdbook-runnable",
    "edition2015",
    "edition2018",
    "edition2021",
    "edition2024",
];

/// Parses an info string. Never fails: what cannot be understood is reported in `unknown`.
pub(crate) fn parse(info: &str) -> InfoString {
    let mut result = InfoString::default();
    let info = info.trim();
    let (head, mut rest) = match info.find(char::is_whitespace) {
        Some(i) => (&info[..i], info[i..].trim_start()),
        None => (info, ""),
    };
    let mut parts = head.split(',').map(str::trim).filter(|s| !s.is_empty());
    result.lang = parts.next().unwrap_or("").to_lowercase();
    result.flags = parts.map(str::to_string).collect();
    if RUSTDOC_ATTRIBUTES.contains(&result.lang.as_str()) {
        result
            .flags
            .insert(0, std::mem::replace(&mut result.lang, "rust".to_string()));
    }
    while !rest.is_empty() {
        let key_end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let key = &rest[..key_end];
        rest = &rest[key_end..];
        let value = if let Some(after) = rest.strip_prefix('=') {
            let (value, after) = if let Some(quoted) = after.strip_prefix('"') {
                match quoted.find('"') {
                    Some(end) => (&quoted[..end], &quoted[end + 1..]),
                    None => (quoted, ""),
                }
            } else {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                (&after[..end], &after[end..])
            };
            rest = after;
            Some(value)
        } else {
            None
        };
        rest = rest.trim_start();
        // rustdoc and mdBook split attributes on commas as well as spaces: ```` ```rust
        // ,ignore ```` and ```` ```rust ignore,no_run ```` are two known words each.
        let words: Vec<&str> = match value {
            None => key.split(',').filter(|w| !w.is_empty()).collect(),
            Some(_) => vec![key.trim_start_matches(',')],
        };
        for key in words {
            match (key, value) {
                ("title", Some(v)) => result.title = Some(v.to_string()),
                ("hl_lines", Some(v)) => result.hl_lines = parse_ranges(v),
                ("linenos", _) => result.linenos = true,
                ("", _) => {}
                (k, None) if RUSTDOC_ATTRIBUTES.contains(&k) => result.flags.push(k.to_string()),
                // mdBook's per-block hidden-line prefix (`hidelines=#`).
                ("hidelines", Some(_)) => {}
                (k, _) => result.unknown.push(k.to_string()),
            }
        }
    }
    result
}

/// `"3-5 9"` becomes {3, 4, 5, 9}. Malformed pieces are skipped.
fn parse_ranges(text: &str) -> BTreeSet<usize> {
    let mut lines = BTreeSet::new();
    for piece in text.split([' ', ',']).filter(|s| !s.is_empty()) {
        match piece.split_once('-') {
            Some((a, b)) => {
                if let (Ok(a), Ok(b)) = (a.parse::<usize>(), b.parse::<usize>()) {
                    lines.extend(a..=b.min(a + 10_000));
                }
            }
            None => {
                if let Ok(n) = piece.parse() {
                    lines.insert(n);
                }
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Rustonomicon writes ```` ```rust ,ignore ````; rustdoc reads `ignore`.
    #[test]
    fn attributes_split_on_commas_after_a_space() {
        let info = parse("rust ,ignore");
        assert_eq!(
            (info.lang.as_str(), info.flags),
            ("rust", vec!["ignore".to_string()])
        );
        assert!(info.unknown.is_empty(), "{:?}", info.unknown);
        let info = parse("rust no_run,should_panic ,title=\"a.rs\" odd,");
        assert_eq!(info.flags, ["no_run", "should_panic"]);
        assert_eq!(info.title.as_deref(), Some("a.rs"));
        assert_eq!(info.unknown, ["odd"]);
    }

    #[test]
    fn rustdoc_attributes_are_known_words() {
        let info = parse("rust,editable ignore");
        assert_eq!(info.lang, "rust");
        assert_eq!(info.flags, ["editable", "ignore"]);
        assert!(info.unknown.is_empty());
        let info = parse("ignore");
        assert_eq!(info.lang, "rust");
        assert_eq!(info.flags, ["ignore"]);
    }

    #[test]
    fn full_info_string() {
        let info = parse(r#"go,fragment title="main.go" hl_lines="3-5 9" linenos"#);
        assert_eq!(info.lang, "go");
        assert_eq!(info.flags, ["fragment"]);
        assert_eq!(info.title.as_deref(), Some("main.go"));
        assert_eq!(info.hl_lines.into_iter().collect::<Vec<_>>(), [3, 4, 5, 9]);
        assert!(info.linenos);
        assert!(info.unknown.is_empty());
    }

    #[test]
    fn plain_and_unknown() {
        assert_eq!(parse("").lang, "");
        assert_eq!(parse("SQL").lang, "sql");
        assert_eq!(parse("yaml foo=bar").unknown, ["foo"]);
    }
}
