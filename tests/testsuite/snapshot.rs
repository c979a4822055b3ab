//! Snapshots: expected output committed under `tests/snapshots/`, compared with snapbox.
//!
//! A snapshot may hold snapbox wildcards where output varies from run to run: `[..]`
//! matches the rest of a line's text, a line `...` any number of lines, `[ROOT]` the
//! temporary folder the test ran in. `SNAPSHOTS=overwrite` rewrites snapshots that differ
//! (keeping the wildcards that still match); review the diff before committing.

use std::path::{Path, PathBuf};

use snapbox::{Assert, Data, IntoData, Redactions};

/// Where snapshot `name` lives.
fn path_of(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name)
}

/// The assertion every snapshot goes through, with `root` (if any) read as `[ROOT]`.
fn asserter(root: Option<&Path>) -> Assert {
    let mut redactions = Redactions::new();
    if let Some(root) = root {
        redactions
            .insert("[ROOT]", root.to_path_buf())
            .expect("[ROOT] is a valid placeholder");
    }
    Assert::new()
        .action_env(snapbox::assert::DEFAULT_ACTION_ENV)
        .redact_with(redactions)
}

/// Compares `actual` with the snapshot `tests/snapshots/<name>`.
#[track_caller]
pub(crate) fn assert(name: &str, actual: impl IntoData) {
    asserter(None).eq(actual, Data::read_from(&path_of(name), None));
}

/// Compares `actual` with the snapshot `tests/snapshots/<name>`, reading `root` as
/// `[ROOT]`.
#[track_caller]
pub(crate) fn assert_in(root: &Path, name: &str, actual: impl IntoData) {
    asserter(Some(root)).eq(actual, Data::read_from(&path_of(name), None));
}

/// The element of `html` that starts with `open` (`<main`, `<nav class="sidebar"`),
/// through its matching closing tag; elements of the same name inside it are skipped.
#[track_caller]
pub(crate) fn element<'a>(html: &'a str, open: &str) -> &'a str {
    let start = html
        .find(open)
        .unwrap_or_else(|| panic!("no {open} in:\n{html}"));
    let name = open
        .trim_start_matches('<')
        .split(|c: char| c.is_whitespace() || c == '>')
        .next()
        .unwrap_or_default();
    let (opening, closing) = (format!("<{name}"), format!("</{name}>"));
    let mut depth = 0usize;
    let mut at = start;
    loop {
        let rest = &html[at..];
        let next_open = find_tag(rest, &opening);
        let next_close = rest
            .find(&closing)
            .unwrap_or_else(|| panic!("{open} is never closed"));
        match next_open {
            Some(i) if i < next_close => {
                depth += 1;
                at += i + opening.len();
            }
            _ => {
                depth -= 1;
                at += next_close + closing.len();
                if depth == 0 {
                    return &html[start..at];
                }
            }
        }
    }
}

/// `html` with a line break between adjacent tags, so that a snapshot of markup written
/// on one line (the sidebar, the table of contents) shows a change as a changed line.
pub(crate) fn one_tag_a_line(html: &str) -> String {
    html.replace("><", ">\n<")
}

/// Where `opening` (`<div`) first starts a tag in `text`: `<div` must not match `<divider`.
fn find_tag(text: &str, opening: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = text[from..].find(opening) {
        let at = from + i;
        let after = &text[at + opening.len()..];
        if after.starts_with(|c: char| c.is_whitespace() || c == '>' || c == '/') {
            return Some(at);
        }
        from = at + opening.len();
    }
    None
}

mod tests {
    use super::element;

    #[test]
    fn element_skips_nested_elements_of_the_same_name() {
        let html = "<p>a</p><div class=\"x\"><div>in</div><divider/></div><div>after</div>";
        assert_eq!(
            element(html, "<div class=\"x\""),
            "<div class=\"x\"><div>in</div><divider/></div>"
        );
    }
}
