//! The kitchen-sink book (`tests/fixtures/books/kitchen-sink/`): mdBook's documentation with
//! every feature at once (SUMMARY.md's whole grammar, every include form, hidden lines, a
//! real plugin, print.html, math, redirects, anchors, additional-css), compared on the HTML
//! that matters; and the link check over the output of every fixture book.

use std::collections::BTreeSet;
use std::path::Path;

use crate::linkcheck::broken_links;
use crate::plugins::{install_plugins, path_with_plugins};
use crate::print;
use crate::run::Run;
use crate::site::TestSite;
use crate::snapshot;

/// The kitchen sink built as a user has it: with `mdbook-admonish` installed (its `install`
/// run) when it is; without it, the optional plugin is one warning. Returns whether the
/// plugin ran.
fn build_kitchen_sink(site: &TestSite) -> bool {
    let (run, plugin_ran) = match path_with_plugins() {
        Some(path) => {
            install_plugins(site, &path, &["mdbook-admonish"]);
            let path = path.to_str().expect("a UTF-8 PATH").to_string();
            let run = Run::with_env(site.root(), &["build"], &[("PATH", &path)]).success();
            (run, true)
        }
        None => (site.build_ok(&[]), false),
    };
    let diagnostics = run.diagnostics();
    if plugin_ran {
        assert!(diagnostics.is_empty(), "{}", run.stderr_text());
    } else {
        // The plugin's one warning, then its fences read as unknown code blocks.
        assert_eq!(
            diagnostics.first().map(String::as_str),
            Some("book.toml:25:1: warning: the optional `admonish` preprocessor was not run: `mdbook-admonish` cannot be started"),
            "{}",
            run.stderr_text()
        );
        assert!(
            diagnostics[1..]
                .iter()
                .all(|d| d.starts_with("src/ext/admonitions.md:")),
            "{}",
            run.stderr_text()
        );
    }
    plugin_ran
}

/// The text of every code block of `html` (`<pre>` to `</pre>`), tags removed and entities
/// decoded, with the lines hidden by `# ` (or a configured prefix) marked `[hidden] `.
fn code_blocks(html: &str) -> Vec<String> {
    html.split("<pre")
        .skip(1)
        .filter_map(|rest| rest.split_once('>').map(|(_, body)| body))
        .filter_map(|body| body.split("</pre>").next())
        .map(|block| {
            let marked = block.replace("<span class=\"line hidden\">", "[hidden] ");
            let mut text = String::new();
            let mut in_tag = false;
            for c in marked.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            text.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&")
        })
        .collect()
}

