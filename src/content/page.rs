//! The page model: one Markdown file of the knowledge base, as plain data.

use std::path::PathBuf;

use super::front_matter::FrontMatter;

/// What role a page plays in the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum PageKind {
    /// `content/index.md`.
    Home,
    /// `content/<area>/_index.md`: an area's landing page.
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
    /// The area folder (`caching`), `None` for the home page.
    pub area: Option<String>,
    /// Output URL relative to the site root, ending in `/` (`caching/stampedes/`); `""` for home.
    pub url: String,
    pub title: String,
    pub description: String,
    pub meta: FrontMatter,
    /// The Markdown after the front matter.
    pub body: String,
    /// 1-based line of the file on which `body` starts.
    pub body_line: usize,
}

/// Number of folders in a site-relative URL such as `caching/stampedes/`.
pub(crate) fn url_depth(url: &str) -> usize {
    url.split('/').filter(|s| !s.is_empty()).count()
}

/// `../` repeated `depth` times, or `./` for the root.
pub(crate) fn root_prefix(depth: usize) -> String {
    if depth == 0 {
        "./".to_string()
    } else {
        "../".repeat(depth)
    }
}

/// The URL of the page at content-relative path `rel` (`caching/stampedes.md`).
pub(crate) fn url_for(rel: &str) -> String {
    let stem = rel.strip_suffix(".md").unwrap_or(rel);
    if stem == "index" {
        return String::new();
    }
    if let Some(folder) = stem.strip_suffix("/_index") {
        return format!("{folder}/");
    }
    if let Some(folder) = stem.strip_suffix("/index") {
        return format!("{folder}/");
    }
    format!("{stem}/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_clean() {
        assert_eq!(url_for("index.md"), "");
        assert_eq!(url_for("caching/_index.md"), "caching/");
        assert_eq!(url_for("caching/stampedes.md"), "caching/stampedes/");
        assert_eq!(root_prefix(url_depth("caching/stampedes/")), "../../");
        assert_eq!(root_prefix(0), "./");
    }
}
