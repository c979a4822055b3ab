//! `book.toml` files written for mdBook: every key loads, kb's own are honoured, the rest
//! warn once each with their position, and typos stay errors.

use std::path::Path;

use super::*;

fn load(text: &str, vars: &[(&str, &str)]) -> Result<Loaded, Vec<Diagnostic>> {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Settings::from_toml(Path::new("/book"), Path::new("book.toml"), text, &vars)
}

fn shown(diagnostics: &[Diagnostic]) -> Vec<String> {
    let mut lines: Vec<String> = diagnostics
        .iter()
        .map(|d| format!("{}: {}", d.position(), d.message))
        .collect();
    lines.sort();
    lines
}

/// One snippet per key kb does not use, and the one warning it gives.
#[test]
fn each_unused_mdbook_key_warns_once_at_its_position() {
    let cases: &[(&str, &str)] = &[
        (
            "[book]\nmultilingual = false\n",
            "book.toml:2:1: kb does not use `book.multilingual`; ignored",
        ),
        (
            "[book]\nauthor = \"The Rust Project Developers\"\n",
            "book.toml:2:1: kb does not use `book.author`; ignored",
        ),
        (
            "[preprocess.links]\n",
            "book.toml:1:2: kb does not use `preprocess`; ignored",
        ),
        (
            "[language.en]\nname = \"English\"\n",
            "book.toml:1:2: kb does not use `language`; ignored",
        ),
        (
            "[book]\ntitle = \"T\"\ntext-direction = \"rtl\"\n",
            "book.toml:3:1: kb does not use `book.text-direction`; ignored",
        ),
        (
            "[build]\ncreate-missing = false\n",
            "book.toml:2:1: kb does not use `build.create-missing`; ignored",
        ),
        (
            "[build]\nuse-default-preprocessors = false\n",
            "book.toml:2:1: kb does not use `build.use-default-preprocessors`; ignored",
        ),
        (
            "[rust]\nedition = \"2021\"\n",
            "book.toml:1:2: kb does not use `rust`; ignored",
        ),
        (
            "[output.html]\ntheme = \"my-theme\"\n",
            "book.toml:2:1: kb does not use `output.html.theme`; ignored",
        ),
        (
            "[output.html]\ncurly-quotes = false\n",
            "book.toml:2:1: kb does not support `output.html.curly-quotes = false`; ignored",
        ),
        (
            "[output.html]\nsmart-punctuation = false\n",
            "book.toml:2:1: kb does not support `output.html.smart-punctuation = false`; ignored",
        ),
        (
            "[output.html]\ndefinition-lists = false\n",
            "book.toml:2:1: kb does not support `output.html.definition-lists = false`; ignored",
        ),
        (
            "[output.html]\nadmonitions = false\n",
            "book.toml:2:1: kb does not support `output.html.admonitions = false`; ignored",
        ),
        (
            "[output.html]\ncopy-fonts = true\n",
            "book.toml:2:1: kb does not use `output.html.copy-fonts`; ignored",
        ),
        (
            "[output.html]\ngoogle-analytics = \"UA-1\"\n",
            "book.toml:2:1: kb does not use `output.html.google-analytics`; ignored",
        ),
        (
            "[output.html.playground]\neditable = true\nline-numbers = true\n",
            "book.toml:1:14: kb does not use `output.html.playground`; ignored",
        ),
        (
            "[output.html.playpen]\neditable = true\n",
            "book.toml:1:14: kb does not use `output.html.playpen`; ignored",
        ),
        (
            "[output.html.search]\nteaser-word-count = 20\n",
            "book.toml:2:1: kb does not use `output.html.search.teaser-word-count`; ignored",
        ),
        (
            "[output.html.search]\nexpand = false\n",
            "book.toml:2:1: kb does not support `output.html.search.expand = false`; ignored",
        ),
        (
            "[output.html.search]\ncopy-js = false\n",
            "book.toml:2:1: kb does not support `output.html.search.copy-js = false`; ignored",
        ),
        (
            "[output.html.search.chapter]\n\"appendix\" = { enable = false }\n",
            "book.toml:1:21: kb does not use `output.html.search.chapter`; ignored",
        ),
        (
            "[output.html]\ngit-repository-icon = \"fa-code-fork\"\n",
            "book.toml:2:1: kb does not use `output.html.git-repository-icon`; ignored",
        ),
        (
            "[output.html]\ncname = \"example.org\"\n",
            "book.toml:2:1: kb does not use `output.html.cname`; ignored",
        ),
        (
            "[output.html]\nlive-reload-endpoint = \"/__reload\"\n",
            "book.toml:2:1: kb does not use `output.html.live-reload-endpoint`; ignored",
        ),
        (
            "[output.html]\nlivereload-url = \"ws://x\"\n",
            "book.toml:2:1: kb does not use `output.html.livereload-url`; ignored",
        ),
        (
            "[output.html]\nhash-files = false\n",
            "book.toml:2:1: kb does not support `output.html.hash-files = false`; ignored",
        ),
        (
            "[output.html]\nsidebar-header-nav = false\n",
            "book.toml:2:1: kb does not use `output.html.sidebar-header-nav`; ignored",
        ),
        (
            "[output.linkcheck]\nfollow-web-links = false\n",
            "book.toml:1:9: kb does not use `output.linkcheck`; ignored",
        ),
        (
            "[output.markdown]\n",
            "book.toml:1:9: kb does not use `output.markdown`; ignored",
        ),
        (
            "[output.epub]\ncommand = \"mdbook-epub\"\noptional = true\n",
            "book.toml:1:9: kb does not use `output.epub`; ignored",
        ),
    ];
    for (text, expected) in cases {
        let loaded = load(text, &[]).unwrap_or_else(|e| panic!("{text}: {:#?}", shown(&e)));
        assert_eq!(shown(&loaded.warnings), [expected.to_string()], "{text}");
        assert!(loaded.warnings.iter().all(|w| w.help.is_some()), "{text}");
    }
}

