//! The Markdown twin of a page: the page as an agent reads it, written beside its HTML.
//!
//! A twin is made from `Page::body`, the very text the Markdown pass renders, so includes
//! (and whatever else rewrites the body before rendering) are in it. Its front matter is
//! reduced to title, description and URL; links to other pages point to their twins and
//! links to assets are made right for the twin's folder; everything else (code blocks and
//! their languages included) is left byte for byte as written.
//!
//! Twin names follow the site's URL scheme: `caching/stampedes/index.md` beside
//! `caching/stampedes/index.html`, or `guide/intro.md` beside mdBook's `guide/intro.html`.
//!
//! Each twin also has a script twin, `index.md.js`: the same text handed to a global
//! function. It is how the theme's "Copy page as Markdown" button reads the twin from
//! `file://`, where browsers refuse to fetch a file but still run a `<script>` (the search
//! index is loaded the same way there).

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag};

use crate::config::Settings;
use crate::content::page::{output_file, root_prefix, url_depth};
use crate::content::{Page, Site};
use crate::markdown::links::{self, LinkTarget};
use crate::markdown::source_links::SourceLink;

/// The twin's path in the output, from the page's URL: the page's HTML file with `.md`
/// for `.html`.
pub(crate) fn twin_file(url: &str) -> String {
    let html = output_file(url);
    match html.strip_suffix(".html") {
        Some(stem) => format!("{stem}.md"),
        None => format!("{html}.md"),
    }
}

/// The global function a script twin calls with the twin's text (the theme's `site.js`
/// defines it before loading the script).
pub(crate) const SCRIPT_GLOBAL: &str = "__kbMarkdownTwin";

/// The script twin's path in the output: the twin's, with `.js` added.
pub(crate) fn twin_script_file(url: &str) -> String {
    twin_file(url) + ".js"
}

/// The script twin of a twin's `text`: one call of [`SCRIPT_GLOBAL`] with the text as a
/// string literal (JSON's escaping, which is valid JavaScript; the file is UTF-8 like
/// the page that loads it).
pub(crate) fn twin_script(text: &str) -> String {
    let literal = serde_json::Value::from(text).to_string();
    let mut script = String::with_capacity(literal.len() + SCRIPT_GLOBAL.len() + 4);
    script.push_str(SCRIPT_GLOBAL);
    script.push('(');
    script.push_str(&literal);
    script.push_str(");\n");
    script
}

/// A page's twin: the text, and where in it the page's own Markdown begins (the headings
/// after that point are the page's, in order, with the ids the HTML gives them).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Twin {
    pub text: String,
    pub body_start: usize,
}

/// The page's public address: absolute under `site-url`, else from the site's base path.
pub(crate) fn page_address(settings: &Settings, url: &str) -> String {
    match &settings.site_url {
        Some(site_url) => format!("{site_url}{url}"),
        None => format!("{}{url}", settings.base_path),
    }
}

/// The twin of `page` of `site`; `links` are where its body writes its links to pages and
/// assets (`RenderedPage::source_links`).
pub(crate) fn twin(settings: &Settings, site: &Site, page: &Page, links: &[SourceLink]) -> Twin {
    twin_of_body(settings, site, page, &page.body, links)
}

/// The twin of `page` of `site` whose Markdown is `body` (`kb build` takes the bodies out
/// of the pages, to free each as soon as its page is written), `links` as for [`twin`].
pub(crate) fn twin_of_body(
    settings: &Settings,
    site: &Site,
    page: &Page,
    body: &str,
    links: &[SourceLink],
) -> Twin {
    let mut text = String::with_capacity(body.len() + 256);
    text.push_str("---\n");
    front_matter_line(&mut text, "title", &page.title);
    if !page.description.is_empty() {
        front_matter_line(&mut text, "description", &page.description);
    }
    front_matter_line(&mut text, "url", &page_address(settings, &page.url));
    text.push_str("---\n\n");
    if !page.title_in_body {
        text.push_str("# ");
        text.push_str(&page.title.replace('\n', " "));
        text.push_str("\n\n");
    }
    let body_start = text.len();
    // The blank line after the front matter is already there.
    let body = rewrite_links(site, page, body, links, settings.agents.markdown_twins);
    text.push_str(body.trim_start_matches(['\n', '\r']));
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Twin { text, body_start }
}

/// `key: "value"` as YAML: a JSON string is a valid YAML scalar whatever it holds.
fn front_matter_line(out: &mut String, key: &str, value: &str) {
    out.push_str(key);
    out.push_str(": ");
    out.push_str(&serde_json::Value::from(value).to_string());
    out.push('\n');
}

