//! An mdBook book's `theme/` folder: Handlebars templates and stylesheets written for
//! mdBook's pages. kb's pages come from Tera templates with other markup, so none of these
//! files can apply; the book is told so once, with the files named. Files the book lists as
//! `additional-css`/`additional-js` (TRPL keeps its stylesheets in `theme/`) are used as
//! such, so they are not named.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Location, Severity};

/// How many files the warning names before it counts the rest.
const NAMED: usize = 8;

/// The warning about the mdBook theme folder `folder` (relative to `root`), or `None`
/// when it holds no files but those in `used`. `at` is where `output.html.theme` names it,
/// if it does; `used` are the additional CSS and JS files, relative to `root`.
pub(crate) fn warning(
    root: &Path,
    folder: &str,
    at: Option<Location>,
    used: &[PathBuf],
) -> Option<Diagnostic> {
    let Ok(folder) = crate::confine::relative(folder) else {
        // Outside the book: kb reads nothing there (the key's own warning says it is ignored).
        return None;
    };
    let dir = root.join(&folder);
    if !dir.is_dir() {
        return None;
    }
    let mut files: Vec<String> = walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file())
        .filter_map(|entry| {
            let rel = entry.path().strip_prefix(root).ok()?;
            if used.iter().any(|file| same_file(file, rel)) {
                return None;
            }
            Some(rel.to_string_lossy().replace('\\', "/"))
        })
        .collect();
    if files.is_empty() {
        return None;
    }
    let more = files.len().saturating_sub(NAMED);
    files.truncate(NAMED);
    let mut listed = files.join(", ");
    if more > 0 {
        listed.push_str(&format!(" and {more} more"));
    }
    let message = format!(
        "the mdBook theme files {listed} cannot apply to kb's pages (kb's templates are Tera, not Handlebars); they are ignored"
    );
    let help = "kb's own theme styles the book; to keep a customisation, move it to a kb theme as README.md describes under \"Moving an mdBook theme to kb\"";
    Some(match at {
        Some(at) => Diagnostic::warning(at, message).with_help(help),
        None => Diagnostic {
            severity: Severity::Warning,
            file: dir.strip_prefix(root).unwrap_or(&dir).to_path_buf(),
            line: None,
            column: None,
            message,
            help: Some(help.to_string()),
        },
    })
}

/// Whether two relative paths name the same file, `./` aside.
fn same_file(a: &Path, b: &Path) -> bool {
    let plain = |path: &Path| -> Vec<String> {
        path.components()
            .filter(|part| *part != std::path::Component::CurDir)
            .map(|part| part.as_os_str().to_string_lossy().into_owned())
            .collect()
    };
    plain(a) == plain(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_files_once_and_counts_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        for file in [
            "theme/index.hbs",
            "theme/head.hbs",
            "theme/css/chrome.css",
            "theme/css/general.css",
            "theme/css/print.css",
            "theme/css/variables.css",
            "theme/book.js",
            "theme/highlight.css",
            "theme/highlight.js",
            "theme/favicon.svg",
        ] {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        let warning = warning(dir.path(), "theme", None, &[]).unwrap();
        assert_eq!(warning.severity, Severity::Warning);
        assert_eq!(warning.file, Path::new("theme"));
        assert!(
            warning
                .message
                .starts_with("the mdBook theme files theme/book.js, theme/css/chrome.css,"),
            "{}",
            warning.message
        );
        assert!(
            warning.message.contains("and 2 more"),
            "{}",
            warning.message
        );
        assert!(warning
            .help
            .unwrap()
            .contains("Moving an mdBook theme to kb"));
    }

    #[test]
    fn additional_files_kept_in_the_theme_folder_are_not_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("theme")).unwrap();
        for file in ["theme/listing.css", "theme/index.hbs"] {
            std::fs::write(dir.path().join(file), "x").unwrap();
        }
        let used = [
            PathBuf::from("theme/listing.css"),
            PathBuf::from("./theme/listing.css"),
        ];
        let named = warning(dir.path(), "theme", None, &used).unwrap();
        assert!(
            named.message.contains("theme/index.hbs"),
            "{}",
            named.message
        );
        assert!(!named.message.contains("listing.css"), "{}", named.message);
        std::fs::remove_file(dir.path().join("theme/index.hbs")).unwrap();
        assert!(warning(dir.path(), "theme", None, &used).is_none());
    }

    #[test]
    fn nothing_for_a_missing_empty_or_escaping_folder() {
        let dir = tempfile::tempdir().unwrap();
        assert!(warning(dir.path(), "theme", None, &[]).is_none());
        std::fs::create_dir(dir.path().join("theme")).unwrap();
        assert!(warning(dir.path(), "theme", None, &[]).is_none());
        assert!(warning(dir.path(), "../elsewhere", None, &[]).is_none());
    }
}
