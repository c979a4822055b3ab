//! Which output files an apply changed, by path: what `kb serve` tells open tabs. A tab
//! can swap stylesheets in place when nothing else changed, and must reload otherwise.

use std::collections::BTreeSet;

use crate::build::output::Batch;

/// The output files an incremental apply wrote and removed, by path relative to the site
/// root (a one-shot build writes every file and lists none).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct ChangedFiles {
    /// Files written: new, or with new bytes, in the order they were written.
    pub written: Vec<String>,
    /// Files removed.
    pub removed: Vec<String>,
    /// The theme's stylesheet under its old and new name, when its bytes (and so its
    /// hashed name) changed.
    pub stylesheet: Option<Renamed>,
    /// Written pages whose only difference is the stylesheet's new name: a tab showing one
    /// needs the new stylesheet, not a reload.
    pub restyled: BTreeSet<String>,
}

/// A file that moved to a new name: the theme's stylesheet, named after a hash of its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Renamed {
    pub from: String,
    pub to: String,
}

impl ChangedFiles {
    /// The paths `batch` writes and removes; `restyled` as [`ChangedFiles::restyled`].
    pub(crate) fn of(
        batch: &Batch,
        stylesheet: Option<Renamed>,
        restyled: BTreeSet<String>,
    ) -> ChangedFiles {
        let mut changed = ChangedFiles {
            stylesheet,
            restyled,
            ..ChangedFiles::default()
        };
        for (path, bytes) in &batch.files {
            match bytes {
                Some(_) => changed.written.push(path.clone()),
                None => changed.removed.push(path.clone()),
            }
        }
        changed
    }

    /// How many files were written or removed.
    pub(crate) fn len(&self) -> usize {
        self.written.len() + self.removed.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether something changed and all of it is stylesheets: every file written or
    /// removed is a stylesheet or a page that only links to the renamed one.
    pub(crate) fn only_stylesheets(&self) -> bool {
        !self.is_empty()
            && self
                .written
                .iter()
                .chain(&self.removed)
                .all(|path| is_stylesheet(path) || self.restyled.contains(path))
    }

    /// Stylesheets written with new bytes under the same name (a content folder's or an
    /// `additional-css` file): tabs load them again. The renamed theme stylesheet is not
    /// one of them.
    pub(crate) fn rewritten_stylesheets(&self) -> impl Iterator<Item = &String> {
        self.written.iter().filter(|path| {
            is_stylesheet(path) && self.stylesheet.as_ref().is_none_or(|s| s.to != **path)
        })
    }
}

fn is_stylesheet(path: &str) -> bool {
    path.ends_with(".css")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(written: &[&str], removed: &[&str]) -> Batch {
        let mut batch = Batch::default();
        for path in written {
            batch.write(path.to_string(), Vec::new());
        }
        for path in removed {
            batch.remove(path.to_string());
        }
        batch
    }

    fn renamed() -> Option<Renamed> {
        Some(Renamed {
            from: "style.aaaaaaaa.css".into(),
            to: "style.bbbbbbbb.css".into(),
        })
    }

    #[test]
    fn a_renamed_stylesheet_and_restyled_pages_are_only_stylesheets() {
        let pages = BTreeSet::from(["index.html".to_string(), "a/index.html".to_string()]);
        let changed = ChangedFiles::of(
            &batch(
                &["index.html", "a/index.html", "style.bbbbbbbb.css"],
                &["style.aaaaaaaa.css"],
            ),
            renamed(),
            pages,
        );
        assert_eq!(changed.len(), 4);
        assert!(changed.only_stylesheets());
        assert_eq!(changed.rewritten_stylesheets().count(), 0);
    }

    #[test]
    fn a_page_that_changed_otherwise_is_not() {
        let changed = ChangedFiles::of(
            &batch(
                &["index.html", "style.bbbbbbbb.css"],
                &["style.aaaaaaaa.css"],
            ),
            renamed(),
            BTreeSet::new(),
        );
        assert!(!changed.only_stylesheets());
        let removed_page = ChangedFiles::of(&batch(&[], &["a/index.html"]), None, BTreeSet::new());
        assert!(!removed_page.only_stylesheets());
    }

    #[test]
    fn a_stylesheet_rewritten_in_place_is_reloaded_by_name() {
        let changed = ChangedFiles::of(&batch(&["notes/extra.css"], &[]), None, BTreeSet::new());
        assert!(changed.only_stylesheets());
        assert_eq!(
            changed.rewritten_stylesheets().collect::<Vec<_>>(),
            ["notes/extra.css"]
        );
        assert!(!ChangedFiles::default().only_stylesheets());
    }
}
