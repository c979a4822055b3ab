//! From a request's path to a file of the site: the one place that decides what a URL
//! may name. Pure, so every trick (`..`, `%2e%2e`, encoded slashes, backslashes, NUL) is
//! tested below.
//!
//! The site's files are kept by relative paths such as `alpha/one/index.html` (their bytes
//! under names the store chose, see [`super::stored`]), so a path can never reach the
//! disk; rejecting odd paths anyway keeps the served URLs exactly
//! those of the built site, where `..` means nothing either.

use percent_encoding::percent_decode_str;

/// What a request path names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A file by its path under the site root (`alpha/one/index.html`, `style.css`).
    File(String),
    /// A folder without its trailing slash (`alpha/one`): redirect to `alpha/one/` if
    /// `alpha/one/index.html` exists, else not found.
    Folder(String),
}

/// Resolves a request path (still percent-encoded, query removed). `None` for anything that
/// is not a plain path below the root: those get a 404.
pub(crate) fn resolve(raw: &str) -> Option<Target> {
    let rest = raw.strip_prefix('/')?;
    // Encoded separators and NUL would let one segment act as several.
    let lower = rest.to_ascii_lowercase();
    if rest.contains('\\')
        || lower.contains("%2f")
        || lower.contains("%5c")
        || lower.contains("%00")
    {
        return None;
    }
    let decoded = percent_decode_str(rest).decode_utf8().ok()?;
    if decoded.contains('\\') || decoded.contains('\0') {
        return None;
    }
    let trailing = decoded.is_empty() || decoded.ends_with('/');
    let body = decoded.strip_suffix('/').unwrap_or(&decoded);
    if !body.is_empty()
        && body
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..")
    {
        return None;
    }
    Some(if trailing {
        Target::File(if body.is_empty() {
            "index.html".to_string()
        } else {
            format!("{body}/index.html")
        })
    } else {
        Target::Folder(body.to_string())
    })
}

/// The `Content-Type` of a site file, by its extension.
pub(crate) fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "xml" => "application/xml",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "wasm" => "application/wasm",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "pdf" => "application/pdf",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(p: &str) -> Option<Target> {
        Some(Target::File(p.to_string()))
    }

    #[test]
    fn clean_urls() {
        assert_eq!(resolve("/"), file("index.html"));
        assert_eq!(resolve("/alpha/one/"), file("alpha/one/index.html"));
        assert_eq!(
            resolve("/alpha/one"),
            Some(Target::Folder("alpha/one".into()))
        );
        assert_eq!(
            resolve("/style.1234.css"),
            Some(Target::Folder("style.1234.css".into()))
        );
        assert_eq!(resolve("/caf%C3%A9/"), file("café/index.html"));
        assert_eq!(
            resolve("/a%20b.png"),
            Some(Target::Folder("a b.png".into()))
        );
    }

    #[test]
    fn escapes_are_refused() {
        for bad in [
            "/../etc/passwd",
            "/alpha/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E/%2E%2E/etc/passwd",
            "/alpha/%2e%2e/",
            "/..%2fetc%2fpasswd",
            "/..%2Fetc",
            "/..%5cetc",
            "/..\\etc",
            "/alpha\\one",
            "/./index.html",
            "//etc/passwd",
            "/alpha//one/",
            "/a%00.html",
            "/%ff%fe",
            "etc/passwd",
            "",
        ] {
            assert_eq!(resolve(bad), None, "{bad}");
        }
    }

    #[test]
    fn types() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("style.abc.css"), "text/css; charset=utf-8");
        assert_eq!(
            content_type("site.abc.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("search/kb-search.wasm"), "application/wasm");
        assert_eq!(content_type("favicon.svg"), "image/svg+xml");
        assert_eq!(content_type("sitemap.xml"), "application/xml");
        assert_eq!(content_type("search/index.bin"), "application/octet-stream");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
    }
}
