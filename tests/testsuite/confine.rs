//! Paths from content and configuration stay inside the site (reads) and the output folder
//! (writes); `--dest` never moves the user's files; themes cannot read the environment.
//! Each test drives the real binary on a copy of the `basic` fixture.

use std::path::Path;

use crate::run::Run;
use crate::site::{copy_dir, files_under, TestSite};

/// Every file below `dir` whose bytes contain `needle`, by path.
fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    files_under(dir)
        .into_iter()
        .filter(|(_, bytes)| String::from_utf8_lossy(bytes).contains(needle))
        .map(|(path, _)| path)
        .collect()
}

/// Names of the entries of `dir` the swap would leave behind (`.notes.txt.kb-old-…`).
fn swap_debris(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".kb-old") || n.contains(".kb-staging"))
        .collect()
}

fn append(site: &TestSite, rel: &str, text: &str) {
    let mut all = site.read(rel);
    all.push_str(text);
    site.write(rel, &all);
}

#[test]
fn alias_climbing_out_of_the_output_is_an_error_and_writes_nothing() {
    let site = TestSite::fixture("basic");
    site.write(
        "content/alpha/moved.md",
        "---\ntitle: Moved\ndescription: A page with a bad alias.\naliases: [\"/../escaped-alias/\"]\n---\n\nText.\n",
    );
    for command in ["check", "build"] {
        let out = site.kb(&[command]);
        let err = out.stderr_text();
        assert_eq!(out.status_code(), Some(1), "kb {command}:\n{err}");
        assert!(
            err.contains("content/alpha/moved.md:4:12: error: alias `/../escaped-alias/` climbs out of its folder"),
            "kb {command}:\n{err}"
        );
    }
    assert!(
        !site.path("escaped-alias").exists(),
        "a file was written outside the output"
    );
    assert!(
        !site.path("book").exists(),
        "a failed build publishes nothing"
    );
}

#[test]
fn percent_encoded_alias_is_an_error() {
    let site = TestSite::fixture("basic");
    site.write(
        "content/alpha/moved.md",
        "---\ntitle: Moved\ndescription: A page with a bad alias.\naliases: [\"/%2e%2e/%2e%2e/x/\"]\n---\n\nText.\n",
    );
    let out = site.kb(&["build"]);
    let err = out.stderr_text();
    assert_eq!(out.status_code(), Some(1), "{err}");
    assert!(
        err.contains("content/alpha/moved.md:4:12: error: alias"),
        "{err}"
    );
    assert!(err.contains("percent-encoded"), "{err}");
}

#[test]
fn redirect_key_with_dot_dot_is_an_error_and_writes_nothing() {
    let site = TestSite::fixture("basic");
    // book.toml ends with the `[output.html.redirect]` table: this is its line 11.
    append(
        &site,
        "book.toml",
        "\"/../escaped-redirect.html\" = \"alpha/one/\"\n",
    );
    let lines = site.read("book.toml").lines().count();
    assert_eq!(
        lines, 11,
        "the fixture's book.toml changed; fix the expected line"
    );
    for command in ["check", "build"] {
        let out = site.kb(&[command]);
        let err = out.stderr_text();
        assert_eq!(out.status_code(), Some(1), "kb {command}:\n{err}");
        assert!(
            err.contains("book.toml:11:1: error: [output.html.redirect] key `../escaped-redirect.html` climbs out"),
            "kb {command}:\n{err}"
        );
    }
    assert!(!site.path("escaped-redirect.html").exists());
    assert!(!site.path("book").exists());
}

/// A site in `<tmp>/site` with a secret in `<tmp>/secret.css`, beside (outside) the site.
fn site_beside_a_secret() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic"),
        &root,
    );
    std::fs::write(dir.path().join("secret.css"), "/* SECRET-CSS */").unwrap();
    (dir, root)
}

