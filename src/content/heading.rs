//! A page's own title: the `# heading` its Markdown begins with, if any.
//!
//! Pages without front matter (every mdBook chapter, most folders of notes) name themselves
//! in their first line. kb takes that heading as the title when nothing else gives one,
//! and the templates then leave out their own `<h1>` so the title is not shown twice.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

/// Whether `body` has a level-1 heading anywhere.
pub(crate) fn has_h1(body: &str) -> bool {
    Parser::new(body).any(|event| {
        matches!(
            event,
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            })
        )
    })
}

/// The text of the level-1 heading that `body` begins with (ignoring blank lines and HTML
/// comments before it), or `None` when its first block is something else.
pub(crate) fn leading_title(body: &str) -> Option<String> {
    let mut parser = Parser::new(body);
    loop {
        match parser.next()? {
            Event::Html(html) | Event::InlineHtml(html) if is_comment(&html) => continue,
            Event::Start(Tag::HtmlBlock) => {
                // Only a block that is nothing but comments may come first.
                for event in parser.by_ref() {
                    match event {
                        Event::Html(html) if is_comment(&html) || html.trim().is_empty() => {}
                        Event::End(TagEnd::HtmlBlock) => break,
                        _ => return None,
                    }
                }
            }
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) => break,
            _ => return None,
        }
    }
    let mut title = String::new();
    for event in parser {
        match event {
            Event::End(TagEnd::Heading(_)) => break,
            Event::Text(text) | Event::Code(text) => title.push_str(&text),
            Event::SoftBreak | Event::HardBreak => title.push(' '),
            _ => {}
        }
    }
    let title = title.trim().to_string();
    (!title.is_empty()).then_some(title)
}

fn is_comment(html: &str) -> bool {
    let html = html.trim();
    html.is_empty() || (html.starts_with("<!--") && html.ends_with("-->"))
}

/// A title made from a file name, for a page with no other: `error-handling.md` gives
/// "Error handling", `_index.md`/`README.md` their folder's name.
pub(crate) fn title_from_file(rel: &str) -> String {
    let folder_index = super::page::index_folder(rel);
    let stem = match folder_index {
        Some("") => return "Home".to_string(),
        Some(folder) => folder.rsplit('/').next().unwrap_or(folder),
        None => {
            let name = rel.rsplit('/').next().unwrap_or(rel);
            name.strip_suffix(".md").unwrap_or(name)
        }
    };
    humanize(stem)
}

/// `data-infra` → "Data infra": separators become spaces, the first letter upper case.
pub(crate) fn humanize(name: &str) -> String {
    let spaced: String = name
        .chars()
        .map(|c| if c == '-' || c == '_' { ' ' } else { c })
        .collect();
    let spaced = spaced.trim();
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_block_must_be_a_level_one_heading() {
        assert_eq!(
            leading_title("# Hello `world`\n\nText").as_deref(),
            Some("Hello world")
        );
        assert_eq!(
            leading_title("\n\n<!-- note -->\n# After a comment\n").as_deref(),
            Some("After a comment")
        );
        assert_eq!(leading_title("Setext\n======\n").as_deref(), Some("Setext"));
        assert_eq!(leading_title("Intro\n\n# Later\n"), None);
        assert_eq!(leading_title("## Second level\n"), None);
        assert_eq!(leading_title("```\n# not a heading\n```\n"), None);
        assert_eq!(leading_title(""), None);
    }

    #[test]
    fn file_names_become_titles() {
        assert_eq!(title_from_file("guide/error-handling.md"), "Error handling");
        assert_eq!(title_from_file("data-infra/_index.md"), "Data infra");
        assert_eq!(title_from_file("a/b/README.md"), "B");
        assert_eq!(title_from_file("README.md"), "Home");
    }
}
