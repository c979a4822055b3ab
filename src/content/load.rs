//! Loading: walks the content folder, reads every page in parallel, splits its front matter,
//! and hands the pages to [`super::assemble`], which puts them in reading order.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::assemble::assemble;
use super::front_matter;
use super::heading;
use super::includes::{Included, Includes};
use super::page::{index_folder, url_for, Page, PageKind};
use super::summary::{self, Summary};
use super::toc::TocItem;
use crate::build::progress::{Progress, ProgressStyle};
use crate::config::{Layout, Settings, UrlStyle};
use crate::diagnostic::{shown_path, Diagnostic, Location};

/// An area: one part of the site that search filters, breadcrumbs and the agents' tools
/// name. In a kb site, a top-level folder; in an mdBook book, a part of SUMMARY.md, or a
/// top-level chapter when the summary has no parts.
#[derive(Debug, Clone)]
pub(crate) struct Area {
    /// Folder name or slug of the part's title; the `area:` filter's value (`caching`).
    pub slug: String,
    pub title: String,
    /// Index into [`Site::pages`] of the area's landing page, if it has one.
    pub index: Option<usize>,
    /// Indices into [`Site::pages`] of the area's other pages, in reading order.
    pub pages: Vec<usize>,
}

/// The whole site, loaded.
#[derive(Debug, Clone, Default)]
pub(crate) struct Site {
    pub pages: Vec<Page>,
    pub home: Option<usize>,
    /// Areas in reading order.
    pub areas: Vec<Area>,
    /// Files of the content folder that are not pages (images, downloads), relative to it.
    pub assets: Vec<String>,
    /// The table of contents the sidebar shows.
    pub toc: Vec<TocItem>,
    /// Every page in reading order.
    pub order: Vec<usize>,
    /// The book's own page for addresses that do not exist (`src/404.md`): not a page of
    /// the book, it becomes the body of `404.html`.
    pub not_found: Option<Page>,
    pub(super) by_rel: std::collections::HashMap<String, usize>,
}

impl Site {
    /// The page at content-relative path `rel` (`caching/stampedes.md`).
    pub(crate) fn page_by_rel(&self, rel: &str) -> Option<usize> {
        self.by_rel.get(rel).copied()
    }

    /// Pages in reading order.
    pub(crate) fn reading_order(&self) -> Vec<usize> {
        self.order.clone()
    }

    /// The area a page belongs to.
    pub(crate) fn area_of(&self, page: &Page) -> Option<&Area> {
        let slug = page.area.as_deref()?;
        self.areas.iter().find(|a| a.slug == slug)
    }
}

/// What a load needs to know of the site's configuration.
#[derive(Debug, Clone)]
pub(crate) struct Loader {
    pub content_dir: PathBuf,
    /// The content folder as diagnostics name it ([`shown_path`]).
    pub shown_content: PathBuf,
    pub tags_file: PathBuf,
    pub include_drafts: bool,
    pub layout: Layout,
    pub url_style: UrlStyle,
    pub required_fields: Vec<String>,
    /// Paths under the content folder that are never content (the output, the search
    /// index, the cache), relative to it: they are inside it when the site is a plain
    /// folder of Markdown whose content folder is the root itself.
    excluded: Vec<String>,
    /// Where `{{#include}}` may read from.
    includes: Includes,
    limits: crate::limits::Limits,
    /// Pages keep their Markdown; otherwise it is read again when needed
    /// ([`Loader::leaving_bodies_on_disk`]).
    keep_bodies: bool,
    /// The book's page for addresses that do not exist ([`Settings::not_found_page`]).
    pub not_found_page: Option<String>,
}

/// Folders beside `book.toml` that are never content when the content folder is the root.
const NOT_CONTENT: &[&str] = &[
    "book.toml",
    "themes",
    "theme",
    "node_modules",
    "target",
    ".kb-cache",
];

