//! Stage two: the file's typed tables checked and turned into [`Settings`], with the
//! layout rule applied and mdBook's values mapped to kb's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::origin::{KeySpans, Origin};
use super::raw::{RawConfig, RawHtml};
use super::{
    mdbook_theme, value_location, Layout, Loaded, PrintSettings, Settings, Severity, ThemeMode,
    UrlStyle, CONFIG_FILE, REQUIRABLE_FIELDS,
};
use crate::diagnostic::Diagnostic;
use crate::markdown::raw_html::RawHtmlMode;

/// mdBook's colour themes that are dark; `light` and `rust` are its light ones.
const MDBOOK_DARK_THEMES: &[&str] = &["coal", "navy", "ayu"];

impl RawConfig {
    /// Checks every value, reporting all problems together; `mdbook_theme` is what
    /// `output.html.theme` named, if anything.
    pub(super) fn validate(
        self,
        root: &Path,
        origin: &Origin<'_>,
        keys: &KeySpans,
        mdbook_theme: Option<String>,
    ) -> Result<Loaded, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let (path, text) = (origin.path(), origin.text());
        let at_key = |key: &str| keys.at(origin, key);
        let has_kb_table = self.kb.is_some();
        let kb = self.kb.unwrap_or_default();
        let layout = match kb.layout.as_deref() {
            None => None,
            Some("site") => Some(Layout::Site),
            Some("mdbook") => Some(Layout::MdBook),
            Some(other) => {
                errors.push(
                    Diagnostic::error(at_key("kb.layout"), format!("unknown layout `{other}`"))
                        .with_help("use \"site\" (a kb site) or \"mdbook\" (an mdBook book)"),
                );
                None
            }
        };
        let layout =
            layout.unwrap_or_else(|| detect_layout(root, self.book.src.as_deref(), has_kb_table));
        let html = self.output.html;
        let default_theme = theme_mode(&html, layout, &at_key, &mut errors, &mut warnings);
        let (site_url, base_path) = match html.site_url {
            None => (None, "/".to_string()),
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                let url = if url.ends_with('/') {
                    url
                } else {
                    format!("{url}/")
                };
                let base = url
                    .split_once("://")
                    .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
                    .unwrap_or_else(|| "/".to_string());
                (Some(url), base)
            }
            Some(url) if url.contains("://") || url.contains(['?', '#']) => {
                errors.push(
                    Diagnostic::error(
                        at_key("output.html.site-url"),
                        format!("site-url `{url}` is neither an http(s) address nor a path"),
                    )
                    .with_help("write the full address, e.g. \"https://example.org/guide/\", or the path the site is served at, e.g. \"/guide/\""),
                );
                (None, "/".to_string())
            }
            // mdBook's form: the path the book is served at (its 404 page links from there).
            Some(path) => (None, base_path(&path)),
        };
        let (print, mathjax_support) = (&html.print, html.mathjax_support);
        let search = html.search.into_config(&mut errors, &|key| {
            at_key(&format!("output.html.search.{key}"))
        });
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
        for (key, files, what) in [
            ("additional-css", &html.additional_css, "file"),
            ("additional-js", &html.additional_js, "file"),
            // `kb serve` watches them: what they hold is the site's business only.
            (
                "build.extra-watch-dirs",
                &self.build.extra_watch_dirs,
                "folder",
            ),
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
                            "put the {what} in the folder of book.toml (or below it) and list it relative to that folder; {}",
                            crate::confine::HELP
                        )),
                    );
                }
            }
        }
        let url_style = match kb.urls.as_deref() {
            None => None,
            Some("pretty") => Some(UrlStyle::Pretty),
            Some("html") => Some(UrlStyle::Html),
            Some(other) => {
                errors.push(
                    Diagnostic::error(at_key("kb.urls"), format!("unknown URL style `{other}`"))
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
                        at_key("kb.broken-anchors"),
                        format!("unknown broken-anchors value `{other}`"),
                    )
                    .with_help("use \"error\" (the default) or \"warn\""),
                );
                Severity::Error
            }
        };
        let raw_html = match html.raw_html.as_deref() {
            None => RawHtmlMode::default(),
            Some(name) => RawHtmlMode::parse(name).unwrap_or_else(|| {
                errors.push(
                    Diagnostic::error(
                        at_key("output.html.raw-html"),
                        format!("unknown raw-html mode `{name}`"),
                    )
                    .with_help("use \"allow\" (raw HTML as written, mdBook's way), \"sanitize\" (keep what is safe) or \"escape\" (show it as text)"),
                );
                RawHtmlMode::default()
            }),
        };
        let defaults = crate::limits::Limits::default();
        let limits = crate::limits::Limits {
            max_page_bytes: kb.max_page_bytes.unwrap_or(defaults.max_page_bytes),
            max_code_block_bytes: kb
                .max_code_block_bytes
                .unwrap_or(defaults.max_code_block_bytes),
            max_nesting: kb.max_nesting.unwrap_or(defaults.max_nesting),
            sample_timeout: kb
                .sample_timeout
                .map_or(defaults.sample_timeout, std::time::Duration::from_secs),
        };
        for (key, value) in [
            ("kb.max-page-bytes", limits.max_page_bytes),
            ("kb.max-code-block-bytes", limits.max_code_block_bytes),
            ("kb.max-nesting", limits.max_nesting),
            (
                "kb.sample-timeout",
                limits.sample_timeout.as_secs() as usize,
            ),
        ] {
            if value == 0 {
                errors.push(
                    Diagnostic::error(at_key(key), format!("{key} must be at least 1"))
                        .with_help("leave the key out for kb's default"),
                );
            }
        }
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
        // mdBook's theme folder: `theme/` by default, only looked at in a book.
        let theme_at = mdbook_theme.is_some().then(|| at_key("output.html.theme"));
        if mdbook_theme.is_some() || layout == Layout::MdBook {
            let folder = mdbook_theme.as_deref().unwrap_or("theme");
            let used: Vec<PathBuf> = html
                .additional_css
                .iter()
                .chain(&html.additional_js)
                .cloned()
                .collect();
            warnings.extend(mdbook_theme::warning(root, folder, theme_at, &used));
        }
        let src = self.book.src.unwrap_or_else(|| default_src(root, layout));
        // `.` (a plain folder's default) and `./docs` would otherwise show in every path
        // (`/site/./a.md`); components() drops a `.` that is not the first.
        let content_dir: PathBuf = root.join(src).components().collect();
        let settings = Settings {
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
            extra_watch_dirs: (self.build.extra_watch_dirs.iter())
                .map(|dir| root.join(dir))
                .collect(),
            theme_dir: kb.theme.map(|name| root.join("themes").join(name)),
            default_theme,
            git_repository_url: html.git_repository_url,
            edit_url_template: html.edit_url_template,
            site_url,
            base_path,
            additional_css: html.additional_css,
            additional_js: html.additional_js,
            redirects,
            search,
            hidelines: html.code.hidelines,
            not_found_page: match layout {
                Layout::MdBook => Some(html.input_404.unwrap_or_else(|| "404.md".to_string())),
                Layout::Site => None,
            },
            raw_html,
            sidebar: super::SidebarOptions {
                fold_level: html.fold.enable.then_some(html.fold.level),
                section_labels: !html.no_section_label,
            },
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
            limits,
            print: PrintSettings {
                // mdBook writes print.html unless told not to; a kb site asks for it.
                enable: print.enable.unwrap_or(layout == Layout::MdBook),
                page_break: print.page_break.unwrap_or(true),
            },
            math: mathjax_support.unwrap_or(false) || kb.math,
            preprocessors: crate::preprocess::config::preprocessors(self.preprocessor, path, text),
            agents: kb.agents.validated(),
        };
        Ok(Loaded { settings, warnings })
    }
}

