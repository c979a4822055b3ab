//! `book.toml`: the site's configuration, read in two stages.
//!
//! [`RawConfig`] mirrors the file (mdBook's keys where they exist, our own additions under
//! `[kb]`), rejects unknown keys with their line and column, and is then validated into
//! [`Settings`], the typed values the rest of the program uses.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostic::{Diagnostic, Location};
use crate::position::line_col;

/// The file as written. Every table denies unknown keys so typos are caught.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawConfig {
    #[serde(default)]
    pub book: RawBook,
    #[serde(default)]
    pub build: RawBuild,
    #[serde(default)]
    pub output: RawOutput,
    /// `[kb]`; whether the table is there at all matters (see [`Layout`]).
    pub kb: Option<RawKb>,
    /// `[preprocessor.NAME]`: mdBook plugins the book runs.
    #[serde(default)]
    pub preprocessor: BTreeMap<String, crate::preprocess::config::RawPreprocessor>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawBook {
    pub title: Option<String>,
    #[serde(default)]
    pub authors: Vec<String>,
    pub description: Option<String>,
    pub language: Option<String>,
    pub src: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawBuild {
    pub build_dir: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawOutput {
    #[serde(default)]
    pub html: RawHtml,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawHtml {
    pub default_theme: Option<String>,
    pub preferred_dark_theme: Option<String>,
    pub git_repository_url: Option<String>,
    pub edit_url_template: Option<String>,
    pub site_url: Option<String>,
    #[serde(default)]
    pub additional_css: Vec<PathBuf>,
    #[serde(default)]
    pub additional_js: Vec<PathBuf>,
    #[serde(default)]
    pub redirect: BTreeMap<String, String>,
    #[serde(default)]
    pub search: RawSearch,
}

/// `[output.html.search]`, named as in mdBook.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawSearch {
    pub enable: Option<bool>,
    pub limit_results: Option<usize>,
    pub boost_title: Option<f32>,
    pub boost_hierarchy: Option<f32>,
    pub boost_paragraph: Option<f32>,
    pub boost_code: Option<f32>,
    pub use_boolean_and: Option<bool>,
    pub heading_split_level: Option<u8>,
}

impl RawSearch {
    fn into_config(
        self,
        errors: &mut Vec<Diagnostic>,
        at_key: &dyn Fn(&str) -> Location,
    ) -> SearchConfig {
        let heading_split_level = self.heading_split_level.unwrap_or(3);
        if !(2..=3).contains(&heading_split_level) {
            errors.push(
                Diagnostic::error(
                    at_key("heading-split-level"),
                    format!("heading-split-level {heading_split_level} is not supported"),
                )
                .with_help("use 2 (split at h2) or 3 (split at h2 and h3)"),
            );
        }
        let limit_results = self.limit_results.unwrap_or(30);
        if limit_results == 0 {
            errors.push(
                Diagnostic::error(at_key("limit-results"), "limit-results must be at least 1")
                    .with_help("the default is 30"),
            );
        }
        SearchConfig {
            enable: self.enable.unwrap_or(true),
            limit_results,
            boost_title: self.boost_title.unwrap_or(3.0),
            boost_heading: self.boost_hierarchy.unwrap_or(2.0),
            boost_body: self.boost_paragraph.unwrap_or(1.0),
            boost_code: self.boost_code.unwrap_or(0.5),
            use_boolean_and: self.use_boolean_and.unwrap_or(true),
            heading_split_level,
        }
    }
}

/// `[kb]`: settings that have no mdBook equivalent.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawKb {
    /// Theme folder under `themes/`; files there override the embedded default theme.
    pub theme: Option<String>,
    /// File in the content folder that lists the allowed tags, one a line.
    pub tags_file: Option<PathBuf>,
    /// Where `kb build` keeps the native search index (relative to the root).
    pub search_index_dir: Option<PathBuf>,
    /// `"site"` or `"mdbook"`: overrides the detected [`Layout`].
    pub layout: Option<String>,
    /// `"pretty"` (`a/b/`) or `"html"` (`a/b.html`): overrides the layout's URL style.
    pub urls: Option<String>,
    /// Front matter fields every page must have (the bundled guide: title, description,
    /// difficulty). Empty by default: front matter is optional.
    #[serde(default)]
    pub required_fields: Vec<String>,
    /// `"error"` (default) or `"warn"`: what a link to a missing anchor is.
    pub broken_anchors: Option<String>,
    /// Run Go samples that are tests or examples (`go test`) during `kb check`.
    #[serde(default)]
    pub run_go_tests: bool,
}

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
    pub theme_dir: Option<PathBuf>,
    pub default_theme: ThemeMode,
    pub git_repository_url: Option<String>,
    pub edit_url_template: Option<String>,
    /// Absolute site URL ending in `/`, e.g. `https://example.org/kb/`.
    pub site_url: Option<String>,
    pub additional_css: Vec<PathBuf>,
    pub additional_js: Vec<PathBuf>,
    /// Old path (site-relative, no leading slash) to target URL.
    pub redirects: BTreeMap<String, String>,
    pub search: SearchConfig,
    pub tags_file: PathBuf,
    pub search_index_dir: PathBuf,
    pub layout: Layout,
    pub url_style: UrlStyle,
    /// Front matter fields every page must have (names from [`REQUIRABLE_FIELDS`]).
    pub required_fields: Vec<String>,
    // Read by link validation and `kb check` (in the work being merged).
    #[allow(dead_code)]
    pub broken_anchors: Severity,
    #[allow(dead_code)]
    pub run_go_tests: bool,
    /// mdBook plugins (`[preprocessor.NAME]`), mdBook's built-ins left out.
    pub preprocessors: Vec<crate::preprocess::config::Preprocessor>,
    /// Whether the build may run programs the book names (its preprocessors). On by
    /// default; kb's untrusted mode turns it off.
    pub allow_exec: bool,
}

