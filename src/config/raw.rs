//! The `book.toml` tables kb reads, as written: stage one of two.
//!
//! Every table denies unknown keys so typos are caught. mdBook's keys that kb does not read
//! never reach these types: [`super::mdbook_keys`] takes them out first, with a warning.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use super::SearchConfig;
use crate::diagnostic::{Diagnostic, Location};

/// The file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawConfig {
    #[serde(default)]
    pub book: RawBook,
    #[serde(default)]
    pub build: RawBuild,
    #[serde(default)]
    pub output: RawOutput,
    /// `[kb]`; whether the table is there at all matters (see [`super::Layout`]).
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
    /// More folders `kb serve` watches (mdBook's key), relative to the site root.
    #[serde(default)]
    pub extra_watch_dirs: Vec<PathBuf>,
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
    #[serde(default)]
    pub code: RawCode,
    /// `"allow"`, `"sanitize"` or `"escape"`: what raw HTML in Markdown becomes.
    pub raw_html: Option<String>,
    /// Hide chapter numbers in the sidebar.
    #[serde(default)]
    pub no_section_label: bool,
    #[serde(default)]
    pub fold: RawFold,
    #[serde(default)]
    pub print: RawPrint,
    /// mdBook's switch for math; kb renders it at build time (see [`super::Settings::math`]).
    pub mathjax_support: Option<bool>,
    /// The book's page for addresses that do not exist, relative to the source folder.
    pub input_404: Option<String>,
}

/// `[output.html.fold]`: chapters with sub-chapters fold in the sidebar; `level` is how
/// many levels start open (0: all folded).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawFold {
    #[serde(default)]
    pub enable: bool,
    #[serde(default)]
    pub level: usize,
}

/// `[output.html.print]`: the whole book on one page, `print.html`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawPrint {
    /// Absent: on for mdBook books, off for kb sites.
    pub enable: Option<bool>,
    /// Each chapter starts a new sheet (mdBook's default: true).
    pub page_break: Option<bool>,
}

/// `[output.html.code]`: `hidelines` maps a language to the prefix that hides a line of
/// its code blocks (Rust's `#` is built in).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawCode {
    #[serde(default)]
    pub hidelines: BTreeMap<String, String>,
}

/// `[output.html.search]`, named as in mdBook (`boost-code` is kb's own).
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
    /// Query-time synonyms: a word and what it also matches (one-way).
    #[serde(default)]
    pub synonyms: BTreeMap<String, Vec<String>>,
}

impl RawSearch {
    /// The validated search options; `at_key` locates a key of this table.
    pub(crate) fn into_config(
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
            synonyms: self.synonyms,
        }
    }
}

/// `[kb]`: settings that have no mdBook equivalent. Strict: every key is kb's.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawKb {
    /// Theme folder under `themes/`; files there override the embedded default theme.
    pub theme: Option<String>,
    /// File in the content folder that lists the allowed tags, one a line.
    pub tags_file: Option<PathBuf>,
    /// Where `kb build` keeps the native search index (relative to the root).
    pub search_index_dir: Option<PathBuf>,
    /// `"site"` or `"mdbook"`: overrides the detected [`super::Layout`].
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
    /// Limits on one input ([`crate::limits::Limits`]).
    pub max_page_bytes: Option<usize>,
    pub max_code_block_bytes: Option<usize>,
    pub max_nesting: Option<usize>,
    /// Seconds one Go sample's tests may run in `kb check`.
    pub sample_timeout: Option<u64>,
    /// Render math, as `output.html.mathjax-support = true` does.
    #[serde(default)]
    pub math: bool,
    /// `[kb.agents]`: llms.txt, llms-full.txt and Markdown twins.
    #[serde(default)]
    pub agents: super::agents::RawAgents,
}
