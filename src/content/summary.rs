//! `SUMMARY.md`: an optional mdBook-style table of contents that fixes the reading order.
//!
//! Only the order of the linked files matters to kb: areas and pages appear in the order of
//! their first link. Titles come from the pages' own front matter.

use std::path::Path;

use pulldown_cmark::{Event, Parser, Tag};

use crate::diagnostic::{Diagnostic, Location};
use crate::position::line_col;

/// One linked file, in order of appearance.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    /// Path relative to the content folder (`caching/stampedes.md`).
    pub path: String,
    pub location: Location,
}

/// Collects the `.md` links of a SUMMARY file in order.
pub(crate) fn parse(file: &Path, text: &str) -> Result<Vec<Entry>, Vec<Diagnostic>> {
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for (event, range) in Parser::new(text).into_offset_iter() {
        if let Event::Start(Tag::Link { dest_url, .. }) = event {
            let (line, column) = line_col(text, range.start);
            let location = Location::new(file, line, column);
            let dest = dest_url
                .split('#')
                .next()
                .unwrap_or("")
                .trim_start_matches("./");
            if dest.is_empty() || dest.contains("://") {
                continue;
            }
            if !dest.ends_with(".md") {
                errors.push(
                    Diagnostic::error(
                        location,
                        format!("SUMMARY.md links to `{dest}`, which is not a Markdown page"),
                    )
                    .with_help("link the page's .md file"),
                );
                continue;
            }
            entries.push(Entry {
                path: dest.to_string(),
                location,
            });
        }
    }
    if errors.is_empty() {
        Ok(entries)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_links_in_order() {
        let text = "# Summary\n\n[Home](index.md)\n\n- [B](b/_index.md)\n  - [Two](b/two.md)\n- [A](a/_index.md)\n";
        let entries = parse(Path::new("SUMMARY.md"), text).unwrap();
        let paths: Vec<_> = entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            ["index.md", "b/_index.md", "b/two.md", "a/_index.md"]
        );
        assert_eq!(entries[2].location.line, 6);
    }
}