#[test]
fn the_kitchen_sink_book_builds_with_every_feature_at_once() {
    let site = TestSite::fixture("books/kitchen-sink");
    let plugin_ran = build_kitchen_sink(&site);
    assert_eq!(
        broken_links(&site.path("book")),
        Vec::<String>::new(),
        "every href/src resolves, every #anchor exists"
    );

    // URLs as mdBook makes them: chapter.html, a folder's README.md is its index.html.
    for file in [
        "index.html",
        "foreword.html",
        "format/summary.html",
        "format/includes.html",
        "format/hidden.html",
        "format/deep/index.html",
        "format/deep/nested.html",
        "format/math.html",
        "ext/admonitions.html",
        "ext/anchors.html",
        "contributors.html",
        "print.html",
        "img/sink.svg",
        "css/custom.css",
    ] {
        assert!(site.path(&format!("book/{file}")).is_file(), "{file}");
    }
    // The included Markdown is part of a chapter, not a page of its own.
    assert!(!site.path("book/format/code/section.html").exists());

    // The sidebar of a nested chapter: prefix, parts, numbers, nesting, the draft, the
    // separators and the suffix chapter, with the current page marked.
    let nested = site.read("book/format/deep/nested.html");
    snapshot::assert(
        "kitchen-sink/sidebar.html",
        snapshot::one_tag_a_line(snapshot::element(&nested, "<ul class=\"nav-tree\"")),
    );

    // `{{#title}}` names the first page; the escaped directives are shown as written.
    let home = site.read("book/index.html");
    assert!(home.contains("<title>The Kitchen Sink Book"), "{home}");
    let intro = site.part("book/index.html", "<div class=\"content\"");
    assert!(
        intro.contains("<code>{{#include file.rs}}</code>")
            && intro.contains("\n{{#include file.rs}}."),
        "{intro}"
    );
    // additional-css is linked from every page and styles the book's own markup.
    assert!(
        nested.contains(r#"<link rel="stylesheet" href="../../css/custom.css">"#),
        "{nested}"
    );

    // Every include form, compared on the text of each listing.
    let includes = site.read("book/format/includes.html");
    let blocks = code_blocks(&includes);
    let example =
        std::fs::read_to_string(site.path("src/format/code/example.rs")).expect("example.rs");
    let lines: Vec<&str> = example.lines().collect();
    // A line range is taken as written, anchor markers and all (mdBook's `take_lines`).
    let range = |from: usize, to: usize| -> String {
        lines[from - 1..to]
            .iter()
            .map(|l| format!("{l}\n"))
            .collect()
    };
    assert_eq!(blocks[0], example, "the whole file, markers and all");
    assert_eq!(
        blocks[1],
        format!("{}\n", lines[19]),
        ":20 is line 20 alone"
    );
    assert_eq!(blocks[2], range(5, 20), ":5:20");
    assert_eq!(blocks[3], range(1, 4), "::4");
    assert_eq!(blocks[4], range(26, lines.len()), ":26:");
    assert_eq!(
        blocks[5],
        "/// A counter of words.\nstruct Counter {\n    counts: HashMap<String, usize>,\n}\n",
        ":struct"
    );
    assert_eq!(
        blocks[6],
        "    fn add(&mut self, word: &str) {\n        *self.counts.entry(word.to_string()).or_insert(0) += 1;\n    }\n",
        ":add, an anchor inside another, kept as indented as it is (mdBook does not dedent)"
    );
    // rustdoc_include from outside src/: the anchor shown, the rest of the file hidden.
    assert_eq!(
        blocks[7],
        "[hidden] use std::io;\n[hidden] \n[hidden] fn main() {\n    let mut guess = String::new();\n    io::stdin().read_line(&mut guess).expect(\"read a line\");\n[hidden]     println!(\"You guessed: {guess}\");\n[hidden] }\n",
        "rustdoc_include"
    );
    // playground: the whole file as an editable Rust block.
    assert_eq!(blocks[8], example, "playground");
    assert!(includes.contains("data-lang=\"rust\""), "{includes}");
    // The included Markdown's heading and link belong to the chapter.
    assert!(
        includes.contains(r#"<h2 id="included-section">"#),
        "{includes}"
    );
    assert!(
        includes.contains(r#"href="../format/hidden.html#the-rust-way""#),
        "{includes}"
    );
    for directive in ["{{#include", "{{#rustdoc_include", "{{#playground"] {
        assert!(
            !includes.contains(directive),
            "{directive} is left: {includes}"
        );
    }
    assert!(
        includes.contains("<code>{{#title ...}}</code>"),
        "{includes}"
    );

    // Hidden lines: Rust's `# ` and the book's `~` prefix for Python, and a block's own.
    let hidden = code_blocks(&site.read("book/format/hidden.html"));
    assert_eq!(
        hidden,
        [
            "[hidden] fn main() {\nlet x = 5;\nlet y = 6;\n\nprintln!(\"{}\", x + y);\n[hidden] }\n",
            "[hidden] struct Vec<T>(T);\nunsafe impl<#[may_dangle] T> Drop for Vec<T> { /* … */ }\n",
            "[hidden] hidden()\nnothidden():\n[hidden]     hidden()\n[hidden]     hidden()\n    nothidden()\n",
            "[hidden] import os\nprint(\"shown\")\n",
        ],
    );

    // Math to MathML, `$5` left alone.
    let math = site.part("book/format/math.html", "<main");
    assert_eq!(math.matches("<math").count(), 3, "{math}");
    assert!(math.contains("it costs $5."), "{math}");

    // Anchors: ids from heading text, a repeated heading's second id, an id of its own.
    let anchors = site.part("book/ext/anchors.html", "<main");
    for id in ["example", "example-1", "a-custom-id"] {
        assert!(
            anchors.contains(&format!(" id=\"{id}\"")),
            "{id}: {anchors}"
        );
    }
    assert!(site
        .read("book/format/summary.html")
        .contains(r#"href="../ext/anchors.html#a-custom-id""#));

    // The plugin turned its fences into admonitions (with its stylesheet).
    let admonitions = site.read("book/ext/admonitions.html");
    if plugin_ran {
        assert!(
            admonitions.contains("admonition admonish-warning"),
            "{admonitions}"
        );
        assert!(
            admonitions.contains(r#"href="../ext/anchors.html""#),
            "{admonitions}"
        );
        assert!(site.path("book/mdbook-admonish.css").is_file());
    } else {
        // Without it, the fences are code blocks, as mdBook shows them.
        assert!(
            admonitions.contains("irrecoverable data corruption")
                && !admonitions.contains("admonition admonish-warning"),
            "{admonitions}"
        );
    }

    // Redirects: targets resolved against the old page's folder, as mdBook does.
    for (file, href) in [
        ("old-start.html", "format/summary.html"),
        ("format/old-includes.html", "includes.html"),
        ("legacy/hidden.html", "../format/hidden.html"),
    ] {
        let page = site.read(&format!("book/{file}"));
        assert!(
            page.contains(&format!("content=\"0; url={href}\"")),
            "{file}: {page}"
        );
    }

    // print.html: every chapter in reading order, ids unique, in-book links on the page.
    let print = site.part("book/print.html", "<main");
    assert_eq!(
        print::chapters(&print),
        [
            "index",
            "foreword",
            "format-summary",
            "format-includes",
            "format-hidden",
            "format-deep-index",
            "format-deep-nested",
            "format-math",
            "ext-admonitions",
            "ext-anchors",
            "contributors",
        ]
    );
    let ids = print::values(&print, "id");
    let unique: BTreeSet<&&str> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate ids: {ids:?}");
    assert!(
        print.contains("href=\"#ext-anchors-a-custom-id\""),
        "{print}"
    );
    assert!(
        print.contains("href=\"#format-hidden-the-rust-way\""),
        "{print}"
    );
    assert!(
        code_blocks(&print).contains(&example),
        "the included listing is on the print page"
    );
}

/// The link check over the output of every fixture book under `tests/fixtures/books/`, so
/// a new fixture book is checked without a line here. The plugins book needs its plugins;
/// without them (outside CI) it is left out, saying so.
#[test]
fn every_fixture_book_has_no_broken_link() {
    let books = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/books");
    let mut names: Vec<String> = std::fs::read_dir(&books)
        .expect("the fixture books")
        .map(|e| {
            e.expect("a fixture book")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    assert!(names.len() >= 6, "{names:?}");
    let plugins = path_with_plugins();
    let mut checked = Vec::new();
    for name in &names {
        let site = TestSite::fixture(&format!("books/{name}"));
        let wanted: &[&str] = match name.as_str() {
            "plugins" => &["mdbook-admonish", "mdbook-mermaid"],
            "kitchen-sink" => &["mdbook-admonish"],
            _ => &[],
        };
        let run = match &plugins {
            Some(path) if !wanted.is_empty() => {
                install_plugins(&site, path, wanted);
                let path = path.to_str().expect("a UTF-8 PATH");
                Run::with_env(site.root(), &["build"], &[("PATH", path)])
            }
            None if name == "plugins" => {
                eprintln!("skipped the plugins book: its plugins are not installed");
                continue;
            }
            _ => site.kb(&["build"]),
        };
        let run = run.success();
        assert!(
            !run.stderr_text().contains(": error: "),
            "{name}: {}",
            run.stderr_text()
        );
        assert_eq!(
            broken_links(&site.path("book")),
            Vec::<String>::new(),
            "{name}"
        );
        checked.push(name.as_str());
    }
    assert!(checked.contains(&"kitchen-sink"), "{checked:?}");
}