/// Adds `line` to the `[output.html]` table of `root/book.toml`.
fn add_html_key(root: &Path, line: &str) {
    let path = root.join("book.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replacen("[output.html]\n", &format!("[output.html]\n{line}\n"), 1);
    std::fs::write(path, text).unwrap();
}

#[test]
fn additional_css_outside_the_site_is_an_error() {
    let (dir, root) = site_beside_a_secret();
    let secret = dir.path().join("secret.css");
    for (value, why) in [
        ("../secret.css".to_string(), "climbs out of its folder"),
        (secret.to_string_lossy().into_owned(), "is an absolute path"),
    ] {
        let text = std::fs::read_to_string(dir.path().join("site/book.toml")).unwrap();
        add_html_key(&root, &format!("additional-css = [{value:?}]"));
        for command in ["check", "build"] {
            let out = Run::new(&root, &[command]);
            let err = out.stderr_text();
            assert_eq!(out.status_code(), Some(1), "{value} kb {command}:\n{err}");
            // `[output.html]` is line 5, so the inserted key is line 6; the value at column 19.
            assert!(
                err.contains("book.toml:6:19: error: additional-css lists") && err.contains(why),
                "{value} kb {command}:\n{err}"
            );
        }
        assert!(
            files_containing(&root, "SECRET-CSS").is_empty(),
            "{value}: the secret was copied into the site"
        );
        std::fs::write(root.join("book.toml"), text).unwrap();
    }
}

#[cfg(unix)]
#[test]
fn additional_css_symlink_out_of_the_site_is_an_error() {
    let (dir, root) = site_beside_a_secret();
    std::os::unix::fs::symlink(dir.path().join("secret.css"), root.join("theme.css")).unwrap();
    add_html_key(&root, "additional-css = [\"theme.css\"]");
    let out = Run::new(&root, &["build"]);
    let err = out.stderr_text();
    assert_eq!(out.status_code(), Some(1), "{err}");
    assert!(
        err.contains("book.toml:6:19: error: additional-css lists `theme.css`, which is a symlink that leads outside its folder"),
        "{err}"
    );
    assert!(files_containing(&root, "SECRET-CSS").is_empty());
}

#[test]
fn dest_that_is_an_existing_file_is_refused_and_left_alone() {
    let site = TestSite::fixture("basic");
    site.write("notes.txt", "my notes\n");
    let out = site.kb(&["build", "--dest", "notes.txt"]);
    let err = out.stderr_text();
    assert_eq!(out.status_code(), Some(1), "{err}");
    assert!(err.contains("it is an existing file"), "{err}");
    assert_eq!(site.read("notes.txt"), "my notes\n");
    assert_eq!(swap_debris(site.root()), Vec::<String>::new());
}

#[test]
fn dest_that_is_a_foreign_folder_is_refused_and_left_alone() {
    let site = TestSite::fixture("basic");
    site.write("thesis/chapter1.tex", "\\chapter{One}\n");
    let out = site.kb(&["build", "--dest", "thesis"]);
    let err = out.stderr_text();
    assert_eq!(out.status_code(), Some(1), "{err}");
    assert!(err.contains("is not a kb output folder"), "{err}");
    assert!(
        err.contains("--dest") && err.contains(".kb-output"),
        "{err}"
    );
    assert_eq!(site.read("thesis/chapter1.tex"), "\\chapter{One}\n");
    assert_eq!(swap_debris(site.root()), Vec::<String>::new());
}

#[test]
fn kb_outputs_are_rebuilt_marked_or_from_before_the_marker() {
    let site = TestSite::fixture("basic");
    site.build_ok(&["--dest", "out"]);
    assert!(site.path("out/.kb-output").is_file());
    site.build_ok(&["--dest", "out"]);
    // A site built before kb wrote the marker is still recognised.
    std::fs::remove_file(site.path("out/.kb-output")).unwrap();
    site.build_ok(&["--dest", "out"]);
    assert!(site.path("out/.kb-output").is_file());
    // The default destination too.
    site.build_ok(&[]);
    site.build_ok(&[]);
}

#[test]
fn theme_reading_the_environment_fails() {
    let site = TestSite::fixture("basic");
    append(&site, "book.toml", "\n[kb]\ntheme = \"leaky\"\n");
    site.write(
        "themes/leaky/templates/page.html",
        "<html><body>{{ page.content | safe }}\n<p>{{ get_env(name=\"KB_CONFINE_SECRET\") }}</p></body></html>\n",
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kb"))
        .arg("build")
        .current_dir(site.root())
        .env("NO_COLOR", "1")
        .env("KB_CONFINE_SECRET", "hunter2-secret")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("themes/leaky/templates/page.html:2:7: error: the template calls `get_env`"),
        "{err}"
    );
    assert!(files_containing(site.root(), "hunter2-secret").is_empty());
}
