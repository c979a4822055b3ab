//! Hidden code lines, as mdBook (and rustdoc) write them: in a Rust block a line whose
//! first non-blank text is `# ` or a lone `#` is hidden (shown without the `# ` when the
//! reader asks), and `##` at that place is an escaped `#`. Other languages hide lines that
//! start with the prefix `[output.html.code.hidelines]` gives for them, or the block's own
//! `hidelines=PREFIX` attribute.
//!
//! The pass is pure: code in, the code to show (prefixes removed) and the numbers of its
//! hidden lines out. The highlighter marks those lines; the theme hides them and adds the
//! button that shows them.

use std::collections::{BTreeMap, BTreeSet};

/// A code block with its hidden lines taken apart.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Hidden {
    /// Every line, prefixes removed.
    pub code: String,
    /// 1-based numbers of the hidden lines of `code`.
    pub lines: BTreeSet<usize>,
}

/// The rule for a block of `lang` with `flags` (`hidelines=!!!`), given the configured
/// prefixes; `None` when the block hides nothing.
pub(crate) fn hide(
    code: &str,
    lang: &str,
    flags: &[String],
    configured: &BTreeMap<String, String>,
) -> Option<Hidden> {
    let own = flags
        .iter()
        .find_map(|flag| flag.strip_prefix("hidelines="))
        .filter(|prefix| !prefix.is_empty());
    let hidden = if lang == "rust" {
        rust(code)
    } else {
        let prefix = own.or_else(|| configured.get(lang).map(String::as_str))?;
        with_prefix(code, prefix)
    };
    (hidden.code != code || !hidden.lines.is_empty()).then_some(hidden)
}

/// rustdoc's rule: `^(\s*)#(.?)(.*)$` where the second part is empty or a space hides the
/// line, and `#` unescapes it.
fn rust(code: &str) -> Hidden {
    transform(code, |line| {
        let body = line.trim_start();
        let indent = &line[..line.len() - body.len()];
        let rest = body.strip_prefix('#')?;
        if let Some(escaped) = rest.strip_prefix('#') {
            Some((format!("{indent}#{escaped}"), false))
        } else if rest.is_empty() || rest == "\n" {
            Some((format!("{indent}{rest}"), true))
        } else {
            rest.strip_prefix(' ')
                .map(|shown| (format!("{indent}{shown}"), true))
        }
    })
}

/// mdBook's rule for other languages: a line whose first non-blank text is `prefix`.
fn with_prefix(code: &str, prefix: &str) -> Hidden {
    transform(code, |line| {
        let body = line.trim_start();
        let indent = &line[..line.len() - body.len()];
        body.strip_prefix(prefix)
            .map(|rest| (format!("{indent}{rest}"), true))
    })
}

/// Applies `rule` to each line (with its newline): `Some((new text, hidden))` changes it.
fn transform(code: &str, rule: impl Fn(&str) -> Option<(String, bool)>) -> Hidden {
    let mut out = Hidden {
        code: String::with_capacity(code.len()),
        lines: BTreeSet::new(),
    };
    for (n, line) in code.split_inclusive('\n').enumerate() {
        match rule(line) {
            Some((text, hidden)) => {
                out.code.push_str(&text);
                if hidden {
                    out.lines.insert(n + 1);
                }
            }
            None => out.code.push_str(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none() -> BTreeMap<String, String> {
        BTreeMap::new()
    }

    #[test]
    fn rust_hides_hash_space_and_lone_hash_lines() {
        let code = "# fn main() {\nlet x = 1;\n    #     let y = 2;\n#\n## not hidden\n#[derive(Debug)]\n#![allow(unused)]\n# }\n";
        let h = hide(code, "rust", &[], &none()).unwrap();
        assert_eq!(
            h.code,
            "fn main() {\nlet x = 1;\n        let y = 2;\n\n# not hidden\n#[derive(Debug)]\n#![allow(unused)]\n}\n"
        );
        assert_eq!(h.lines, BTreeSet::from([1, 3, 4, 8]));
    }

    #[test]
    fn the_last_line_without_newline_is_hidden_too() {
        let h = hide("a\n# b", "rust", &[], &none()).unwrap();
        assert_eq!((h.code.as_str(), h.lines), ("a\nb", BTreeSet::from([2])));
        let h = hide("a\n#", "rust", &[], &none()).unwrap();
        assert_eq!((h.code.as_str(), h.lines), ("a\n", BTreeSet::from([2])));
    }

    #[test]
    fn other_languages_need_a_prefix() {
        let code = "# comment\n~hidden()\nshown()\n    ~indented()\n";
        assert_eq!(hide(code, "python", &[], &none()), None);
        assert_eq!(hide(code, "text", &[], &none()), None);
        let configured = BTreeMap::from([("python".to_string(), "~".to_string())]);
        let h = hide(code, "python", &[], &configured).unwrap();
        assert_eq!(h.code, "# comment\nhidden()\nshown()\n    indented()\n");
        assert_eq!(h.lines, BTreeSet::from([2, 4]));
        // The block's own prefix wins over the configured one.
        let own = ["hidelines=!!!".to_string()];
        let h = hide("!!!a\n~b\n", "python", &own, &configured).unwrap();
        assert_eq!((h.code.as_str(), h.lines), ("a\n~b\n", BTreeSet::from([1])));
    }

    #[test]
    fn a_block_without_hidden_lines_is_left_alone() {
        assert_eq!(hide("fn main() {}\n", "rust", &[], &none()), None);
    }
}
