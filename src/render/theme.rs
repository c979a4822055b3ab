//! Themes: the embedded default theme, overlaid file by file by a site's own theme folder.
//!
//! A theme has `templates/` (Tera) and `static/` (copied to the site root). The default theme
//! is compiled into the binary, so `kb` works without any theme on disk; a site's
//! `themes/<name>/` (selected by `[kb] theme`) replaces any file of the same path.

use std::collections::BTreeMap;
use std::path::Path;

use include_dir::{include_dir, Dir};

use crate::diagnostic::Diagnostic;

/// `themes/default` as build.rs copies it, its scripts and stylesheets minified.
static DEFAULT_THEME: Dir<'_> = include_dir!("$OUT_DIR/default-theme");

/// A theme's files by path relative to the theme folder (`templates/page.html`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Theme {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Theme {
    /// The default theme, with `overlay`'s files (if given) replacing it path by path.
    pub(crate) fn load(overlay: Option<&Path>) -> Result<Theme, Diagnostic> {
        let mut files = BTreeMap::new();
        collect_embedded(&DEFAULT_THEME, &mut files);
        if let Some(dir) = overlay {
            if !dir.is_dir() {
                return Err(
                    Diagnostic::file_error(dir, "the theme folder does not exist")
                        .with_help("create it, or remove `theme` under [kb] in book.toml"),
                );
            }
            for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
                let entry = entry.map_err(|e| {
                    Diagnostic::file_error(dir, format!("cannot read the theme: {e}"))
                })?;
                if !entry.file_type().is_file() {
                    continue;
                }
                let rel = entry
                    .path()
                    .strip_prefix(dir)
                    .map(|p| p.to_string_lossy().replace('\\', "/"))
                    .unwrap_or_default();
                let bytes = std::fs::read(entry.path()).map_err(|e| {
                    Diagnostic::file_error(entry.path(), format!("cannot read: {e}"))
                })?;
                files.insert(rel, bytes);
            }
        }
        Ok(Theme { files })
    }

    /// Templates as (name, source), names relative to `templates/` (`page.html`).
    pub(crate) fn templates(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().filter_map(|(path, bytes)| {
            path.strip_prefix("templates/")
                .map(|name| (name, bytes.as_slice()))
        })
    }

    /// Static files as (path under the site root, bytes).
    pub(crate) fn static_files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().filter_map(|(path, bytes)| {
            path.strip_prefix("static/")
                .map(|name| (name, bytes.as_slice()))
        })
    }

    pub(crate) fn file(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }
}

fn collect_embedded(dir: &Dir<'_>, files: &mut BTreeMap<String, Vec<u8>>) {
    for file in dir.files() {
        files.insert(
            file.path().to_string_lossy().replace('\\', "/"),
            file.contents().to_vec(),
        );
    }
    for sub in dir.dirs() {
        collect_embedded(sub, files);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(path: &str) -> Vec<u8> {
        let file = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("themes/default")
            .join(path);
        std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
    }

    /// A reader downloads the default theme's scripts and stylesheets without the comments
    /// and indentation of their sources (build.rs), and with the names the code works by.
    #[test]
    fn default_theme_ships_scripts_and_styles_minified() {
        let theme = Theme::load(None).expect("the default theme");
        let shipped: [(&str, &[&str]); 5] = [
            (
                "static/search/search.js",
                &["kbSearchEngine", "__kbSearchPage", "'index.bin'", "\\p{Ll}"],
            ),
            (
                "static/search/dialog.js",
                &["window.kbSearch", "kbSearchEngine"],
            ),
            ("static/site.js", &["__kbMarkdownTwin", "__kbSearchEarly"]),
            (
                "static/search/search.css",
                &[".kb-search{", "calc(100vw - 1.5rem)"],
            ),
            ("static/style.css", &["--code-bg:", "@media"]),
        ];
        for (path, names) in shipped {
            let text = String::from_utf8(theme.file(path).expect(path).to_vec()).expect(path);
            let full = source(path).len();
            assert!(
                text.len() * 10 < full * 9,
                "{path}: {} bytes shipped of {full}: not minified",
                text.len()
            );
            for comment in ["/**", "/*!", "/* ", "// ", "\n  "] {
                assert!(!text.contains(comment), "{path} still has {comment:?}");
            }
            for name in names {
                assert!(text.contains(name), "{path} lost {name}");
            }
        }
        assert_eq!(
            theme.file("templates/page.html"),
            Some(&source("templates/page.html")[..]),
            "templates are embedded as they are"
        );
    }
}
