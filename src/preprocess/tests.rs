//! The plugin protocol against stub plugins written by each test (Python scripts, so they
//! can read and rewrite the JSON): what kb sends, what it reads back, and every way a
//! plugin can be skipped or fail.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::*;
use crate::content::{Loader, Site};

/// A book in a temporary folder: `book.toml` with `tables` appended, three chapters (one a
/// nested README), and `stub.py`, a plugin whose behaviour the test's Python `body` sets.
struct Book {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Book {
    fn new(tables: &str, body: &str) -> Book {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().canonicalize().expect("canonical");
        let write = |rel: &str, text: &str| {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        };
        write(
            "book.toml",
            &format!("[book]\ntitle = \"Stub\"\n\n{tables}"),
        );
        write(
            "src/SUMMARY.md",
            "# Summary\n\n- [Intro](intro.md)\n- [Guide](guide/README.md)\n  - [Setup](guide/setup.md)\n",
        );
        write("src/intro.md", "# Intro\n\nTODO intro\n");
        write("src/guide/README.md", "# Guide\n\nTODO guide\n");
        write("src/guide/setup.md", "# Setup\n\nTODO setup\n");
        let script = format!(
            "import json, sys\nif len(sys.argv) > 1 and sys.argv[1] == 'supports':\n    open('supports.txt', 'a').write(sys.argv[2] + '\\n')\n    sys.exit(0)\nraw = sys.stdin.read()\nopen('input.json', 'w').write(raw)\nctx, book = json.loads(raw)\ndef each(items, f):\n    for item in items:\n        if isinstance(item, dict) and 'Chapter' in item:\n            f(item['Chapter'])\n            each(item['Chapter']['sub_items'], f)\n{body}\n"
        );
        write("stub.py", &script);
        Book { _dir: dir, root }
    }

    fn settings(&self) -> Settings {
        Settings::load(&self.root).expect("valid book.toml")
    }

    fn site(&self, settings: &Settings) -> Site {
        let (site, errors) = Loader::new(settings, false).load_site();
        assert!(errors.is_empty(), "{errors:?}");
        site
    }

    /// Loads the book and runs its plugins.
    fn run(&self) -> (Site, Result<Vec<Diagnostic>, Diagnostic>) {
        let settings = self.settings();
        let mut site = self.site(&settings);
        let result = super::run(&settings, Trust::Trusted, &mut site);
        (site, result)
    }

    fn file(&self, name: &str) -> Option<String> {
        std::fs::read_to_string(self.root.join(name)).ok()
    }
}

fn body<'a>(site: &'a Site, rel: &str) -> &'a str {
    &site.pages[site.page_by_rel(rel).expect("page")].body
}

const STUB: &str = "[preprocessor.stub]\ncommand = \"python3 stub.py\"\n";

/// Replaces TODO by DONE and answers in mdBook 0.4's format (`sections` only).
const DONE_04: &str = "each(book['sections'], lambda c: c.update(content=c['content'].replace('TODO', 'DONE')))\nprint(json.dumps({'sections': book['sections'], '__non_exhaustive': None}))";

#[test]
fn the_context_and_book_are_what_mdbook_sends() {
    let book = Book::new(STUB, DONE_04);
    let (_, result) = book.run();
    assert!(result.expect("ran").is_empty());
    assert_eq!(book.file("supports.txt").as_deref(), Some("html\n"));
    let input: Value =
        serde_json::from_str(&book.file("input.json").expect("stub read input")).expect("JSON");
    let (context, sent) = (&input[0], &input[1]);
    assert_eq!(context["renderer"], "html");
    assert_eq!(context["mdbook_version"], MDBOOK_VERSION);
    assert_eq!(context["root"], book.root.to_string_lossy().as_ref());
    assert_eq!(context["config"]["book"]["title"], "Stub");
    assert_eq!(
        context["config"]["preprocessor"]["stub"]["command"],
        "python3 stub.py"
    );
    assert_eq!(
        sent["items"], sent["sections"],
        "both formats carry the chapters"
    );
    let guide = &sent["items"][1]["Chapter"];
    assert_eq!(guide["name"], "Guide");
    assert_eq!(guide["number"], serde_json::json!([2]));
    assert_eq!(guide["path"], "guide/index.md");
    assert_eq!(guide["source_path"], "guide/README.md");
    assert_eq!(guide["content"], "# Guide\n\nTODO guide\n");
    let setup = &guide["sub_items"][0]["Chapter"];
    assert_eq!(setup["number"], serde_json::json!([2, 1]));
    assert_eq!(setup["parent_names"], serde_json::json!(["Guide"]));
}