impl Loader {
    pub(crate) fn new(settings: &Settings, include_drafts: bool) -> Loader {
        let content_dir = settings.content_dir.clone();
        let mut outside: Vec<PathBuf> = vec![
            settings.build_dir.clone(),
            settings.search_index_dir.clone(),
        ];
        outside.extend(NOT_CONTENT.iter().map(|name| settings.root.join(name)));
        let canonical_content = normalize(&content_dir);
        let excluded = outside
            .iter()
            .filter_map(|path| {
                let rel = normalize(path)
                    .strip_prefix(&canonical_content)
                    .ok()?
                    .to_string_lossy()
                    .replace('\\', "/");
                (!rel.is_empty()).then_some(rel)
            })
            .collect();
        Loader {
            shown_content: shown_path(&content_dir),
            content_dir,
            tags_file: settings.tags_file.clone(),
            include_drafts,
            layout: settings.layout,
            url_style: settings.url_style,
            required_fields: settings.required_fields.clone(),
            excluded,
            includes: Includes::new(&settings.root, &settings.content_dir),
            limits: settings.limits,
            keep_bodies: true,
            not_found_page: settings.not_found_page.clone(),
        }
    }

    /// This loader, making pages without their Markdown (see [`Page::body_on_disk`]): on a
    /// site of 100,000 pages the Markdown is most of what a load holds, and a streamed
    /// build needs each page's only while it renders that page.
    pub(crate) fn leaving_bodies_on_disk(mut self) -> Loader {
        self.keep_bodies = false;
        self
    }

    /// The Markdown of `page`, with its includes: its `body`, or read again from its file
    /// when it was left on disk.
    pub(crate) fn reload_body(&self, page: &Page) -> Result<String, Diagnostic> {
        if !page.body_on_disk {
            return Ok(page.body.clone());
        }
        match self.read_page(&page.rel, true)? {
            Some(again) => Ok(again.body),
            None => Err(Diagnostic::file_error(
                &page.file,
                "the page was marked as a draft while the site was built",
            )
            .with_help("build again")),
        }
    }

    /// Reads the content folder: the pages that could be loaded, and every problem found
    /// (warnings included). Pages with broken front matter are left out; the caller decides
    /// whether to go on.
    pub(crate) fn load_site(&self) -> (Site, Vec<Diagnostic>) {
        self.load_site_showing(ProgressStyle::Off)
    }

    /// [`Self::load_site`], counting the files read in `progress`.
    pub(crate) fn load_site_showing(&self, progress: ProgressStyle) -> (Site, Vec<Diagnostic>) {
        let mut errors = Vec::new();
        if !self.content_dir.is_dir() {
            let missing =
                Diagnostic::file_error(&self.shown_content, "the content folder does not exist")
                    .with_help("create it, or set `src` under [book] in book.toml");
            return (Site::default(), vec![missing]);
        }
        let (markdown, assets) = self.scan(&mut errors);
        let progress = Progress::counting(progress, markdown.len(), "loading", "files");
        let counted = progress.bar();
        let loaded: Vec<Result<Option<Page>, Diagnostic>> = markdown
            .par_iter()
            .map(|rel| {
                let page = self.load_page(rel);
                counted.inc(1);
                progress.report();
                page
            })
            .collect();
        progress.finish();
        let mut pages = Vec::with_capacity(loaded.len());
        for result in loaded {
            match result {
                Ok(Some(page)) => pages.push(page),
                Ok(None) => {}
                Err(e) => errors.push(e),
            }
        }
        let site = self.assemble_loaded(pages, assets, &mut errors);
        (site, errors)
    }

