//! What a batch of changed files means for the site: the pure classifier behind
//! `kb serve`'s rebuilds. Paths in, a [`Plan`] out; no file system, no clock, so every rule
//! is tested below without writing a file or sleeping.
//!
//! The plan is deliberately coarse: it only says which inputs changed. Which output files
//! a content change reaches (the page, its neighbours, its area, the tag pages...) is
//! decided later by comparing what each file is rendered from (see `session/`), which is
//! exact where a rule written here could only guess.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::config::{Settings, CONFIG_FILE};

/// The folders and files a site is built from, as absolute paths without symlinks (the
/// form the file watcher reports).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layout {
    pub config: PathBuf,
    pub content: PathBuf,
    /// The site's theme folder, when `[kb] theme` names one.
    pub theme: Option<PathBuf>,
    /// Files outside the content folder that pages include (`{{#include ../x.rs}}`), and
    /// their paths relative to the content folder (`../x.rs`), which is how the session's
    /// dependencies name them.
    pub includes: Vec<(PathBuf, String)>,
    /// The folders `build.extra-watch-dirs` names.
    pub extra: Vec<PathBuf>,
}

impl Layout {
    /// The layout of `settings`, its paths made absolute.
    pub(crate) fn of(settings: &Settings) -> Layout {
        let root = absolute(&settings.root);
        Layout {
            config: root.join(CONFIG_FILE),
            content: absolute(&settings.content_dir),
            theme: settings.theme_dir.as_deref().map(absolute),
            includes: Vec::new(),
            extra: settings
                .extra_watch_dirs
                .iter()
                .map(|d| absolute(d))
                .collect(),
        }
    }

    /// The layout with the included files outside the content folder named by `rels`
    /// (relative to it, as [`crate::build::session::Session::included_outside`] gives them).
    pub(crate) fn with_includes(mut self, rels: Vec<String>) -> Layout {
        self.includes = rels
            .into_iter()
            .map(|rel| (absolute(&self.content.join(&rel)), rel))
            .collect();
        self
    }
}

/// `path` made absolute, with symlinks resolved when it exists.
pub(crate) fn absolute(path: &Path) -> PathBuf {
    path.canonicalize()
        .unwrap_or_else(|_| std::env::current_dir().unwrap_or_default().join(path))
}

/// What one changed path is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ChangeKind {
    /// `book.toml`: everything is rebuilt, settings included.
    Config,
    /// A file of the theme (templates, stylesheet, scripts, images): every page is
    /// rendered again. Whether open tabs can swap stylesheets instead of reloading is
    /// decided from the files that changed, not from here.
    Theme,
    /// A file or folder of the content folder, by path relative to it (`/`-separated).
    Content(String),
    /// A file of a folder `build.extra-watch-dirs` names: what reads it is not known (a
    /// preprocessor, most often), so everything is rebuilt.
    Watched,
    /// Nothing the site is built from (the output folder, editor files outside the site).
    Unrelated,
}

/// Classifies one path reported by the watcher.
pub(crate) fn classify(layout: &Layout, path: &Path) -> ChangeKind {
    if path == layout.config {
        return ChangeKind::Config;
    }
    if let Ok(rel) = path.strip_prefix(&layout.content) {
        let rel = rel.to_string_lossy().replace('\\', "/");
        return if rel.is_empty() {
            // The content folder itself (created, removed, renamed).
            ChangeKind::Content(String::new())
        } else {
            ChangeKind::Content(rel)
        };
    }
    if let Some(theme) = &layout.theme {
        if let Ok(rel) = path.strip_prefix(theme) {
            let rel = rel.to_string_lossy().replace('\\', "/");
            if rel.split('/').any(|part| part.starts_with('.')) {
                return ChangeKind::Unrelated;
            }
            return ChangeKind::Theme;
        }
    }
    // A file a page includes is a change of the content it is part of.
    if let Some((_, rel)) = layout.includes.iter().find(|(file, _)| file == path) {
        return ChangeKind::Content(rel.clone());
    }
    for folder in &layout.extra {
        if let Ok(rel) = path.strip_prefix(folder) {
            let rel = rel.to_string_lossy().replace('\\', "/");
            if !rel.split('/').any(|part| part.starts_with('.')) {
                return ChangeKind::Watched;
            }
        }
    }
    ChangeKind::Unrelated
}

/// What to redo for a batch of changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Reload the configuration and rebuild everything.
    pub everything: bool,
    /// Reload the theme and re-render every page.
    pub theme: bool,
    /// Changed content paths, relative to the content folder (`""` is the folder itself).
    pub content: BTreeSet<String>,
}

impl Plan {
    /// Nothing to do.
    pub(crate) fn is_empty(&self) -> bool {
        !self.everything && !self.theme && self.content.is_empty()
    }

    /// Adds what another batch asks for (a build that failed is retried with both).
    pub(crate) fn merge(&mut self, other: Plan) {
        self.everything |= other.everything;
        self.theme |= other.theme;
        self.content.extend(other.content);
    }
}

