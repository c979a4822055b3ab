//! Docs for coding agents: `llms.txt` (llmstxt.org's format, every page once, links that
//! resolve), `llms-full.txt`, and a Markdown twin beside every page, made after includes.
//! `kb mcp` is driven by a real MCP client in `tests/agents/` (the `agents` suite).

use std::collections::BTreeSet;
use std::path::Path;

use crate::site::TestSite;

/// The link of each `- [title](link)` line of `llms.txt`.
fn llms_links(llms: &str) -> Vec<String> {
    llms.lines()
        .filter(|l| l.starts_with("- ["))
        .map(|l| {
            let start = l.find("](").expect("a link") + 2;
            let end = start + l[start..].find(')').expect("a closed link");
            l[start..end].to_string()
        })
        .collect()
}

/// The twin each page of the output links as its `text/markdown` alternate, by page file.
fn alternates(out: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(out) {
        let entry = entry.expect("walk the output");
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = std::fs::read_to_string(path).expect("read a page");
        let needle = "<link rel=\"alternate\" type=\"text/markdown\" href=\"";
        if let Some(i) = html.find(needle) {
            let href = &html[i + needle.len()..];
            let href = &href[..href.find('"').expect("a closed attribute")];
            let rel = path.strip_prefix(out).expect("inside the output");
            let twin = rel.with_file_name(href);
            found.push((
                rel.to_string_lossy().replace('\\', "/"),
                twin.to_string_lossy().replace('\\', "/"),
            ));
        }
    }
    found.sort();
    found
}

/// Checks the format of `llms.txt` and that it lists each page's twin exactly once.
fn check_llms(site: &TestSite, site_url: Option<&str>) -> Vec<String> {
    let llms = site.read("book/llms.txt");
    let mut lines = llms.lines();
    assert!(lines.next().is_some_and(|l| l.starts_with("# ")), "{llms}");
    assert!(llms.contains("\n## "), "sections: {llms}");
    let links = llms_links(&llms);
    let twins: Vec<String> = links
        .iter()
        .map(|l| match site_url {
            Some(base) => l
                .strip_prefix(base)
                .expect("absolute under site-url")
                .to_string(),
            None => {
                assert!(!l.contains("://"), "relative without site-url: {l}");
                l.clone()
            }
        })
        .collect();
    let unique: BTreeSet<&String> = twins.iter().collect();
    assert_eq!(unique.len(), twins.len(), "every page once: {llms}");
    for twin in &twins {
        assert!(site.path("book").join(twin).is_file(), "{twin} resolves");
    }
    let pages = alternates(&site.path("book"));
    let linked: BTreeSet<String> = pages.iter().map(|(_, t)| t.clone()).collect();
    assert_eq!(
        linked,
        twins.iter().cloned().collect::<BTreeSet<_>>(),
        "llms.txt lists exactly the pages' twins"
    );
    twins
}

/// Every relative `](link.md…)` of the twins in `out` names a file of the output.
fn broken_twin_links(out: &Path, twins: &[String]) -> Vec<String> {
    let mut broken = Vec::new();
    for twin in twins {
        let text = std::fs::read_to_string(out.join(twin)).expect("read a twin");
        let folder = Path::new(twin).parent().unwrap_or(Path::new(""));
        for part in text.split("](").skip(1) {
            let link = part.split([')', ' ']).next().unwrap_or("");
            let path = link.split('#').next().unwrap_or("");
            if path.is_empty() || link.contains("://") || !path.ends_with(".md") {
                continue;
            }
            if !out.join(folder).join(path).is_file() {
                broken.push(format!("{twin}: {link}"));
            }
        }
    }
    broken
}