    /// Lists the content folder: Markdown pages and other files (assets), by path relative
    /// to it. Hidden files, the tags file, `SUMMARY.md`, what is never content and symlinks
    /// are left out, so nothing a symlink points to ever becomes part of the site.
    pub(crate) fn scan(&self, errors: &mut Vec<Diagnostic>) -> (Vec<String>, Vec<String>) {
        let mut markdown = Vec::new();
        let mut assets = Vec::new();
        let content_dir = &self.content_dir;
        let mut walk = walkdir::WalkDir::new(content_dir)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|entry| {
                let Ok(rel) = entry.path().strip_prefix(content_dir) else {
                    return true;
                };
                let rel = rel.to_string_lossy().replace('\\', "/");
                // A kb output folder (one with the marker file) is never content, wherever
                // `--dest` put it.
                let marker = entry.path().join(crate::render::extras::OUTPUT_MARKER);
                let is_output = entry.file_type().is_dir() && marker.is_file();
                !self.is_excluded(&rel) && !is_output
            });
        while let Some(entry) = walk.next() {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    let path = e
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| content_dir.to_path_buf());
                    errors.push(Diagnostic::file_error(path, format!("cannot read: {e}")));
                    continue;
                }
            };
            if entry.file_name().to_str().is_none() {
                let is_dir = entry.file_type().is_dir();
                if is_dir {
                    walk.skip_current_dir();
                }
                if let Some(error) = self.name_not_utf8(entry.path(), is_dir) {
                    errors.push(error);
                }
                continue;
            }
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = match entry.path().strip_prefix(content_dir) {
                Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
                Err(_) => continue,
            };
            match self.classify(&rel) {
                Some(ContentFile::Page) => markdown.push(rel),
                Some(ContentFile::Asset) => assets.push(rel),
                None => {}
            }
        }
        (markdown, assets)
    }

    /// The error for a file or folder whose name is not UTF-8 (a Latin-1 `café.md` from an
    /// old system): it has no URL, so it is left out, named as it is on disk. `None` for
    /// one the site would ignore anyway (hidden).
    fn name_not_utf8(&self, path: &Path, is_dir: bool) -> Option<Diagnostic> {
        let rel = path.strip_prefix(&self.content_dir).ok()?;
        let lossy = rel.to_string_lossy().replace('\\', "/");
        if lossy.split('/').any(|part| part.starts_with('.')) {
            return None;
        }
        let shown = self
            .shown_content
            .join(crate::diagnostic::path_as_written(rel));
        let what = if is_dir {
            "this folder's name is not UTF-8, so nothing in it can have a URL; it is left out"
        } else {
            "this file's name is not UTF-8, so it cannot have a URL; it is left out"
        };
        Some(Diagnostic::file_error(shown, what).with_help(
            "rename it with UTF-8 characters (`convmv -f latin1 -t utf-8 NAME` shows the UTF-8 name of a Latin-1 one; add `--notest` to rename it)",
        ))
    }

    fn is_excluded(&self, rel: &str) -> bool {
        self.excluded.iter().any(|x| {
            rel == x
                || rel
                    .strip_prefix(x.as_str())
                    .is_some_and(|r| r.starts_with('/'))
        })
    }

    /// The role of the content file at `rel` (`/`-separated), `None` when the site ignores
    /// it: hidden files and folders, the tags file, `SUMMARY.md` (read for the order only),
    /// and what is never content.
    pub(crate) fn classify(&self, rel: &str) -> Option<ContentFile> {
        if rel.split('/').any(|part| part.starts_with('.'))
            || self.content_dir.join(rel) == self.tags_file
            || rel == SUMMARY
            || self.is_excluded(rel)
        {
            None
        } else if rel.ends_with(".md") {
            Some(ContentFile::Page)
        } else {
            Some(ContentFile::Asset)
        }
    }

    /// Puts loaded pages in reading order, reading `SUMMARY.md` if there is one. `load_site`
    /// ends with this; `kb serve` calls it after reloading only the pages that changed, and
    /// gets the same site as a full load.
    pub(crate) fn assemble_loaded(
        &self,
        pages: Vec<Page>,
        assets: Vec<String>,
        errors: &mut Vec<Diagnostic>,
    ) -> Site {
        let summary = self.read_summary(errors);
        assemble(self, pages, assets, summary.as_ref(), errors)
    }

    fn read_summary(&self, errors: &mut Vec<Diagnostic>) -> Option<Summary> {
        let shown = self.shown_content.join(SUMMARY);
        let text = match crate::text_file::read(&self.content_dir.join(SUMMARY)) {
            Ok(text) => text,
            Err(crate::text_file::TextError::Io(_)) => return None,
            Err(e) => {
                errors.push(e.diagnostic(&shown, "cannot read the table of contents"));
                return None;
            }
        };
        match summary::parse(&shown, &text) {
            Ok(summary) => Some(summary),
            Err(mut e) => {
                errors.append(&mut e);
                None
            }
        }
    }

    /// Reads the page at `rel`; `None` for a draft when drafts are left out.
    pub(crate) fn load_page(&self, rel: &str) -> Result<Option<Page>, Diagnostic> {
        self.read_page(rel, self.keep_bodies)
    }

    /// Reads the page at `rel`, with its Markdown when `keep_body`.
    fn read_page(&self, rel: &str, keep_body: bool) -> Result<Option<Page>, Diagnostic> {
        let path = self.content_dir.join(rel);
        let file = self.shown_content.join(rel);
        let max = self.limits.max_page_bytes;
        let too_big = |what: &str, bytes: u64| {
            Diagnostic::file_error(
                &file,
                format!("{what} {bytes} bytes, more than the limit of {max} (max-page-bytes)"),
            )
            .with_help(format!(
                "split the page into several; {}",
                crate::limits::HELP
            ))
        };
        // Before reading it: a huge file is refused without filling memory.
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        if size > max as u64 {
            return Err(too_big("the page has", size));
        }
        let text = crate::text_file::read(&path)
            .map_err(|e| e.diagnostic(&file, "cannot read the page"))?;
        let split = front_matter::split(&file, &text, self.limits.max_nesting)?;
        let mut meta = split.front_matter;
        if meta.draft && !self.include_drafts {
            return Ok(None);
        }
        self.check_required(&file, &text, &meta)?;
        let expanded = self
            .includes
            .expand(&path, &file, split.body, split.body_line)?;
        if expanded.body.len() > max {
            return Err(too_big(
                "with its includes the page has",
                expanded.body.len() as u64,
            ));
        }
        // `{{#title}}` names the page unless its front matter does.
        if meta.title.is_none() {
            meta.title = expanded.title;
        }
        let leading = heading::leading_title(&expanded.body);
        let title = match meta.title.as_deref().map(str::trim) {
            Some(title) if !title.is_empty() => title.to_string(),
            _ => leading
                .clone()
                .unwrap_or_else(|| heading::title_from_file(rel)),
        };
        let description = meta
            .description
            .as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .to_string();
        Ok(Some(Page {
            source: path,
            file,
            rel: rel.to_string(),
            kind: self.kind_of(rel),
            area: None,
            url: url_for(rel, self.url_style),
            title,
            description,
            // mdBook never adds a title: a chapter with an `# heading` of its own below a
            // note or a banner shows that one only.
            title_in_body: leading.is_some()
                || (self.layout == Layout::MdBook && heading::has_h1(&expanded.body)),
            body_fingerprint: Page::body_fingerprint_of(&expanded.body),
            body: match keep_body {
                true => expanded.body,
                false => String::new(),
            },
            body_on_disk: !keep_body,
            body_line: split.body_line,
            included: expanded.included,
            meta,
        }))
    }

    /// A chapter that SUMMARY.md lists but that does not exist: an empty page titled as
    /// the summary names it (mdBook's `create-missing` would write the file; kb never
    /// writes into the source).
    pub(crate) fn missing_page(&self, rel: &str, title: &str) -> Page {
        Page {
            source: self.content_dir.join(rel),
            file: self.shown_content.join(rel),
            rel: rel.to_string(),
            kind: self.kind_of(rel),
            area: None,
            url: url_for(rel, self.url_style),
            title: title.to_string(),
            description: String::new(),
            title_in_body: false,
            body: String::new(),
            body_on_disk: false,
            body_fingerprint: Page::body_fingerprint_of(""),
            body_line: 1,
            included: Included::default(),
            meta: front_matter::FrontMatter::default(),
        }
    }

    fn kind_of(&self, rel: &str) -> PageKind {
        match (self.layout, index_folder(rel)) {
            // An mdBook book's pages are all chapters: its README is the first of them.
            (Layout::MdBook, _) => PageKind::Article,
            (_, Some("")) => PageKind::Home,
            (Layout::Site, Some(folder)) if !folder.contains('/') => PageKind::Area,
            _ => PageKind::Article,
        }
    }

    /// The fields `[kb] required-fields` asks every page for.
    fn check_required(
        &self,
        file: &Path,
        text: &str,
        meta: &front_matter::FrontMatter,
    ) -> Result<(), Diagnostic> {
        if self.required_fields.is_empty() {
            return Ok(());
        }
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if !text.starts_with("---") && !text.starts_with("+++") {
            return Err(
                Diagnostic::error(Location::new(file, 1, 1), "the page has no front matter")
                    .with_help(format!(
                        "this site requires front matter ([kb] required-fields in book.toml): start the file with a `---` line, then {}, then `---`",
                        self.required_fields.iter().map(|f| format!("`{f}:`")).collect::<Vec<_>>().join(", ")
                    )),
            );
        }
        let blank = |value: Option<&str>| value.is_none_or(|v| v.trim().is_empty());
        for field in &self.required_fields {
            let (missing, help) = match field.as_str() {
                "title" => (blank(meta.title.as_deref()), "add `title: \"...\"` to the front matter".to_string()),
                "description" => (
                    blank(meta.description.as_deref()),
                    "add `description: \"...\"`: one sentence, used for search results, cards and the meta description".to_string(),
                ),
                "difficulty" => (meta.difficulty.is_none(), "add `difficulty:` beginner, intermediate or advanced".to_string()),
                "tags" => (meta.tags.is_empty(), "add `tags: [...]` with tags from the site's tags file".to_string()),
                "updated" => (meta.updated.is_none(), "add `updated: YYYY-MM-DD`".to_string()),
                _ => continue,
            };
            if missing {
                return Err(Diagnostic::error(
                    Location::new(file, 2, 1),
                    format!("the page has no {field}"),
                )
                .with_help(help));
            }
        }
        Ok(())
    }
}

