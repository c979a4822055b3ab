//! `SUMMARY.md`: mdBook's table of contents, parsed by its whole grammar.
//!
//! The grammar (mdBook's `format/summary.md`): an optional `# Title`; prefix chapters
//! (links in paragraphs, unnumbered); then numbered chapters in nested lists, split into
//! parts by `# Part title` headings; then suffix chapters (links in paragraphs again).
//! `---` lines are separators anywhere at the top level, and a list item whose link has no
//! target (`- [Coming soon]()`) is a draft chapter: listed, numbered, never rendered.
//! Numbers run on across parts, as mdBook numbers them.
//!
//! In an mdBook book the summary decides which pages exist, their order, their sidebar
//! titles and their nesting; in a kb site it only orders pages.

use std::path::Path;

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

use crate::diagnostic::{Diagnostic, Location};
use crate::position::line_col;

/// The parsed table of contents, top-level items in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Summary {
    pub items: Vec<Item>,
}

/// One top-level line of the summary.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    /// `# Part title` between numbered chapters.
    PartTitle(String),
    /// A `---` line.
    Separator,
    Chapter(Chapter),
}

/// A linked (or draft) chapter and the chapters nested under it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Chapter {
    /// The link text: the chapter's name in the sidebar.
    pub title: String,
    /// The Markdown file, relative to the source folder; `None` for a draft.
    pub path: Option<String>,
    /// Section number (`[1, 2]` is "1.2."); empty for prefix and suffix chapters.
    pub number: Vec<u32>,
    pub location: Location,
    pub children: Vec<Chapter>,
}

impl Chapter {
    /// "1.2." as mdBook shows it, or `None` for an unnumbered chapter.
    pub(crate) fn number_label(&self) -> Option<String> {
        (!self.number.is_empty()).then(|| {
            let mut label = String::new();
            for n in &self.number {
                label.push_str(&n.to_string());
                label.push('.');
            }
            label
        })
    }
}

impl Summary {
    /// Every chapter in reading order (depth first), drafts included.
    pub(crate) fn chapters(&self) -> Vec<&Chapter> {
        fn walk<'a>(chapter: &'a Chapter, out: &mut Vec<&'a Chapter>) {
            out.push(chapter);
            for child in &chapter.children {
                walk(child, out);
            }
        }
        let mut out = Vec::new();
        for item in &self.items {
            if let Item::Chapter(chapter) = item {
                walk(chapter, &mut out);
            }
        }
        out
    }
}

/// A chapter being read: its item is open, its children are collected.
struct OpenItem {
    chapter: Option<Chapter>,
    children: Vec<Chapter>,
    start: usize,
}

/// Parses `text`; `file` names the summary in diagnostics.
pub(crate) fn parse(file: &Path, text: &str) -> Result<Summary, Vec<Diagnostic>> {
    let at = |offset: usize| {
        let (line, column) = line_col(text, offset);
        Location::new(file, line, column)
    };
    let mut items: Vec<Item> = Vec::new();
    // Per item of `items`: whether it is a numbered chapter (from a list).
    let mut numbered: Vec<bool> = Vec::new();
    let mut errors = Vec::new();
    let mut open: Vec<OpenItem> = Vec::new();
    let mut list_depth = 0usize;
    let mut seen_anything = false;
    // The link being read: its target, where it starts, its text so far.
    let mut link: Option<(String, usize, String)> = None;
    // A top-level heading being read.
    let mut heading: Option<(HeadingLevel, String)> = None;

    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) if list_depth == 0 => {
                heading = Some((level, String::new()));
            }
            Event::End(TagEnd::Heading(_)) if list_depth == 0 => {
                if let Some((level, title)) = heading.take() {
                    // The first `# ...` before anything else is the summary's own title.
                    let is_title = !seen_anything && level == HeadingLevel::H1;
                    seen_anything = true;
                    if !is_title {
                        items.push(Item::PartTitle(title.trim().to_string()));
                        numbered.push(false);
                    }
                }
            }
            Event::Rule if list_depth == 0 => {
                seen_anything = true;
                items.push(Item::Separator);
                numbered.push(false);
            }
            Event::Start(Tag::List(_)) => {
                list_depth += 1;
                seen_anything = true;
            }
            Event::End(TagEnd::List(_)) => list_depth = list_depth.saturating_sub(1),
            Event::Start(Tag::Item) => open.push(OpenItem {
                chapter: None,
                children: Vec::new(),
                start: range.start,
            }),
            Event::End(TagEnd::Item) => {
                let Some(item) = open.pop() else { continue };
                let Some(mut chapter) = item.chapter else {
                    errors.push(
                        Diagnostic::error(at(item.start), "this SUMMARY.md list item has no link")
                            .with_help("write each chapter as `- [Title](path/to/chapter.md)`, or `- [Title]()` for a draft"),
                    );
                    continue;
                };
                chapter.children = item.children;
                match open.last_mut() {
                    Some(parent) => parent.children.push(chapter),
                    None => {
                        items.push(Item::Chapter(chapter));
                        numbered.push(true);
                    }
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                seen_anything = true;
                link = Some((dest_url.to_string(), range.start, String::new()));
            }
            Event::End(TagEnd::Link) => {
                let Some((dest, start, title)) = link.take() else {
                    continue;
                };
                let title = title.trim().to_string();
                let location = at(start);
                let path = match chapter_path(&dest) {
                    Ok(path) => path,
                    Err(why) => {
                        errors.push(
                            Diagnostic::error(
                                location,
                                format!("SUMMARY.md links to `{dest}`, {why}"),
                            )
                            .with_help(
                                "link the chapter's .md file, relative to the source folder",
                            ),
                        );
                        continue;
                    }
                };
                let chapter = Chapter {
                    title,
                    path,
                    number: Vec::new(),
                    location,
                    children: Vec::new(),
                };
                match open.last_mut() {
                    // The first link of an item is its chapter; later ones are prose.
                    Some(item) if item.chapter.is_none() => item.chapter = Some(chapter),
                    Some(_) => {}
                    // Outside lists: a prefix (before any list) or suffix chapter.
                    None if chapter.path.is_some() => {
                        items.push(Item::Chapter(chapter));
                        numbered.push(false);
                    }
                    None => errors.push(
                        Diagnostic::error(
                            chapter.location,
                            "a prefix or suffix chapter cannot be a draft",
                        )
                        .with_help("give the link a target, or move it into the numbered list"),
                    ),
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, title)) = link.as_mut() {
                    title.push_str(&t);
                } else if let Some((_, title)) = heading.as_mut() {
                    title.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((_, _, title)) = link.as_mut() {
                    title.push(' ');
                }
            }
            _ => {}
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut summary = Summary { items };
    number(&mut summary, &numbered);
    Ok(summary)
}

