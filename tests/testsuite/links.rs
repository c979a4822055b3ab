//! Links as books write them (`tests/fixtures/links`): `.html` links between pages,
//! anchors that raw HTML defines, links that leave the book, relative URLs in raw HTML
//! on pages at any folder depth, and code fences inside block quotes and list items.
//! Every `href` and `src` in the pages' `<main>` must reach a written file and anchor.

use std::collections::{BTreeMap, BTreeSet};

use crate::site::{built_files, Files, TestSite};

/// Every URL attribute and every id of one HTML document.
#[derive(Default)]
struct Scan {
    urls: Vec<String>,
    ids: BTreeSet<String>,
}

fn scan(html: &str) -> Scan {
    let mut scan = Scan::default();
    {
        let scan = &mut scan;
        let settings = lol_html::RewriteStrSettings::new()
            .append_element_content_handler(lol_html::element!("*", move |el| {
                for name in ["href", "src"] {
                    if let Some(url) = el.get_attribute(name) {
                        scan.urls.push(url);
                    }
                }
                if let Some(id) = el.get_attribute("id") {
                    scan.ids.insert(id);
                }
                if el.tag_name() == "a" {
                    if let Some(name) = el.get_attribute("name") {
                        scan.ids.insert(name);
                    }
                }
                Ok(())
            }))
            .with_strict(false);
        lol_html::rewrite_str(html, settings).expect("HTML the test can read");
    }
    scan
}

/// Joins a relative `url` onto the folder of the output file `page`; `None` when it
/// climbs out of the output folder.
fn join(page: &str, url: &str) -> Option<String> {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for part in url.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    let mut path = parts.join("/");
    if url.ends_with('/') || path.is_empty() {
        path = format!("{path}/index.html")
            .trim_start_matches('/')
            .to_string();
    }
    Some(path)
}

/// Checks every relative URL in the `<main>` of every page of `files`: the file it names
/// was written and, with a `#fragment`, has that id. Returns the URLs that leave the
/// output, by page, for the test to compare with what it expects.
fn check_links(files: &Files) -> BTreeMap<String, Vec<String>> {
    let pages: BTreeMap<&str, String> = files
        .iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .map(|(path, bytes)| (path.as_str(), String::from_utf8_lossy(bytes).into_owned()))
        .collect();
    let mut outside = BTreeMap::new();
    for (page, html) in &pages {
        if !html.contains("<main") {
            continue;
        }
        let main = crate::snapshot::element(html, "<main");
        for url in scan(main).urls {
            if url.contains(':') || url.starts_with('/') {
                continue;
            }
            let (path, fragment) = url.split_once('#').unwrap_or((&url, ""));
            let target = if path.is_empty() {
                Some(page.to_string())
            } else {
                join(page, path)
            };
            let Some(target) = target else {
                outside
                    .entry(page.to_string())
                    .or_insert_with(Vec::new)
                    .push(url.clone());
                continue;
            };
            assert!(
                files.contains_key(&target),
                "{page}: `{url}` names {target}, which was not written"
            );
            if !fragment.is_empty() {
                let html = pages
                    .get(target.as_str())
                    .unwrap_or_else(|| panic!("{page}: `{url}` has an anchor but is no page"));
                assert!(
                    scan(html).ids.contains(fragment),
                    "{page}: `{url}`: {target} has no id `{fragment}`"
                );
            }
        }
    }
    outside
}

#[test]
fn every_link_of_the_links_fixture_resolves() {
    let site = TestSite::fixture("links");
    let files = built_files(site.root()).expect("the links fixture builds");
    let outside = check_links(&files);
    assert_eq!(
        outside,
        BTreeMap::from([(
            "guide/intro/index.html".to_string(),
            vec!["../../../std/index.html".to_string()]
        )]),
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