/// `path` made absolute and without `.` parts, so prefixes compare as folders.
fn normalize(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    absolute.components().collect()
}

/// The table of contents file, in the content folder.
pub(crate) const SUMMARY: &str = "SUMMARY.md";

/// What a file of the content folder is to the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContentFile {
    Page,
    Asset,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::session::fixture::copy_fixture;

    /// A streamed build renders from what `reload_body` reads: it must be the very body,
    /// includes expanded, that a loader keeping bodies gives, and the page must carry the
    /// same include records (what the watcher and `kb check` rely on).
    #[test]
    fn a_body_left_on_disk_reads_back_as_the_kept_body_with_its_includes() {
        let (_dir, root) = copy_fixture("books/kitchen-sink");
        let settings = Settings::load(&root).expect("fixture loads");
        let (kept, _) = Loader::new(&settings, false).load_site();
        let loader = Loader::new(&settings, false).leaving_bodies_on_disk();
        let (left, _) = loader.load_site();
        assert_eq!(kept.pages.len(), left.pages.len());
        let mut with_includes = 0;
        for (kept, left) in kept.pages.iter().zip(&left.pages) {
            assert!(left.body.is_empty() && left.body_on_disk, "{}", left.rel);
            assert_eq!(kept.included.files, left.included.files, "{}", left.rel);
            assert_eq!(kept.title_in_body, left.title_in_body, "{}", left.rel);
            let body = loader.reload_body(left).expect("reads again");
            assert_eq!(body, kept.body, "{}", left.rel);
            with_includes += usize::from(!left.included.files.is_empty());
        }
        assert!(with_includes > 0, "the fixture has pages with includes");
    }
}
