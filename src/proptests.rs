//! Property tests of every parser kb runs on content and configuration: front matter,
//! `book.toml`, `SUMMARY.md`, Markdown with mdBook's directives, and data blocks. The
//! property is the same for each: any input gives a result or diagnostics, never a panic.
//!
//! Inputs are made of the tokens each format is built from (fences, brackets, list and
//! quote markers, directives, quotes, odd whitespace and non-ASCII) mixed with random text,
//! so they reach the parsers' corners faster than random bytes would. CI runs a bounded
//! number of cases (proptest's default, 256 per parser); `scripts/fuzz.sh` runs 100,000 or
//! more per parser in a release build (`PROPTEST_CASES`) and reads the counts, timings and
//! slowest input each test prints.

use std::path::Path;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Inputs built from `tokens` and random text, up to 64 pieces.
fn made_of(tokens: &'static [&'static str]) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::sample::select(tokens).prop_map(str::to_string),
        1 => ".{0,6}",
    ];
    proptest::collection::vec(piece, 0..64).prop_map(|pieces| pieces.concat())
}

/// Runs `property` on inputs from `strategy` (proptest's case count, `PROPTEST_CASES`
/// overrides it) and prints how many ran, how long they took and the slowest input.
fn run(name: &str, strategy: impl Strategy<Value = String>, property: impl Fn(&str)) {
    let mut runner = TestRunner::new(Config {
        // Failures are shrunk and reported by the panic; no file to persist them in.
        failure_persistence: None,
        ..Config::default()
    });
    let started = Instant::now();
    // proptest's runner takes a `Fn`: the tallies live in cells.
    let count = std::cell::Cell::new(0usize);
    let slowest = std::cell::RefCell::new((Duration::ZERO, String::new()));
    let result = runner.run(&strategy, |input| {
        let start = Instant::now();
        property(&input);
        let took = start.elapsed();
        count.set(count.get() + 1);
        let mut slowest = slowest.borrow_mut();
        if took > slowest.0 {
            *slowest = (took, input);
        }
        Ok(())
    });
    let total = started.elapsed();
    let count = count.get();
    let slowest = slowest.into_inner();
    let shown: String = slowest.1.chars().take(120).collect();
    println!(
        "proptest {name}: {count} inputs in {:.2} s; slowest {:.1} ms: {shown:?}",
        total.as_secs_f64(),
        slowest.0.as_secs_f64() * 1000.0
    );
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
}

const FRONT_MATTER: &[&str] = &[
    "---\n",
    "+++\n",
    "---",
    "+++",
    "\n",
    "title: ",
    "description: ",
    "tags: ",
    "weight: ",
    "draft: true",
    "aliases: ",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "\"",
    "'",
    "a",
    " ",
    "  ",
    "\t",
    "- ",
    "#",
    "é",
    "\r\n",
    "&x",
    "*y",
    "!!str ",
    "|",
    ">",
    "=",
    "title = ",
    "[x]",
    "1e999",
    "\u{feff}",
    "\0",
];

const BOOK_TOML: &[&str] = &[
    "[book]\n",
    "[output.html]\n",
    "[output.html.search]\n",
    "[output.html.redirect]\n",
    "[kb]\n",
    "[preprocessor.x]\n",
    "[[x]]\n",
    "title = ",
    "src = ",
    "raw-html = ",
    "max-nesting = ",
    "site-url = ",
    "additional-css = ",
    "\"a\"",
    "'b'",
    "\"../x\"",
    "0",
    "-1",
    "99999999999999999999",
    "true",
    "[",
    "]",
    "{",
    "}",
    ",",
    "=",
    ".",
    "\n",
    " ",
    "#",
    "é",
    "\"\"\"",
    "\\u0000",
    "layout = \"mdbook\"\n",
    "urls = \"html\"\n",
];

const SUMMARY: &[&str] = &[
    "# Summary\n",
    "\n",
    "- ",
    "  - ",
    "    - ",
    "1. ",
    "[",
    "]",
    "(",
    ")",
    "a.md",
    "b/c.md",
    "",
    "---\n",
    "# Part\n",
    "[Intro](README.md)\n",
    "- [A](a.md)\n",
    "  - [B](b.md)\n",
    "- [Draft]()\n",
    "\\",
    "*",
    "`",
    "<",
    ">",
    "é",
    " ",
    "\t",
    "\r\n",
    "../x.md",
    "#frag",
];

