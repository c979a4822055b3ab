//! `kb build` on the `basic` fixture: the HTML that matters (snapshots of `<main>`, the
//! sidebar, the table of contents and `<head>`), links, redirects, sitemap, themes,
//! determinism, and what a failed build leaves behind.

use crate::site::{files_under, TestSite};
use crate::snapshot;

/// Builds the `basic` fixture and compares the `<main>` of `page` with `snapshot`.
#[track_caller]
fn main_matches(page: &str, snapshot: &str) {
    let site = TestSite::fixture("basic");
    site.build_ok(&[]);
    snapshot::assert(snapshot, site.part(page, "<main"));
}

#[test]
fn home_page_main() {
    main_matches("book/index.html", "basic/home.html");
}

#[test]
fn area_page_main() {
    main_matches("book/alpha/index.html", "basic/area.html");
}

#[test]
fn article_main() {
    main_matches("book/alpha/one/index.html", "basic/article.html");
}

#[test]
fn tag_page_main() {
    main_matches("book/tags/go/index.html", "basic/tag.html");
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
    let page = "book/alpha/one/index.html";
    // Sidebar: the current page is marked, its area is open, the other area closed.
    snapshot::assert(
        "basic/article-sidebar.html",
        snapshot::one_tag_a_line(&site.part(page, r#"<nav class="sidebar""#)),
    );
    // Table of contents: h2 and h3, de-duplicated ids.
    snapshot::assert(
        "basic/article-toc.html",
        snapshot::one_tag_a_line(&site.part(page, r#"<aside class="toc""#)),
    );
    // Previous and next in reading order.
    let html = site.read(page);
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
    out.stderr_has("content/alpha/one.md:39:1: warning: unknown code language `klingon`");
    let css = std::fs::read_dir(site.path("book"))
        .expect("book/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
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
    let page = "book/alpha/one/index.html";
    let html = site.read(page);
    assert!(html.contains(
        r#"<div class="callout callout-warning" role="note"><p class="callout-title">Warning</p>"#
    ));
    assert!(html.contains(r#"<div class="table-wrap""#));
    assert!(html.contains(
        r#"href="https://git.example.org/guide/edit/main/content/alpha/one.md">Edit this page</a>"#
    ));
    // Canonical URL, description and social cards (asset names are hashed: `[..]`).
    snapshot::assert("basic/article-head.html", site.part(page, "<head"));
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
    let a = files_under(&site.path("out1"));
    let b = files_under(&site.path("out2"));
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
    let before = files_under(&site.path("book"));
    site.write("content/alpha/one.md", "---\ntitle: [broken\n---\n");
    site.kb(&["build"]).failure();
    assert_eq!(
        before,
        files_under(&site.path("book")),
        "the previous site changed"
    );
    // And no staging folders are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(site.root())
        .expect("site root")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("kb-staging") || n.contains("kb-old"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn deny_warnings_fails_on_warnings() {
    let site = TestSite::fixture("basic");
    site.kb(&["build", "--deny-warnings"])
        .failure()
        .stderr_has("unknown code language `klingon`");
    assert!(!site.path("book").exists(), "nothing is published");
}

#[test]
fn dangerous_destinations_are_refused() {
    let site = TestSite::fixture("basic");
    for dest in [".", "content", "content/out", "/"] {
        site.kb(&["build", "--dest", dest])
            .failure()
            .stderr_has("refusing to build into");
    }
    assert!(site.path("content/alpha/one.md").exists());
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
    let sidebar = &html[html.find("nav-tree").expect("a sidebar")..];
    let position = |area: &str| sidebar.find(area).unwrap_or_else(|| panic!("no {area}"));
    assert!(position("Beta Area") < position("Alpha Area"));
    // In a kb site SUMMARY.md only orders pages: an entry that does not exist is a
    // warning with its position.
    site.write("content/SUMMARY.md", "- [Gone](gone.md)\n");
    site.kb(&["build"]).success().stderr_has(
        "content/SUMMARY.md:1:3: warning: SUMMARY.md lists `gone.md`, which does not exist",
    );
}

#[test]
fn a_site_theme_overrides_files_of_the_default_theme() {
    let site = TestSite::fixture("basic");
    let book = site.read("book.toml");
    site.write("book.toml", &format!("{book}\n[kb]\ntheme = \"mine\"\n"))
        .write(
            "themes/mine/templates/partials/pager.html",
            "<p class=\"my-pager\">{{ page.next.title | default(value=\"end\") }}</p>\n",
        )
        .write("themes/mine/static/extra.txt", "mine\n");
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
    site.kb(&["build"])
        .failure()
        .stderr_has("themes/mine/templates/partials/pager.html");
}

#[test]
fn additional_css_and_js_are_linked_and_copied() {
    let site = TestSite::fixture("basic");
    let book = site.read("book.toml").replace(
        "[output.html]\n",
        "[output.html]\nadditional-css = [\"extra/custom.css\"]\nadditional-js = [\"custom.js\"]\n",
    );
    site.write("book.toml", &book)
        .write("extra/custom.css", "body { color: red }\n")
        .write("custom.js", "console.log(1);\n");
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
    std::fs::remove_file(site.path("custom.js")).expect("remove custom.js");
    site.kb(&["build"])
        .failure()
        .stderr_has("additional-js lists `custom.js`, which cannot be read");
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
    let streamed = std::fs::read(site.path(".kb-cache/search-index/index.bin")).expect("index");
    std::fs::remove_dir_all(site.path(".kb-cache/search-index")).expect("remove index");
    site.kb(&["search", "pools"]).success();
    let rebuilt =
        std::fs::read(site.path(".kb-cache/search-index/index.bin")).expect("rebuilt index");
    assert!(streamed.len() > 50_000, "{} bytes", streamed.len());
    assert!(streamed == rebuilt, "the two indexes differ");
}

/// Entries beside the output that a build uses while it runs (`.book.kb-…`).
fn swap_debris(root: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(root)
        .expect("site root")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".book.kb-"))
        .collect()
}

/// A number from the process's random hash seed: different on every run, no extra crate.
fn random_fraction() -> f64 {
    use std::hash::{BuildHasher as _, Hasher as _};
    let n = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    (n % 10_000) as f64 / 10_000.0
}

#[test]
fn a_killed_build_leaves_the_old_or_the_new_site_and_the_next_build_cleans_up() {
    let site = TestSite::fixture("basic");
    let page = "content/alpha/one.md";
    let texts = [
        site.read(page),
        site.read(page).replace(
            "Call `db.SetMaxOpenConns`",
            "Killroy. Call `db.SetMaxOpenConns`",
        ),
    ];
    assert_ne!(texts[0], texts[1]);
    let mut sites = Vec::new();
    let mut took = std::time::Duration::ZERO;
    for text in &texts {
        site.write(page, text);
        let started = std::time::Instant::now();
        site.build_ok(&[]);
        took = took.max(started.elapsed());
        sites.push(files_under(&site.path("book")));
    }
    let mut outcomes = [0usize; 2];
    let mut published = 1;
    for run in 0..20 {
        // The killed build would publish the other version.
        let (before, want) = (published, 1 - published);
        site.write(page, &texts[want]);
        let delay = took.mul_f64(1.3 * random_fraction());
        let mut child = std::process::Command::new(crate::site::KB)
            .args(["build", "--quiet"])
            .current_dir(site.root())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start kb build");
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let now = files_under(&site.path("book"));
        let which = sites.iter().position(|s| *s == now);
        let differ = |site: &crate::site::Files| -> Vec<String> {
            now.keys()
                .chain(site.keys())
                .filter(|k| now.get(*k) != site.get(*k))
                .cloned()
                .collect()
        };
        assert!(
            which == Some(before) || which == Some(want),
            "run {run}, killed after {delay:?}: the output is neither the old site (differs in {:?}) nor the new one (differs in {:?})",
            differ(&sites[before]),
            differ(&sites[want])
        );
        outcomes[usize::from(which == Some(want))] += 1;
        // The next build finishes, publishes, and removes what the killed one left.
        site.build_ok(&["--quiet"]);
        assert_eq!(files_under(&site.path("book")), sites[want], "run {run}");
        assert_eq!(swap_debris(site.root()), Vec::<String>::new(), "run {run}");
        published = want;
    }
    eprintln!(
        "20 killed builds: {} left the old site, {} the new one",
        outcomes[0], outcomes[1]
    );
}

/// Without a terminal, a build long enough to wait for says what each step did, counted:
/// loading, rendering and writing the search files (a line each at its end; lines at
/// each tenth only for steps that take seconds).
#[test]
fn long_builds_report_each_step_in_plain_lines() {
    let site = TestSite::empty();
    site.write("book.toml", "[book]\ntitle = \"Many\"\nsrc = \"content\"\n");
    // Enough words that the search index is cut into more than 500 files.
    let mut seed = 7u64;
    for n in 0..600 {
        let words: Vec<String> = (0..400)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                format!("w{}", (seed >> 33) % 20_000)
            })
            .collect();
        let body = words.join(" ");
        site.write(
            &format!("content/p{n}.md"),
            &format!("# Page {n}\n\n{body}\n"),
        );
    }
    let run = site.kb(&["build"]).success();
    let text = run.stderr_text();
    for step in ["loading: 600 files in ", "rendering: 600 pages in "] {
        assert!(text.contains(step), "no `{step}` in:\n{text}");
    }
    let search_files = text
        .lines()
        .find_map(|l| l.strip_prefix("writing: ")?.split_once(" search files in "))
        .map(|(n, _)| n.parse::<usize>().expect("a count"));
    let written = files_under(&site.path("book/search/pages")).len();
    assert!(
        written > 500,
        "{written} index pages: too few to be counted"
    );
    // Besides the pages: the head, the module, their scripts, prefetch.json.
    assert_eq!(search_files, Some(written + 5), "{text}");
    assert!(!text.contains('\r'), "no cursor tricks in a log: {text:?}");
}
