//! mdBook preprocessor plugins from crates.io run on a fixture book
//! (`tests/fixtures/books/plugins/`): mdbook-admonish, built for mdBook 0.4's book format,
//! and mdbook-mermaid, built for 0.5's. `scripts/install-deps.sh` installs both into
//! `$KB_PLUGINS_DIR` (default `~/.cache/kb/mdbook-plugins`); this test puts its `bin`
//! first on `PATH`. Without them the test fails in CI (`CI` set) and is skipped, saying
//! why, elsewhere.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

use crate::linkcheck::broken_links;
use crate::run::Run;
use crate::site::TestSite;

/// The folder the plugins are installed in, as scripts/install-deps.sh chooses it.
fn plugins_bin() -> PathBuf {
    let dir = std::env::var_os("KB_PLUGINS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(".cache/kb/mdbook-plugins")
        });
    dir.join("bin")
}

/// `PATH` with the plugins' folder first; `None` (after saying why) when a plugin is
/// missing outside CI.
fn path_with_plugins() -> Option<OsString> {
    let bin = plugins_bin();
    let missing: Vec<&str> = ["mdbook-admonish", "mdbook-mermaid"]
        .into_iter()
        .filter(|name| !bin.join(name).is_file())
        .collect();
    if !missing.is_empty() {
        let why = format!(
            "{} not installed in {}: run scripts/install-deps.sh",
            missing.join(" and "),
            bin.display()
        );
        assert!(std::env::var_os("CI").is_none(), "{why}");
        eprintln!("skipped: {why}");
        return None;
    }
    let mut paths = vec![bin];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    Some(std::env::join_paths(paths).expect("a PATH"))
}

#[test]
fn real_plugins_from_crates_io_render_their_blocks() {
    let Some(path) = path_with_plugins() else {
        return;
    };
    let site = TestSite::fixture("books/plugins");
    // What a user does after `cargo install`: each plugin's `install` adds its assets
    // (admonish's stylesheet, mermaid's scripts) and their book.toml keys.
    for plugin in ["mdbook-admonish", "mdbook-mermaid"] {
        let status = Command::new(plugins_bin().join(plugin))
            .arg("install")
            .current_dir(site.root())
            .env("PATH", &path)
            .status()
            .expect("run the plugin's install");
        assert!(status.success(), "{plugin} install failed");
    }
    let run = Run::with_env(
        site.root(),
        &["build"],
        &[("PATH", path.to_str().expect("a UTF-8 PATH"))],
    )
    .success();
    assert!(run.diagnostics().is_empty(), "{}", run.stderr_text());
    // admonish (0.4 format) turned its fences into admonitions...
    let notes = site.read("book/notes.html");
    assert!(notes.contains("admonition admonish-warning"), "{notes}");
    assert!(notes.contains("Data loss"), "{notes}");
    assert!(!notes.contains("```admonish"), "{notes}");
    // ... and its stylesheet, added by `mdbook-admonish install`, is linked and copied.
    assert!(notes.contains("mdbook-admonish.css"), "{notes}");
    assert!(site.path("book/mdbook-admonish.css").is_file());
    // mermaid (0.5 format) turned its fence into a diagram element with its scripts.
    let diagrams = site.read("book/diagrams.html");
    assert!(diagrams.contains(r#"<pre class="mermaid">"#), "{diagrams}");
    assert!(diagrams.contains("mermaid-init.js"), "{diagrams}");
    assert!(
        broken_links(&site.path("book")).is_empty(),
        "{:#?}",
        broken_links(&site.path("book"))
    );
}

#[test]
fn a_missing_required_plugin_names_its_table() {
    let site = TestSite::fixture("books/plugins");
    site.write(
        "book.toml",
        "[book]\ntitle = \"Plugins\"\n\n[preprocessor.not-installed-anywhere]\n",
    );
    site.kb(&["build"]).failure().stderr_has(
        "book.toml:4:1: error: the `not-installed-anywhere` preprocessor cannot be started: `mdbook-not-installed-anywhere`",
    );
}

/// Untrusted, a book's plugins are not started (not even asked `supports`): each is one
/// warning at its table, and the book builds with its Markdown as written.
#[test]
fn untrusted_mode_runs_no_plugin_and_warns_once_for_each() {
    let site = TestSite::fixture("books/plugins");
    site.write(
        "book.toml",
        "[book]\ntitle = \"Plugins\"\n\n[preprocessor.not-installed-anywhere]\n\n[preprocessor.mermaid]\ncommand = \"sh -c 'touch ran; exit 1'\"\n",
    );
    let run = site.kb(&["--untrusted", "build"]).success();
    let warnings: Vec<String> = run
        .diagnostics()
        .into_iter()
        .filter(|d| d.contains("preprocessor was not run: untrusted mode"))
        .collect();
    assert_eq!(
        warnings,
        [
            "book.toml:4:1: warning: the `not-installed-anywhere` preprocessor was not run: untrusted mode runs no program the book names",
            "book.toml:6:1: warning: the `mermaid` preprocessor was not run: untrusted mode runs no program the book names",
        ],
        "{}",
        run.stderr_text()
    );
    assert!(!site.path("ran").exists(), "a plugin ran");
    assert!(site.read("book/notes.html").contains("admonish"));
}