/// The page's body with every link to a page or an asset (`links`, where the body writes
/// them) rewritten for the twin's folder; links to pages go to their twins when `to_twins`
/// (twins are written), else to the pages.
fn rewrite_links(
    site: &Site,
    page: &Page,
    body: &str,
    links: &[SourceLink],
    to_twins: bool,
) -> String {
    let prefix = root_prefix(url_depth(&twin_file(&page.url)));
    let new_dest = |dest: &str| -> Option<String> {
        match links::resolve(&page.rel, dest) {
            LinkTarget::Page { rel, fragment } => {
                let target = site.page_by_rel(&rel)?;
                let fragment = fragment.map(|f| format!("#{f}")).unwrap_or_default();
                let url = &site.pages[target].url;
                let file = if to_twins {
                    twin_file(url)
                } else {
                    url.clone()
                };
                Some(format!("{prefix}{file}{fragment}"))
            }
            LinkTarget::Asset { rel } => Some(format!("{prefix}{rel}")),
            _ => None,
        }
    };
    let mut edits: Vec<(Range<usize>, String)> = links
        .iter()
        .filter_map(|link| {
            let new = new_dest(&link.dest)?;
            let at = find_dest(body, link.span.clone(), &link.dest, link.syntax.marker())?;
            Some((at, new))
        })
        .collect();
    edits.sort_by_key(|(range, _)| range.start);
    let mut out = String::with_capacity(body.len());
    let mut from = 0;
    for (range, new) in edits {
        // Overlapping edits cannot happen for well-formed spans; skip rather than garble.
        if range.start < from {
            continue;
        }
        out.push_str(&body[from..range.start]);
        out.push_str(&new);
        from = range.end;
    }
    out.push_str(&body[from..]);
    out
}

/// Where `dest` is written in `body[span]`: just after the last `marker` (`](` of an
/// inline link, `]:` of a definition), past spaces and a `<`. `None` when it is not written
/// literally there (escapes, entities): such a link is left as written.
fn find_dest(body: &str, span: Range<usize>, dest: &str, marker: &str) -> Option<Range<usize>> {
    let text = body.get(span.clone())?;
    let after = text.rfind(marker)? + marker.len();
    let rest = &text[after..];
    let skipped = rest.len() - rest.trim_start().len();
    let mut start = after + skipped;
    if text[start..].starts_with('<') {
        start += 1;
    }
    text[start..]
        .starts_with(dest)
        .then(|| span.start + start..span.start + start + dest.len())
}

/// The part of `twin` under the heading with id `id` (the heading line included), up to
/// the next heading of the same or a higher level. `ids` are the page's heading ids in
/// order, as the Markdown pass gave them. `None` when no heading has that id.
pub(crate) fn section<'t>(twin: &'t Twin, ids: &[(u8, &str)], id: &str) -> Option<&'t str> {
    let body = &twin.text[twin.body_start..];
    let starts: Vec<(u8, usize)> = Parser::new_ext(body, crate::markdown::render::options())
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::Heading { level, .. }) => Some((level as u8, range.start)),
            _ => None,
        })
        .collect();
    let k = ids.iter().position(|(_, i)| *i == id)?;
    let (level, start) = *starts.get(k)?;
    let end = starts[k + 1..]
        .iter()
        .find(|(l, _)| *l <= level)
        .map_or(body.len(), |(_, s)| *s);
    Some(&body[start..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twin_names_follow_the_url_scheme() {
        assert_eq!(twin_file(""), "index.md");
        assert_eq!(
            twin_file("caching/stampedes/"),
            "caching/stampedes/index.md"
        );
        assert_eq!(twin_file("index.html"), "index.md");
        assert_eq!(twin_file("guide/intro.html"), "guide/intro.md");
    }

    #[test]
    fn a_script_twin_hands_the_text_to_the_global() {
        assert_eq!(
            twin_script_file("caching/stampedes/"),
            "caching/stampedes/index.md.js"
        );
        let text = "# T\n\n\"quoted\" \\ back\ttab </script> é 日本\u{2028}\n";
        let script = twin_script(text);
        let literal = script
            .strip_prefix("__kbMarkdownTwin(")
            .and_then(|s| s.strip_suffix(");\n"))
            .expect("one call");
        assert!(!literal.contains('\n'), "one line: {script}");
        let back: String = serde_json::from_str(literal).expect("a string literal");
        assert_eq!(back, text);
    }

    #[test]
    fn destinations_are_found_where_written() {
        let body = "see [a](  <x.md#h> \"t\") and ![i](img.png)";
        let at = find_dest(body, 4..24, "x.md#h", "](").unwrap();
        assert_eq!(&body[at], "x.md#h");
        assert_eq!(find_dest(body, 4..24, "y.md", "]("), None);
        let def = "[r]: ../a.md";
        assert_eq!(
            &def[find_dest(def, 0..def.len(), "../a.md", "]:").unwrap()],
            "../a.md"
        );
    }

    #[test]
    fn a_section_runs_to_the_next_heading_of_its_level() {
        let text = "---\n---\n\n# T\n\nintro\n\n## A\n\na\n\n### A1\n\nx\n\n## B\n\nb\n";
        let twin = Twin {
            text: text.to_string(),
            body_start: 8,
        };
        let ids = [(1, "t"), (2, "a"), (3, "a1"), (2, "b")];
        assert_eq!(
            section(&twin, &ids, "a"),
            Some("## A\n\na\n\n### A1\n\nx\n\n")
        );
        assert_eq!(section(&twin, &ids, "b"), Some("## B\n\nb\n"));
        assert_eq!(section(&twin, &ids, "nope"), None);
    }
}
