//! The one HTML pass over a rendered page body: relative URLs moved from the page's source
//! folder to its output folder, and the ids of every element collected as link anchors.
//!
//! Authors write relative URLs (`img/a.png`, `../other.md`) relative to the folder of the
//! Markdown file, in Markdown and in raw HTML alike, and the Markdown pass writes page
//! links the same way. When the output URL puts the page in another folder (pretty URLs
//! put `a/b.md` at `a/b/index.html`), every one of them needs the same prefix. A real
//! HTML tokenizer (lol_html, a streaming rewriter that leaves the bytes it does not
//! change as they were) finds them, so a URL inside a code sample or a comment is never
//! touched. URLs that would run code are neutralised here in every `raw-html` mode; the
//! sanitizer ([`super::raw_html`]), when on, runs just before. What happens to each URL is the caller's: the Markdown pass also turns raw HTML's `.md` links into
//! page URLs there, as mdBook does.

use crate::markdown::links::{is_page_relative, source_folder};
use crate::safe_url::{dangerous_scheme, UrlUse, NEUTRALISED};

/// Attributes that hold one URL.
const URL_ATTRIBUTES: &[&str] = &["href", "src", "poster"];

/// Attributes whose URL a browser follows or loads: one that would run code
/// (`javascript:`...) is neutralised in every `raw-html` mode, so such a link is never
/// clickable even where raw HTML is allowed.
const FOLLOWED_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "poster",
    "action",
    "formaction",
    "data",
    "xlink:href",
];

/// What the pass found in a body and the body with its URLs moved.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct BodyPass {
    pub html: String,
    /// Every element's `id`, and every `<a name>`: what a link's `#fragment` can reach.
    pub anchors: Vec<String>,
}

/// The prefix that turns a URL relative to the page's source folder (from `rel`,
/// `a/b.md`) into one relative to its output folder (from `url`, `a/b/`): `../` per
/// folder the output is deeper, or the way up to the root and down into the source
/// folder when the two folders are unrelated. Empty when they are the same folder.
pub(crate) fn source_to_output_prefix(rel: &str, url: &str) -> String {
    let source = source_folder(rel);
    let output = url.rsplit_once('/').map_or("", |(dir, _)| dir);
    let depth = |folder: &str| folder.split('/').filter(|s| !s.is_empty()).count();
    if source == output {
        String::new()
    } else if source.is_empty() || output.starts_with(&format!("{source}/")) {
        "../".repeat(depth(output) - depth(source))
    } else {
        format!("{}{source}/", "../".repeat(depth(output)))
    }
}

/// Runs the pass: every page-relative URL in `html` is replaced by what `rewrite` makes of
/// it (kept when it gives `None`), and the anchors are collected. Markup lol_html cannot
/// rewrite is kept as it was, with no anchors, rather than lost.
pub(crate) fn rewrite_relative_urls(
    html: &str,
    rewrite: &dyn Fn(&str) -> Option<String>,
) -> BodyPass {
    let mut anchors = Vec::new();
    let rewritten = {
        let anchors = &mut anchors;
        let settings = lol_html::RewriteStrSettings::new()
            .append_element_content_handler(lol_html::element!("*", move |el| {
                if let Some(id) = el.get_attribute("id") {
                    anchors.push(decoded(&id));
                }
                if el.tag_name() == "a" {
                    if let Some(name) = el.get_attribute("name") {
                        anchors.push(decoded(&name));
                    }
                }
                for attribute in FOLLOWED_ATTRIBUTES {
                    if let Some(url) = el.get_attribute(attribute) {
                        let use_ = if el.tag_name() == "img" {
                            UrlUse::Image
                        } else {
                            UrlUse::Link
                        };
                        if dangerous_scheme(&url, use_).is_some() {
                            el.set_attribute(attribute, NEUTRALISED)?;
                        }
                    }
                }
                for attribute in URL_ATTRIBUTES {
                    if let Some(url) = el.get_attribute(attribute) {
                        if let Some(new) = rewritten(rewrite, &url) {
                            el.set_attribute(attribute, &new)?;
                        }
                    }
                }
                if let Some(srcset) = el.get_attribute("srcset") {
                    el.set_attribute("srcset", &rewritten_srcset(rewrite, &srcset))?;
                }
                Ok(())
            }))
            // A body is a fragment of a page, not a document: no charset sniffing, no
            // bailing out on markup that is only ambiguous at the top of a document.
            .with_strict(false)
            .with_enable_esi_tags(false);
        lol_html::rewrite_str(html, settings)
    };
    match rewritten {
        Ok(html) => BodyPass { html, anchors },
        Err(e) => {
            log::debug!("body HTML pass failed ({e}); the body is kept as rendered");
            BodyPass {
                html: html.to_string(),
                anchors: Vec::new(),
            }
        }
    }
}