/// The chapter file a summary link names: `None` for a draft (`()`), an error for a link
/// that is not a Markdown file of the book.
fn chapter_path(dest: &str) -> Result<Option<String>, &'static str> {
    let dest = dest.split('#').next().unwrap_or("").trim();
    if dest.is_empty() {
        return Ok(None);
    }
    if dest.contains("://") {
        return Err("which is not a file of the book");
    }
    let dest = dest.trim_start_matches("./");
    let decoded = percent_decode(dest);
    if !decoded.ends_with(".md") {
        return Err("which is not a Markdown page");
    }
    Ok(Some(decoded))
}

/// `%20` and friends, as mdBook decodes summary links; invalid escapes stay as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((high * 16 + low) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// Numbers the chapters that came from lists; prefix and suffix chapters (links in
/// paragraphs) stay unnumbered. Numbers run on across lists and parts.
fn number(summary: &mut Summary, numbered: &[bool]) {
    fn assign(chapter: &mut Chapter, number: Vec<u32>) {
        for (i, child) in chapter.children.iter_mut().enumerate() {
            let mut child_number = number.clone();
            child_number.push(i as u32 + 1);
            assign(child, child_number);
        }
        chapter.number = number;
    }
    let mut n = 0;
    for (item, &from_list) in summary.items.iter_mut().zip(numbered) {
        if let (Item::Chapter(chapter), true) = (item, from_list) {
            n += 1;
            assign(chapter, vec![n]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Summary {
        parse(Path::new("SUMMARY.md"), text).unwrap()
    }

    fn titles(summary: &Summary) -> Vec<String> {
        summary
            .chapters()
            .iter()
            .map(|c| format!("{}{}", c.number_label().unwrap_or_default(), c.title))
            .collect()
    }

    #[test]
    fn the_whole_grammar() {
        let text = "# Summary\n\n[Introduction](README.md)\n\n# Guide\n\n- [Install](guide/install.md)\n  - [From source](guide/source.md)\n  - [Later]()\n- [Use](guide/use.md)\n\n---\n\n# Reference\n\n1. [Config](ref/config.md)\n\n---\n\n[Contributors](misc/contributors.md)\n";
        let summary = parse_ok(text);
        assert_eq!(
            titles(&summary),
            [
                "Introduction",
                "1.Install",
                "1.1.From source",
                "1.2.Later",
                "2.Use",
                "3.Config",
                "Contributors"
            ]
        );
        let kinds: Vec<&str> = summary
            .items
            .iter()
            .map(|i| match i {
                Item::PartTitle(_) => "part",
                Item::Separator => "sep",
                Item::Chapter(_) => "chapter",
            })
            .collect();
        assert_eq!(
            kinds,
            ["chapter", "part", "chapter", "chapter", "sep", "part", "chapter", "sep", "chapter"]
        );
        let draft = &summary.chapters()[3];
        assert_eq!(draft.path, None);
        assert_eq!(summary.chapters()[1].location.line, 7);
    }

    #[test]
    fn links_are_decoded_and_relative() {
        let summary = parse_ok("- [A](./a%20b.md)\n- [B](<c d.md>)\n");
        let paths: Vec<_> = summary
            .chapters()
            .iter()
            .map(|c| c.path.clone().unwrap())
            .collect();
        assert_eq!(paths, ["a b.md", "c d.md"]);
    }

    #[test]
    fn bad_lines_are_errors_at_their_position() {
        let errors = parse(
            Path::new("SUMMARY.md"),
            "- [A](a.md)\n- just text\n- [B](b.txt)\n",
        )
        .unwrap_err();
        let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert!(
            shown[0].starts_with("SUMMARY.md:2:1: error: this SUMMARY.md list item has no link"),
            "{shown:#?}"
        );
        assert!(
            shown[1].starts_with("SUMMARY.md:3:3: error: SUMMARY.md links to `b.txt`"),
            "{shown:#?}"
        );
    }
}
