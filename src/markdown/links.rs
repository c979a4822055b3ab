//! Link resolution: relative links, as authors write them, to output URLs.
//!
//! Pure path arithmetic: resolving needs no other page, so it happens while rendering;
//! whether the target page and its anchor exist is checked afterwards, once every page's
//! headings are known (see `markdown::validate`).
//!
//! A page links another by its source file (`../caching/stampedes.md`) or, as mdBook
//! books do, by the file mdBook writes for it (`stampedes.html`, `sub/index.html` for
//! `sub/README.md`). Both resolve to the target's source path and are written as the
//! target's URL in the site's URL style. The href is written relative to the linking
//! page's *source* folder, like every other relative URL in the body; the one HTML pass
//! (`markdown::body_html`) then moves them all to the page's output folder.

use crate::config::UrlStyle;
use crate::content::page::{index_folder, root_prefix, url_for, INDEX_NAMES};

/// What a link in a page points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LinkTarget {
    /// `https://...`, `mailto:` and other URLs with a scheme.
    External,
    /// `#anchor` on the same page.
    SamePage { fragment: String },
    /// Another page, by the path of its Markdown file relative to the content folder
    /// (an `.html` link is turned into the `.md` path it was made from).
    Page {
        rel: String,
        fragment: Option<String>,
    },
    /// A file of the content folder that is not a page (an image, a download).
    Asset { rel: String },
    /// A relative link that climbs out of the content folder (`../std/index.html` in a
    /// book published beside the standard library's docs).
    OutsideContent,
}

/// Resolves `dest` as written in the page at content-relative path `from_rel`.
pub(crate) fn resolve(from_rel: &str, dest: &str) -> LinkTarget {
    if has_scheme(dest) || dest.starts_with("//") {
        return LinkTarget::External;
    }
    let (path, fragment) = match dest.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment.to_string())),
        None => (dest, None),
    };
    let path = path.split('?').next().unwrap_or("");
    if path.is_empty() {
        return LinkTarget::SamePage {
            fragment: fragment.unwrap_or_default(),
        };
    }
    let base = if path.starts_with('/') {
        ""
    } else {
        source_folder(from_rel)
    };
    let Some(rel) = normalize(base, path) else {
        return LinkTarget::OutsideContent;
    };
    if rel.ends_with(".md") {
        LinkTarget::Page { rel, fragment }
    } else if let Some(stem) = rel.strip_suffix(".html") {
        // mdBook writes `a/b.md` as `a/b.html`; authors of books link those.
        LinkTarget::Page {
            rel: format!("{stem}.md"),
            fragment,
        }
    } else {
        LinkTarget::Asset { rel }
    }
}

