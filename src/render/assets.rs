//! Theme assets: the stylesheet (theme CSS plus generated highlighting CSS) and the script,
//! under content-hashed names so browsers may cache them forever.

use sha2::{Digest, Sha256};

use crate::markdown::highlight::Highlighter;
use crate::render::theme::Theme;

/// Assets with hashed names: (path under the site root, bytes).
pub(crate) struct HashedAssets {
    pub css: (String, Vec<u8>),
    pub js: (String, Vec<u8>),
}

/// Theme files that are published under hashed names instead of being copied as they are.
pub(crate) const HASHED: &[&str] = &["style.css", "site.js"];

pub(crate) fn hashed_assets(theme: &Theme) -> HashedAssets {
    let mut css = theme.file("static/style.css").unwrap_or_default().to_vec();
    css.extend_from_slice(b"\n");
    css.extend_from_slice(Highlighter::css().as_bytes());
    let js = theme.file("static/site.js").unwrap_or_default().to_vec();
    HashedAssets {
        css: (hashed_name("style", "css", &css), css),
        js: (hashed_name("site", "js", &js), js),
    }
}

/// `style.3f2a1c9d.css`: the first 8 hex digits of the content's SHA-256.
pub(crate) fn hashed_name(stem: &str, ext: &str, bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("{stem}.{hex}.{ext}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_change_with_content() {
        assert_ne!(
            hashed_name("style", "css", b"a"),
            hashed_name("style", "css", b"b")
        );
        assert_eq!(
            hashed_name("style", "css", b"a"),
            hashed_name("style", "css", b"a")
        );
        assert!(hashed_name("site", "js", b"x").starts_with("site."));
    }
}