/// The URLs a reader follows or loads in a fragment of raw HTML as written (`<a href>`,
/// `<img src>`, ...), undecoded, in document order: what the link check looks at.
pub(crate) fn raw_link_urls(html: &str) -> Vec<String> {
    let mut urls = Vec::new();
    let settings = lol_html::RewriteStrSettings::new()
        .append_element_content_handler(lol_html::element!("*", |el| {
            for attribute in URL_ATTRIBUTES {
                if let Some(url) = el.get_attribute(attribute) {
                    urls.push(decoded(&url));
                }
            }
            Ok(())
        }))
        .with_strict(false)
        .with_enable_esi_tags(false);
    // Markup the tokenizer cannot read has no links it can check.
    let _ = lol_html::rewrite_str(html, settings);
    urls
}

/// `url` with `prefix` in front: the URL from the output folder when `url` is from the
/// source folder and `prefix` is [`source_to_output_prefix`].
pub(crate) fn prefixed(prefix: &str, url: &str) -> String {
    if prefix.is_empty() {
        return url.to_string();
    }
    format!("{prefix}{}", url.strip_prefix("./").unwrap_or(url))
}

fn rewritten(rewrite: &dyn Fn(&str) -> Option<String>, url: &str) -> Option<String> {
    if is_page_relative(url) {
        rewrite(url)
    } else {
        None
    }
}

/// `srcset` is a comma-separated list of `URL [descriptor]`.
fn rewritten_srcset(rewrite: &dyn Fn(&str) -> Option<String>, srcset: &str) -> String {
    srcset
        .split(',')
        .map(|candidate| {
            let candidate = candidate.trim();
            let (url, descriptor) = candidate
                .split_once(char::is_whitespace)
                .unwrap_or((candidate, ""));
            let url = rewritten(rewrite, url).unwrap_or_else(|| url.to_string());
            if descriptor.is_empty() {
                url
            } else {
                format!("{url} {}", descriptor.trim())
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// An attribute value as the browser reads it (`&amp;` is `&`).
fn decoded(value: &str) -> String {
    html_escape::decode_html_entities(value).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_follows_the_output_folder() {
        assert_eq!(source_to_output_prefix("a/b.md", "a/b/"), "../");
        assert_eq!(source_to_output_prefix("a/b.md", "a/b.html"), "");
        assert_eq!(source_to_output_prefix("a/README.md", "a/"), "");
        assert_eq!(source_to_output_prefix("b.md", "b/"), "../");
        assert_eq!(source_to_output_prefix("index.md", ""), "");
        assert_eq!(source_to_output_prefix("a/b/c/d/e.md", "a/b/c/d/e/"), "../");
        assert_eq!(source_to_output_prefix("x/y.md", "z/y/"), "../../x/");
    }

    #[test]
    fn relative_urls_in_raw_html_move_to_the_output_folder() {
        let html = r##"<p><img src="img/a.png" alt="a"> <a href="./b.html#x">b</a> <a href="#top">t</a>
<a href="https://go.dev">go</a> <img src="/abs.png"> <img srcset="s.png 1x, https://c/d.png 2x"></p>
<pre><code>&lt;img src="img/a.png"&gt;</code></pre>"##;
        let out = rewrite_relative_urls(html, &|url| Some(prefixed("../../", url)));
        assert_eq!(
            out.html,
            r##"<p><img src="../../img/a.png" alt="a"> <a href="../../b.html#x">b</a> <a href="#top">t</a>
<a href="https://go.dev">go</a> <img src="/abs.png"> <img srcset="../../s.png 1x, https://c/d.png 2x"></p>
<pre><code>&lt;img src="img/a.png"&gt;</code></pre>"##
        );
    }

    #[test]
    fn urls_that_run_code_are_neutralised_in_raw_html() {
        let html = r#"<a href="&#106;avascript:alert(1)">a</a><form action="vbscript:x"></form><img src="data:image/png;base64,AA"><iframe src="data:text/html,x"></iframe>"#;
        let out = rewrite_relative_urls(html, &|_| None).html;
        assert_eq!(
            out,
            format!(
                r#"<a href="{NEUTRALISED}">a</a><form action="{NEUTRALISED}"></form><img src="data:image/png;base64,AA"><iframe src="{NEUTRALISED}"></iframe>"#
            )
        );
    }

    #[test]
    fn raw_link_urls_are_found_in_a_fragment() {
        assert_eq!(
            raw_link_urls(
                r#"<a href="x.md#a&amp;b">x</a> <img src='img/p.png'> <pre>href="no"</pre>"#
            ),
            ["x.md#a&b", "img/p.png"]
        );
    }

    #[test]
    fn no_rewrite_changes_nothing() {
        let html = r#"<p><img src="img/a.png"><a href="x/">x</a></p>"#;
        assert_eq!(rewrite_relative_urls(html, &|_| None).html, html);
        assert_eq!(prefixed("", "./x"), "./x");
    }

    #[test]
    fn every_element_id_and_a_name_is_an_anchor() {
        let html = r#"<h2 id="h">H</h2><a id="x"></a><a name="legacy"></a><span id="s&amp;t">s</span>
<div class="footnote-definition" id="1"></div><p name="not-an-anchor"></p>"#;
        let out = rewrite_relative_urls(html, &|_| None);
        assert_eq!(out.anchors, ["h", "x", "legacy", "s&t", "1"]);
    }
}