/// The folder of a content-relative path: `a/b` for `a/b/c.md`, `` at the top.
pub(crate) fn source_folder(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// The other names a link to `rel` may find its page under: when `rel` is a folder's
/// index, every other index name of the folder (they all get the folder's URL, and mdBook
/// writes both `README.md` and `index.md` as `index.html`), else none.
pub(crate) fn index_aliases(rel: &str) -> Vec<String> {
    let Some(folder) = index_folder(rel) else {
        return Vec::new();
    };
    INDEX_NAMES
        .iter()
        .map(|name| {
            if folder.is_empty() {
                name.to_string()
            } else {
                format!("{folder}/{name}")
            }
        })
        .filter(|candidate| candidate != rel)
        .collect()
}

/// The way from a source folder (`a/b`) to the content root: `../../`, or `./` at the top.
fn up_from(folder: &str) -> String {
    root_prefix(folder.split('/').filter(|s| !s.is_empty()).count())
}

/// The `href` to write, relative to the source folder of the page at `from_rel`, for a
/// resolved target; `original` is the destination as written.
pub(crate) fn href(from_rel: &str, style: UrlStyle, target: &LinkTarget, original: &str) -> String {
    let root = up_from(source_folder(from_rel));
    match target {
        LinkTarget::External | LinkTarget::OutsideContent => original.to_string(),
        LinkTarget::SamePage { fragment } => format!("#{fragment}"),
        LinkTarget::Page { rel, fragment } => {
            let mut href = match fragment {
                // A link to an anchor of its own page stays on the page.
                Some(_) if rel == from_rel => String::new(),
                _ => format!("{root}{}", url_for(rel, style)),
            };
            if let Some(fragment) = fragment {
                href.push('#');
                href.push_str(fragment);
            }
            href
        }
        LinkTarget::Asset { rel } => format!("{root}{rel}"),
    }
}

fn has_scheme(dest: &str) -> bool {
    match dest.find(':') {
        Some(i) => {
            let scheme = &dest[..i];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// Whether `url` is relative to the page it is written in: not a scheme URL, not
/// `//host`, not site-absolute, not only a fragment or query.
pub(crate) fn is_page_relative(url: &str) -> bool {
    !(url.is_empty()
        || has_scheme(url)
        || url.starts_with('/')
        || url.starts_with('#')
        || url.starts_with('?'))
}

/// Joins `path` onto `base` and removes `.` and `..`; `None` if it climbs above the root.
fn normalize(base: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    let joined = parts.join("/");
    Some(
        percent_encoding::percent_decode_str(&joined)
            .decode_utf8()
            .map(|s| s.into_owned())
            .unwrap_or(joined),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(rel: &str, fragment: Option<&str>) -> LinkTarget {
        LinkTarget::Page {
            rel: rel.to_string(),
            fragment: fragment.map(str::to_string),
        }
    }

    #[test]
    fn resolves_relative_md_links() {
        assert_eq!(
            resolve(
                "databases/pooling.md",
                "../caching/stampedes.md#singleflight"
            ),
            page("caching/stampedes.md", Some("singleflight"))
        );
        assert_eq!(
            resolve("databases/pooling.md", "transactions.md"),
            page("databases/transactions.md", None)
        );
        assert_eq!(
            resolve("index.md", "caching/_index.md"),
            page("caching/_index.md", None)
        );
        assert_eq!(
            resolve("a/b.md", "#x"),
            LinkTarget::SamePage {
                fragment: "x".into()
            }
        );
        assert_eq!(resolve("a/b.md", "https://go.dev"), LinkTarget::External);
        assert_eq!(resolve("a/b.md", "mailto:x@y"), LinkTarget::External);
        assert_eq!(resolve("a/b.md", "../../x.md"), LinkTarget::OutsideContent);
        assert_eq!(
            resolve("a/b.md", "img/x.png"),
            LinkTarget::Asset {
                rel: "a/img/x.png".into()
            }
        );
    }

    #[test]
    fn html_links_resolve_to_the_markdown_file_they_were_made_from() {
        assert_eq!(
            resolve("guide/intro.md", "setup.html#install"),
            page("guide/setup.md", Some("install"))
        );
        assert_eq!(
            resolve("guide/intro.md", "../reference/README.html"),
            page("reference/README.md", None)
        );
        assert_eq!(
            resolve("guide/intro.md", "sub/index.html"),
            page("guide/sub/index.md", None)
        );
        assert_eq!(
            resolve("intro.md", "../std/index.html"),
            LinkTarget::OutsideContent
        );
    }

    #[test]
    fn folder_index_names_are_aliases_of_each_other() {
        assert_eq!(
            index_aliases("sub/index.md"),
            ["sub/_index.md", "sub/README.md"]
        );
        assert_eq!(index_aliases("README.md"), ["_index.md", "index.md"]);
        assert!(index_aliases("sub/page.md").is_empty());
    }

    #[test]
    fn hrefs_are_relative_to_the_source_folder() {
        let t = page("caching/stampedes.md", Some("in-go"));
        assert_eq!(
            href("databases/pooling.md", UrlStyle::Pretty, &t, ""),
            "../caching/stampedes/#in-go"
        );
        assert_eq!(
            href("databases/pooling.md", UrlStyle::Html, &t, ""),
            "../caching/stampedes.html#in-go"
        );
        let home = page("index.md", None);
        assert_eq!(
            href("databases/pooling.md", UrlStyle::Pretty, &home, ""),
            "../"
        );
        let area = page("caching/_index.md", None);
        assert_eq!(href("index.md", UrlStyle::Pretty, &area, ""), "./caching/");
        let own = page("a/b.md", Some("x"));
        assert_eq!(href("a/b.md", UrlStyle::Pretty, &own, ""), "#x");
        let asset = LinkTarget::Asset {
            rel: "a/img/x.png".into(),
        };
        assert_eq!(
            href("a/b.md", UrlStyle::Pretty, &asset, ""),
            "../a/img/x.png"
        );
        assert_eq!(
            href(
                "a/b.md",
                UrlStyle::Pretty,
                &LinkTarget::OutsideContent,
                "../../x"
            ),
            "../../x"
        );
    }

    #[test]
    fn page_relative_urls() {
        for url in ["img/a.png", "./a", "../a", "a.html#x"] {
            assert!(is_page_relative(url), "{url}");
        }
        for url in [
            "",
            "#x",
            "?q",
            "/abs",
            "//cdn/x",
            "https://x",
            "data:image/png",
        ] {
            assert!(!is_page_relative(url), "{url}");
        }
    }
}
