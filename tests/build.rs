//! `kb build` on fixture sites: the HTML that matters, redirects, sitemap, determinism,
//! and what happens with bad input.

mod common;

use common::{assert_snapshot, main_of, stderr, tree, TestSite};

#[test]
fn basic_site_main_content_matches_snapshots() {
    let site = TestSite::fixture("basic");
    site.build_ok(&[]);
    for (page, snapshot) in [
        ("book/index.html", "basic/home.html"),
        ("book/alpha/index.html", "basic/area.html"),
        ("book/alpha/one/index.html", "basic/article.html"),
        ("book/tags/go/index.html", "basic/tag.html"),
    ] {
        assert_snapshot(snapshot, main_of(&site.read(page)));
    }
}

#[test]
fn links_are_rewritten_to_relative_clean_urls() {
    let site = TestSite::fixture("basic");
    site.build_ok(&[]);
    let html = site.read("book/alpha/one/index.html");
    assert!(
        html.contains(r#"<a href="../../beta/two/#in-go">two</a>"#),
        "cross-page link"
    );
    assert!(
        html.contains(r##"<a href="#in-go">below</a>"##),
        "same-page anchor"
    );
    let home = site.read("book/index.html");
    assert!(
        home.contains(r#"<a href="./alpha/one/">the first page</a>"#),
        "home link"
    );
}

#[test]
fn navigation_toc_and_pager() {
    let site = TestSite::fixture("basic");
    site.build_ok(&[]);
    let html = site.read("book/alpha/one/index.html");
    // Sidebar: the current page is marked, its area is open.
    assert!(html.contains(
        r#"<a href="../../alpha/one/" aria-current="page">Pooling &lt;connections&gt;</a>"#
    ));
    assert!(html.contains("<details open><summary>Alpha Area</summary>"));
    assert!(html.contains("<details><summary>Beta Area</summary>"));
    // Table of contents: h2 and h3, de-duplicated ids.
    assert!(html.contains(r##"<li class="toc-level-2"><a href="#in-go">In Go</a></li>"##));
    assert!(html.contains(r##"<li class="toc-level-3"><a href="#in-go-1">In Go</a></li>"##));
    // Previous and next in reading order.
    assert!(html.contains(r#"<a class="pager-prev" rel="prev" href="../../alpha/">"#));
    assert!(html.contains(r#"<a class="pager-next" rel="next" href="../../beta/">"#));
}

#[test]
fn code_is_highlighted_with_classes_and_attributes() {
    let site = TestSite::fixture("basic");
    let out = site.build_ok(&[]);
    let html = site.read("book/alpha/one/index.html");
    assert!(html.contains("<figcaption>main.go</figcaption>"));
    // Keywords get one light and one dark palette class; the theme's colours are in CSS.
    assert!(
        html.contains(r#"<span class="line"><span class="l8 d9">package </span>"#),
        "{html}"
    );
    assert!(html.contains(r#"<span class="line hl">"#), "hl_lines");
    assert!(!html.contains("style=\"color"), "no inline colours");
    // Unknown language: escaped, unhighlighted, and a warning naming the place.
    assert!(
        html.contains("data-lang=\"klingon\"><code><span class=\"line\">Qapla'\n</span></code>"),
        "{html}"
    );
    assert!(
        stderr(&out)
            .contains("content/alpha/one.md:39:1: warning: unknown code language `klingon`"),
        "{}",
        stderr(&out)
    );
    let css = std::fs::read_dir(site.path("book"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|n| n.starts_with("style.") && n.ends_with(".css"))
        .expect("hashed stylesheet");
    assert!(html.contains(&format!("href=\"../../{css}\"")));
    assert!(site
        .read(&format!("book/{css}"))
        .contains(":root[data-theme=\"dark\"] .d9 { color: #"));
}

#[test]
fn callouts_tables_and_meta() {
    let site = TestSite::fixture("basic");
    site.build_ok(&[]);
    let html = site.read("book/alpha/one/index.html");
    assert!(html.contains(
        r#"<div class="callout callout-warning" role="note"><p class="callout-title">Warning</p>"#
    ));
    assert!(html.contains(r#"<div class="table-wrap""#));
    assert!(html.contains(r#"<link rel="canonical" href="https://example.org/guide/alpha/one/">"#));
    assert!(html.contains(r#"<meta property="og:title" content="Pooling &lt;connections&gt;">"#));
    assert!(html.contains(r#"<meta name="description" content="How to size a connection pool.">"#));
    assert!(html.contains(
        r#"href="https://git.example.org/guide/edit/main/content/alpha/one.md">Edit this page</a>"#
    ));
}

#[test]
fn redirects_sitemap_robots_and_404() {
    let site = TestSite::fixture("basic");
    site.build_ok(&[]);
    let alias = site.read("book/old/pooling/index.html");
    assert!(
        alias.contains(r#"<meta http-equiv="refresh" content="0; url=../../alpha/one/">"#),
        "{alias}"
    );
    let configured = site.read("book/old/start.html");
    assert!(configured.contains(r#"url=../alpha/one/""#), "{configured}");
    let sitemap = site.read("book/sitemap.xml");
    assert!(sitemap
        .contains("<loc>https://example.org/guide/alpha/one/</loc><lastmod>2026-11-01</lastmod>"));
    assert!(sitemap.contains("<loc>https://example.org/guide/</loc>"));
    assert!(site
        .read("book/robots.txt")
        .contains("Sitemap: https://example.org/guide/sitemap.xml"));
    let not_found = site.read("book/404.html");
    assert!(not_found.contains(r#"<base href="/guide/">"#));
}

#[test]
fn two_builds_are_byte_identical() {
    let site = TestSite::fixture("basic");
    site.build_ok(&["--dest", "out1"]);
    site.build_ok(&["--dest", "out2"]);
    let a = tree(&site.path("out1"));
    let b = tree(&site.path("out2"));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path} differs between builds");
    }
}

#[test]
fn drafts_are_left_out_unless_asked() {
    let site = TestSite::fixture("basic");
    site.write(
        "content/beta/draft.md",
        "---\ntitle: Draft\ndescription: Not yet.\ndraft: true\n---\nSoon.\n",
    );
    site.build_ok(&[]);
    assert!(!site.path("book/beta/draft/index.html").exists());
    site.build_ok(&["--drafts"]);
    assert!(site.path("book/beta/draft/index.html").exists());
}

#[test]
fn failed_build_leaves_previous_output_byte_identical() {
    let site = TestSite::fixture("basic");
    site.build_ok(&[]);
    let before = tree(&site.path("book"));
    site.write("content/alpha/one.md", "---\ntitle: [broken\n---\n");
    let out = site.kb(&["build"]);
    assert!(!out.status.success());
    assert_eq!(
        before,
        tree(&site.path("book")),
        "the previous site changed"
    );
    // And no staging folders are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains("kb-staging") || n.contains("kb-old"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn deny_warnings_fails_on_warnings() {
    let site = TestSite::fixture("basic");
    let out = site.kb(&["build", "--deny-warnings"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("unknown code language `klingon`"));
    assert!(!site.path("book").exists(), "nothing is published");
}

#[test]
fn dangerous_destinations_are_refused() {
    let site = TestSite::fixture("basic");
    for dest in [".", "content", "content/out", "/"] {
        let out = site.kb(&["build", "--dest", dest]);
        assert!(!out.status.success(), "{dest} was accepted");
        assert!(
            stderr(&out).contains("refusing to build into"),
            "{dest}: {}",
            stderr(&out)
        );
    }
    assert!(site.path("content/alpha/one.md").exists());
}

/// Each folder under tests/fixtures/bad is a site with one kind of mistake; its
/// `expected.txt` holds the exact diagnostics (without help lines) kb must print.
#[test]
fn bad_input_gives_the_expected_diagnostics() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 8, "bad-input fixtures are missing");
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let out = common::kb(
            &dir,
            &[
                "build",
                "--root",
                &name,
                "--dest",
                &std::env::temp_dir()
                    .join(format!("kb-bad-{name}"))
                    .to_string_lossy(),
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{name}: exit code");
        let printed: Vec<String> = stderr(&out)
            .lines()
            .filter(|l| l.contains(": error: ") || l.contains(": warning: "))
            .map(str::to_string)
            .collect();
        let expected: Vec<String> = std::fs::read_to_string(case.join("expected.txt"))
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        assert_eq!(printed, expected, "{name}");
        assert!(
            stderr(&out).contains("  help: "),
            "{name}: every error says what to do"
        );
    }
}

#[test]
fn summary_md_sets_the_reading_order() {
    let site = TestSite::fixture("basic");
    // Without SUMMARY.md, weights put Alpha first; SUMMARY.md puts Beta first.
    site.write(
        "content/SUMMARY.md",
        "# Summary\n\n[Home](index.md)\n\n- [Beta](beta/_index.md)\n  - [Two](beta/two.md)\n- [Alpha](alpha/_index.md)\n  - [One](alpha/one.md)\n",
    );
    site.build_ok(&[]);
    let html = site.read("book/beta/two/index.html");
    assert!(
        html.contains(r#"<a class="pager-prev" rel="prev" href="../../beta/">"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<a class="pager-next" rel="next" href="../../alpha/">"#),
        "{html}"
    );
    let sidebar = &html[html.find("nav-tree").unwrap()..];
    assert!(sidebar.find("Beta Area").unwrap() < sidebar.find("Alpha Area").unwrap());
    // A SUMMARY entry that does not exist is an error with its position.
    site.write("content/SUMMARY.md", "- [Gone](gone.md)\n");
    let out = site.kb(&["build"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains(
            "content/SUMMARY.md:1:3: error: SUMMARY.md lists `gone.md`, which does not exist"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_site_theme_overrides_files_of_the_default_theme() {
    let site = TestSite::fixture("basic");
    let book = site.read("book.toml");
    site.write("book.toml", &format!("{book}\n[kb]\ntheme = \"mine\"\n"));
    site.write(
        "themes/mine/templates/partials/pager.html",
        "<p class=\"my-pager\">{{ page.next.title | default(value=\"end\") }}</p>\n",
    );
    site.write("themes/mine/static/extra.txt", "mine\n");
    site.build_ok(&[]);
    let html = site.read("book/alpha/one/index.html");
    assert!(
        html.contains("<p class=\"my-pager\">Beta Area</p>"),
        "{html}"
    );
    assert!(
        !html.contains("pager-next"),
        "the default partial is replaced"
    );
    assert!(
        html.contains("<h1>Pooling &lt;connections&gt;</h1>"),
        "other templates stay"
    );
    assert_eq!(site.read("book/extra.txt"), "mine\n");
    // A template error names the theme's file.
    site.write("themes/mine/templates/partials/pager.html", "{% if %}\n");
    let out = site.kb(&["build"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("themes/mine/templates/partials/pager.html"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn additional_css_and_js_are_linked_and_copied() {
    let site = TestSite::fixture("basic");
    let book = site.read("book.toml");
    let book = book.replace(
        "[output.html]\n",
        "[output.html]\nadditional-css = [\"extra/custom.css\"]\nadditional-js = [\"custom.js\"]\n",
    );
    site.write("book.toml", &book);
    site.write("extra/custom.css", "body { color: red }\n");
    site.write("custom.js", "console.log(1);\n");
    site.build_ok(&[]);
    let html = site.read("book/alpha/one/index.html");
    assert!(
        html.contains(r#"<link rel="stylesheet" href="../../extra/custom.css">"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<script src="../../custom.js" defer></script>"#),
        "{html}"
    );
    assert_eq!(site.read("book/extra/custom.css"), "body { color: red }\n");
    assert_eq!(site.read("book/custom.js"), "console.log(1);\n");
    // A listed file that does not exist is an error naming the key.
    std::fs::remove_file(site.path("custom.js")).unwrap();
    let out = site.kb(&["build"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("additional-js lists `custom.js`, which cannot be read"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_index_streamed_while_rendering_equals_the_one_built_afterwards() {
    // `kb build` indexes the sections chunk by chunk as it renders them; `kb search` on a
    // site without an index builds it in one go from the rendered pages. Both must give
    // the same bytes, across many chunks and with an area that has no text at all.
    let site = TestSite::fixture("basic");
    site.write(
        "content/empty/_index.md",
        "---\ntitle: Empty Area\ndescription: Nothing here yet.\n---\n",
    );
    for n in 0..300 {
        let area = ["alpha", "beta"][n % 2];
        site.write(
            &format!("content/{area}/page-{n:03}.md"),
            &format!(
                "---\ntitle: \"Page {n}\"\ndescription: Generated page {n}.\ntags: [go]\n---\n\
                 Intro of page {n} about `context.WithTimeout`.\n\n## Pools {n}\n\n\
                 Connection pools, part {n}.\n\n```go\ndb.SetMaxOpenConns({n})\n```\n\n\
                 ### Limits\n\nMax open conns.\n"
            ),
        );
    }
    site.build_ok(&[]);
    let streamed = std::fs::read(site.path("search-index/index.bin")).expect("index");
    std::fs::remove_dir_all(site.path("search-index")).expect("remove index");
    let out = site.kb(&["search", "pools"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rebuilt = std::fs::read(site.path("search-index/index.bin")).expect("rebuilt index");
    assert!(streamed.len() > 50_000, "{} bytes", streamed.len());
    assert!(streamed == rebuilt, "the two indexes differ");
}
