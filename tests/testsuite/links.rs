//! Links as books write them (`tests/fixtures/links`): `.html` links between pages,
//! anchors that raw HTML defines, links that leave the book, relative URLs in raw HTML
//! on pages at any folder depth, and code fences inside block quotes and list items.
//! Every `href` and `src` of the output must reach a written file and anchor.

use crate::linkcheck::broken_links;
use crate::site::TestSite;

#[test]
fn every_link_of_the_links_fixture_resolves() {
    let site = TestSite::fixture("links");
    site.build_ok(&[]);
    assert_eq!(
        broken_links(&site.path("book")),
        ["guide/intro/index.html: ../../../std/index.html (climbs out of the site)"],
        "only the link that leaves the book leaves the output"
    );
}

#[test]
fn html_links_between_pages_are_rewritten_to_page_urls() {
    let site = TestSite::fixture("links");
    site.build_ok(&[]);
    let main = site.part("book/guide/intro/index.html", "<main");
    for expected in [
        r#"<a href="../../guide/setup/#install">Install</a>"#,
        r#"<a href="../../guide/setup/#span-id">a span</a>"#,
    ] {
        assert!(main.contains(expected), "{expected} in:\n{main}");
    }
    let home = site.part("book/index.html", "<main");
    assert!(
        home.contains(r#"<a href="./guide/intro/">the introduction</a>"#),
        "{home}"
    );
}

#[test]
fn raw_html_urls_follow_the_page_to_its_output_folder() {
    let site = TestSite::fixture("links");
    site.build_ok(&[]);
    let intro = site.part("book/guide/intro/index.html", "<main");
    assert!(
        intro.contains(r#"<img src="../img/pic.svg" alt="raw picture">"#),
        "{intro}"
    );
    assert!(
        intro.contains(r#"<a href="../img/pic.svg">the file</a>"#),
        "{intro}"
    );
    assert!(
        intro.contains(r##"<a href="../../guide/setup/#legacy">a raw link to a page</a>"##),
        "a raw HTML link to a Markdown file becomes the page's URL: {intro}"
    );
}

#[test]
fn links_are_right_five_folders_deep() {
    let site = TestSite::fixture("links");
    site.build_ok(&[]);
    let deep = site.part("book/guide/a/b/c/d/deep/index.html", "<main");
    let up = "../".repeat(6);
    for expected in [
        format!(r#"<a href="{up}guide/intro/#links">intro</a>"#),
        format!(r#"<a href="{up}guide/setup/#raw-a">setup</a>"#),
        format!(r#"<img src="{up}guide/img/pic.svg" alt="picture""#),
        r#"<img src="../../../../../img/pic.svg" alt="raw picture, deep">"#.to_string(),
    ] {
        assert!(deep.contains(&expected), "{expected} in:\n{deep}");
    }
}

#[test]
fn a_link_that_leaves_the_book_is_a_warning() {
    let site = TestSite::fixture("links");
    let run = site.build_ok(&[]);
    assert_eq!(
        run.diagnostics(),
        ["content/guide/intro.md:11:3: warning: link `../../std/index.html` leaves the book: kb cannot check it"]
    );
    let main = site.part("book/guide/intro/index.html", "<main");
    assert!(
        main.contains(r#"<a href="../../../std/index.html">The standard library</a>"#),
        "kept relative to the source folder, moved to the output folder: {main}"
    );
}

#[test]
fn broken_anchors_are_errors_by_default_and_warnings_when_configured() {
    let site = TestSite::fixture("links");
    site.write(
        "content/guide/broken.md",
        "---\ntitle: Broken\ndescription: A stale anchor.\n---\nSee [setup](setup.html#gone).\n",
    );
    site.kb(&["build"])
        .code(1)
        .stderr_has("content/guide/broken.md:5:5: error: broken anchor `setup.html#gone`");
    site.write(
        "book.toml",
        "[book]\ntitle = \"Links Fixture\"\n\n[kb]\nbroken-anchors = \"warn\"\n",
    );
    site.build_ok(&[])
        .stderr_has("content/guide/broken.md:5:5: warning: broken anchor `setup.html#gone`");
}

#[test]
fn regression_fence_in_blockquote_and_list_items_builds() {
    let site = TestSite::fixture("links");
    site.build_ok(&[]);
    let main = site.part("book/guide/setup/index.html", "<main");
    let quote = crate::snapshot::element(&main, "<blockquote");
    assert!(quote.contains("<figure class=\"code-block\">"), "{quote}");
    assert!(
        main.matches("<figure class=\"code-block\">").count() == 3,
        "three code blocks: {main}"
    );
}

#[test]
fn broken_links_in_raw_html_are_reported_like_markdown_links() {
    let site = TestSite::fixture("links");
    site.write(
        "content/guide/raw.md",
        "---\ntitle: Raw\ndescription: Raw HTML links.\n---\n<p>See <a href=\"setup.md#gone\">setup</a>\nand <a href=\"missing.md\">this</a> <img src=\"img/none.png\" alt=\"\"></p>\n",
    );
    let out = site.kb(&["build"]).code(1);
    for expected in [
        "content/guide/raw.md:5:17: error: broken anchor `setup.md#gone`",
        "content/guide/raw.md:6:14: error:",
        "content/guide/raw.md:6:45: error:",
    ] {
        assert!(
            out.stderr_text().contains(expected),
            "{expected}:\n{}",
            out.stderr_text()
        );
    }
}