#[test]
fn values_kb_already_follows_are_silent() {
    let text = "[output.html]\nsmart-punctuation = true\ncurly-quotes = true\nmathjax-support = false\nhash-files = true\nno-section-label = false\ndefinition-lists = true\nadmonitions = true\n\n[output.html.search]\nexpand = true\ncopy-js = true\n\n[preprocessor.index]\n\n[preprocessor.links]\n";
    let loaded = load(text, &[]).unwrap();
    assert_eq!(shown(&loaded.warnings), Vec::<String>::new());
}

#[test]
fn a_wrong_type_is_an_error_for_keys_kb_uses_only() {
    let errors = load("[output.html]\nsmart-punctuation = \"yes\"\n", &[]).unwrap_err();
    assert_eq!(
        shown(&errors),
        ["book.toml:2:1: `output.html.smart-punctuation` must be true or false, not a string"]
    );
    let errors = load("[output.html]\nadmonitions = 1\n", &[]).unwrap_err();
    assert!(
        errors[0].message.ends_with("not an integer"),
        "{}",
        errors[0].message
    );
    let errors = load("[output.html.search]\nlimit-results = \"many\"\n", &[]).unwrap_err();
    assert_eq!(errors[0].line, Some(2));
    assert_eq!(errors[0].column, Some(17));
    // A key kb ignores is not checked: mdBook's own type is its business.
    assert!(load("[output.html.playground]\neditable = \"deep\"\n", &[]).is_ok());
}

#[test]
fn keys_of_neither_kb_nor_mdbook_stay_errors() {
    for (text, line) in [
        ("[book]\ntitel = \"x\"\n", 2),
        ("[output.html]\nsmart-punctuaton = true\n", 2),
        ("[output.html.search]\nlimit-result = 3\n", 2),
        ("[build]\nbuild_dir = \"x\"\n", 2),
        ("[kb]\nlayut = \"mdbook\"\n", 2),
        ("[outputs.html]\n", 1),
    ] {
        let errors = load(text, &[]).unwrap_err();
        assert_eq!(errors.len(), 1, "{text}");
        assert!(
            errors[0].message.starts_with("unknown field"),
            "{text}: {}",
            errors[0].message
        );
        assert_eq!(errors[0].line, Some(line), "{text}");
        assert!(errors[0]
            .help
            .as_deref()
            .unwrap()
            .contains("neither kb nor mdBook"));
    }
}

