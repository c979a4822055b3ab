//! URLs that run code when followed: `javascript:`, `vbscript:` and `data:` (except
//! `data:image/…` as an image's source), neutralised wherever content or configuration puts
//! a URL into a page (Markdown links and images, `git-repository-url`,
//! `edit-url-template`).
//!
//! The scheme is read the way a browser reads it, so disguises do not help: HTML character
//! references are decoded (`&#106;avascript:`, `javascript&colon;`), ASCII tabs and
//! newlines anywhere and leading spaces and control characters are dropped
//! (`java\tscript:`, ` javascript:`), and case does not matter (`JaVaScRiPt:`).
//! Percent-encoding is not decoded: a browser does not decode a scheme either, so
//! `java%73cript:` is a harmless relative link.

use std::borrow::Cow;

/// Where a URL goes: an image may be a `data:image/…` URL, which cannot run script as an
/// `<img>` source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UrlUse {
    Link,
    Image,
}

/// What a dangerous URL becomes: inert in every browser, and it says why to whoever looks.
pub(crate) const NEUTRALISED: &str = "about:invalid#kb-unsafe-url";

/// The scheme `url` has for a browser, lower case; `None` for a relative URL.
fn scheme(url: &str) -> Option<String> {
    let decoded = html_escape::decode_html_entities(url);
    let cleaned: String = decoded
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let (scheme, _) = cleaned.split_once(':')?;
    let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !valid {
        return None;
    }
    let mut scheme = scheme.to_ascii_lowercase();
    // The media type of a data URL decides whether an image may use it.
    if scheme == "data" {
        let rest = cleaned[5..].trim_start().to_ascii_lowercase();
        if rest.starts_with("image/") {
            scheme.push_str(":image");
        }
    }
    Some(scheme)
}

/// The scheme `url` would run code with, for the diagnostic; `None` when it is safe for `use_`.
pub(crate) fn dangerous_scheme(url: &str, use_: UrlUse) -> Option<String> {
    match scheme(url)?.as_str() {
        "data:image" if use_ == UrlUse::Image => None,
        "data:image" => Some("data".to_string()),
        s @ ("javascript" | "vbscript" | "data") => Some(s.to_string()),
        _ => None,
    }
}

/// `url`, or [`NEUTRALISED`] when following it would run code.
pub(crate) fn neutralise(url: &str, use_: UrlUse) -> Cow<'_, str> {
    match dangerous_scheme(url, use_) {
        Some(_) => Cow::Borrowed(NEUTRALISED),
        None => Cow::Borrowed(url),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_schemes_are_dangerous_however_they_are_written() {
        for url in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "\u{1}javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "jav&#x09;ascript:alert(1)",
            "&#106;avascript:alert(1)",
            "&#x6A;&#x61;vascript:alert(1)",
            "javascript&colon;alert(1)",
            "javascript&#58;alert(1)",
            "vbscript:msgbox(1)",
            "VBScript:msgbox(1)",
            "data:text/html,<script>alert(1)</script>",
            "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
            "DATA:text/html,x",
            "data:image/svg+xml,<svg onload=alert(1)>",
        ] {
            assert!(
                dangerous_scheme(url, UrlUse::Link).is_some(),
                "{url:?} as a link"
            );
            assert_eq!(neutralise(url, UrlUse::Link), NEUTRALISED, "{url:?}");
        }
        assert_eq!(
            dangerous_scheme("&#106;avascript:x", UrlUse::Link).as_deref(),
            Some("javascript")
        );
    }

    #[test]
    fn images_may_be_data_images_and_nothing_else_dangerous() {
        let png = "data:image/png;base64,iVBORw0KGgo=";
        assert_eq!(neutralise(png, UrlUse::Image), png);
        assert_eq!(
            neutralise(" DATA:Image/gif;base64,R0lG", UrlUse::Image),
            " DATA:Image/gif;base64,R0lG"
        );
        assert_eq!(neutralise("data:text/html,x", UrlUse::Image), NEUTRALISED);
        assert_eq!(
            neutralise("javascript:alert(1)", UrlUse::Image),
            NEUTRALISED
        );
        assert_eq!(neutralise(png, UrlUse::Link), NEUTRALISED);
    }

    #[test]
    fn ordinary_urls_are_left_alone() {
        for url in [
            "https://example.com/a?b=javascript:c",
            "http://example.com",
            "mailto:someone@example.com",
            "../caching/stampedes.md#javascript:",
            "/guide/",
            "#javascript",
            "java%73cript:alert(1)",
            "javascript",
            "./javascript:alert(1)",
            "tel:+123",
            "",
        ] {
            assert_eq!(neutralise(url, UrlUse::Link), url, "{url:?}");
            assert_eq!(neutralise(url, UrlUse::Image), url, "{url:?}");
        }
    }
}