/// kb's colour mode from `default-theme` and `preferred-dark-theme`, which take kb's names
/// (`light`, `dark`, `auto`) and mdBook's (`light`, `rust`, `coal`, `navy`, `ayu`). In an
/// mdBook book a light default follows the reader's system, because mdBook switches to
/// its preferred dark theme when the system asks for dark.
fn theme_mode(
    html: &RawHtml,
    layout: Layout,
    at_key: &dyn Fn(&str) -> crate::diagnostic::Location,
    errors: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) -> ThemeMode {
    let mode = match html.default_theme.as_deref() {
        None | Some("auto") => ThemeMode::Auto,
        Some("light" | "rust") if layout == Layout::MdBook => ThemeMode::Auto,
        Some("light" | "rust") => ThemeMode::Light,
        Some(dark) if dark == "dark" || MDBOOK_DARK_THEMES.contains(&dark) => ThemeMode::Dark,
        Some(other) => {
            errors.push(
                Diagnostic::error(
                    at_key("output.html.default-theme"),
                    format!("unknown default-theme `{other}`"),
                )
                .with_help("use \"light\", \"dark\" or \"auto\" (follow the reader's system), or one of mdBook's: \"rust\", \"coal\", \"navy\", \"ayu\""),
            );
            ThemeMode::Auto
        }
    };
    match html.preferred_dark_theme.as_deref() {
        None => {}
        Some(dark) if dark == "dark" || MDBOOK_DARK_THEMES.contains(&dark) => {}
        Some(light @ ("light" | "rust")) => warnings.push(
            Diagnostic::warning(
                at_key("output.html.preferred-dark-theme"),
                format!("kb's dark mode is always dark; preferred-dark-theme `{light}` is ignored"),
            )
            .with_help("remove the key, or name a dark theme"),
        ),
        Some(other) => errors.push(
            Diagnostic::error(
                at_key("output.html.preferred-dark-theme"),
                format!("unknown preferred-dark-theme `{other}`"),
            )
            .with_help("the default theme has one dark variant: \"dark\" (mdBook's \"coal\", \"navy\" and \"ayu\" mean it too)"),
        ),
    }
    mode
}

/// mdBook's relative `site-url` (`/book/`, `book`) as a path starting and ending in `/`.
fn base_path(path: &str) -> String {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        "/".to_string()
    } else {
        format!("/{trimmed}/")
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
        let max_nesting = crate::limits::Limits::default().max_nesting;
        let split =
            crate::content::front_matter::split(Path::new(name), &text, max_nesting).ok()?;
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