/// A book.toml as mdBook 0.4 books wrote them (before 0.4.35 renamed curly-quotes).
#[test]
fn a_0_4_era_config_loads_with_warnings_only() {
    let text = r#"[book]
authors = ["Steve Klabnik", "Carol Nichols"]
multilingual = false
src = "src"
title = "The Book"

[rust]
edition = "2018"

[build]
create-missing = false
use-default-preprocessors = true

[output.html]
curly-quotes = true
mathjax-support = false
copy-fonts = true
google-analytics = "UA-000"
additional-css = ["ferris.css", "theme/2018-edition.css"]
additional-js = ["ferris.js"]
git-repository-url = "https://github.com/rust-lang/book"
livereload-url = "ws://localhost:3000/livereload"
default-theme = "rust"
preferred-dark-theme = "navy"

[output.html.playpen]
editable = true
copy-js = true

[output.html.fold]
enable = true
level = 0

[output.html.search]
enable = true
limit-results = 30
teaser-word-count = 30
use-boolean-and = true
boost-title = 2
boost-hierarchy = 1
boost-paragraph = 1
expand = true
heading-split-level = 3
copy-js = true

[output.html.redirect]
"/old.html" = "new.html"

[preprocessor.links]
"#;
    let loaded = load(text, &[]).unwrap_or_else(|e| panic!("{:#?}", shown(&e)));
    assert_eq!(
        shown(&loaded.warnings),
        [
            "book.toml:11:1: kb does not use `build.create-missing`; ignored",
            "book.toml:12:1: kb does not use `build.use-default-preprocessors`; ignored",
            "book.toml:17:1: kb does not use `output.html.copy-fonts`; ignored",
            "book.toml:18:1: kb does not use `output.html.google-analytics`; ignored",
            "book.toml:22:1: kb does not use `output.html.livereload-url`; ignored",
            "book.toml:26:14: kb does not use `output.html.playpen`; ignored",
            "book.toml:37:1: kb does not use `output.html.search.teaser-word-count`; ignored",
            "book.toml:3:1: kb does not use `book.multilingual`; ignored",
            "book.toml:7:2: kb does not use `rust`; ignored",
        ]
    );
    let settings = loaded.settings;
    assert_eq!(settings.title, "The Book");
    assert_eq!(settings.additional_css.len(), 2);
    assert_eq!(
        settings.redirects.get("old.html").map(String::as_str),
        Some("new.html")
    );
    assert!(settings.search.use_boolean_and);
    assert_eq!(settings.search.boost_title, 2.0);
    // `rust` is mdBook's light theme; a kb site keeps it light.
    assert_eq!(settings.default_theme, ThemeMode::Light);
}

/// The shape of mdBook's own guide (guide/book.toml, mdBook 0.5).
#[test]
fn an_mdbook_guide_like_config_is_honoured() {
    let text = r#"[book]
title = "mdBook Documentation"
description = "Create book from markdown files. Like Gitbook but implemented in Rust"
authors = ["Mathieu David", "Michael-F-Bryan"]
language = "en"
text-direction = "ltr"

[rust]
edition = "2018"

[output.html]
smart-punctuation = true
mathjax-support = true
site-url = "/mdBook/"
git-repository-url = "https://github.com/rust-lang/mdBook/tree/master/guide"
edit-url-template = "https://github.com/rust-lang/mdBook/edit/master/guide/{path}"
hash-files = true

[output.html.playground]
editable = true
line-numbers = true

[output.html.code.hidelines]
python = "~"

[output.html.search]
limit-results = 20
use-boolean-and = true
boost-title = 2
boost-hierarchy = 2
boost-paragraph = 1
expand = true
heading-split-level = 2

[output.html.redirect]
"/format/config.html" = "configuration/index.html"

[preprocessor.guide-helper]
command = "cargo run --quiet --manifest-path guide-helper/Cargo.toml"

[build]
extra-watch-dirs = ["guide-helper/src"]
"#;
    let loaded = load(text, &[]).unwrap_or_else(|e| panic!("{:#?}", shown(&e)));
    let warned: Vec<String> = shown(&loaded.warnings);
    assert_eq!(warned.len(), 3, "{warned:#?}");
    for key in ["book.text-direction", "rust", "output.html.playground"] {
        assert!(
            warned.iter().any(|w| w.contains(&format!("`{key}`"))),
            "{key}: {warned:#?}"
        );
    }
    let settings = loaded.settings;
    assert!(settings.math, "mathjax-support = true turns math on");
    assert_eq!(
        settings.extra_watch_dirs,
        vec![settings.root.join("guide-helper/src")]
    );
    assert_eq!(
        settings.hidelines.get("python").map(String::as_str),
        Some("~")
    );
    assert_eq!(settings.title, "mdBook Documentation");
    assert_eq!(settings.base_path, "/mdBook/");
    assert_eq!(settings.site_url, None);
    assert_eq!(settings.search.limit_results, 20);
    assert_eq!(settings.search.heading_split_level, 2);
    assert_eq!(settings.search.boost_heading, 2.0);
    assert_eq!(
        settings.edit_url_template.as_deref(),
        Some("https://github.com/rust-lang/mdBook/edit/master/guide/{path}")
    );
    assert!(settings.redirects.contains_key("format/config.html"));
    // The guide's own plugin is read (and run at build time), not ignored.
    let plugins: Vec<(&str, &str)> = settings
        .preprocessors
        .iter()
        .map(|p| (p.name.as_str(), p.command.as_str()))
        .collect();
    assert_eq!(
        plugins,
        [(
            "guide-helper",
            "cargo run --quiet --manifest-path guide-helper/Cargo.toml"
        )]
    );
}

