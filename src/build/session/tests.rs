//! What an apply reports as changed: the paths `kb serve` turns into a stylesheet swap or
//! a reload.

use std::path::{Path, PathBuf};

use super::fixture::copy_fixture;
use super::{Mode, Outcome, Session};
use crate::build::changes::{self, Layout};
use crate::build::output::MemorySink;
use crate::build::BuildOptions;
use crate::config::Settings;
use crate::diagnostics::Diagnostics;

/// The `basic` fixture with a theme of its own whose stylesheet the tests edit, and an
/// incremental session that has built it once.
struct Served {
    _dir: tempfile::TempDir,
    root: PathBuf,
    session: Session,
    sink: MemorySink,
}

impl Served {
    fn new() -> Served {
        let (dir, root) = copy_fixture("basic");
        let config = root.join("book.toml");
        let text = std::fs::read_to_string(&config).expect("book.toml");
        std::fs::write(&config, format!("{text}\n[kb]\ntheme = \"mine\"\n")).expect("write");
        std::fs::create_dir_all(root.join("themes/mine/static")).expect("mkdir");
        std::fs::write(
            root.join("themes/mine/static/style.css"),
            "body { color: red; }\n",
        )
        .expect("write");
        let settings = Settings::load(&root).expect("fixture loads");
        let mut session = Session::new(&root, settings, BuildOptions::default(), Mode::Incremental);
        let sink = MemorySink::default();
        let first = session.apply(changes::Plan::default(), &sink);
        assert!(first.is_ok_and(|o| o.changed_files > 0));
        Served {
            _dir: dir,
            root,
            session,
            sink,
        }
    }

    /// Writes `text` at `rel` (from the site root) and applies the change, which must build.
    fn edit(&mut self, edits: &[(&str, &str)]) -> Outcome {
        match self.try_edit(edits) {
            Ok(outcome) => outcome,
            Err(d) => panic!("the edit does not build:\n{}", d.render(false)),
        }
    }

    /// Writes `text` at `rel` (from the site root) and applies the change.
    fn try_edit(&mut self, edits: &[(&str, &str)]) -> Result<Outcome, Diagnostics> {
        let paths: Vec<PathBuf> = edits
            .iter()
            .map(|(rel, text)| {
                let path = self.root.join(rel);
                std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
                std::fs::write(&path, text).expect("write");
                path
            })
            .collect();
        let layout = Layout::of(self.session.settings());
        let plan = changes::plan(&layout, paths.iter().map(PathBuf::as_path));
        self.session.apply(plan, &self.sink)
    }
}

#[test]
fn a_stylesheet_edit_changes_only_stylesheets() {
    let mut served = Served::new();
    let outcome = served.edit(&[("themes/mine/static/style.css", "body { color: blue; }\n")]);
    let changed = &outcome.changed;
    let renamed = changed
        .stylesheet
        .clone()
        .expect("the stylesheet was renamed");
    assert_ne!(renamed.from, renamed.to);
    assert_eq!(changed.removed, std::slice::from_ref(&renamed.from));
    assert!(changed.written.contains(&renamed.to));
    // Every page links to the stylesheet by its hashed name, so every page was written,
    // and each differs from before only by that name.
    let html: Vec<&String> = changed
        .written
        .iter()
        .filter(|p| p.ends_with(".html"))
        .collect();
    assert!(!html.is_empty());
    assert!(
        html.iter().all(|p| changed.restyled.contains(*p)),
        "{changed:?}"
    );
    assert!(changed.only_stylesheets());
    assert_eq!(outcome.changed_files, changed.len());
}

#[test]
fn a_page_edit_changes_its_page() {
    let mut served = Served::new();
    let page = Path::new("content/alpha/one.md");
    let text = std::fs::read_to_string(served.root.join(page)).expect("page");
    let outcome = served.edit(&[(
        "content/alpha/one.md",
        &text.replace(
            "Call `db.SetMaxOpenConns`",
            "Zanzibar. Call `db.SetMaxOpenConns`",
        ),
    )]);
    let changed = &outcome.changed;
    // The page, its Markdown twin and the twin's script (for copying from file://), and
    // llms-full.txt, which holds every twin.
    assert_eq!(
        changed.written,
        [
            "alpha/one/index.html",
            "llms-full.txt",
            "alpha/one/index.md.js",
            "alpha/one/index.md"
        ]
    );
    assert!(changed.removed.is_empty() && changed.restyled.is_empty());
    assert_eq!(changed.stylesheet, None);
    assert!(!changed.only_stylesheets());
}

