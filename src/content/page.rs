//! The page model: one Markdown file of the knowledge base, as plain data.

use std::path::PathBuf;

use super::front_matter::FrontMatter;
use super::includes::Included;
use crate::config::UrlStyle;

/// What role a page plays in the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum PageKind {
    /// The site's front page: `index.md`, `_index.md` or `README.md` at the top of the
    /// content folder.
    Home,
    /// A top-level folder's index (`_index.md`, `index.md` or `README.md`): an area's
    /// landing page.
    Area,
    /// Any other page.
    Article,
}

/// A loaded page: where it came from, where it goes, and its front matter and Markdown.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    /// Where the file is on disk.
    pub source: PathBuf,
    /// Path shown to the user in diagnostics, relative to the site root
    /// (`content/caching/stampedes.md`).
    pub file: PathBuf,
    /// Path relative to the content folder, with `/` separators (`caching/stampedes.md`).
    pub rel: String,
    pub kind: PageKind,
    /// The slug of the area the page belongs to (`caching`); `None` for the home page and
    /// pages outside any area.
    pub area: Option<String>,
    /// Output URL relative to the site root: `caching/stampedes/` (pretty URLs, `""` for
    /// home) or `caching/stampedes.html` (mdBook's style, `index.html` for home).
    pub url: String,
    pub title: String,
    /// Empty when the page has none: front matter is optional.
    pub description: String,
    /// The Markdown begins with its own `# heading`, so templates must not add another.
    pub title_in_body: bool,
    pub meta: FrontMatter,
    /// The Markdown after the front matter.
    pub body: String,
    /// The body was left on disk to save memory (`kb build` of a large site): `body` is
    /// empty, and [`super::Loader::reload_body`] reads it when the page is rendered.
    pub body_on_disk: bool,
    /// A fingerprint of the Markdown the page was loaded with (see
    /// [`Page::body_fingerprint_of`]): Markdown read again from the file is that of the
    /// page only if it matches.
    pub body_fingerprint: u64,
    /// 1-based line of the file on which `body` starts.
    pub body_line: usize,
    /// The files `{{#include}}` and its kin brought into `body`, and how its lines map
    /// back to the file's.
    pub included: Included,
}

impl Page {
    /// The fingerprint [`Page::body_fingerprint`] keeps of Markdown `body`.
    pub(crate) fn body_fingerprint_of(body: &str) -> u64 {
        xxhash_rust::xxh3::xxh3_64(body.as_bytes())
    }

    /// Drops the page's Markdown, to be read again from its file when needed (see
    /// [`super::Loader::reload_body`]). Empty Markdown is kept: it costs nothing, and a
    /// chapter SUMMARY.md lists that does not exist has no file to read it from.
    pub(crate) fn leave_body_on_disk(&mut self) {
        if !self.body.is_empty() {
            self.body = String::new();
            self.body_on_disk = true;
        }
    }

    /// The line and column in the page's file of `line`, `column` of `body` (1-based).
    pub(crate) fn file_position(&self, line: usize, column: usize) -> (usize, usize) {
        let (line, column) = self.included.lines.locate(line, column);
        (line + self.body_line - 1, column)
    }
}

/// Number of folders in a site-relative URL: 2 for `caching/stampedes/`, 1 for
/// `caching/stampedes.html`, 0 for `""` and `index.html`.
pub(crate) fn url_depth(url: &str) -> usize {
    url.matches('/').count()
}

/// The output file a page URL is written to: `caching/stampedes/index.html` for a folder
/// URL, the URL itself for a file URL.
pub(crate) fn output_file(url: &str) -> String {
    if url.is_empty() || url.ends_with('/') {
        format!("{url}index.html")
    } else {
        url.to_string()
    }
}

/// Names that make a Markdown file its folder's index page, most specific first.
pub(crate) const INDEX_NAMES: &[&str] = &["_index.md", "index.md", "README.md"];

/// The folder whose index the file at `rel` is (`""` for the top), `None` when it is an
/// ordinary page.
pub(crate) fn index_folder(rel: &str) -> Option<&str> {
    let (folder, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    INDEX_NAMES.contains(&name).then_some(folder)
}

/// `../` repeated `depth` times, or `./` for the root.
pub(crate) fn root_prefix(depth: usize) -> String {
    if depth == 0 {
        "./".to_string()
    } else {
        "../".repeat(depth)
    }
}

/// The URL of the page at content-relative path `rel` (`caching/stampedes.md`) in `style`.
/// A folder's index page (see [`INDEX_NAMES`]) is the folder's URL.
pub(crate) fn url_for(rel: &str, style: UrlStyle) -> String {
    match (index_folder(rel), style) {
        (Some(""), UrlStyle::Pretty) => String::new(),
        (Some(""), UrlStyle::Html) => "index.html".to_string(),
        (Some(folder), UrlStyle::Pretty) => format!("{folder}/"),
        (Some(folder), UrlStyle::Html) => format!("{folder}/index.html"),
        (None, style) => {
            let stem = rel.strip_suffix(".md").unwrap_or(rel);
            match style {
                UrlStyle::Pretty => format!("{stem}/"),
                UrlStyle::Html => format!("{stem}.html"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_urls_are_folders() {
        let url = |rel| url_for(rel, UrlStyle::Pretty);
        assert_eq!(url("index.md"), "");
        assert_eq!(url("README.md"), "");
        assert_eq!(url("caching/_index.md"), "caching/");
        assert_eq!(url("caching/README.md"), "caching/");
        assert_eq!(url("a/b/c/d/index.md"), "a/b/c/d/");
        assert_eq!(url("caching/stampedes.md"), "caching/stampedes/");
        assert_eq!(root_prefix(url_depth("caching/stampedes/")), "../../");
        assert_eq!(root_prefix(0), "./");
        assert_eq!(output_file(""), "index.html");
        assert_eq!(
            output_file("caching/stampedes/"),
            "caching/stampedes/index.html"
        );
    }

    #[test]
    fn html_urls_are_files_as_mdbook_writes_them() {
        let url = |rel| url_for(rel, UrlStyle::Html);
        assert_eq!(url("README.md"), "index.html");
        assert_eq!(url("guide/README.md"), "guide/index.html");
        assert_eq!(url("guide/installation.md"), "guide/installation.html");
        assert_eq!(url_depth("guide/installation.html"), 1);
        assert_eq!(url_depth("index.html"), 0);
        assert_eq!(
            output_file("guide/installation.html"),
            "guide/installation.html"
        );
    }

    #[test]
    fn only_index_names_are_folder_indexes() {
        assert_eq!(index_folder("a/b/README.md"), Some("a/b"));
        assert_eq!(index_folder("_index.md"), Some(""));
        assert_eq!(index_folder("a/readme.md"), None);
        assert_eq!(index_folder("a/intro.md"), None);
    }
}
