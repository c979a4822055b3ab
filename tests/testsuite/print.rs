//! `print.html`: the whole book on one page (mdBook's `[output.html.print]`), on for mdBook
//! books and off for kb sites unless asked for.

use std::collections::BTreeSet;

use crate::linkcheck::broken_links;
use crate::site::TestSite;

/// The values of `attr="..."` in `html`, in order.
fn values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    html.split(needle.as_str())
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect()
}

#[test]
fn an_mdbook_book_gets_its_whole_text_on_one_page() {
    let site = TestSite::fixture("books/mdbook");
    site.write(
        "book.toml",
        "[book]\ntitle = \"Kitchen Sink Book\"\n\n[output.html]\nsite-url = \"https://example.org/book/\"\n",
    );
    site.build_ok(&[]);
    let print = site.read("book/print.html");
    let main = site.part("book/print.html", "<main");
    // Chapters in reading order, each a section whose id is its URL as mdBook makes it.
    let sections: Vec<&str> = main
        .split("<section class=\"print-chapter\" id=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert_eq!(
        sections,
        [
            "index",
            "guide-getting-started",
            "guide-installation",
            "guide-advanced-index",
            "guide-advanced-tuning",
            "guide-advanced-deep-dive",
            "reference-configuration",
            "reference-missing",
            "contributors",
        ],
        "{main}"
    );
    // Each chapter's text is there.
    for page in ["guide/installation.html", "reference/configuration.html"] {
        let content = site.part(&format!("book/{page}"), "<div class=\"content\"");
        let first = content
            .split("<p>")
            .nth(1)
            .and_then(|p| p.split("</p>").next())
            .expect("a paragraph");
        assert!(main.contains(first), "{page}: {first}");
    }
    // Ids are unique across chapters, and every in-book link of the text stays on the page.
    let ids = values(&print, "id");
    let unique: BTreeSet<&&str> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate ids: {ids:?}");
    for href in values(&main, "href") {
        assert!(
            href.starts_with('#') || href.contains("://"),
            "a link leaves the print page: {href}"
        );
    }
    assert!(main.contains("href=\"#guide-installation"), "{main}");
    // Anchors resolve (the link check reads print.html like every other page).
    assert_eq!(broken_links(&site.path("book")), Vec::<String>::new());
    // Printable, not indexed: robots are told, the sitemap and the search index leave it out.
    assert!(print.contains(r#"<meta name="robots" content="noindex">"#));
    assert!(print.contains("print-page-breaks"));
    assert!(!site.read("book/sitemap.xml").contains("print"));
    for file in walkdir::WalkDir::new(site.path("book/search")) {
        let file = file.expect("walk");
        if file.file_type().is_file() {
            let bytes = std::fs::read(file.path()).expect("read");
            assert!(
                !String::from_utf8_lossy(&bytes).contains("print.html"),
                "{} names print.html",
                file.path().display()
            );
        }
    }
}

#[test]
fn print_enable_false_turns_it_off_and_a_kb_site_asks_for_it() {
    let book = TestSite::fixture("books/mdbook");
    book.write(
        "book.toml",
        "[book]\ntitle = \"B\"\n\n[output.html.print]\nenable = false\n",
    );
    let run = book.build_ok(&[]);
    assert!(
        !run.stderr_text().contains("print"),
        "{}",
        run.stderr_text()
    );
    assert!(!book.path("book/print.html").exists());

    let site = TestSite::fixture("basic");
    site.build_ok(&[]);
    assert!(!site.path("book/print.html").exists(), "off for kb sites");
    let toml = site.read("book.toml");
    site.write(
        "book.toml",
        &format!("{toml}\n[output.html.print]\nenable = true\npage-break = false\n"),
    );
    site.build_ok(&[]);
    let print = site.read("book/print.html");
    assert!(
        print.contains("id=\"alpha-one\""),
        "pretty URLs: alpha/one/"
    );
    assert!(!print.contains("print-page-breaks"));
    assert_eq!(broken_links(&site.path("book")), Vec::<String>::new());
}

#[test]
fn a_book_too_large_for_one_page_gets_a_warning_instead() {
    let site = TestSite::empty();
    site.write(
        "book.toml",
        "[book]\ntitle = \"Many\"\n\n[output.html.print]\nenable = true\n\n[kb]\n",
    );
    // One chapter more than the cap (kb's MAX_PAGES, 2,000), each a line.
    for n in 0..=2_000 {
        site.write(
            &format!("content/p{n:04}.md"),
            &format!("# Page {n}\n\nText.\n"),
        );
    }
    let run = site.build_ok(&[]);
    assert!(
        run.stderr_text().contains(
            "warning: print.html is not written: the book has 2001 chapters, more than the 2000 a print page takes"
        ),
        "{}",
        run.stderr_text()
    );
    assert!(!site.path("book/print.html").exists());
}
