//! `book.toml`: the site's configuration, read in two stages.
//!
//! The file is parsed with every key's position, `MDBOOK_*` environment variables are
//! applied over it ([`env`]), mdBook's keys that kb does not read are taken out with a
//! warning each ([`mdbook_keys`]), and the rest is deserialized into the typed tables of
//! [`raw`] (unknown keys are errors there, with line and column) and then validated into
//! [`Settings`], the values the rest of the program uses.

pub(crate) mod agents;
pub(crate) mod env;
mod mdbook_keys;
mod mdbook_theme;
mod origin;
mod raw;
mod validate;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize as _;
use toml::de::DeTable;

use crate::diagnostic::{Diagnostic, Location};
use crate::position::line_col;
use origin::{KeySpans, Origin};
use raw::RawConfig;

/// What kind of source tree the site is. It decides the `src` default, the URL style and
/// what an area is. The rule: a `book.toml` with no `[kb]` table whose source folder
/// (`[book] src`, default `src`) holds a `SUMMARY.md` is an mdBook book; everything else is
/// a kb site. `[kb] layout` overrides the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Layout {
    /// A kb site: areas are top-level folders, URLs are folders (`a/b/`).
    Site,
    /// An mdBook book: `SUMMARY.md` is the table of contents, URLs end in `.html`.
    MdBook,
}

/// How a page's URL is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum UrlStyle {
    /// `caching/stampedes/` (written as `caching/stampedes/index.html`).
    Pretty,
    /// `caching/stampedes.html`, as mdBook writes it; a folder's `README.md` is `index.html`.
    Html,
}

/// How serious a finding is when the site's config may choose.
pub(crate) use crate::diagnostic::Severity;

/// Front matter fields that `[kb] required-fields` may name.
pub(crate) const REQUIRABLE_FIELDS: &[&str] =
    &["title", "description", "difficulty", "tags", "updated"];

/// Light, dark, or following the reader's system setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ThemeMode {
    Light,
    Dark,
    Auto,
}

/// Search options in the form the engine uses.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SearchConfig {
    pub enable: bool,
    pub limit_results: usize,
    pub boost_title: f32,
    pub boost_heading: f32,
    pub boost_body: f32,
    pub boost_code: f32,
    pub use_boolean_and: bool,
    /// Pages are split into search documents at headings up to this level (2 or 3).
    pub heading_split_level: u8,
    /// `synonyms`: a word and what it also matches, added to the built-in list.
    pub synonyms: BTreeMap<String, Vec<String>>,
}

/// `print.html`, the whole book on one page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PrintSettings {
    pub enable: bool,
    /// Each chapter starts on a new sheet.
    pub page_break: bool,
}

/// Validated configuration. Paths are absolute.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub root: PathBuf,
    pub title: String,
    pub authors: Vec<String>,
    pub description: String,
    pub language: String,
    pub content_dir: PathBuf,
    pub build_dir: PathBuf,
    /// More folders `kb serve` watches, below the site root (`build.extra-watch-dirs`, as
    /// mdBook's): a change in one rebuilds everything, since what reads them (a
    /// preprocessor, most often) is not known.
    pub extra_watch_dirs: Vec<PathBuf>,
    pub theme_dir: Option<PathBuf>,
    pub default_theme: ThemeMode,
    pub git_repository_url: Option<String>,
    pub edit_url_template: Option<String>,
    /// Absolute site URL ending in `/`, e.g. `https://example.org/kb/`.
    pub site_url: Option<String>,
    /// The site's path on its server, starting and ending in `/`: `/` unless `site-url`
    /// gives one (`https://example.org/kb/` or, as mdBook allows, just `/kb/`). The 404
    /// page, served at any depth, links from there.
    pub base_path: String,
    pub additional_css: Vec<PathBuf>,
    pub additional_js: Vec<PathBuf>,
    /// Old path (site-relative, no leading slash) to target URL.
    pub redirects: BTreeMap<String, String>,
    pub search: SearchConfig,
    /// Line-hiding prefixes by code block language (`[output.html.code.hidelines]`).
    pub hidelines: BTreeMap<String, String>,
    /// A book's Markdown page for addresses that do not exist (`[output.html] input-404`,
    /// `404.md` by default), relative to the source folder: it becomes `404.html` when the
    /// book has it, rather than a page; kb's own 404 page otherwise. mdBook books only.
    pub not_found_page: Option<String>,
    /// What raw HTML in Markdown becomes (`[output.html] raw-html`), before untrusted
    /// mode has its say ([`crate::markdown::raw_html::RawHtmlMode::under`]).
    pub raw_html: crate::markdown::raw_html::RawHtmlMode,
    /// How the sidebar shows an mdBook book's chapters.
    pub sidebar: SidebarOptions,
    pub tags_file: PathBuf,
    pub search_index_dir: PathBuf,
    pub layout: Layout,
    pub url_style: UrlStyle,
    /// Front matter fields every page must have (names from [`REQUIRABLE_FIELDS`]).
    pub required_fields: Vec<String>,
    pub broken_anchors: Severity,
    pub run_go_tests: bool,
    /// What the site writes for coding agents (`[kb.agents]`).
    pub agents: agents::AgentsConfig,
    /// The print page (`[output.html.print]`).
    pub print: PrintSettings,
    /// Whether formulas (`\\( \\)`, `\\[ \\]`, `$$ $$`) are rendered as MathML: only
    /// when the book turns it on, so a `$` in ordinary prose never changes.
    pub math: bool,
    /// mdBook plugins (`[preprocessor.NAME]`), mdBook's built-ins left out. They run only
    /// when the build's trust allows running the book's programs.
    pub preprocessors: Vec<crate::preprocess::config::Preprocessor>,
    /// Limits on one input: page size, code block size, nesting.
    pub limits: crate::limits::Limits,
}

