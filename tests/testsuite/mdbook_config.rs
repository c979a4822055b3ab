//! A `book.toml` written for mdBook: its keys kb does not use warn once per run (and count
//! for `--deny-warnings`), `MDBOOK_*` variables override it, a path `site-url` is the 404
//! page's base, and a typo is still an error.

use crate::site::TestSite;

/// The `basic` fixture's configuration with mdBook keys kb does not use added.
const MDBOOK_CONFIG: &str = r#"[book]
title = "Fixture Guide"
description = "A small site for kb's tests."
multilingual = false

[rust]
edition = "2021"

[output.html]
site-url = "https://example.org/guide/"
edit-url-template = "https://git.example.org/guide/edit/main/{path}"
curly-quotes = true

[output.html.playground]
editable = true

[output.html.redirect]
"/old/start.html" = "alpha/one/"

[output.linkcheck]
follow-web-links = false

[preprocessor.links]
"#;

/// The four keys kb does not use in [`MDBOOK_CONFIG`], as their warnings start.
const WARNINGS: [&str; 4] = [
    "book.toml:4:1: warning: kb does not use `book.multilingual`; ignored",
    "book.toml:6:2: warning: kb does not use `rust`; ignored",
    "book.toml:14:14: warning: kb does not use `output.html.playground`; ignored",
    "book.toml:20:9: warning: kb does not use `output.linkcheck`; ignored",
];

fn mdbook_site() -> TestSite {
    let site = TestSite::fixture("basic");
    site.write("book.toml", MDBOOK_CONFIG);
    site
}

#[test]
fn mdbook_keys_kb_does_not_use_warn_once_each_and_the_build_succeeds() {
    let site = mdbook_site();
    let stderr = site.build_ok(&[]).stderr_text();
    for warning in WARNINGS {
        assert_eq!(stderr.matches(warning).count(), 1, "{warning}:\n{stderr}");
    }
    // `[preprocessor.links]` is mdBook's include expansion, which kb does itself: silent.
    assert!(!stderr.contains("preprocessor.links"), "{stderr}");
    // Four from book.toml and the fixture's own (an unknown code language).
    assert!(stderr.contains("with 0 errors, 5 warnings"), "{stderr}");
    // Kept keys are honoured alongside.
    assert!(site.read("book/old/start.html").contains("alpha/one/"));
}

#[test]
fn deny_warnings_fails_on_configuration_warnings() {
    let site = mdbook_site();
    site.kb(&["build", "--deny-warnings"])
        .failure()
        .stderr_has(WARNINGS[0]);
    site.kb(&["check", "--deny-warnings"])
        .failure()
        .stderr_has(WARNINGS[1]);
    let json = site
        .kb(&["check", "--format", "json"])
        .success()
        .stdout_text();
    assert!(
        json.contains("kb does not use `output.html.playground`; ignored"),
        "{json}"
    );
}

#[test]
fn mdbook_environment_variables_override_book_toml() {
    let site = TestSite::fixture("basic");
    site.kb_with_env(
        &["build"],
        &[
            ("MDBOOK_BOOK__TITLE", "Title From The Environment"),
            ("MDBOOK_OUTPUT__HTML__SITE_URL", "/from-env/"),
        ],
    )
    .success();
    assert!(site
        .read("book/index.html")
        .contains("<title>Title From The Environment</title>"));
    assert!(site
        .read("book/404.html")
        .contains("<base href=\"/from-env/\">"));
    site.kb_with_env(&["build"], &[("MDBOOK_OUTPUT__HTML__SEARCH__ENABLE", "maybe")])
        .failure()
        .stderr_has("MDBOOK_OUTPUT__HTML__SEARCH__ENABLE: error: invalid type: string \"maybe\", expected a boolean");
}

#[test]
fn a_path_site_url_is_the_404_page_base_as_in_mdbook() {
    let site = TestSite::fixture("basic");
    site.write(
        "book.toml",
        "[book]\ntitle = \"Fixture Guide\"\n\n[output.html]\nsite-url = \"/guide/\"\n",
    );
    site.build_ok(&[]);
    assert!(site
        .read("book/404.html")
        .contains("<base href=\"/guide/\">"));
    // No address: no sitemap, as without site-url.
    assert!(!site.path("book/sitemap.xml").exists());
}

#[test]
fn a_key_of_neither_kb_nor_mdbook_is_still_an_error() {
    let site = TestSite::fixture("basic");
    site.write(
        "book.toml",
        "[book]\ntitle = \"T\"\n\n[output.html]\nsmart-punctuaton = true\n",
    );
    site.kb(&["build"])
        .failure()
        .stderr_has("book.toml:5:1: error: unknown field `smart-punctuaton`");
}

#[test]
fn kb_serve_shows_configuration_warnings_once_not_per_rebuild() {
    let site = mdbook_site();
    let server = site.serve(&[]);
    let (mut socket, _) = server.livereload();
    // A content edit and a book.toml edit each rebuild; neither repeats the warnings.
    let page = site.path("content/alpha/one.md");
    let text = std::fs::read_to_string(&page).unwrap();
    crate::server::atomic_write(&page, &format!("{text}\nZanzibar.\n"));
    socket.expect("reload");
    crate::server::atomic_write(
        &site.path("book.toml"),
        &MDBOOK_CONFIG.replace("Fixture Guide", "Fixture Guide, edited"),
    );
    socket.expect("reload");
    let stderr = server.stderr();
    for warning in WARNINGS {
        assert_eq!(stderr.matches(warning).count(), 1, "{warning}:\n{stderr}");
    }
}
