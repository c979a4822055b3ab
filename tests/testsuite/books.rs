//! Other people's docs, unmodified: a plain folder of Markdown (no book.toml, no front
//! matter) and an mdBook book (`tests/fixtures/books/`), built and checked on what readers
//! see: URLs, titles, the sidebar, the reading order, and links that all resolve.

use crate::linkcheck::broken_links;
use crate::site::TestSite;

/// The sidebar of a built page.
fn sidebar(html: &str) -> &str {
    let start = html.find("<ul class=\"nav-tree\">").expect("a sidebar");
    let end = html[start..]
        .find("</nav>")
        .map_or(html.len(), |e| start + e);
    &html[start..end]
}

#[test]
fn a_plain_folder_of_markdown_builds_as_it_is() {
    let site = TestSite::fixture("books/plain");
    site.build_ok(&[]);
    assert!(
        broken_links(&site.path("book")).is_empty(),
        "{:#?}",
        broken_links(&site.path("book"))
    );
    // README.md is the home page; pages take their titles from their `# heading`, which
    // is shown once.
    let home = site.read("book/index.html");
    assert!(home.contains("<title>Team notes"), "{home}");
    let intro = site.read("book/intro/index.html");
    assert_eq!(intro.matches("<h1").count(), 1, "{intro}");
    assert!(intro.contains("<title>Introduction"), "{intro}");
    // No heading: the file name; TOML front matter: its title.
    assert!(site
        .read("book/guide/setup/index.html")
        .contains("<title>Setup"));
    let notes = site.read("book/notes/index.html");
    assert!(notes.contains("<title>Meeting notes"), "{notes}");
    assert!(notes.contains("<h1>Meeting notes</h1>"), "{notes}");
    // A folder's README.md is its index; pages five folders down link back correctly.
    assert!(site
        .read("book/guide/index.html")
        .contains("<title>The guide"));
    let deep = site.read("book/guide/a/b/c/d/deep/index.html");
    assert!(
        deep.contains(r#"<a href="../../../../../../">home</a>"#),
        "{deep}"
    );
    assert!(
        sidebar(&deep).contains(r#"href="../../../../../../intro/""#),
        "{}",
        sidebar(&deep)
    );
    // The output and the cache are not read back as content on the next build.
    site.build_ok(&[]);
    assert!(!site.path("book/book").exists());
    assert!(!site.path("book/.kb-cache").exists());
    assert!(
        !site.path("search-index").exists(),
        "the index stays out of the source tree"
    );
}

#[test]
fn an_mdbook_book_builds_with_its_summary_urls_and_titles() {
    let site = TestSite::fixture("books/mdbook");
    let run = site.build_ok(&[]);
    assert!(
        broken_links(&site.path("book")).is_empty(),
        "{:#?}",
        broken_links(&site.path("book"))
    );
    // Only listed chapters are pages; unlisted and missing files are warnings.
    run.stderr_has("src/unlisted.md:1:1: warning: this page is not listed in SUMMARY.md")
        .stderr_has("src/SUMMARY.md:19:3: warning: SUMMARY.md lists `reference/missing.md`, which does not exist; kb shows an empty page");
    assert!(!site.path("book/unlisted.html").exists());
    assert!(site.path("book/reference/missing.html").exists());
    // mdBook's URL scheme: chapter.html, README.md → index.html.
    for file in [
        "index.html",
        "guide/getting-started.html",
        "guide/installation.html",
        "guide/advanced/index.html",
        "guide/advanced/deep-dive.html",
        "reference/configuration.html",
        "contributors.html",
    ] {
        assert!(site.path(&format!("book/{file}")).exists(), "{file}");
    }
    let page = site.read("book/guide/advanced/tuning.html");
    assert_eq!(page.matches("<h1").count(), 1, "one title: {page}");
    // A chapter whose `# heading` comes after a note shows that heading only, as in mdBook.
    let contributors = site.read("book/contributors.html");
    assert_eq!(contributors.matches("<h1").count(), 1, "{contributors}");
    let nav = sidebar(&page);
    // SUMMARY.md as mdBook shows it: parts, numbers, nesting, drafts, separators.
    for expected in [
        r#"<li class="nav-part">User guide</li>"#,
        r#"<li class="nav-part">Reference</li>"#,
        r#"<a href="../../guide/getting-started.html"><span class="nav-number">1.</span> Getting started</a>"#,
        r#"<li class="nav-draft"><span><span class="nav-number">1.2.</span> Coming soon</span>"#,
        r#"<a href="../../guide/advanced/deep-dive.html"><span class="nav-number">2.1.1.</span> Deep dive</a>"#,
        r#"<a href="../../reference/configuration.html"><span class="nav-number">3.</span> Configuration</a>"#,
        r#"<li class="nav-separator" aria-hidden="true"></li>"#,
        r#"<a href="../../contributors.html">Contributors</a>"#,
        r#"<a href="../../guide/advanced/tuning.html" aria-current="page"><span class="nav-number">2.1.</span> Tuning</a>"#,
    ] {
        assert!(nav.contains(expected), "missing {expected} in {nav}");
    }
    // Breadcrumbs follow the summary's nesting: Introduction › Advanced use › Tuning.
    let deep = site.read("book/guide/advanced/deep-dive.html");
    let crumbs = deep
        .split_once("<nav class=\"breadcrumbs\"")
        .and_then(|(_, rest)| rest.split_once("</nav>"))
        .map(|(crumbs, _)| crumbs)
        .expect("breadcrumbs");
    let titles: Vec<&str> = crumbs
        .split("</a>")
        .filter_map(|a| a.rsplit_once('>').map(|(_, title)| title))
        .filter(|t| !t.trim().is_empty())
        .collect();
    assert_eq!(
        titles,
        ["Introduction", "Advanced use", "Tuning"],
        "{crumbs}"
    );
    let position = |s: &str| nav.find(s).unwrap_or_else(|| panic!("no {s}"));
    assert!(position("Introduction") < position("User guide"));
    assert!(position("Deep dive") < position("Reference"));
    // Reading order follows the summary, drafts skipped.
    let installation = site.read("book/guide/installation.html");
    assert!(
        installation.contains(r#"rel="next" href="../guide/advanced/index.html""#),
        "{installation}"
    );
    // Links between chapters point at the .html pages.
    let start = site.read("book/guide/getting-started.html");
    assert!(
        start.contains(r#"href="../reference/configuration.html#options""#),
        "{start}"
    );
    // The search index is not written into the book.
    assert!(!site.path("search-index").exists());
}

#[test]
fn kb_init_writes_a_site_that_builds() {
    let site = TestSite::empty();
    site.kb(&["init", "new-site", "--title", "Field notes"])
        .success()
        .stderr_has("cd new-site");
    site.kb(&["build", "--root", "new-site"]).success();
    let home = site.read("new-site/book/index.html");
    assert!(home.contains("<title>Field notes"), "{home}");
    assert!(site
        .path("new-site/book/guide/first-page/index.html")
        .exists());
    assert!(broken_links(&site.path("new-site/book")).is_empty());
    // A second init into the same folder refuses and changes nothing.
    site.kb(&["init", "new-site"])
        .failure()
        .stderr_has("is not empty");
}

#[test]
fn an_mdbook_book_includes_listings_as_mdbook_does() {
    let site = TestSite::fixture("books/includes");
    let run = site.build_ok(&["--deny-warnings"]);
    assert!(
        broken_links(&site.path("book")).is_empty(),
        "{:#?}",
        broken_links(&site.path("book"))
    );
    // The included fragment is part of a chapter, not an unlisted page.
    assert!(
        !run.stderr_text().contains("not listed"),
        "{}",
        run.stderr_text()
    );
    // `{{#title}}` names the page; the escaped directive is printed as written.
    let home = site.read("book/index.html");
    assert!(home.contains("<title>Includes, the full story"), "{home}");
    let content = |page: &str| site.part(page, "<div class=\"content\"");
    assert!(
        content("book/index.html").contains("<code>{{#include file.rs}}</code>"),
        "{home}"
    );
    let listings = content("book/listings.html");
    // The whole file, a single anchor (its markers dropped), a range.
    assert!(listings.contains("// ANCHOR: all"), "{listings}");
    assert_eq!(
        listings
            .matches("add_one</span>(<span class=\"l6 d8\">41")
            .count(),
        4
    );
    assert!(!listings.contains("{{#"), "{listings}");
    // rustdoc_include: the other lines are there, hidden.
    assert!(
        listings.contains(r#"<span class="line hidden">    println!("#),
        "{listings}"
    );
    // From outside the source folder (inside the repository), the first three lines shown.
    assert!(listings.contains("You guessed"), "{listings}");
    assert!(
        listings.contains(r#"<span class="line"><span class="l8 d9">use </span>std::io;"#),
        "{listings}"
    );
    // playground: a Rust block with the attributes.
    assert!(listings.contains("A runnable file:</p>\n<figure class=\"code-block\"><pre class=\"code\" tabindex=\"0\" data-lang=\"rust\">"));
    // A nested include resolves relative to the fragment; its heading is the chapter's.
    let nested = content("book/nested.html");
    assert!(
        nested.contains(r#"<h2 id="from-the-fragment">"#),
        "{nested}"
    );
    assert!(nested.contains("add_one"), "{nested}");
    // Hidden lines: Rust's `# `, a lone `#`, the `##` escape; configured and own prefixes.
    let hidden = content("book/hidden.html");
    assert_eq!(
        hidden.matches(r#"<span class="line hidden">"#).count(),
        6,
        "{hidden}"
    );
    assert!(
        hidden.contains(
            r#"<span class="line"><span class="l8 d9">#</span> not hidden: an escaped hash"#
        ),
        "{hidden}"
    );
    assert!(hidden.contains("# not hidden outside Rust"), "{hidden}");
    assert!(
        !hidden.contains("~import") && !hidden.contains("!!!"),
        "{hidden}"
    );
}

#[test]
fn include_errors_name_the_page_line_and_column() {
    let site = TestSite::fixture("books/includes");
    site.write(
        "src/nested.md",
        "# Nested includes\n\nText.\n  {{#include fragments/missing.md}}\n",
    );
    site.kb(&["build"])
        .failure()
        .stderr_has("src/nested.md:4:3: error: cannot include `fragments/missing.md`");
    // A cycle through another file is named where the page starts it.
    site.write("src/fragments/part.md", "{{#include ../nested.md}}\n");
    site.write(
        "src/nested.md",
        "# Nested\n{{#include fragments/part.md}}\n",
    );
    site.kb(&["build"])
        .failure()
        .stderr_has("src/nested.md:2:1: error: in `fragments/part.md` line 1: `../nested.md` is already being included here");
    // Reading outside the book is refused.
    site.write(
        "src/nested.md",
        "# Nested\n\n{{#include ../../../../../etc/passwd}}\n",
    );
    site.kb(&["build"])
        .failure()
        .stderr_has("src/nested.md:3:1: error: cannot include");
}

#[test]
fn diagnostics_after_an_include_keep_the_page_lines() {
    let site = TestSite::fixture("books/includes");
    // Line 9 of the file, after an include of eleven lines.
    site.write(
        "src/nested.md",
        "# Nested includes\n\n```rust\n{{#include code/main.rs}}\n```\n\n{{#include fragments/part.md}}\n\nSee [nowhere](missing-page.md).\n",
    );
    site.kb(&["build"])
        .failure()
        .stderr_has("src/nested.md:9:5: error:");
}

#[test]
fn fold_and_no_section_label_shape_the_sidebar() {
    let site = TestSite::fixture("books/mdbook");
    // Default: numbers, every chapter's sub-chapters listed, nothing folds.
    site.build_ok(&[]);
    let page = site.read("book/guide/advanced/tuning.html");
    let nav = sidebar(&page);
    assert!(
        nav.contains("<span class=\"nav-number\">2.</span>"),
        "{nav}"
    );
    assert!(!nav.contains("nav-fold"), "{nav}");
    site.write(
        "book.toml",
        &format!(
            "{}\n[output.html]\nno-section-label = true\n\n[output.html.fold]\nenable = true\nlevel = 1\n",
            site.read("book.toml")
        ),
    );
    let run = site.build_ok(&[]);
    assert!(
        !run.stderr_text().contains("kb does not"),
        "{}",
        run.stderr_text()
    );
    let page = site.read("book/guide/advanced/tuning.html");
    let nav = sidebar(&page);
    assert!(!nav.contains("nav-number"), "numbers hidden: {nav}");
    // Level 1: top-level chapters start open, deeper ones folded (the script opens the
    // current page's); every page stays one click away without the script.
    assert!(
        nav.contains("<li><details class=\"nav-fold\" open><summary><a href=\"../../guide/advanced/index.html\">Advanced use</a></summary>"),
        "{nav}"
    );
    assert!(
        nav.contains("<li><details class=\"nav-fold\"><summary><a href=\"../../guide/advanced/tuning.html\" aria-current=\"page\">Tuning</a></summary><ul>"),
        "{nav}"
    );
    assert!(nav.contains("deep-dive.html"), "{nav}");
}

#[test]
fn a_books_own_404_md_is_its_404_page_as_in_mdbook() {
    let site = TestSite::fixture("books/mdbook");
    site.write(
        "src/404.md",
        "# Lost in the stacks\n\nNo chapter lives here. Start from the [configuration](reference/configuration.md).\n",
    );
    let run = site.build_ok(&[]);
    // Not a page of the book, and not reported as a chapter SUMMARY.md forgot.
    assert!(
        !run.stderr_text().contains("src/404.md"),
        "{}",
        run.stderr_text()
    );
    assert!(!site.path("book/404/index.html").exists());
    let page = site.read("book/404.html");
    let main = site.part("book/404.html", "<article");
    assert_eq!(main.matches("<h1").count(), 1, "{main}");
    assert!(main.contains("Lost in the stacks</a></h1>"), "{main}");
    // Served at any depth: its links resolve against <base href>, the book's root.
    assert!(page.contains("<base href=\"/\">"), "{page}");
    assert!(
        main.contains(r#"href="./reference/configuration.html""#),
        "{main}"
    );
    assert!(!main.contains("Go to the home page"), "{main}");
    // Not searched, not listed for agents.
    let search = site
        .kb(&["search", "--json", "stacks"])
        .success()
        .stdout_text();
    assert!(!search.contains("404"), "{search}");
    assert!(!site.read("book/llms.txt").contains("404"));

    // `input-404` names another file; 404.md is then an unlisted page like any other.
    site.write(
        "book.toml",
        "[book]\ntitle = \"Kitchen Sink Book\"\n\n[output.html]\ninput-404 = \"lost.md\"\n",
    );
    site.write("src/lost.md", "# Nothing here\n\nTry the search.\n");
    let run = site
        .build_ok(&[])
        .stderr_has("src/404.md:1:1: warning: this page is not listed in SUMMARY.md");
    assert!(
        !run.stderr_text().contains("src/lost.md"),
        "{}",
        run.stderr_text()
    );
    let main = site.part("book/404.html", "<article");
    assert!(main.contains("Nothing here</a></h1>"), "{main}");

    // Without the file, kb's own 404 page.
    std::fs::remove_file(site.path("src/lost.md")).expect("remove lost.md");
    site.build_ok(&[]);
    let main = site.part("book/404.html", "<article");
    assert!(main.contains("Go to the home page"), "{main}");
}

#[test]
fn a_book_with_a_stale_anchor_says_how_to_build_it_as_a_book() {
    // mdBook does not check anchors, so books it builds have stale ones. kb stops, and its
    // help names the keys that build the book anyway and keep it an mdBook book.
    let site = TestSite::empty();
    site.write("book.toml", "[book]\ntitle = \"B\"\n")
        .write("src/SUMMARY.md", "# Summary\n\n- [One](one.md)\n")
        .write("src/one.md", "# One\n\nSee [below](#below).\n");
    let help = "add to book.toml `[kb]` with `layout = \"mdbook\"` and `broken-anchors = \"warn\"`";
    site.kb(&["build", "-q"])
        .code(1)
        .stderr_has("src/one.md:3:5: error: link to `#below`")
        .stderr_has(help);
    site.write(
        "book.toml",
        "[book]\ntitle = \"B\"\n\n[kb]\nlayout = \"mdbook\"\nbroken-anchors = \"warn\"\n",
    );
    site.build_ok(&[]).stderr_has("warning: link to `#below`");
    assert!(site.path("book/one.html").exists(), "still an mdBook book");
}