/// The configuration file's name, looked up in the site root.
pub(crate) const CONFIG_FILE: &str = "book.toml";

impl Settings {
    /// Reads and validates `book.toml` in `root`. A missing file gives the defaults.
    pub(crate) fn load(root: &Path) -> Result<Settings, Vec<Diagnostic>> {
        let path = crate::diagnostic::shown_path(&root.join(CONFIG_FILE));
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                return Err(vec![Diagnostic::file_error(
                    &path,
                    format!("cannot read the configuration: {e}"),
                )])
            }
        };
        Self::from_toml(root, &path, &text)
    }

    /// Parses configuration text; `path` is only used in diagnostics.
    pub(crate) fn from_toml(
        root: &Path,
        path: &Path,
        text: &str,
    ) -> Result<Settings, Vec<Diagnostic>> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|span| line_col(text, span.start))
                .unwrap_or((1, 1));
            let message = e.message().trim().to_string();
            let help = if message.contains("unknown field") {
                "remove the key or fix its spelling; see README.md for the keys kb reads"
            } else {
                "fix the TOML syntax at this position"
            };
            vec![Diagnostic::error(Location::new(path, line, column), message).with_help(help)]
        })?;
        raw.validate(root, path, text)
    }
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

impl RawConfig {
    fn validate(self, root: &Path, path: &Path, text: &str) -> Result<Settings, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let at_key = |key: &str| {
            let offset = text.find(key).unwrap_or(0);
            let (line, column) = line_col(text, offset);
            Location::new(path, line, column)
        };
        let html = self.output.html;
        let default_theme = match html.default_theme.as_deref() {
            None | Some("auto") => ThemeMode::Auto,
            Some("light") => ThemeMode::Light,
            Some("dark") => ThemeMode::Dark,
            Some(other) => {
                errors.push(
                    Diagnostic::error(
                        at_key("default-theme"),
                        format!("unknown default-theme `{other}`"),
                    )
                    .with_help("use \"light\", \"dark\" or \"auto\" (follow the reader's system)"),
                );
                ThemeMode::Auto
            }
        };
        if let Some(dark) = html.preferred_dark_theme.as_deref() {
            if dark != "dark" {
                errors.push(
                    Diagnostic::error(
                        at_key("preferred-dark-theme"),
                        format!("unknown preferred-dark-theme `{dark}`"),
                    )
                    .with_help("the default theme has one dark variant: \"dark\""),
                );
            }
        }
        let site_url = match html.site_url {
            None => None,
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                Some(if url.ends_with('/') {
                    url
                } else {
                    format!("{url}/")
                })
            }
            Some(url) => {
                errors.push(
                    Diagnostic::error(
                        at_key("site-url"),
                        format!("site-url `{url}` is not absolute"),
                    )
                    .with_help("write the full address, e.g. \"https://example.org/guide/\""),
                );
                None
            }
        };
        let search = html.search.into_config(&mut errors, &at_key);
        let mut redirects = BTreeMap::new();
        for (from, to) in html.redirect {
            // A redirect key becomes an output file: it must stay inside the output folder.
            // The leading `/` means the site root, as in a URL.
            match crate::confine::relative(from.trim_start_matches('/')) {
                Ok(_) => {
                    redirects.insert(from.trim_start_matches('/').to_string(), to);
                }
                Err(e) => errors.push(
                    Diagnostic::error(
                        value_location(path, text, &from),
                        format!("[output.html.redirect] key `{}` {}, so its page would be written outside the output folder", e.path, e.why),
                    )
                    .with_help(format!("give the old URL below the site root, e.g. \"/old/page.html\"; {}", crate::confine::HELP)),
                ),
            }
        }
        for (key, files) in [
            ("additional-css", &html.additional_css),
            ("additional-js", &html.additional_js),
        ] {
            for file in files {
                // Read from the site root and copied to the same path in the output: both
                // must stay inside their folders.
                let written = file.to_string_lossy();
                if let Err(e) = crate::confine::relative(&written) {
                    errors.push(
                        Diagnostic::error(
                            value_location(path, text, &written),
                            format!("{key} lists `{}`, which {}; kb reads only files inside the site", e.path, e.why),
                        )
                        .with_help(format!(
                            "put the file in the folder of book.toml (or below it) and list it relative to that folder; {}",
                            crate::confine::HELP
                        )),
                    );
                }
            }
        }
        let has_kb_table = self.kb.is_some();
        let kb = self.kb.unwrap_or_default();
        let layout = match kb.layout.as_deref() {
            None => None,
            Some("site") => Some(Layout::Site),
            Some("mdbook") => Some(Layout::MdBook),
            Some(other) => {
                errors.push(
                    Diagnostic::error(at_key("layout"), format!("unknown layout `{other}`"))
                        .with_help("use \"site\" (a kb site) or \"mdbook\" (an mdBook book)"),
                );
                None
            }
        };
        let url_style = match kb.urls.as_deref() {
            None => None,
            Some("pretty") => Some(UrlStyle::Pretty),
            Some("html") => Some(UrlStyle::Html),
            Some(other) => {
                errors.push(
                    Diagnostic::error(at_key("urls"), format!("unknown URL style `{other}`"))
                        .with_help("use \"pretty\" (`a/b/`) or \"html\" (`a/b.html`)"),
                );
                None
            }
        };
        let broken_anchors = match kb.broken_anchors.as_deref() {
            None | Some("error") => Severity::Error,
            Some("warn") => Severity::Warning,
            Some(other) => {
                errors.push(
                    Diagnostic::error(
                        at_key("broken-anchors"),
                        format!("unknown broken-anchors value `{other}`"),
                    )
                    .with_help("use \"error\" (the default) or \"warn\""),
                );
                Severity::Error
            }
        };
        for field in &kb.required_fields {
            if !REQUIRABLE_FIELDS.contains(&field.as_str()) {
                errors.push(
                    Diagnostic::error(
                        value_location(path, text, field),
                        format!("required-fields names `{field}`, which is not a front matter field kb can require"),
                    )
                    .with_help(format!("use some of: {}", REQUIRABLE_FIELDS.join(", "))),
                );
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let layout =
            layout.unwrap_or_else(|| detect_layout(root, self.book.src.as_deref(), has_kb_table));
        let src = self.book.src.unwrap_or_else(|| default_src(root, layout));
        let content_dir = root.join(src);
        Ok(Settings {
            root: root.to_path_buf(),
            title: self
                .book
                .title
                .or_else(|| title_of_front_page(&content_dir))
                .unwrap_or_else(|| "Knowledge base".to_string()),
            authors: self.book.authors,
            description: self.book.description.unwrap_or_default(),
            language: self.book.language.unwrap_or_else(|| "en".to_string()),
            tags_file: content_dir.join(kb.tags_file.unwrap_or_else(|| PathBuf::from("tags.txt"))),
            content_dir,
            build_dir: root.join(
                self.build
                    .build_dir
                    .unwrap_or_else(|| PathBuf::from("book")),
            ),
            theme_dir: kb.theme.map(|name| root.join("themes").join(name)),
            default_theme,
            git_repository_url: html.git_repository_url,
            edit_url_template: html.edit_url_template,
            site_url,
            additional_css: html.additional_css,
            additional_js: html.additional_js,
            redirects,
            search,
            // Not in the source tree unless asked for: a hidden cache beside book.toml.
            search_index_dir: root.join(
                kb.search_index_dir
                    .unwrap_or_else(|| PathBuf::from(".kb-cache/search-index")),
            ),
            layout,
            url_style: url_style.unwrap_or(match layout {
                Layout::Site => UrlStyle::Pretty,
                Layout::MdBook => UrlStyle::Html,
            }),
            required_fields: kb.required_fields,
            broken_anchors,
            run_go_tests: kb.run_go_tests,
            preprocessors: crate::preprocess::config::preprocessors(self.preprocessor, path, text),
            allow_exec: true,
        })
    }
}

