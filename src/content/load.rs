//! Loading: walks the content folder, reads every page in parallel, splits its front matter,
//! and groups pages into areas in reading order.

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;

use super::front_matter;
use super::page::{url_for, Page, PageKind};
use super::summary;
use crate::diagnostic::{shown_path, Diagnostic, Location};

/// An area of the knowledge base: one folder under `content/`.
#[derive(Debug, Clone)]
pub(crate) struct Area {
    /// Folder name, also the URL segment (`caching`).
    pub slug: String,
    /// Index into [`Site::pages`] of the area's `_index.md`.
    pub index: usize,
    /// Indices into [`Site::pages`] of the area's other pages, in reading order.
    pub pages: Vec<usize>,
}

/// The whole knowledge base, loaded.
#[derive(Debug, Clone, Default)]
pub(crate) struct Site {
    pub pages: Vec<Page>,
    pub home: Option<usize>,
    /// Areas in reading order.
    pub areas: Vec<Area>,
    /// Files of the content folder that are not pages (images, downloads), relative to it.
    pub assets: Vec<String>,
    by_rel: HashMap<String, usize>,
}

impl Site {
    /// The page at content-relative path `rel` (`caching/stampedes.md`).
    pub(crate) fn page_by_rel(&self, rel: &str) -> Option<usize> {
        self.by_rel.get(rel).copied()
    }

    /// Pages in reading order: home, then each area's landing page and its pages.
    pub(crate) fn reading_order(&self) -> Vec<usize> {
        let mut order = Vec::with_capacity(self.pages.len());
        order.extend(self.home);
        for area in &self.areas {
            order.push(area.index);
            order.extend(&area.pages);
        }
        order
    }

    /// The area a page belongs to.
    pub(crate) fn area_of(&self, page: &Page) -> Option<&Area> {
        let slug = page.area.as_deref()?;
        self.areas.iter().find(|a| a.slug == slug)
    }
}

/// Files in the content folder that are neither pages nor assets.
const NOT_ASSETS: &[&str] = &["SUMMARY.md"];

/// Reads the content folder: the pages that could be loaded, and every problem found.
/// Pages with broken front matter are left out; the caller decides whether to go on.
pub(crate) fn load_site(
    content_dir: &Path,
    tags_file: &Path,
    include_drafts: bool,
) -> (Site, Vec<Diagnostic>) {
    // Diagnostics name files as the user would type them from here: `content/a/b.md`, or
    // `site/content/a/b.md` with `--root site`.
    let shown_content = shown_path(content_dir);
    let mut errors = Vec::new();
    if !content_dir.is_dir() {
        let missing =
            Diagnostic::file_error(shown_path(content_dir), "the content folder does not exist")
                .with_help("create it, or set `src` under [book] in book.toml");
        return (Site::default(), vec![missing]);
    }
    let (markdown, assets) = scan(content_dir, tags_file, &mut errors);
    let loaded: Vec<Result<Option<Page>, Diagnostic>> = markdown
        .par_iter()
        .map(|rel| load_page(content_dir, &shown_content, rel, include_drafts))
        .collect();
    let mut pages = Vec::with_capacity(loaded.len());
    for result in loaded {
        match result {
            Ok(Some(page)) => pages.push(page),
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }

    let site = assemble_loaded(content_dir, pages, assets, &mut errors);
    (site, errors)
}

/// Lists the content folder: Markdown pages and other files (assets), by path relative to
/// it. Hidden files, the tags file, `SUMMARY.md` and symlinks are left out, so nothing a
/// symlink points to ever becomes part of the site.
pub(crate) fn scan(
    content_dir: &Path,
    tags_file: &Path,
    errors: &mut Vec<Diagnostic>,
) -> (Vec<String>, Vec<String>) {
    let mut markdown = Vec::new();
    let mut assets = Vec::new();
    for entry in walkdir::WalkDir::new(content_dir).sort_by_file_name() {
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
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = match entry.path().strip_prefix(content_dir) {
            Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
            Err(_) => continue,
        };
        match classify_file(&rel, entry.path() == tags_file) {
            Some(ContentFile::Page) => markdown.push(rel),
            Some(ContentFile::Asset) => assets.push(rel),
            None => {}
        }
    }
    (markdown, assets)
}

/// What a file of the content folder is to the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContentFile {
    Page,
    Asset,
}

/// The role of the content file at `rel` (`/`-separated), `None` when the site ignores it:
/// hidden files and folders, the tags file, `SUMMARY.md` (read for the order only).
pub(crate) fn classify_file(rel: &str, is_tags_file: bool) -> Option<ContentFile> {
    if rel.split('/').any(|part| part.starts_with('.')) || is_tags_file || NOT_ASSETS.contains(&rel)
    {
        None
    } else if rel.ends_with(".md") {
        Some(ContentFile::Page)
    } else {
        Some(ContentFile::Asset)
    }
}