#[test]
fn a_04_answer_replaces_page_bodies() {
    let book = Book::new(STUB, DONE_04);
    let (site, result) = book.run();
    result.expect("ran");
    assert_eq!(body(&site, "intro.md"), "# Intro\n\nDONE intro\n");
    assert_eq!(body(&site, "guide/setup.md"), "# Setup\n\nDONE setup\n");
}

#[test]
fn a_05_answer_replaces_page_bodies() {
    let answer = "each(book['items'], lambda c: c.update(content='# New\\n'))\nprint(json.dumps({'items': book['items']}))";
    let book = Book::new(STUB, answer);
    let (site, result) = book.run();
    result.expect("ran");
    assert_eq!(body(&site, "guide/README.md"), "# New\n");
}

#[test]
fn plugins_run_in_order_each_on_the_previous_answer() {
    let append = |mark: &str| {
        format!("each(book['items'], lambda c: c.update(content=c['content'] + '{mark}'))\nprint(json.dumps({{'items': book['items']}}))")
    };
    let book = Book::new(
        "[preprocessor.b]\ncommand = \"python3 b.py\"\n[preprocessor.a]\ncommand = \"python3 stub.py\"\nafter = [\"b\"]\n",
        &append("A"),
    );
    let b = std::fs::read_to_string(book.root.join("stub.py"))
        .expect("stub")
        .replace(&append("A"), &append("B"));
    std::fs::write(book.root.join("b.py"), b).expect("write");
    let (site, result) = book.run();
    result.expect("ran");
    assert!(
        body(&site, "intro.md").ends_with("TODO intro\nBA"),
        "{}",
        body(&site, "intro.md")
    );
}

#[test]
fn a_plugin_that_does_not_support_html_is_not_run() {
    let book = Book::new(STUB, "sys.exit(3)");
    let script = book
        .file("stub.py")
        .expect("stub")
        .replace("sys.exit(0)", "sys.exit(1)");
    std::fs::write(book.root.join("stub.py"), script).expect("write");
    let (site, result) = book.run();
    assert!(result.expect("skipped").is_empty());
    assert_eq!(body(&site, "intro.md"), "# Intro\n\nTODO intro\n");
}

/// The Rust Programming Language's plugins are `cargo run ...`: where its pinned toolchain
/// is missing, `supports` fails with rustup's message, which is a warning, not silence.
#[test]
fn a_plugin_that_says_no_with_an_error_message_is_a_warning_with_it() {
    let book = Book::new(STUB, "sys.exit(3)");
    let script = book.file("stub.py").expect("stub").replace(
        "sys.exit(0)",
        "sys.stderr.write('error: toolchain 1.97 is not installed\\n')\n    sys.exit(1)",
    );
    std::fs::write(book.root.join("stub.py"), script).expect("write");
    let (site, result) = book.run();
    let warnings: Vec<String> = result
        .expect("skipped")
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains(
            "the `stub` preprocessor was not run: `python3 stub.py supports html` said no, printing:\n  error: toolchain 1.97 is not installed"
        ),
        "{warnings:?}"
    );
    assert_eq!(body(&site, "intro.md"), "# Intro\n\nTODO intro\n");
}

#[test]
fn renderers_without_html_skip_the_plugin_without_asking_it() {
    let book = Book::new(&format!("{STUB}renderers = [\"latex\"]\n"), "sys.exit(3)");
    let (_, result) = book.run();
    assert!(result.expect("skipped").is_empty());
    assert_eq!(book.file("supports.txt"), None);
}

#[test]
fn a_missing_optional_plugin_is_a_warning() {
    let book = Book::new("[preprocessor.nothing-here]\noptional = true\n", "");
    let (site, result) = book.run();
    let warnings = result.expect("a warning only");
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].message.contains("mdbook-nothing-here"),
        "{}",
        warnings[0].message
    );
    assert_eq!(warnings[0].line, Some(4));
    assert_eq!(body(&site, "intro.md"), "# Intro\n\nTODO intro\n");
}

#[test]
fn a_missing_required_plugin_is_an_error_at_its_table() {
    let book = Book::new("[preprocessor.nothing-here]\n", "");
    let (_, result) = book.run();
    let error = result.expect_err("required");
    assert!(error.is_error());
    assert_eq!((error.line, error.column), (Some(4), Some(1)));
    assert!(error
        .help
        .as_deref()
        .unwrap_or_default()
        .contains("optional = true"));
}

