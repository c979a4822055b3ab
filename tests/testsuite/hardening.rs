//! Content nobody vouched for: raw HTML in each `raw-html` mode (with XSS payloads in the
//! style of OWASP's cheat sheet, `tests/fixtures/hostile_html/payloads.txt`), files that are
//! not UTF-8 or named in bytes that are not, and the edit link of a site named by an absolute `--root`.

use crate::site::{fixture_path, TestSite};

/// The `basic` fixture with a page of every payload, as a block and inline, and
/// `raw-html` set to `mode` (none: the default).
fn hostile_site(mode: Option<&str>) -> TestSite {
    let site = TestSite::fixture("basic");
    let payloads = std::fs::read_to_string(fixture_path("hostile_html/payloads.txt")).unwrap();
    let mut page = String::from("---\ntitle: Hostile\ndescription: Raw HTML from a stranger.\n---\n\n<details>\n<summary>More</summary>\n\n*inside*\n\n</details>\n\n");
    for payload in payloads.lines().filter(|l| !l.is_empty()) {
        page.push_str(&format!("{payload}\n\ntext {payload} inline\n\n"));
    }
    site.write("content/alpha/hostile.md", &page);
    // `<img src=x>` is a link the check follows: give it its file.
    site.write("content/alpha/x", "");
    if let Some(mode) = mode {
        let config = site.read("book.toml").replace(
            "[output.html]\n",
            &format!("[output.html]\nraw-html = \"{mode}\"\n"),
        );
        site.write("book.toml", &config);
    }
    site
}

/// The hostile page's `<main>`, lower case.
fn hostile_main(site: &TestSite) -> String {
    site.part("book/alpha/hostile/index.html", "<main")
        .to_ascii_lowercase()
}

