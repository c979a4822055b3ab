//! `print.html`: the whole book on one page, in reading order, as mdBook's
//! `[output.html.print]` makes it.
//!
//! Each chapter's rendered body becomes a `<section>` whose id is the chapter's URL made
//! into an id as mdBook does (`a/b.html` → `a-b`); every id inside it gets that prefix
//! (`a-b-install`), so ids stay unique across chapters. Links are rewritten for the one
//! page: a link to a chapter of the book goes to its section (`#a-b`, `#a-b-install`), a
//! fragment of the chapter's own to its prefixed id, and any other relative URL (an image,
//! a file) is made relative to the site root, where `print.html` lives. The page is left
//! out of search and the sitemap: it repeats every chapter.
//!
//! A very large book is not printed on one page: past [`MAX_PAGES`] chapters or
//! [`MAX_BYTES`] of HTML, `print.html` is not written and the build warns (see
//! [`too_large`]).

use std::collections::{HashMap, HashSet};

use crate::markdown::links::is_page_relative;

/// Past this many chapters, `print.html` is not written.
pub(crate) const MAX_PAGES: usize = 2_000;

/// Past this much chapter HTML (bytes, before the page's template), `print.html` is not
/// written: a browser takes many seconds to lay out such a page, and print dialogs fail.
pub(crate) const MAX_BYTES: usize = 25 * 1024 * 1024;

/// The output file.
pub(crate) const FILE: &str = "print.html";

/// One chapter, in reading order.
pub(crate) struct Chapter<'a> {
    /// The page's URL (`a/b.html`, `a/b/`, `` for the home page).
    pub url: &'a str,
    pub title: &'a str,
    /// The body starts with its own `<h1>`; otherwise the title is added as one.
    pub title_in_body: bool,
    pub body: String,
}

/// Why a book of `pages` chapters and `bytes` of chapter HTML gets no print page, or
/// `None` when it gets one.
pub(crate) fn too_large(pages: usize, bytes: usize) -> Option<String> {
    if pages > MAX_PAGES {
        Some(format!(
            "the book has {pages} chapters, more than the {MAX_PAGES} a print page takes"
        ))
    } else if bytes > MAX_BYTES {
        Some(format!(
            "the chapters' HTML is {} MB, more than the {} MB a print page takes",
            bytes.div_ceil(1024 * 1024),
            MAX_BYTES / (1024 * 1024)
        ))
    } else {
        None
    }
}

/// The id of a chapter's section on the print page, from its URL, as mdBook makes it
/// (`a/b.html` → `a-b`); the home page is `index`.
pub(crate) fn chapter_id(url: &str) -> String {
    let url = url.trim_end_matches('/');
    let url = url.strip_suffix(".html").unwrap_or(url);
    if url.is_empty() {
        return "index".to_string();
    }
    url.replace('/', "-").to_ascii_lowercase()
}

