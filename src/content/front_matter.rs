//! Front matter: the optional block at the top of a page, YAML between `---` lines or, as
//! Zola and Hugo write it, TOML between `+++` lines.
//!
//! Splitting is done by hand (it is two lines of syntax); parsing is serde into a struct
//! that denies unknown fields, so a typo such as `tittle:` is an error with its line and column
//! in the Markdown file, not a silently ignored key. A page without the block has empty
//! front matter; whether a site requires fields is the loader's business.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Location};

/// How demanding a page is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
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

/// The two kinds of block, by their fence line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Yaml,
    Toml,
}

impl Format {
    fn fence(self) -> &'static str {
        match self {
            Format::Yaml => "---",
            Format::Toml => "+++",
        }
    }
}

/// Splits and parses the front matter of `text`; `file` is used in diagnostics. A page
/// that does not start with a fence has none. Brackets nested deeper than `max_nesting`
/// are an error before any parser sees them.
pub(crate) fn split<'a>(
    file: &Path,
    text: &'a str,
    max_nesting: usize,
) -> Result<SplitSource<'a>, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let opened = [Format::Yaml, Format::Toml].into_iter().find_map(|format| {
        let fence = format.fence();
        let rest = text.strip_prefix(fence)?;
        let rest = rest
            .strip_prefix('\n')
            .or_else(|| rest.strip_prefix("\r\n"))?;
        Some((format, rest))
    });
    let Some((format, rest)) = opened else {
        return Ok(SplitSource {
            front_matter: FrontMatter::default(),
            body: text,
            body_line: 1,
        });
    };
    let end = find_closing_fence(rest, format.fence()).ok_or_else(|| {
        Diagnostic::error(Location::new(file, 1, 1), "the front matter is not closed").with_help(
            format!(
                "end the front matter with a line that holds only `{}`",
                format.fence()
            ),
        )
    })?;
    let block = &rest[..end.start];
    let body = &rest[end.end..];
    let body_line = 2 + block.matches('\n').count() + 1;
    if let Some(at) = crate::limits::too_deep(block, max_nesting) {
        let (line, column) = crate::position::line_col(block, at);
        return Err(Diagnostic::error(
            Location::new(file, line + 1, column),
            crate::limits::too_deep_message("the front matter", max_nesting),
        )
        .with_help(crate::limits::HELP));
    }
    let front_matter = if block.trim().is_empty() {
        FrontMatter::default()
    } else {
        match format {
            Format::Yaml => {
                serde_yaml::from_str::<FrontMatter>(block).map_err(|e| yaml_error(file, &e))?
            }
            Format::Toml => {
                toml::from_str::<FrontMatter>(block).map_err(|e| toml_error(file, block, &e))?
            }
        }
    };
    Ok(SplitSource {
        front_matter,
        body,
        body_line,
    })
}

/// Byte range of the closing fence line (including its newline) within `rest`.
fn find_closing_fence(rest: &str, fence: &str) -> Option<std::ops::Range<usize>> {
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end_matches(['\n', '\r']) == fence {
            return Some(offset..offset + line.len());
        }
        offset += line.len();
    }
    None
}

/// The help for a field error, shared by both formats.
const FIELDS_HELP: &str = "remove the field or fix its spelling; allowed: title, description, \
     weight, tags, difficulty, updated, related, draft, aliases";

fn toml_error(file: &Path, block: &str, error: &toml::de::Error) -> Diagnostic {
    // The TOML starts on line 2 of the file (after the opening `+++`).
    let (line, column) = error
        .span()
        .map(|span| crate::position::line_col(block, span.start))
        .unwrap_or((1, 1));
    let message = error.message().trim().to_string();
    let help = if message.contains("unknown field") {
        FIELDS_HELP
    } else {
        "fix the TOML at this position"
    };
    Diagnostic::error(
        Location::new(file, line + 1, column),
        format!("invalid front matter: {message}"),
    )
    .with_help(help)
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
        FIELDS_HELP
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
        split(Path::new("content/a.md"), text, 256)
    }

    #[test]
    fn front_matter_50k_deep_is_an_error_not_a_hang() {
        let text = format!("---\nx: {}\n---\n", "{a: ".repeat(50_000));
        let err = parse(&text).unwrap_err().to_string();
        assert!(
            err.contains("content/a.md:2:") && err.contains("nests brackets more than 256 deep"),
            "{err}"
        );
        let toml = format!("+++\na = {}\n+++\n", "[".repeat(100_000));
        assert!(parse(&toml)
            .unwrap_err()
            .to_string()
            .contains("more than 256 deep"));
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
    fn a_page_without_front_matter_is_all_body() {
        let page = parse("# Just markdown\n").unwrap();
        assert_eq!(page.front_matter, FrontMatter::default());
        assert_eq!(page.body, "# Just markdown\n");
        assert_eq!(page.body_line, 1);
        // A thematic break later in the page is not a fence.
        assert!(parse("text\n---\nmore\n").is_ok());
    }

    #[test]
    fn an_unclosed_block_is_an_error() {
        assert!(parse("---\ntitle: x\n").is_err());
        assert!(parse("+++\ntitle = \"x\"\n").is_err());
    }

    #[test]
    fn toml_front_matter_as_zola_and_hugo_write_it() {
        let page = parse("+++\ntitle = \"Hello\"\nweight = 3\n+++\nBody\n").unwrap();
        assert_eq!(page.front_matter.title.as_deref(), Some("Hello"));
        assert_eq!(page.front_matter.weight, Some(3));
        assert_eq!(page.body, "Body\n");
        assert_eq!(page.body_line, 5);
        let err = parse("+++\ntitle = \"x\"\ntittle = 1\n+++\n").unwrap_err();
        assert_eq!((err.line, err.column), (Some(3), Some(1)), "{err}");
        assert!(err.message.contains("unknown field `tittle`"), "{err}");
    }
}