/// `[output.html] no-section-label` and `[output.html.fold]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SidebarOptions {
    /// With folding on, how many levels of chapters start open (0: all folded); `None`:
    /// no folding, every chapter shows its sub-chapters.
    pub fold_level: Option<usize>,
    /// Whether chapters show their numbers (`1.2.`).
    pub section_labels: bool,
}

/// The configuration file's name, looked up in the site root.
pub(crate) const CONFIG_FILE: &str = "book.toml";

impl Settings {
    /// Reads and validates `book.toml` in `root`, dropping the warnings: for a reload
    /// during `kb serve`, whose first load reported them already.
    pub(crate) fn load(root: &Path) -> Result<Settings, Vec<Diagnostic>> {
        Self::load_with_warnings(root).map(|loaded| loaded.settings)
    }

    /// Reads and validates `book.toml` in `root` with the process's `MDBOOK_*` variables
    /// applied. A missing file gives the defaults.
    pub(crate) fn load_with_warnings(root: &Path) -> Result<Loaded, Vec<Diagnostic>> {
        let path = crate::diagnostic::shown_path(&root.join(CONFIG_FILE));
        let text = match crate::text_file::read(&path) {
            Ok(text) => text,
            Err(crate::text_file::TextError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                String::new()
            }
            Err(e) => return Err(vec![e.diagnostic(&path, "cannot read the configuration")]),
        };
        Self::from_toml(root, &path, &text, &env::process_vars())
    }

    /// Parses configuration `text` with the environment `vars` applied; `path` is only
    /// used in diagnostics.
    pub(crate) fn from_toml(
        root: &Path,
        path: &Path,
        text: &str,
        vars: &[(String, String)],
    ) -> Result<Loaded, Vec<Diagnostic>> {
        let overrides = env::overrides(vars);
        let names = overrides.iter().map(|o| o.variable.clone()).collect();
        let origin = Origin::new(path, text, names);
        // The TOML parser recurses on nesting: refuse a hostile depth before it starts.
        let max_nesting = crate::limits::Limits::default().max_nesting;
        if let Some(at) = crate::limits::too_deep(text, max_nesting) {
            let (line, column) = line_col(text, at);
            return Err(vec![Diagnostic::error(
                Location::new(path, line, column),
                crate::limits::too_deep_message("the configuration", max_nesting),
            )
            .with_help("book.toml never needs this: close the brackets")]);
        }
        let mut doc = DeTable::parse(text)
            .map_err(|e| {
                vec![toml_error(&origin, &e).with_help("fix the TOML syntax at this position")]
            })?
            .into_inner();
        let mut errors = env::apply(&mut doc, &overrides, &origin);
        let keys = KeySpans::of(&doc);
        let mdbook_theme = doc
            .get("output")
            .and_then(|o| {
                o.get_ref()
                    .as_table()?
                    .get("html")?
                    .get_ref()
                    .as_table()?
                    .get("theme")
            })
            .and_then(|theme| theme.get_ref().as_str())
            .map(str::to_string);
        let findings = mdbook_keys::prune(&mut doc, &origin);
        errors.extend(findings.errors);
        let span = 0..text.len();
        let raw = RawConfig::deserialize(toml::de::Deserializer::from(toml::Spanned::new(span, doc)))
            .map_err(|e| {
                let help = if e.message().contains("unknown field") {
                    "neither kb nor mdBook has this key: fix its spelling or remove it; README.md lists the keys kb reads"
                } else {
                    "give the key a value of the type it takes; README.md lists the keys kb reads"
                };
                toml_error(&origin, &e).with_help(help)
            });
        let result = match raw {
            Ok(raw) if errors.is_empty() => raw.validate(root, &origin, &keys, mdbook_theme),
            Ok(_) => Err(errors),
            Err(e) => {
                errors.push(e);
                Err(errors)
            }
        };
        match result {
            Ok(mut loaded) => {
                loaded.warnings.extend(findings.warnings);
                loaded.warnings = loaded.warnings.into_iter().map(origin::tidy).collect();
                Ok(loaded)
            }
            Err(errors) => Err(errors.into_iter().map(origin::tidy).collect()),
        }
    }
}