/// What must not be left of the payloads once sanitized, lower case.
fn runs_code() -> Vec<String> {
    std::fs::read_to_string(fixture_path("hostile_html/runs_code.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Panics when `main` has anything of [`runs_code`].
fn assert_runs_nothing(main: &str) {
    for bad in runs_code() {
        assert!(!main.contains(&bad), "{bad} in {main}");
    }
}

#[test]
fn raw_html_sanitized_keeps_details_and_runs_nothing() {
    let site = hostile_site(Some("sanitize"));
    site.build_ok(&[]);
    let main = hostile_main(&site);
    assert!(
        main.contains("<details>\n<summary>more</summary>\n<p><em>inside</em></p>\n</details>"),
        "{main}"
    );
    assert_runs_nothing(&main);
}

#[test]
fn untrusted_mode_sanitizes_raw_html_by_default() {
    let site = hostile_site(None);
    site.build_ok(&["--untrusted"]);
    let main = hostile_main(&site);
    assert!(main.contains("<details>"), "{main}");
    assert_runs_nothing(&main);
    // Trusted, the default is mdBook's: raw HTML as written.
    site.build_ok(&[]);
    assert!(hostile_main(&site).contains("onerror=alert(1)"));
}

#[test]
fn raw_html_escaped_is_shown_as_text_even_untrusted() {
    let site = hostile_site(Some("escape"));
    site.build_ok(&["--untrusted"]);
    let main = hostile_main(&site);
    assert!(
        main.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{main}"
    );
    for bad in [
        "<script",
        "<img",
        "<iframe",
        "<details",
        "<svg",
        "<a href=\"javascript",
    ] {
        assert!(!main.contains(bad), "{bad} in {main}");
    }
}

#[test]
fn an_unknown_raw_html_mode_is_an_error_at_its_key() {
    hostile_site(Some("strip"))
        .kb(&["build"])
        .failure()
        .stderr_has("book.toml:6:1: error: unknown raw-html mode `strip`");
}

#[test]
fn a_page_that_is_not_utf8_is_an_error_at_the_first_bad_byte() {
    let site = TestSite::fixture("basic");
    let mut bytes = site.read("content/beta/two.md").into_bytes();
    let at = bytes.len() - 1;
    bytes.splice(at..at, b"caf\xE9 ".iter().copied());
    std::fs::write(site.path("content/beta/two.md"), &bytes).unwrap();
    let line = bytes.iter().filter(|&&b| b == b'\n').count();
    let column = String::from_utf8_lossy(&bytes[..at])
        .rsplit('\n')
        .next()
        .unwrap()
        .chars()
        .count()
        + 4;
    site.kb(&["build"]).failure().stderr_has(&format!(
        "content/beta/two.md:{line}:{column}: error: cannot read the page: the file is not UTF-8 text: byte 0xE9"
    ));
}

#[test]
fn a_utf8_bom_is_accepted_and_a_nul_byte_is_not() {
    let site = TestSite::fixture("basic");
    let page = site.read("content/beta/two.md");
    std::fs::write(site.path("content/beta/two.md"), format!("\u{feff}{page}")).unwrap();
    std::fs::write(
        site.path("book.toml"),
        format!("\u{feff}{}", site.read("book.toml")),
    )
    .unwrap();
    site.build_ok(&[]);
    site.write("content/tags.txt", "go\nx\0y\n");
    site.kb(&["check"]).failure().stderr_has(
        "content/tags.txt:2:2: error: cannot read the tag vocabulary: the file has a NUL byte",
    );
}

/// A file or folder name that is not UTF-8 (Latin-1 `café.md`, `dür/`) is an error that
/// names it byte for byte and says what to do, not "No such file or directory"; the rest
/// of the site is still read.
#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_is_named_as_it_is_with_what_to_do() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let site = TestSite::empty();
    site.write("book.toml", "[book]\ntitle = \"P\"\n");
    site.write("index.md", "# P\n\nSee [b](b.md).\n");
    site.write("b.md", "# B\n");
    std::fs::write(
        site.root().join(OsStr::from_bytes(b"caf\xE9.md")),
        "# Caf\n",
    )
    .unwrap();
    let folder = site.root().join(OsStr::from_bytes(b"d\xFCr"));
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("in.md"), "# In\n").unwrap();
    // Hidden files are never content, whatever their name.
    std::fs::write(site.root().join(OsStr::from_bytes(b".sw\xE9p")), "x").unwrap();
    let run = site.kb(&["build"]).failure();
    assert_eq!(
        run.diagnostics(),
        [
            "caf\\xE9.md: error: this file's name is not UTF-8, so it cannot have a URL; it is left out",
            "d\\xFCr: error: this folder's name is not UTF-8, so nothing in it can have a URL; it is left out",
        ],
        "{}",
        run.stderr_text()
    );
    let stderr = run.stderr_text();
    assert!(stderr.contains("convmv -f latin1 -t utf-8"), "{stderr}");
    assert!(!stderr.contains("No such file"), "{stderr}");
}

/// A plain folder is its own content folder: its pages' paths in messages have no `./`
/// inside (`/site/./a/one.md`).
#[test]
fn paths_in_messages_have_no_dot_segment() {
    let site = TestSite::empty();
    site.write("book.toml", "[book]\ntitle = \"P\"\n");
    site.write("index.md", "# P\n");
    site.write("a/one.md", "# One\n\nSee [gone](gone.md).\n");
    let root = site.root().to_str().unwrap().to_string();
    let run = crate::run::Run::new(&std::env::temp_dir(), &["build", "--root", &root]).failure();
    let stderr = run.stderr_text();
    assert!(
        stderr.contains(&format!("{root}/a/one.md:3:5: error")),
        "{stderr}"
    );
    assert!(!stderr.contains("/./"), "{stderr}");
}

#[test]
fn the_edit_link_of_an_absolute_root_is_relative_to_the_site_root() {
    let site = TestSite::fixture("basic");
    let root = site.root().to_str().unwrap().to_string();
    crate::run::Run::new(&std::env::temp_dir(), &["build", "--root", &root]).success();
    let page = site.read("book/alpha/one/index.html");
    assert!(
        page.contains("https://git.example.org/guide/edit/main/content/alpha/one.md"),
        "{page}"
    );
    assert!(!page.contains(&root), "the root path leaks into the page");
}

/// A site whose home page has `body` after its title, built with `args`; the run.
fn build_page(body: &str, args: &[&str]) -> (TestSite, crate::run::Run) {
    let site = TestSite::empty();
    site.write("book.toml", "[book]\ntitle = \"P\"\n");
    site.write("index.md", &format!("# P\n\n{body}"));
    let mut all = vec!["build"];
    all.extend_from_slice(args);
    let run = site.kb(&all);
    (site, run)
}

#[test]
fn toml_block_100k_deep_builds_plain_and_fails_kb_check() {
    let block = format!("```toml\na = {}\n```\n", "[".repeat(100_000));
    let (site, run) = build_page(&block, &[]);
    run.success().stderr_has(
        "index.md:3:1: warning: this code block nests brackets more than 256 deep (max-nesting); it is shown without highlighting",
    );
    site.kb(&["check"])
        .failure()
        .stderr_has("index.md:4:261: error: this toml block nests brackets more than 256 deep");
}

#[test]
fn json_block_of_100k_brackets_builds_plain() {
    let (_, run) = build_page(&format!("```json\n{}\n```\n", "[".repeat(100_000)), &[]);
    run.success().stderr_has("it is shown without highlighting");
}

#[test]
fn front_matter_50k_deep_is_an_error_at_its_place() {
    let site = TestSite::empty();
    site.write("book.toml", "[book]\ntitle = \"P\"\n");
    site.write(
        "index.md",
        &format!("---\nx: {}\n---\n# P\n", "{a: ".repeat(50_000)),
    );
    site.kb(&["build"])
        .failure()
        .stderr_has("index.md:2:1028: error: the front matter nests brackets more than 256 deep");
}

#[test]
fn go_raw_string_full_of_braces_builds_plain() {
    let block = format!(
        "```go\npackage main\n\nvar s = `{}`\n```\n",
        "{".repeat(60_000)
    );
    let (_, run) = build_page(&block, &[]);
    run.success()
        .stderr_has("index.md:3:1: warning: this code block nests brackets more than 256 deep");
}

#[test]
fn go_block_of_10_mb_builds_plain_and_a_page_over_the_limit_is_refused() {
    let block = format!(
        "```go\npackage main\n\n{}```\n",
        "func f() { x := 1; _ = x }\n".repeat(400_000)
    );
    let (site, run) = build_page(&block, &[]);
    run.success().stderr_has(
        "warning: this code block has 10800014 bytes, more than max-code-block-bytes (1048576)",
    );
    site.write(
        "book.toml",
        "[book]\ntitle = \"P\"\n\n[kb]\nmax-page-bytes = 1000000\n",
    );
    site.kb(&["build"])
        .failure()
        .stderr_has("index.md: error: the page has 10800029 bytes, more than the limit of 1000000 (max-page-bytes)");
}

#[test]
fn a_listed_page_over_the_limit_is_refused_not_called_missing() {
    let site = TestSite::empty();
    site.write(
        "book.toml",
        "[book]\ntitle = \"P\"\n\n[kb]\nlayout = \"mdbook\"\nmax-page-bytes = 1000\n",
    );
    site.write(
        "src/SUMMARY.md",
        "# Summary\n\n- [Intro](README.md)\n- [Big](big.md)\n",
    );
    site.write("src/README.md", "# Intro\n");
    site.write("src/big.md", &format!("# Big\n\n{}\n", "word ".repeat(400)));
    let run = site.kb(&["build"]).failure().stderr_has(
        "big.md: error: the page has 2008 bytes, more than the limit of 1000 (max-page-bytes)",
    );
    let stderr = run.stderr_text();
    assert!(!stderr.contains("does not exist"), "{stderr}");
}

#[test]
fn markdown_nested_100k_deep_is_an_error_not_a_stack_overflow() {
    for body in [
        ">".repeat(100_000) + " deep\n",
        "- ".repeat(100_000) + "x\n",
    ] {
        let (_, run) = build_page(&body, &[]);
        run.failure()
            .stderr_has("index.md:3:")
            .stderr_has("nest more than 256 deep here");
    }
}

#[test]
fn book_toml_nested_100k_deep_is_an_error() {
    let site = TestSite::empty();
    site.write(
        "book.toml",
        &format!("[book]\ntitle = \"P\"\nx = {}\n", "[".repeat(100_000)),
    );
    site.write("index.md", "# P\n");
    site.kb(&["build"])
        .failure()
        .stderr_has("book.toml:3:261: error: the configuration nests brackets more than 256 deep");
}