#[test]
fn mdbook_theme_names_map_to_kb_modes() {
    let mode = |text: &str| load(text, &[]).unwrap().settings.default_theme;
    assert_eq!(
        mode("[output.html]\ndefault-theme = \"navy\"\n"),
        ThemeMode::Dark
    );
    assert_eq!(
        mode("[output.html]\ndefault-theme = \"ayu\"\n"),
        ThemeMode::Dark
    );
    assert_eq!(
        mode("[output.html]\ndefault-theme = \"light\"\n"),
        ThemeMode::Light
    );
    assert_eq!(
        mode("[output.html]\ndefault-theme = \"auto\"\n"),
        ThemeMode::Auto
    );
    let loaded = load("[output.html]\npreferred-dark-theme = \"rust\"\n", &[]).unwrap();
    assert_eq!(loaded.warnings.len(), 1);
    assert!(load("[output.html]\ndefault-theme = \"purple\"\n", &[]).is_err());
}

#[test]
fn environment_variables_override_the_file() {
    let text = "[book]\ntitle = \"From the file\"\n";
    let loaded = load(
        text,
        &[
            ("MDBOOK_BOOK__TITLE", "From the environment"),
            ("MDBOOK_OUTPUT__HTML__SITE_URL", "https://example.org/docs"),
            ("MDBOOK_OUTPUT__HTML__SEARCH__LIMIT_RESULTS", "7"),
            ("MDBOOK_BOOK__AUTHORS", "[\"A\", \"B\"]"),
            ("MDBOOK_VERSION", "0.4.40"),
        ],
    )
    .unwrap();
    let settings = loaded.settings;
    assert_eq!(settings.title, "From the environment");
    assert_eq!(
        settings.site_url.as_deref(),
        Some("https://example.org/docs/")
    );
    assert_eq!(settings.base_path, "/docs/");
    assert_eq!(settings.search.limit_results, 7);
    assert_eq!(settings.authors, ["A", "B"]);
}

#[test]
fn a_whole_table_from_the_environment_replaces_the_file_s() {
    let text = "[book]\ntitle = \"File\"\ndescription = \"kept?\"\n";
    let settings = load(text, &[("MDBOOK_BOOK", "{\"title\": \"Env\"}")])
        .unwrap()
        .settings;
    assert_eq!(settings.title, "Env");
    assert_eq!(settings.description, "");
}

#[test]
fn environment_problems_name_the_variable() {
    let errors = load("", &[("MDBOOK_OUTPUT__HTML__SEARCH__ENABLE", "\"maybe\"")]).unwrap_err();
    assert_eq!(
        shown(&errors),
        ["MDBOOK_OUTPUT__HTML__SEARCH__ENABLE: invalid type: string \"maybe\", expected a boolean"]
    );
    let loaded = load("", &[("MDBOOK_OUTPUT__HTML__PLAYGROUND__EDITABLE", "true")]).unwrap();
    assert_eq!(
        shown(&loaded.warnings),
        ["MDBOOK_OUTPUT__HTML__PLAYGROUND__EDITABLE: kb does not use `output.html.playground`; ignored"]
    );
    let errors = load("", &[("MDBOOK_BOOK__TITEL", "x")]).unwrap_err();
    assert_eq!(errors[0].file, Path::new("MDBOOK_BOOK__TITEL"));
    assert_eq!(errors[0].line, None);
}

#[test]
fn an_mdbook_theme_folder_warns_once_naming_its_files() {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in [
        ("book.toml", "[book]\ntitle = \"B\"\n"),
        ("src/SUMMARY.md", "- [A](a.md)\n"),
        ("theme/index.hbs", "{{ content }}"),
        ("theme/css/general.css", "body {}"),
    ] {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let loaded = Settings::load_with_warnings(dir.path()).unwrap();
    assert_eq!(loaded.warnings.len(), 1, "{:#?}", shown(&loaded.warnings));
    let warning = &loaded.warnings[0];
    assert!(
        warning
            .message
            .contains("theme/css/general.css, theme/index.hbs cannot apply to kb's pages"),
        "{}",
        warning.message
    );
    // A kb site's `theme/` folder is its own business.
    std::fs::write(dir.path().join("book.toml"), "[kb]\n").unwrap();
    assert!(Settings::load_with_warnings(dir.path())
        .unwrap()
        .warnings
        .is_empty());
}