#[test]
fn a_kb_site_has_llms_files_and_a_twin_per_page() {
    let site = TestSite::fixture("basic");
    site.build_ok(&[]);
    let twins = check_llms(&site, Some("https://example.org/guide/"));
    assert!(
        twins.contains(&"alpha/one/index.md".to_string()),
        "{twins:?}"
    );
    assert!(broken_twin_links(&site.path("book"), &twins).is_empty());
    let one = site.read("book/alpha/one/index.md");
    assert!(
        one.starts_with("---\ntitle: \"Pooling <connections>\"\ndescription: \"How to size a connection pool.\"\nurl: \"https://example.org/guide/alpha/one/\"\n---\n"),
        "front matter reduced to title, description and URL: {one}"
    );
    assert!(!one.contains("difficulty"), "{one}");
    assert!(
        one.contains("[two](../../beta/two/index.md#in-go)"),
        "links point to twins: {one}"
    );
    assert!(
        one.contains("```go title=\"main.go\" hl_lines=\"3\""),
        "code intact: {one}"
    );
    // Each twin's script twin hands the very same text to the theme's global.
    for twin in &twins {
        let script = site.read(&format!("book/{twin}.js"));
        let literal = script
            .strip_prefix("__kbMarkdownTwin(")
            .and_then(|s| s.strip_suffix(");\n"))
            .unwrap_or_else(|| panic!("{twin}.js is one call: {script}"));
        let text: String = serde_json::from_str(literal).expect("a string literal");
        assert_eq!(text, site.read(&format!("book/{twin}")), "{twin}.js");
    }
    // llms-full.txt: every listed page's twin, in reading order.
    let full = site.read("book/llms-full.txt");
    let mut at = 0;
    for twin in &twins {
        let text = site.read(&format!("book/{twin}"));
        let found = full[at..]
            .find(&text)
            .unwrap_or_else(|| panic!("{twin} in order"));
        at += found + text.len();
    }
}

#[test]
fn an_mdbook_book_has_twins_beside_its_html_and_sections_per_part() {
    let site = TestSite::fixture("books/mdbook");
    site.build_ok(&[]);
    let twins = check_llms(&site, None);
    assert!(
        twins.contains(&"guide/installation.md".to_string()),
        "{twins:?}"
    );
    assert!(twins.contains(&"index.md".to_string()), "{twins:?}");
    let llms = site.read("book/llms.txt");
    assert!(llms.contains("\n## User guide\n"), "{llms}");
    assert!(llms.contains("\n## Reference\n"), "{llms}");
    assert!(broken_twin_links(&site.path("book"), &twins).is_empty());
}

#[test]
fn twins_are_made_after_includes() {
    let site = TestSite::fixture("books/includes");
    site.build_ok(&[]);
    let listings = site.read("book/listings.md");
    assert!(!listings.contains("{{#include"), "{listings}");
    assert!(listings.contains("let answer = add_one(41);"), "{listings}");
    assert!(listings.contains("```rust,noplayground"), "{listings}");
    check_llms(&site, None);
}

#[test]
fn a_page_with_a_broken_include_gets_no_twin_and_fails_the_build() {
    let site = TestSite::fixture("books/includes");
    site.write(
        "src/listings.md",
        "# Listings\n\n```rust\n{{#include code/missing.rs}}\n```\n",
    );
    site.kb(&["build"]).failure().stderr_has("missing.rs");
    assert!(!site.path("book/listings.md").exists());
    assert!(!site.path("book/llms-full.txt").exists());
}

#[test]
fn agents_files_can_be_turned_off_and_pages_left_out() {
    let site = TestSite::fixture("basic");
    let config = site.read("book.toml");
    site.write(
        "book.toml",
        &format!("{config}\n[kb.agents]\nmarkdown-twins = false\nexclude = [\"beta/\"]\n"),
    );
    site.build_ok(&[]);
    assert!(!site.path("book/alpha/one/index.md").exists());
    assert!(!site.path("book/alpha/one/index.md.js").exists());
    assert!(alternates(&site.path("book")).is_empty());
    let llms = site.read("book/llms.txt");
    assert!(
        llms.contains("(https://example.org/guide/alpha/one/)"),
        "{llms}"
    );
    assert!(!llms.contains("beta/"), "{llms}");
    let full = site.read("book/llms-full.txt");
    assert!(
        !full.contains("url: \"https://example.org/guide/beta/"),
        "{full}"
    );
    assert!(
        full.contains("(../../beta/two/#in-go)"),
        "links go to pages: {full}"
    );

    site.write(
        "book.toml",
        &format!("{config}\n[kb.agents]\nllms-txt = false\n"),
    );
    site.build_ok(&[]);
    assert!(!site.path("book/llms.txt").exists());
    assert!(site.path("book/alpha/one/index.md").exists());
}