/// A TOML parse or type error as a diagnostic at its position.
fn toml_error(origin: &Origin<'_>, e: &toml::de::Error) -> Diagnostic {
    let at = e
        .span()
        .map_or_else(|| origin.start(), |span| origin.location(span));
    Diagnostic::error(at, e.message().trim().to_string())
}

/// Settings and the warnings found while reading them (mdBook keys kb does not use, an
/// mdBook theme folder), to be shown once per run.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub settings: Settings,
    pub warnings: Vec<Diagnostic>,
}

/// Where `value` is written in the configuration `text` (best effort: the first quoted
/// occurrence, else the first occurrence, else the file's start).
pub(crate) fn value_location(path: &Path, text: &str, value: &str) -> Location {
    let offset = [format!("\"{value}\""), format!("'{value}'")]
        .iter()
        .find_map(|quoted| text.find(quoted.as_str()))
        .or_else(|| text.find(value).map(|i| i.saturating_sub(1)))
        .unwrap_or(0);
    let (line, column) = line_col(text, offset);
    Location::new(path, line, column)
}

/// [`value_location`] in the site's `book.toml`, read again (for checks made after loading).
pub(crate) fn config_value_location(root: &Path, value: &str) -> Location {
    let path = crate::diagnostic::shown_path(&root.join(CONFIG_FILE));
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    value_location(&path, &text, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Settings, Vec<Diagnostic>> {
        Settings::from_toml(Path::new("/site"), Path::new("book.toml"), text, &[])
            .map(|loaded| loaded.settings)
    }

    #[test]
    fn defaults_without_a_file() {
        let settings = parse("").unwrap();
        assert_eq!(settings.content_dir, Path::new("/site/."));
        assert_eq!(settings.layout, Layout::Site);
        assert_eq!(settings.url_style, UrlStyle::Pretty);
        assert_eq!(
            settings.search_index_dir,
            Path::new("/site/.kb-cache/search-index")
        );
        assert_eq!(settings.build_dir, Path::new("/site/book"));
        assert_eq!(settings.default_theme, ThemeMode::Auto);
        assert!(settings.search.enable);
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let errors = parse("[book]\ntitle = \"x\"\ntitel = \"y\"\n").unwrap_err();
        let text = errors[0].to_string();
        assert!(
            text.starts_with("book.toml:3:1: error: unknown field `titel`"),
            "{text}"
        );
    }

    #[test]
    fn site_url_gets_a_trailing_slash() {
        let settings = parse("[output.html]\nsite-url = \"https://example.org/kb\"\n").unwrap();
        assert_eq!(
            settings.site_url.as_deref(),
            Some("https://example.org/kb/")
        );
    }

    #[test]
    fn escaping_redirect_keys_and_additional_files_are_errors_at_their_position() {
        let text = "[output.html]\nadditional-css = [\"ok.css\", \"../secret.css\"]\nadditional-js = [\"/etc/x.js\"]\n\n[output.html.redirect]\n\"/old/\" = \"new/\"\n\"/../../tmp/x.html\" = \"new/\"\n";
        let errors = parse(text).unwrap_err();
        let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(errors.len(), 3, "{shown:#?}");
        assert!(
            shown[0].starts_with(
                "book.toml:7:1: error: [output.html.redirect] key `../../tmp/x.html` climbs out"
            ),
            "{shown:#?}"
        );
        assert!(
            shown[1].starts_with(
                "book.toml:2:29: error: additional-css lists `../secret.css`, which climbs out"
            ),
            "{shown:#?}"
        );
        assert!(
            shown[2].starts_with(
                "book.toml:3:18: error: additional-js lists `/etc/x.js`, which is an absolute path"
            ),
            "{shown:#?}"
        );
    }

    #[test]
    fn extra_watch_dirs_stay_inside_the_site() {
        let text = "[build]\nextra-watch-dirs = [\"helper/src\", \"../elsewhere\", \"/etc\"]\n";
        let errors = parse(text).unwrap_err();
        let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(errors.len(), 2, "{shown:#?}");
        assert!(
            shown[0].starts_with(
                "book.toml:2:35: error: build.extra-watch-dirs lists `../elsewhere`, which climbs out"
            ),
            "{shown:#?}"
        );
        assert!(
            shown[1].starts_with(
                "book.toml:2:51: error: build.extra-watch-dirs lists `/etc`, which is an absolute path"
            ),
            "{shown:#?}"
        );
        let fine = parse("[build]\nextra-watch-dirs = [\"helper/src\"]\n").expect("loads");
        assert_eq!(fine.extra_watch_dirs, vec![fine.root.join("helper/src")]);
    }

    #[test]
    fn site_url_gives_the_base_path_absolute_or_relative() {
        let cases = [
            ("https://example.org/kb", "/kb/", true),
            ("https://example.org", "/", true),
            ("/mdBook/", "/mdBook/", false),
            ("book", "/book/", false),
            ("/", "/", false),
        ];
        for (url, base, absolute) in cases {
            let settings = parse(&format!("[output.html]\nsite-url = \"{url}\"\n")).unwrap();
            assert_eq!(settings.base_path, base, "{url}");
            assert_eq!(settings.site_url.is_some(), absolute, "{url}");
        }
        assert_eq!(parse("").unwrap().base_path, "/");
    }

    #[test]
    fn a_site_url_that_is_neither_address_nor_path_is_an_error() {
        let errors = parse("[output.html]\nsite-url = \"ftp://x/\"\n").unwrap_err();
        assert_eq!(errors[0].line, Some(2));
    }
}

#[cfg(test)]
mod layout_tests {
    use super::*;

    fn load(files: &[(&str, &str)]) -> Settings {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        Settings::load(dir.path()).unwrap()
    }

    #[test]
    fn a_book_toml_without_kb_and_a_summary_is_an_mdbook_book() {
        let settings = load(&[
            ("book.toml", "[book]\ntitle = \"B\"\n"),
            ("src/SUMMARY.md", ""),
        ]);
        assert_eq!(settings.layout, Layout::MdBook);
        assert_eq!(settings.url_style, UrlStyle::Html);
        assert!(settings.content_dir.ends_with("src"));
    }

    #[test]
    fn a_kb_table_makes_a_site_and_kb_keys_override() {
        let settings = load(&[("book.toml", "[kb]\n"), ("src/SUMMARY.md", "")]);
        assert_eq!(settings.layout, Layout::Site);
        let settings = load(&[(
            "book.toml",
            "[kb]\nlayout = \"mdbook\"\nurls = \"pretty\"\n",
        )]);
        assert_eq!(settings.layout, Layout::MdBook);
        assert_eq!(settings.url_style, UrlStyle::Pretty);
    }

    #[test]
    fn a_plain_folder_is_a_site_rooted_at_content_or_itself() {
        let settings = load(&[("intro.md", "# Hi\n")]);
        assert_eq!(settings.layout, Layout::Site);
        // `root/.`: a path ending in `.` equals the folder (`ends_with(".")` never holds).
        assert_eq!(settings.content_dir, settings.root);
        let settings = load(&[("content/intro.md", "# Hi\n")]);
        assert!(settings.content_dir.ends_with("content"));
    }

    #[test]
    fn unknown_kb_values_are_errors_at_their_key() {
        let dir = Path::new("/site");
        let errors = Settings::from_toml(
            dir,
            Path::new("book.toml"),
            "[kb]\nbroken-anchors = \"maybe\"\nrequired-fields = [\"title\", \"colour\"]\n",
            &[],
        )
        .unwrap_err();
        let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert!(
            shown[0].starts_with("book.toml:2:1: error: unknown broken-anchors"),
            "{shown:#?}"
        );
        assert!(
            shown[1].starts_with("book.toml:3:29: error: required-fields names `colour`"),
            "{shown:#?}"
        );
    }
}

#[cfg(test)]
mod mdbook_tests;
