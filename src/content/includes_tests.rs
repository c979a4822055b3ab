use super::*;

const LISTING: &str = "\
/* ANCHOR: all */
fn main() {
    // ANCHOR: body
    let x = add_one(2);
    // ANCHOR_END: body
    assert_eq!(x, 3);
}
/* ANCHOR_END: all */
";

/// A repository (`.git`) with a book in `book/`, pages in `book/src/`.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        std::fs::create_dir_all(dir.path().join("book/src/sub")).unwrap();
        std::fs::create_dir_all(dir.path().join("listings")).unwrap();
        let repo = Repo { dir };
        repo.write("book/src/listing.rs", LISTING);
        repo
    }

    fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.dir.path().join(rel), text).unwrap();
    }

    fn includes(&self) -> Includes {
        let book = self.dir.path().join("book");
        Includes::new(&book, &book.join("src"))
    }

    /// Expands `body` as the page `book/src/{rel}` (written to disk first).
    fn expand(&self, rel: &str, body: &str) -> Result<Expanded, Diagnostic> {
        let path = self.dir.path().join("book/src").join(rel);
        std::fs::write(&path, body).unwrap();
        self.includes()
            .expand(&path, Path::new(&format!("src/{rel}")), body, 1)
    }

    fn body(&self, body: &str) -> String {
        self.expand("page.md", body).unwrap().body
    }

    fn error(&self, body: &str) -> Diagnostic {
        self.expand("page.md", body).unwrap_err()
    }
}

#[test]
fn whole_file_and_line_ranges() {
    let repo = Repo::new();
    repo.write("book/src/lines.txt", "one\ntwo\nthree\nfour\nfive\n");
    let body = |d: &str| repo.body(&format!("{{{{#include {d}}}}}"));
    assert_eq!(body("lines.txt"), "one\ntwo\nthree\nfour\nfive");
    assert_eq!(body("lines.txt:2"), "two");
    assert_eq!(body("lines.txt:2:4"), "two\nthree\nfour");
    assert_eq!(body("lines.txt::2"), "one\ntwo");
    assert_eq!(body("lines.txt:4:"), "four\nfive");
    assert_eq!(
        body("lines.txt:9"),
        "",
        "past the end is empty, as in mdBook"
    );
}

#[test]
fn anchors_drop_their_marker_lines() {
    let repo = Repo::new();
    assert_eq!(
        repo.body("{{#include listing.rs:body}}"),
        "    let x = add_one(2);"
    );
    assert_eq!(
        repo.body("{{#include listing.rs:all}}"),
        "fn main() {\n    let x = add_one(2);\n    assert_eq!(x, 3);\n}"
    );
    let e = repo.error("text\n  {{#include listing.rs:nope}}");
    assert_eq!((e.line, e.column), (Some(2), Some(3)));
    assert!(e.message.contains("ANCHOR: nope"), "{}", e.message);
}

#[test]
fn rustdoc_include_hides_the_other_lines() {
    let repo = Repo::new();
    repo.write("book/src/main.rs", "fn main() {\n    let x = 2;\n}\n");
    assert_eq!(
        repo.body("```rust\n{{#rustdoc_include main.rs:2}}\n```"),
        "```rust\n# fn main() {\n    let x = 2;\n# }\n```"
    );
    assert_eq!(
        repo.body("{{#rustdoc_include listing.rs:body}}"),
        "# fn main() {\n    let x = add_one(2);\n#     assert_eq!(x, 3);\n# }"
    );
}

#[test]
fn playground_wraps_the_file_in_a_rust_block() {
    let repo = Repo::new();
    repo.write("book/src/main.rs", "fn main() {}\n");
    assert_eq!(
        repo.body("{{#playground main.rs}}"),
        "```rust\nfn main() {}\n```"
    );
    assert_eq!(
        repo.body("{{#playground main.rs editable no_run}}"),
        "```rust,editable,no_run\nfn main() {}\n```"
    );
}

#[test]
fn title_is_taken_out_of_the_text() {
    let repo = Repo::new();
    let expanded = repo
        .expand("page.md", "{{#title My Title}}\n# Chapter\n")
        .unwrap();
    assert_eq!(expanded.body, "\n# Chapter\n");
    assert_eq!(expanded.title.as_deref(), Some("My Title"));
}

#[test]
fn escaped_directives_are_printed_literally() {
    let repo = Repo::new();
    assert_eq!(
        repo.body("```hbs\n\\{{#include missing.rs}} << escaped\n```"),
        "```hbs\n{{#include missing.rs}} << escaped\n```"
    );
    // Not directives at all: left alone.
    for text in [
        "{{ x }}",
        "{{#include}}",
        "{{#unknown a.rs}}",
        "{{#include a.rs",
    ] {
        assert_eq!(repo.body(text), text);
    }
}