/// Puts loaded pages in reading order and groups them into areas, reading `SUMMARY.md` for
/// the order if there is one. `load_site` ends with this; `kb serve` calls it after
/// reloading only the pages that changed, and gets the same site as a full load.
pub(crate) fn assemble_loaded(
    content_dir: &Path,
    pages: Vec<Page>,
    assets: Vec<String>,
    errors: &mut Vec<Diagnostic>,
) -> Site {
    let shown_content = shown_path(content_dir);
    let summary_path = content_dir.join("SUMMARY.md");
    let order = match std::fs::read_to_string(&summary_path) {
        Ok(text) => {
            let shown = shown_content.join("SUMMARY.md");
            match summary::parse(&shown, &text) {
                Ok(order) => Some(order),
                Err(mut e) => {
                    errors.append(&mut e);
                    None
                }
            }
        }
        Err(_) => None,
    };
    assemble(pages, assets, order.as_ref(), &shown_content, errors)
}

/// Reads the page at `rel`; `None` for a draft when drafts are left out. `shown_content` is
/// the content folder as diagnostics name it ([`shown_path`]).
pub(crate) fn load_page(
    content_dir: &Path,
    shown_content: &Path,
    rel: &str,
    include_drafts: bool,
) -> Result<Option<Page>, Diagnostic> {
    let path = content_dir.join(rel);
    let file = shown_content.join(rel);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Diagnostic::file_error(&file, format!("cannot read the page: {e}")))?;
    let split = front_matter::split(&file, &text)?;
    let meta = split.front_matter;
    if meta.draft && !include_drafts {
        return Ok(None);
    }
    let title = match meta.title.as_deref().map(str::trim) {
        Some(title) if !title.is_empty() => title.to_string(),
        _ => {
            return Err(
                Diagnostic::error(Location::new(&file, 2, 1), "the page has no title")
                    .with_help("add `title: \"...\"` to the front matter"),
            )
        }
    };
    let description = match meta.description.as_deref().map(str::trim) {
        Some(d) if !d.is_empty() => d.to_string(),
        _ => {
            return Err(Diagnostic::error(
                Location::new(&file, 2, 1),
                "the page has no description",
            )
            .with_help(
                "add `description: \"...\"`: one sentence, used for search results, \
                         cards and the meta description",
            ))
        }
    };
    let kind = if rel == "index.md" {
        PageKind::Home
    } else if rel.ends_with("/_index.md") {
        PageKind::Area
    } else {
        PageKind::Article
    };
    let area = rel.split_once('/').map(|(area, _)| area.to_string());
    Ok(Some(Page {
        source: path,
        file,
        rel: rel.to_string(),
        kind,
        area,
        url: url_for(rel),
        title,
        description,
        body: split.body.to_string(),
        body_line: split.body_line,
        meta,
    }))
}

/// Groups pages into areas and sorts everything into reading order.
fn assemble(
    mut pages: Vec<Page>,
    assets: Vec<String>,
    summary: Option<&Vec<summary::Entry>>,
    shown_content: &Path,
    errors: &mut Vec<Diagnostic>,
) -> Site {
    // Position in SUMMARY.md, if any, comes first; then weight, then title.
    let summary_rank: HashMap<&str, usize> = summary
        .map(|entries| {
            entries
                .iter()
                .enumerate()
                .map(|(i, e)| (e.path.as_str(), i))
                .collect()
        })
        .unwrap_or_default();
    if let Some(entries) = summary {
        for entry in entries {
            if !pages.iter().any(|p| p.rel == entry.path) {
                errors.push(
                    Diagnostic::error(
                        entry.location.clone(),
                        format!("SUMMARY.md lists `{}`, which does not exist", entry.path),
                    )
                    .with_help("fix the path (relative to the content folder) or remove the line"),
                );
            }
        }
    }
    let key = |p: &Page| {
        (
            summary_rank
                .get(p.rel.as_str())
                .copied()
                .unwrap_or(usize::MAX),
            p.meta.weight.unwrap_or(i64::MAX),
            p.title.to_lowercase(),
            p.rel.clone(),
        )
    };
    pages.sort_by_cached_key(key);

    let by_rel: HashMap<String, usize> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.rel.clone(), i))
        .collect();
    let home = by_rel.get("index.md").copied();

    let mut areas: Vec<Area> = Vec::new();
    let mut orphans: Vec<(String, usize)> = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        if page.kind == PageKind::Area {
            let slug = page.area.clone().unwrap_or_default();
            areas.push(Area {
                slug,
                index: i,
                pages: Vec::new(),
            });
        }
    }
    for (i, page) in pages.iter().enumerate() {
        if page.kind != PageKind::Article {
            continue;
        }
        let Some(slug) = page.area.as_deref() else {
            errors.push(
                Diagnostic::file_error(&page.file, "pages must live in an area folder")
                    .with_help("move the page into a folder such as content/<area>/ (only index.md sits at the top)"),
            );
            continue;
        };
        match areas.iter_mut().find(|a| a.slug == slug) {
            Some(area) => area.pages.push(i),
            None => orphans.push((slug.to_string(), i)),
        }
    }
    let mut reported = std::collections::BTreeSet::new();
    for (slug, _) in orphans {
        if reported.insert(slug.clone()) {
            errors.push(
                Diagnostic::file_error(
                    shown_content.join(&slug),
                    format!("the area folder `{slug}` has no _index.md"),
                )
                .with_help(
                    "add content/<area>/_index.md with the area's title, description and weight",
                ),
            );
        }
    }
    Site {
        pages,
        home,
        areas,
        assets,
        by_rel,
    }
}
