//! Front matter: the YAML block between `---` lines at the top of every page.
//!
//! Splitting is done by hand (it is two lines of syntax); parsing is serde_yaml into a struct
//! that denies unknown fields, so a typo such as `tittle:` is an error with its line and column
//! in the Markdown file, not a silently ignored key.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Location};

/// How demanding a page is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Difficulty {
    Beginner,
    Intermediate,
    Advanced,
}

/// The fields a page may declare.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FrontMatter {
    pub title: Option<String>,
    pub description: Option<String>,
    pub weight: Option<i64>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub difficulty: Option<Difficulty>,
    pub updated: Option<chrono::NaiveDate>,
    /// Paths of related pages, relative to the content folder (`caching/stampedes.md`).
    #[serde(default)]
    pub related: Vec<String>,
    #[serde(default)]
    pub draft: bool,
    /// Old URLs (site-relative) that redirect to this page.
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// A page's source split into its parts.
#[derive(Debug)]
pub(crate) struct SplitSource<'a> {
    pub front_matter: FrontMatter,
    pub body: &'a str,
    /// 1-based line of the file on which `body` starts.
    pub body_line: usize,
}

/// Splits and parses the front matter of `text`; `file` is used in diagnostics.
pub(crate) fn split<'a>(file: &Path, text: &'a str) -> Result<SplitSource<'a>, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let missing = || {
        Diagnostic::error(Location::new(file, 1, 1), "the page has no front matter").with_help(
            "start the file with a `---` line, then `title:` and `description:`, then `---`",
        )
    };
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
        .ok_or_else(missing)?;
    let end = find_closing_fence(rest).ok_or_else(|| {
        Diagnostic::error(Location::new(file, 1, 1), "the front matter is not closed")
            .with_help("end the front matter with a line that holds only `---`")
    })?;
    let yaml = &rest[..end.start];
    let body = &rest[end.end..];
    let body_line = 2 + yaml.matches('\n').count() + 1;
    let front_matter = if yaml.trim().is_empty() {
        FrontMatter::default()
    } else {
        serde_yaml::from_str::<FrontMatter>(yaml).map_err(|e| yaml_error(file, &e))?
    };
    Ok(SplitSource {
        front_matter,
        body,
        body_line,
    })
}

/// Byte range of the closing `---` line (including its newline) within `rest`.
fn find_closing_fence(rest: &str) -> Option<std::ops::Range<usize>> {
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end_matches(['\n', '\r']) == "---" {
            return Some(offset..offset + line.len());
        }
        offset += line.len();
    }
    None
}

fn yaml_error(file: &Path, error: &serde_yaml::Error) -> Diagnostic {
    // The YAML starts on line 2 of the file (after the opening `---`).
    let (line, column) = error
        .location()
        .map(|l| (l.line() + 1, l.column()))
        .unwrap_or((2, 1));
    let message = error.to_string();
    // serde_yaml appends " at line X column Y", which would contradict our file position.
    let message = match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    };
    let help = if message.contains("unknown field") {
        "remove the field or fix its spelling; allowed: title, description, weight, tags, \
         difficulty, updated, related, draft, aliases"
    } else if message.contains("unknown variant") {
        "difficulty is one of: beginner, intermediate, advanced"
    } else if message.contains("premature end of input") || message.contains("input is not valid") {
        "a date is written YYYY-MM-DD"
    } else {
        "fix the YAML at this position (quote values that contain `:` or start with a symbol)"
    };
    Diagnostic::error(
        Location::new(file, line, column),
        format!("invalid front matter: {message}"),
    )
    .with_help(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SplitSource<'_>, Diagnostic> {
        split(Path::new("content/a.md"), text)
    }

    #[test]
    fn splits_front_matter_and_body() {
        let page = parse("---\ntitle: Hello\ntags: [a, b]\n---\n# Body\n").unwrap();
        assert_eq!(page.front_matter.title.as_deref(), Some("Hello"));
        assert_eq!(page.front_matter.tags, ["a", "b"]);
        assert_eq!(page.body, "# Body\n");
        assert_eq!(page.body_line, 5);
    }

    #[test]
    fn unknown_field_is_reported_at_its_line() {
        let err = parse("---\ntitle: Hello\ntittle: x\n---\n").unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with(
                "content/a.md:3:1: error: invalid front matter: unknown field `tittle`"
            ),
            "{text}"
        );
    }

    #[test]
    fn malformed_yaml_is_reported_with_position() {
        let err = parse("---\ntitle: [unclosed\n---\n").unwrap_err();
        assert_eq!(err.file, Path::new("content/a.md"));
        assert!(err.line.unwrap() >= 2, "{err}");
        assert!(err.message.starts_with("invalid front matter"), "{err}");
    }

    #[test]
    fn missing_front_matter_is_an_error() {
        assert!(parse("# Just markdown\n").is_err());
        assert!(parse("---\ntitle: x\n").is_err());
    }
}