#[test]
fn includes_nest_relative_to_the_included_file() {
    let repo = Repo::new();
    repo.write("listings/a.md", "A then {{#include b.txt}}");
    repo.write("listings/b.txt", "B");
    repo.write("book/src/sub/c.md", "{{#include ../../../listings/a.md}}");
    let expanded = repo.expand("sub/page.md", "{{#include c.md}}").unwrap();
    assert_eq!(expanded.body, "A then B");
    assert_eq!(
        expanded.included.files,
        ["sub/c.md", "../../listings/a.md", "../../listings/b.txt"]
    );
}

#[test]
fn included_lines_take_the_directive_line_prefix() {
    let repo = Repo::new();
    repo.write("book/src/lines.txt", "one\ntwo\n");
    assert_eq!(
        repo.body("> ```\n> {{#include lines.txt}}\n> ```"),
        "> ```\n> one\n> two\n> ```"
    );
}

#[test]
fn cycles_are_errors_at_the_directive() {
    let repo = Repo::new();
    repo.write("book/src/a.md", "x\n{{#include b.md}}");
    repo.write("book/src/b.md", "{{#include a.md}}");
    let e = repo.error("first\nsecond {{#include a.md}}");
    assert_eq!(e.file, Path::new("src/page.md"));
    assert_eq!((e.line, e.column), (Some(2), Some(8)));
    assert!(e.message.contains("cycle"), "{}", e.message);
    assert!(e.message.contains("in `a.md` line 2"), "{}", e.message);
    let e = repo.error("{{#include page.md}}");
    assert!(e.message.contains("cycle"), "{}", e.message);
}

#[test]
fn missing_files_are_errors_at_the_directive() {
    let repo = Repo::new();
    let e = repo.error("a\nb\n  c {{#include nope.rs:3}}");
    assert_eq!((e.line, e.column), (Some(3), Some(5)));
    assert!(e.message.contains("nope.rs"), "{}", e.message);
    assert!(e.help.unwrap().contains("relative to the file"));
}

#[test]
fn includes_stay_inside_the_repository() {
    let repo = Repo::new();
    for path in [
        "../../../../etc/passwd",
        "/etc/passwd",
        "//server/x.rs",
        "a\\b.rs",
    ] {
        let e = repo.error(&format!("{{{{#include {path}}}}}"));
        assert!(e.is_error() && e.line == Some(1), "{path}: {e:?}");
        assert!(e.help.unwrap().contains("inside"), "{path}");
    }
    // `C:` is mdBook's range separator, not a drive letter: `C` is a missing file.
    assert!(repo.error("{{#include C:/x.rs}}").message.contains("`C`"));
    // Up to the repository root is fine.
    repo.write("listings/ok.rs", "ok");
    assert_eq!(repo.body("{{#include ../../listings/ok.rs}}"), "ok");
}

#[cfg(unix)]
#[test]
fn a_symlink_out_of_the_repository_is_refused() {
    let repo = Repo::new();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.rs"), "secret").unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.rs"),
        repo.dir.path().join("book/src/link.rs"),
    )
    .unwrap();
    let e = repo.error("{{#include link.rs}}");
    assert!(e.message.contains("symlink"), "{}", e.message);
}

#[test]
fn without_git_the_site_root_is_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("site/src")).unwrap();
    std::fs::write(dir.path().join("outside.rs"), "x").unwrap();
    let site = dir.path().join("site");
    let page = site.join("src/page.md");
    let body = "{{#include ../../outside.rs}}";
    std::fs::write(&page, body).unwrap();
    let e = Includes::new(&site, &site.join("src"))
        .expand(&page, Path::new("src/page.md"), body, 1)
        .unwrap_err();
    assert!(e.message.contains("`..`"), "{}", e.message);
}

#[test]
fn lines_after_an_include_keep_their_numbers() {
    let repo = Repo::new();
    repo.write("book/src/five.txt", "1\n2\n3\n4\n5\n");
    let body = "a\n{{#include five.txt}}\nc\nd {{#include five.txt:1:2}} e\nf";
    let expanded = repo.expand("page.md", body).unwrap();
    assert_eq!(expanded.body, "a\n1\n2\n3\n4\n5\nc\nd 1\nd 2 e\nf");
    let map = &expanded.included.lines;
    assert_eq!(map.locate(1, 1), (1, 1));
    assert_eq!(map.locate(2, 1), (2, 1), "included: the directive's place");
    assert_eq!(map.locate(6, 1), (2, 1));
    assert_eq!(map.locate(7, 1), (3, 1), "`c` is line 3 of the page");
    assert_eq!(
        map.locate(8, 1),
        (4, 1),
        "before the directive, its own column"
    );
    assert_eq!(map.locate(9, 3), (4, 3));
    assert_eq!(map.locate(10, 1), (5, 1), "`f` is line 5 of the page");
}

#[test]
fn a_page_without_directives_is_unchanged() {
    let repo = Repo::new();
    let expanded = repo
        .expand("page.md", "# Plain\n\ntext {{ not }}\n")
        .unwrap();
    assert_eq!(expanded.body, "# Plain\n\ntext {{ not }}\n");
    assert_eq!(expanded.included, Included::default());
}