#[test]
fn a_failing_plugin_is_an_error_with_its_stderr() {
    let book = Book::new(
        STUB,
        "sys.stderr.write('admonition type unknown\\n')\nsys.exit(2)",
    );
    let (_, result) = book.run();
    let error = result.expect_err("failed");
    assert!(
        error.message.contains("admonition type unknown"),
        "{}",
        error.message
    );
    assert!(error.message.contains("`stub`"), "{}", error.message);
}

#[test]
fn an_answer_that_is_not_a_book_is_an_error() {
    let book = Book::new(STUB, "print('hello')");
    let (_, result) = book.run();
    assert!(result
        .expect_err("not JSON")
        .message
        .contains("did not answer with a book"));
}

#[test]
fn untrusted_nothing_runs_and_each_plugin_warns_once() {
    let book = Book::new(STUB, DONE_04);
    let settings = book.settings();
    let mut site = book.site(&settings);
    let warnings =
        super::run(&settings, Trust::Untrusted, &mut site).expect("warnings only, no error");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0]
            .message
            .contains("`stub` preprocessor was not run: untrusted mode"),
        "{warnings:?}"
    );
    assert_eq!(book.file("supports.txt"), None);
    assert_eq!(body(&site, "intro.md"), "# Intro\n\nTODO intro\n");
}

#[test]
fn a_relative_program_path_is_taken_from_the_root() {
    let book = Book::new("[preprocessor.stub]\ncommand = \"./bin/plugin\"\n", DONE_04);
    let bin = book.root.join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let script = format!(
        "#!/usr/bin/env python3\n{}",
        book.file("stub.py").expect("stub")
    );
    write_executable(&bin.join("plugin"), &script);
    let (site, result) = book.run();
    result.expect("ran");
    assert_eq!(body(&site, "intro.md"), "# Intro\n\nDONE intro\n");
}

fn write_executable(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
}

#[test]
fn the_config_keeps_only_what_mdbook_05_accepts() {
    let table: toml::Table = toml::from_str(
        "[book]\ntitle = \"T\"\nmultilingual = false\n[kb]\nlayout = \"mdbook\"\n[output.html.fold]\nenable = true\n[preprocessor.x]\nown-key = 1\n",
    )
    .expect("TOML");
    let config = mdbook_config(table);
    assert_eq!(
        config.keys().collect::<Vec<_>>(),
        ["book", "output", "preprocessor"]
    );
    assert_eq!(config["book"].as_table().map(|t| t.len()), Some(1));
    assert_eq!(config["preprocessor"]["x"]["own-key"].as_integer(), Some(1));
}

#[test]
fn the_config_has_the_mdbook_variables_applied() {
    let text = "[book]\ntitle = \"T\"\nlanguage = \"en\"\n[kb]\nlayout = \"mdbook\"\n";
    let vars = [
        ("MDBOOK_BOOK__LANGUAGE".to_string(), "ja".to_string()),
        (
            "MDBOOK_OUTPUT__HTML__SITE_URL".to_string(),
            "/ja/".to_string(),
        ),
        ("MDBOOK_VERSION".to_string(), "0.4.40".to_string()),
    ];
    let config = context_config(Path::new("book.toml"), text, &vars);
    assert_eq!(config["book"]["language"], "ja");
    assert_eq!(config["book"]["title"], "T");
    assert_eq!(config["output"]["html"]["site-url"], "/ja/");
    assert!(config.get("kb").is_none() && config.get("version").is_none());
    // Without a book.toml the variables still apply, as in mdBook.
    let config = context_config(Path::new("book.toml"), "", &vars);
    assert_eq!(config["book"]["language"], "ja");
}

#[test]
fn chapter_names_a_plugin_changes_are_shown() {
    // A translation renames chapters: the sidebar and the page's title follow, as in mdBook.
    let rename = "each(book['items'], lambda c: c.update(name=c['name'].replace('Setup', 'Instalación')))\nprint(json.dumps(book))";
    let book = Book::new(STUB, rename);
    let (site, result) = book.run();
    assert!(result.expect("ran").is_empty());
    let setup = &site.pages[site.page_by_rel("guide/setup.md").expect("page")];
    assert_eq!(setup.title, "Instalación");
    let crate::content::toc::TocItem::Entry(guide) = &site.toc[1] else {
        panic!("the guide is the second entry");
    };
    assert_eq!(guide.children[0].title, "Instalación");
    assert_eq!(guide.title, "Guide", "the names the plugin kept stay");
}

#[test]
fn the_install_hint_names_the_crate_that_has_the_plugin() {
    assert_eq!(
        install_command("gettext"),
        "`cargo install mdbook-i18n-helpers`"
    );
    assert_eq!(
        install_command("admonish"),
        "for most plugins `cargo install mdbook-admonish`"
    );
}