/// The [`Layout`] rule (see there) applied to the files under `root`.
fn detect_layout(root: &Path, src: Option<&Path>, has_kb_table: bool) -> Layout {
    let has_config = root.join(CONFIG_FILE).is_file();
    let src = src.unwrap_or(Path::new("src"));
    if has_config && !has_kb_table && root.join(src).join("SUMMARY.md").is_file() {
        Layout::MdBook
    } else {
        Layout::Site
    }
}

/// A site without `[book] title` (a plain folder of Markdown) is named by its front page's
/// `# heading`, as a reader would name it.
fn title_of_front_page(content_dir: &Path) -> Option<String> {
    crate::content::page::INDEX_NAMES.iter().find_map(|name| {
        let text = std::fs::read_to_string(content_dir.join(name)).ok()?;
        let split = crate::content::front_matter::split(Path::new(name), &text).ok()?;
        split
            .front_matter
            .title
            .or_else(|| crate::content::heading::leading_title(split.body))
    })
}

/// The source folder when `[book] src` is not set: `src` for an mdBook book (mdBook's
/// default); for a site `content` if it exists, else the root itself (a plain folder of
/// Markdown).
fn default_src(root: &Path, layout: Layout) -> PathBuf {
    match layout {
        Layout::MdBook => PathBuf::from("src"),
        Layout::Site if root.join("content").is_dir() => PathBuf::from("content"),
        Layout::Site => PathBuf::from("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Settings, Vec<Diagnostic>> {
        Settings::from_toml(Path::new("/site"), Path::new("book.toml"), text)
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
    fn relative_site_url_is_an_error() {
        let errors = parse("[output.html]\nsite-url = \"/kb/\"\n").unwrap_err();
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