#[test]
fn a_stylesheet_and_template_edit_is_not_only_stylesheets() {
    let mut served = Served::new();
    let template = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/page.html"),
    )
    .expect("default template");
    let outcome = served.edit(&[
        ("themes/mine/static/style.css", "body { color: green; }\n"),
        (
            "themes/mine/templates/page.html",
            &template.replacen("{% block main %}", "{% block main %}<!-- marker -->", 1),
        ),
    ]);
    let changed = &outcome.changed;
    assert!(changed.stylesheet.is_some());
    let marked: Vec<&String> = changed
        .written
        .iter()
        .filter(|p| p.ends_with(".html") && !changed.restyled.contains(*p))
        .collect();
    assert!(!marked.is_empty(), "{changed:?}");
    assert!(!changed.only_stylesheets());
    // Pages the edited template does not draw only changed stylesheet.
    assert!(changed.restyled.contains("404.html"), "{changed:?}");
}

/// Whether `diagnostics` say that `alpha/one.md` links to an anchor `two.md` lacks.
fn the_anchor_is_broken(diagnostics: &Diagnostics) -> bool {
    diagnostics
        .iter()
        .any(|d| d.file.ends_with("alpha/one.md") && d.message.contains("in-go"))
}

#[test]
fn a_body_edit_checks_again_the_anchors_linked_into_it() {
    let mut served = Served::new();
    let two = std::fs::read_to_string(served.root.join("content/beta/two.md")).expect("page");
    let one = std::fs::read_to_string(served.root.join("content/alpha/one.md")).expect("page");
    // `one.md` links to `two.md#in-go`: renaming the heading's anchor breaks the link...
    let renamed = two.replace("{#in-go}", "{#in-rust}");
    assert_ne!(renamed, two);
    let broken = served.try_edit(&[("content/beta/two.md", &renamed)]);
    assert!(
        broken.as_ref().is_err_and(the_anchor_is_broken),
        "{broken:?}"
    );
    // ...and naming it back mends it.
    let outcome = served.edit(&[("content/beta/two.md", &two)]);
    assert!(
        !the_anchor_is_broken(&outcome.warnings),
        "{:?}",
        outcome.warnings
    );
    // Once `one.md` no longer links there (a body edit of its own), renaming the anchor
    // breaks nothing: the session forgot the link it had.
    let unlinked = one.replace("(../beta/two.md#in-go)", "(../beta/two.md)");
    assert_ne!(unlinked, one);
    served.edit(&[("content/alpha/one.md", &unlinked)]);
    let outcome = served.edit(&[("content/beta/two.md", &renamed)]);
    assert!(
        !the_anchor_is_broken(&outcome.warnings),
        "{:?}",
        outcome.warnings
    );
    // Linking again (with the anchor back) is seen by the next edit of `two.md`.
    served.edit(&[("content/beta/two.md", &two)]);
    served.edit(&[("content/alpha/one.md", &one)]);
    let broken = served.try_edit(&[("content/beta/two.md", &renamed)]);
    assert!(
        broken.as_ref().is_err_and(the_anchor_is_broken),
        "{broken:?}"
    );
    // A link a body edit adds is checked when its target changes.
    served.edit(&[("content/beta/two.md", &two)]);
    let linking = format!("{two}\nSee [pooling](../alpha/one.md#what-to-consider).\n");
    served.edit(&[("content/beta/two.md", &linking)]);
    let reworded = one.replace("## What to consider", "## What to weigh");
    let broken = served.try_edit(&[("content/alpha/one.md", &reworded)]);
    let names_the_link = |d: &Diagnostics| {
        d.iter()
            .any(|d| d.file.ends_with("beta/two.md") && d.message.contains("what-to-consider"))
    };
    assert!(broken.as_ref().is_err_and(names_the_link), "{broken:?}");
}