const MARKDOWN: &[&str] = &[
    "# ",
    "## ",
    "\n",
    "\n\n",
    "> ",
    ">",
    "- ",
    "* ",
    "1. ",
    "  ",
    "    ",
    "```",
    "```go\n",
    "```rust\n# hidden\n",
    "~~~",
    "```toml\n",
    "[a](b.md)",
    "[a](#x)",
    "![i](p.png)",
    "[r]: u\n",
    "<div>",
    "</div>",
    "<details>",
    "<a href=\"x.md\">",
    "<img src=x onerror=y>",
    "{{#include a.md}}",
    "{{#include a.md:2:3}}",
    "{{#include b.rs:anchor}}",
    "{{#rustdoc_include b.rs}}",
    "{{#playground b.rs}}",
    "{{#title T}}",
    "\\{{#include a.md}}",
    "{{#include ../../../etc/passwd}}",
    "{{#include a.md",
    "|a|b|\n",
    "|-|-|\n",
    "*",
    "_",
    "`",
    "\\",
    "&amp;",
    "[^1]",
    "[^1]: n\n",
    "{#id}",
    "> [!NOTE]\n",
    "- [x] ",
    "é",
    "\t",
    "\r\n",
    "javascript:x",
];

const DATA: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "=",
    "\"",
    "'",
    "a",
    "1",
    "-",
    "- ",
    "\n",
    "  ",
    "---\n",
    "null",
    "true",
    "1e5",
    "\\",
    "\\u12",
    "#",
    "&a",
    "*a",
    "!!binary",
    "[x]\n",
    "[[y]]\n",
    "x = ",
    "message M { int32 a = 1; }",
    "syntax = \"proto3\";",
    "é",
    "\t",
];

#[test]
fn proptest_front_matter_never_panics() {
    // Mostly pages that open front matter: the rest never reach its parsers.
    let opened = (
        proptest::sample::select(&["---\n", "+++\n", "---\n", "+++\n", ""][..]),
        made_of(FRONT_MATTER),
    )
        .prop_map(|(fence, rest)| format!("{fence}{rest}"));
    run("front matter", opened, |text| {
        let _ = crate::content::front_matter::split(Path::new("content/a.md"), text, 256);
    });
}

#[test]
fn proptest_book_toml_never_panics() {
    let root = tempfile::tempdir().expect("temp dir");
    run("book.toml", made_of(BOOK_TOML), |text| {
        let _ = crate::config::Settings::from_toml(root.path(), Path::new("book.toml"), text, &[]);
    });
}

#[test]
fn proptest_summary_never_panics() {
    run("SUMMARY.md", made_of(SUMMARY), |text| {
        let _ = crate::content::summary::parse(Path::new("src/SUMMARY.md"), text);
    });
}

#[test]
fn proptest_markdown_and_directives_never_panic() {
    let site = tempfile::tempdir().expect("temp dir");
    let root = site.path();
    std::fs::create_dir_all(root.join(".git")).expect("repository root");
    std::fs::create_dir_all(root.join("content")).expect("content folder");
    std::fs::write(
        root.join("content/a.md"),
        "one\ntwo\n{{#include a.md}}\nthree\n",
    )
    .expect("a.md");
    std::fs::write(
        root.join("content/b.rs"),
        "// ANCHOR: anchor\nfn main() {}\n// ANCHOR_END: anchor\n",
    )
    .expect("b.rs");
    let includes = crate::content::includes::Includes::new(root, &root.join("content"));
    let source = root.join("content/page.md");
    run("Markdown + directives", made_of(MARKDOWN), |text| {
        let body = match includes.expand(&source, Path::new("content/page.md"), text, 1) {
            Ok(expanded) => expanded.body,
            Err(_) => text.to_string(),
        };
        let page = crate::markdown::render::tests::page("a/page.md", &body);
        let _ = crate::markdown::render_with(
            &page,
            &crate::markdown::RenderOptions {
                split_level: 3,
                url_style: crate::config::UrlStyle::Pretty,
                hidelines: &Default::default(),
                raw_html: crate::markdown::raw_html::RawHtmlMode::Sanitize,
                limits: crate::limits::Limits::default(),
                math: false,
            },
        );
    });
}

#[test]
fn proptest_data_blocks_never_panic() {
    run("data blocks", made_of(DATA), |text| {
        for lang in ["json", "yaml", "toml", "proto"] {
            let sample = crate::check::sample::CodeSample {
                file: "content/a.md".into(),
                fence_line: 1,
                lang: lang.to_string(),
                flags: Vec::new(),
                code: text.to_string(),
            };
            let _ = crate::check::data_blocks::check_data_block(&sample, 256);
        }
    });
}