/// The body of the print page: every chapter as a section, ids prefixed, links rewritten.
pub(crate) fn print_body(chapters: &[Chapter<'_>]) -> String {
    let ids = Ids::of(chapters);
    let mut html = String::new();
    for (n, chapter) in chapters.iter().enumerate() {
        html.push_str(&format!(
            "<section class=\"print-chapter\" id=\"{}\">\n",
            ids.chapters[n]
        ));
        if !chapter.title_in_body {
            html.push_str(&format!(
                "<h1>{}</h1>\n",
                html_escape::encode_text(chapter.title)
            ));
        }
        html.push_str(&rewrite(chapter, n, &ids));
        html.push_str("\n</section>\n");
    }
    html
}

/// Every id of the print page: each chapter's, and each element id of each chapter under
/// its new name, unique across the page.
struct Ids {
    chapters: Vec<String>,
    /// Chapter number by its URL, also by its output file (`a/` and `a/index.html`).
    by_url: HashMap<String, usize>,
    /// (chapter, id as written) → id on the print page.
    elements: HashMap<(usize, String), String>,
}

impl Ids {
    fn of(chapters: &[Chapter<'_>]) -> Ids {
        let mut used = HashSet::new();
        let mut unique = |wanted: String| {
            let mut id = wanted.clone();
            let mut n = 1;
            while !used.insert(id.clone()) {
                id = format!("{wanted}-{n}");
                n += 1;
            }
            id
        };
        let ids: Vec<String> = chapters.iter().map(|c| unique(chapter_id(c.url))).collect();
        let mut by_url = HashMap::new();
        for (n, chapter) in chapters.iter().enumerate() {
            by_url.insert(chapter.url.to_string(), n);
            by_url.insert(crate::content::page::output_file(chapter.url), n);
        }
        let mut elements = HashMap::new();
        for (n, chapter) in chapters.iter().enumerate() {
            for id in element_ids(&chapter.body) {
                let prefix = &ids[n];
                elements
                    .entry((n, id))
                    .or_insert_with_key(|(_, id)| unique(format!("{prefix}-{id}")));
            }
        }
        Ids {
            chapters: ids,
            by_url,
            elements,
        }
    }

    /// The print page's fragment for `fragment` (empty: the chapter) of chapter `n`.
    fn target(&self, n: usize, fragment: &str) -> String {
        if fragment.is_empty() {
            return format!("#{}", self.chapters[n]);
        }
        // Ids and fragments are compared as written in the HTML.
        match self.elements.get(&(n, fragment.to_string())) {
            Some(id) => format!("#{id}"),
            // A broken anchor is reported on the chapter's own page; here it keeps the
            // prefixed form mdBook would give it.
            None => format!("#{}-{fragment}", self.chapters[n]),
        }
    }
}

/// The ids a body defines (`id` on any element, `name` on `<a>`), in order.
fn element_ids(body: &str) -> Vec<String> {
    let mut found = Vec::new();
    let settings = lol_html::RewriteStrSettings::new()
        .append_element_content_handler(lol_html::element!("*", |el| {
            if let Some(id) = el.get_attribute("id") {
                found.push(id);
            }
            if el.tag_name() == "a" {
                if let Some(name) = el.get_attribute("name") {
                    found.push(name);
                }
            }
            Ok(())
        }))
        .with_strict(false)
        .with_enable_esi_tags(false);
    // Markup lol_html cannot read has no ids to collect; the body is kept as it is.
    let _ = lol_html::rewrite_str(body, settings);
    found
}

/// Attributes that hold one URL.
const URL_ATTRIBUTES: &[&str] = &["href", "src", "poster"];

/// Chapter `n`'s body with its ids renamed and its URLs pointing inside the print page.
fn rewrite(chapter: &Chapter<'_>, n: usize, ids: &Ids) -> String {
    let folder = chapter.url.rsplit_once('/').map_or("", |(dir, _)| dir);
    let settings = lol_html::RewriteStrSettings::new()
        .append_element_content_handler(lol_html::element!("*", |el| {
            if let Some(id) = el.get_attribute("id") {
                if let Some(new) = ids.elements.get(&(n, id)) {
                    el.set_attribute("id", new)?;
                }
            }
            if el.tag_name() == "a" {
                if let Some(name) = el.get_attribute("name") {
                    if let Some(new) = ids.elements.get(&(n, name)) {
                        el.set_attribute("name", new)?;
                    }
                }
            }
            for attribute in URL_ATTRIBUTES {
                if let Some(url) = el.get_attribute(attribute) {
                    if let Some(new) = print_url(&url, folder, n, ids) {
                        el.set_attribute(attribute, &new)?;
                    }
                }
            }
            Ok(())
        }))
        .with_strict(false)
        .with_enable_esi_tags(false);
    lol_html::rewrite_str(&chapter.body, settings).unwrap_or_else(|e| {
        log::debug!("print page: the HTML pass failed ({e}); the chapter is kept as rendered");
        chapter.body.clone()
    })
}

/// Where `url`, written in chapter `n` (whose folder is `folder`), points on the print
/// page; `None` to keep it as written (absolute URLs, other sites).
fn print_url(url: &str, folder: &str, n: usize, ids: &Ids) -> Option<String> {
    if let Some(fragment) = url.strip_prefix('#') {
        return Some(ids.target(n, fragment));
    }
    if !is_page_relative(url) {
        return None;
    }
    let (path, fragment) = url.split_once('#').unwrap_or((url, ""));
    let resolved = resolve(folder, path);
    match ids.by_url.get(&resolved) {
        Some(&target) => Some(ids.target(target, fragment)),
        None if fragment.is_empty() => Some(resolved),
        None => Some(format!("{resolved}#{fragment}")),
    }
}

/// `path` (relative to `folder`) from the site root, `.` and `..` removed; a path that
/// climbs above the root (`../std/`, out of the book) keeps the `../` it climbs by.
fn resolve(folder: &str, path: &str) -> String {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let mut parts: Vec<&str> = folder.split('/').filter(|s| !s.is_empty()).collect();
    let mut above = 0;
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    above += 1;
                }
            }
            part => parts.push(part),
        }
    }
    let mut resolved = "../".repeat(above) + &parts.join("/");
    if path.ends_with('/') && !parts.is_empty() {
        resolved.push('/');
    }
    if !query.is_empty() {
        resolved.push('?');
        resolved.push_str(query);
    }
    resolved
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chapter<'a>(url: &'a str, body: &str) -> Chapter<'a> {
        Chapter {
            url,
            title: "T",
            title_in_body: true,
            body: body.to_string(),
        }
    }

    #[test]
    fn chapter_ids_are_mdbooks() {
        assert_eq!(chapter_id("index.html"), "index");
        assert_eq!(chapter_id(""), "index");
        assert_eq!(chapter_id("guide/Install.html"), "guide-install");
        assert_eq!(chapter_id("guide/install/"), "guide-install");
    }

    #[test]
    fn ids_are_prefixed_and_unique_and_links_stay_inside_the_page() {
        let chapters = [
            chapter(
                "index.html",
                r##"<h1 id="intro"><a href="#intro">Intro</a></h1><p><a href="guide/setup.html#install">setup</a> <a href="./guide/setup.html">all</a> <img src="img/a.png"> <a href="https://e.org/x#y">e</a> <a href="/abs">a</a></p>"##,
            ),
            chapter(
                "guide/setup.html",
                r##"<h2 id="install">Install</h2><a name="old"></a><p><a href="../index.html#intro">back</a> <a href="#old">old</a> <a href="#missing">m</a> <img src="../img/b.png"> <a href="other.txt">f</a> <a href="../../std/x.html">std</a></p>"##,
            ),
            // Its chapter id collides with the first chapter's prefixed heading id.
            chapter("index-intro.html", r#"<h2 id="x">X</h2>"#),
        ];
        let html = print_body(&chapters);
        for expected in [
            r#"<section class="print-chapter" id="index">"#,
            // Chapter ids come first: the heading gives way to the chapter `index-intro`.
            r##"<h1 id="index-intro-1"><a href="#index-intro-1">Intro</a></h1>"##,
            r##"<a href="#guide-setup-install">setup</a>"##,
            r##"<a href="#guide-setup">all</a>"##,
            r#"<img src="img/a.png">"#,
            r##"<a href="https://e.org/x#y">e</a>"##,
            r#"<a href="/abs">a</a>"#,
            r#"<section class="print-chapter" id="guide-setup">"#,
            r#"<h2 id="guide-setup-install">"#,
            r#"<a name="guide-setup-old"></a>"#,
            r##"<a href="#index-intro-1">back</a>"##,
            r##"<a href="#guide-setup-old">old</a>"##,
            r##"<a href="#guide-setup-missing">m</a>"##,
            r#"<img src="img/b.png">"#,
            r#"<a href="guide/other.txt">f</a>"#,
            r#"<a href="../std/x.html">std</a>"#,
            r#"<section class="print-chapter" id="index-intro">"#,
            r#"<h2 id="index-intro-x">"#,
        ] {
            assert!(html.contains(expected), "{expected}\n{html}");
        }
    }

    #[test]
    fn a_chapter_without_its_own_heading_gets_its_title() {
        let html = print_body(&[Chapter {
            url: "a/",
            title: "A & B",
            title_in_body: false,
            body: "<p>x</p>".to_string(),
        }]);
        assert!(html.starts_with(
            "<section class=\"print-chapter\" id=\"a\">\n<h1>A &amp; B</h1>\n<p>x</p>"
        ));
    }

    #[test]
    fn pretty_urls_resolve_to_their_chapter() {
        let chapters = [
            chapter("", r#"<a href="a/b/#s">b</a>"#),
            chapter("a/b/", r#"<h2 id="s">S</h2><a href="../../">home</a>"#),
        ];
        let html = print_body(&chapters);
        assert!(html.contains(r##"<a href="#a-b-s">b</a>"##), "{html}");
        assert!(html.contains(r##"<a href="#index">home</a>"##), "{html}");
    }

    #[test]
    fn too_large_names_the_limit() {
        assert_eq!(too_large(MAX_PAGES, MAX_BYTES), None);
        assert!(too_large(MAX_PAGES + 1, 0)
            .unwrap()
            .contains("more than the 2000"));
        assert!(too_large(1, MAX_BYTES + 1).unwrap().contains("26 MB"));
    }
}
