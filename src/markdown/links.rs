//! Link resolution: relative `.md` links, as authors write them, to output URLs.
//!
//! Pure path arithmetic: resolving needs no other page, so it happens while rendering;
//! whether the target page and its anchor exist is checked afterwards, once every page's
//! headings are known (see `build::validate`).

use crate::config::UrlStyle;
use crate::content::page::{root_prefix, url_depth, url_for};

/// What a link in a page points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LinkTarget {
    /// `https://...`, `mailto:` and other URLs with a scheme.
    External,
    /// `#anchor` on the same page.
    SamePage { fragment: String },
    /// Another page, by its path relative to the content folder.
    Page {
        rel: String,
        fragment: Option<String>,
    },
    /// A file of the content folder that is not a page (an image, a download).
    Asset { rel: String },
    /// A relative link that climbs out of the content folder.
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
        from_rel.rsplit_once('/').map_or("", |(dir, _)| dir)
    };
    let Some(rel) = normalize(base, path) else {
        return LinkTarget::OutsideContent;
    };
    if rel.ends_with(".md") {
        LinkTarget::Page { rel, fragment }
    } else {
        LinkTarget::Asset { rel }
    }
}

/// The `href` to write in the page at `from_url` for a resolved target.
pub(crate) fn href(
    from_url: &str,
    from_rel: &str,
    target: &LinkTarget,
    original: &str,
    style: UrlStyle,
) -> String {
    let root = root_prefix(url_depth(from_url));
    match target {
        LinkTarget::External | LinkTarget::OutsideContent => original.to_string(),
        LinkTarget::SamePage { fragment } => format!("#{fragment}"),
        LinkTarget::Page { rel, fragment } => {
            let url = url_for(rel, style);
            let mut href = if rel == from_rel {
                String::new()
            } else if url.is_empty() {
                root
            } else {
                format!("{root}{url}")
            };
            if let Some(fragment) = fragment {
                href.push('#');
                href.push_str(fragment);
            }
            if href.is_empty() {
                href.push_str("./");
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
    fn hrefs_are_relative_and_clean() {
        let t = page("caching/stampedes.md", Some("in-go"));
        assert_eq!(
            href(
                "databases/pooling/",
                "databases/pooling.md",
                &t,
                "",
                UrlStyle::Pretty
            ),
            "../../caching/stampedes/#in-go"
        );
        let home = page("index.md", None);
        assert_eq!(
            href(
                "databases/pooling/",
                "databases/pooling.md",
                &home,
                "",
                UrlStyle::Pretty
            ),
            "../../"
        );
        let area = page("caching/_index.md", None);
        assert_eq!(
            href("", "index.md", &area, "", UrlStyle::Pretty),
            "./caching/"
        );
        let own = page("a/b.md", Some("x"));
        assert_eq!(href("a/b/", "a/b.md", &own, "", UrlStyle::Pretty), "#x");
        let asset = LinkTarget::Asset {
            rel: "a/img/x.png".into(),
        };
        assert_eq!(
            href("a/b/", "a/b.md", &asset, "", UrlStyle::Pretty),
            "../../a/img/x.png"
        );
    }
}