/// Turns a batch of changed paths into a plan.
pub(crate) fn plan<'a>(layout: &Layout, paths: impl IntoIterator<Item = &'a Path>) -> Plan {
    let mut plan = Plan::default();
    for path in paths {
        match classify(layout, path) {
            ChangeKind::Config | ChangeKind::Watched => plan.everything = true,
            ChangeKind::Theme => plan.theme = true,
            ChangeKind::Content(rel) => {
                plan.content.insert(rel);
            }
            ChangeKind::Unrelated => {}
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> Layout {
        Layout {
            config: PathBuf::from("/site/book.toml"),
            content: PathBuf::from("/site/content"),
            theme: Some(PathBuf::from("/site/themes/mine")),
            includes: vec![(
                PathBuf::from("/site/listings/main.rs"),
                "../listings/main.rs".to_string(),
            )],
            extra: vec![PathBuf::from("/site/helper/src")],
        }
    }

    fn plan_of(paths: &[&str]) -> Plan {
        let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
        plan(&layout(), paths.iter().map(PathBuf::as_path))
    }

    #[test]
    fn each_kind_of_path() {
        let l = layout();
        let kind = |p: &str| classify(&l, Path::new(p));
        assert_eq!(kind("/site/book.toml"), ChangeKind::Config);
        assert_eq!(
            kind("/site/content/alpha/one.md"),
            ChangeKind::Content("alpha/one.md".into())
        );
        assert_eq!(
            kind("/site/content/img/a.png"),
            ChangeKind::Content("img/a.png".into())
        );
        assert_eq!(kind("/site/content"), ChangeKind::Content(String::new()));
        assert_eq!(
            kind("/site/themes/mine/static/style.css"),
            ChangeKind::Theme
        );
        assert_eq!(
            kind("/site/themes/mine/templates/page.html"),
            ChangeKind::Theme
        );
        assert_eq!(kind("/site/themes/mine/static/site.js"), ChangeKind::Theme);
        assert_eq!(
            kind("/site/themes/mine/templates/.page.html.swp"),
            ChangeKind::Unrelated
        );
        assert_eq!(kind("/site/book/index.html"), ChangeKind::Unrelated);
        assert_eq!(kind("/site/book.toml~"), ChangeKind::Unrelated);
        assert_eq!(
            kind("/site/themes/other/templates/page.html"),
            ChangeKind::Unrelated
        );
        // A folder whose name starts like the content folder's is not inside it.
        assert_eq!(kind("/site/content2/a.md"), ChangeKind::Unrelated);
        // build.extra-watch-dirs: any file below, but editors' hidden files.
        assert_eq!(kind("/site/helper/src/main.rs"), ChangeKind::Watched);
        assert_eq!(kind("/site/helper/src/a/b.txt"), ChangeKind::Watched);
        assert_eq!(kind("/site/helper/src/.main.rs.swp"), ChangeKind::Unrelated);
        assert_eq!(kind("/site/helper/Cargo.toml"), ChangeKind::Unrelated);
        assert!(plan_of(&["/site/helper/src/main.rs"]).everything);
        // An included file outside the content folder is content; its neighbours are not.
        assert_eq!(
            kind("/site/listings/main.rs"),
            ChangeKind::Content("../listings/main.rs".into())
        );
        assert_eq!(kind("/site/listings/other.rs"), ChangeKind::Unrelated);
    }

    #[test]
    fn a_page_edit_is_a_content_change_only() {
        let p = plan_of(&["/site/content/alpha/one.md"]);
        assert!(!p.everything && !p.theme);
        assert_eq!(p.content, BTreeSet::from(["alpha/one.md".to_string()]));
    }

    #[test]
    fn an_atomic_save_names_the_temporary_and_the_page() {
        // Editors write `.one.md.swp` or `one.md~` then rename it over `one.md`: the batch
        // holds every name; the build looks at what exists once the batch is quiet.
        let p = plan_of(&[
            "/site/content/alpha/.one.md.swp",
            "/site/content/alpha/one.md",
            "/site/content/alpha/one.md~",
        ]);
        assert_eq!(p.content.len(), 3);
        assert!(!p.theme && !p.everything);
    }

    #[test]
    fn config_wins() {
        let p = plan_of(&[
            "/site/book.toml",
            "/site/content/a/b.md",
            "/site/themes/mine/static/style.css",
        ]);
        assert!(p.everything && p.theme);
    }

    #[test]
    fn unrelated_paths_plan_nothing() {
        assert!(plan_of(&["/site/book/index.html", "/elsewhere/x.md"]).is_empty());
        assert!(plan_of(&[]).is_empty());
    }

    #[test]
    fn without_a_theme_folder_theme_paths_are_unrelated() {
        let l = Layout {
            theme: None,
            ..layout()
        };
        assert_eq!(
            classify(&l, Path::new("/site/themes/mine/templates/page.html")),
            ChangeKind::Unrelated
        );
    }

    #[test]
    fn merged_plans_keep_every_change() {
        let mut p = plan_of(&["/site/themes/mine/static/style.css"]);
        p.merge(plan_of(&["/site/content/a/b.md"]));
        assert!(p.theme && !p.everything && p.content.contains("a/b.md"));
        let mut empty = Plan::default();
        empty.merge(plan_of(&["/site/content/a/b.md"]));
        assert_eq!(empty, plan_of(&["/site/content/a/b.md"]));
    }
}
