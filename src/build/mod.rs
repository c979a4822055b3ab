//! `kb build`: the ordered, timed passes that turn the content folder into a site.
//!
//! load → markdown → validate → theme → pages → extras (→ search). Each pass takes plain data
//! and returns plain data; only the [`Sink`] at the end touches the output folder. All
//! diagnostics of a pass are collected before the build stops, so one run reports every
//! problem.

pub mod assets;
pub mod extras;
pub mod output;
pub mod pages;
pub mod search;
pub mod timings;
pub mod validate;

use std::path::PathBuf;

use rayon::prelude::*;

use crate::config::Settings;
use crate::content::tags::tag_slug;
use crate::content::{load_site, Site};
use crate::diagnostic::Diagnostic;
use crate::markdown::{self, RenderedPage};
use crate::render::nav::Sidebar;
use crate::render::theme::Theme;
use crate::render::view::{Context, PageView, SiteView};
use crate::render::Templates;
use output::Sink;
use pages::ViewBuilder;
use timings::Timings;

/// What the user asked of this build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Include pages marked `draft: true`.
    pub drafts: bool,
}

/// A loaded and rendered site, before templates: what `kb check` and `kb serve` reuse.
pub struct Prepared {
    pub site: Site,
    pub rendered: Vec<RenderedPage>,
    /// Warnings found so far (errors stop preparation).
    pub warnings: Vec<Diagnostic>,
}

/// The result of a successful build.
#[derive(Debug, Default)]
pub struct BuildReport {
    pub pages: usize,
    pub files: usize,
    pub warnings: Vec<Diagnostic>,
}

/// Sorts diagnostics by file and position and splits off whether any is an error.
pub fn sorted(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics.sort_by(|a, b| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then_with(|| a.message.cmp(&b.message))
    });
    diagnostics.dedup();
    diagnostics
}

/// Loads, renders and validates the content: every error of these passes, or the data.
pub fn prepare(
    settings: &Settings,
    options: &BuildOptions,
    timings: &mut Timings,
) -> Result<Prepared, Vec<Diagnostic>> {
    let site = timings.time("load", || {
        load_site(&settings.content_dir, &settings.tags_file, options.drafts)
    })?;
    let split = settings.search.heading_split_level;
    let rendered: Vec<RenderedPage> = timings.time("markdown", || {
        site.pages
            .par_iter()
            .map(|page| markdown::render(page, split))
            .collect()
    });
    let mut diagnostics: Vec<Diagnostic> = rendered
        .iter()
        .flat_map(|r| r.diagnostics.iter().cloned())
        .collect();
    diagnostics.extend(timings.time("validate", || validate::validate(&site, &rendered)));
    let diagnostics = sorted(diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(diagnostics);
    }
    Ok(Prepared {
        site,
        rendered,
        warnings: diagnostics,
    })
}

/// Builds the whole site into `sink`.
pub fn build(
    settings: &Settings,
    options: &BuildOptions,
    sink: &dyn Sink,
    timings: &mut Timings,
) -> Result<BuildReport, Vec<Diagnostic>> {
    let stamp = search::input_stamp(settings, options.drafts);
    let prepared = prepare(settings, options, timings)?;
    let mut files = write_site(settings, &prepared, sink, timings)?;
    if settings.search.enable {
        files += timings.time("search", || -> Result<usize, Vec<Diagnostic>> {
            let blob = search::index_blob(settings, &prepared.site, &prepared.rendered)
                .map_err(|e| vec![e])?;
            search::save_native(settings, &blob, &stamp).map_err(|e| vec![e])?;
            search::write_site_files(&blob, sink).map_err(|e| vec![e])
        })?;
    }
    Ok(BuildReport {
        pages: prepared.site.pages.len(),
        files,
        warnings: prepared.warnings,
    })
}

/// Applies the theme to a prepared site and writes every file; returns the file count.
pub fn write_site(
    settings: &Settings,
    prepared: &Prepared,
    sink: &dyn Sink,
    timings: &mut Timings,
) -> Result<usize, Vec<Diagnostic>> {
    let Prepared { site, rendered, .. } = prepared;
    let (theme, templates) = timings.time("theme", || -> Result<_, Vec<Diagnostic>> {
        let theme = Theme::load(settings.theme_dir.as_deref()).map_err(|e| vec![e])?;
        let templates = Templates::compile(&theme, settings.theme_dir.as_deref())?;
        Ok((theme, templates))
    })?;
    let hashed = assets::hashed_assets(&theme);
    let site_view = SiteView {
        title: settings.title.clone(),
        description: settings.description.clone(),
        language: settings.language.clone(),
        default_theme: settings.default_theme,
        repository_url: settings.git_repository_url.clone(),
        search: settings.search.enable,
        css: hashed.css.0.clone(),
        js: hashed.js.0.clone(),
        additional_css: settings
            .additional_css
            .iter()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .collect(),
        additional_js: settings
            .additional_js
            .iter()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .collect(),
    };
    let views = ViewBuilder::new(settings, site, rendered);
    let tags = views.tags();
    let sidebar = Sidebar::new(site, !tags.is_empty());
    let area_number = |page: &crate::content::Page| {
        site.areas
            .iter()
            .position(|a| Some(&a.slug) == page.area.as_ref())
    };
    let write = |path: &str, bytes: &[u8]| -> Result<(), Diagnostic> {
        sink.write(path, bytes)
            .map_err(|e| Diagnostic::file_error(path, format!("cannot write the output file: {e}")))
    };
    let render_view =
        |template: &str, view: &PageView, url: &str, area: Option<usize>, base: Option<&str>| {
            let root = crate::content::page::root_prefix(crate::content::page::url_depth(url));
            let bar = sidebar.for_page(area, url);
            templates.render(
                template,
                &Context {
                    site: &site_view,
                    page: view,
                    root: if base.is_some() { "" } else { &root },
                    sidebar: &bar,
                    base,
                },
            )
        };

    let page_errors: Vec<Diagnostic> = timings.time("pages", || {
        site.pages
            .par_iter()
            .enumerate()
            .filter_map(|(i, page)| {
                let view = views.page(i);
                let template = match page.kind {
                    crate::content::PageKind::Home => "home.html",
                    crate::content::PageKind::Area => "area.html",
                    crate::content::PageKind::Article => "page.html",
                };
                let result = render_view(template, &view, &page.url, area_number(page), None)
                    .and_then(|html| write(&format!("{}index.html", page.url), html.as_bytes()));
                result.err()
            })
            .collect()
    });
    if !page_errors.is_empty() {
        return Err(sorted(page_errors));
    }
    let mut count = site.pages.len();

    timings.time("extras", || -> Result<(), Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let mut read_errors = Vec::new();
        let mut put = |path: &str, bytes: &[u8]| {
            if let Err(e) = write(path, bytes) {
                errors.push(e);
            }
            count += 1;
        };
        // Tags.
        if !tags.is_empty() {
            match render_view("tags.html", &views.tag_index(&tags), "tags/", None, None) {
                Ok(html) => put("tags/index.html", html.as_bytes()),
                Err(e) => return Err(vec![e]),
            }
            for (tag, pages) in &tags {
                let url = format!("tags/{}/", tag_slug(tag));
                match render_view("tag.html", &views.tag_page(tag, pages), &url, None, None) {
                    Ok(html) => put(&format!("{url}index.html"), html.as_bytes()),
                    Err(e) => return Err(vec![e]),
                }
            }
        }
        // 404: served at any depth, so links resolve against <base href>.
        let base = settings
            .site_url
            .as_deref()
            .and_then(|u| u.split_once("://").map(|(_, rest)| rest))
            .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()))
            .unwrap_or_else(|| "/".to_string());
        let not_found = PageView::new(
            "404",
            "Page not found",
            "The page you asked for does not exist; it may have moved.",
        );
        match render_view("404.html", &not_found, "", None, Some(&base)) {
            Ok(html) => put("404.html", html.as_bytes()),
            Err(e) => return Err(vec![e]),
        }
        // Assets.
        put(&hashed.css.0, &hashed.css.1);
        put(&hashed.js.0, &hashed.js.1);
        for (path, bytes) in theme.static_files() {
            if !assets::HASHED.contains(&path) {
                put(path, bytes);
            }
        }
        for rel in &site.assets {
            match std::fs::read(settings.content_dir.join(rel)) {
                Ok(bytes) => put(rel, &bytes),
                Err(e) => read_errors.push(Diagnostic::file_error(
                    settings.content_dir.join(rel),
                    format!("cannot read: {e}"),
                )),
            }
        }
        // Redirects.
        let aliases: Vec<(String, String)> = site
            .pages
            .iter()
            .flat_map(|p| {
                p.meta
                    .aliases
                    .iter()
                    .map(move |a| (validate::normalize_alias(a), p.url.clone()))
            })
            .collect();
        let alias_targets: std::collections::BTreeSet<String> = aliases
            .iter()
            .map(|(old, _)| extras::redirect_file(old))
            .collect();
        for (file, target) in extras::redirects(&settings.redirects, &aliases) {
            let href = if alias_targets.contains(&file)
                || !target.contains("://")
                    && !target.starts_with("../")
                    && !target.starts_with("./")
            {
                extras::relative_target(&file, &target)
            } else {
                target.clone()
            };
            let canonical = views.canonical(target.trim_start_matches('/'));
            let canonical = if target.contains("://") {
                Some(target.clone())
            } else {
                canonical
            };
            put(
                &file,
                extras::redirect_page(&href, canonical.as_deref()).as_bytes(),
            );
        }
        // Sitemap and robots.
        if let Some(site_url) = &settings.site_url {
            let mut urls: Vec<(String, Option<String>)> = site
                .reading_order()
                .into_iter()
                .map(|i| {
                    let page = &site.pages[i];
                    (
                        page.url.clone(),
                        page.meta.updated.map(|d| d.format("%Y-%m-%d").to_string()),
                    )
                })
                .collect();
            if !tags.is_empty() {
                urls.push(("tags/".to_string(), None));
                urls.extend(
                    tags.keys()
                        .map(|t| (format!("tags/{}/", tag_slug(t)), None)),
                );
            }
            put("sitemap.xml", extras::sitemap(site_url, &urls).as_bytes());
        }
        put(
            "robots.txt",
            extras::robots(settings.site_url.as_deref()).as_bytes(),
        );
        errors.append(&mut read_errors);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    })?;
    Ok(count)
}

/// The default destination, or the one given on the command line.
pub fn destination(settings: &Settings, dest: Option<PathBuf>) -> PathBuf {
    dest.unwrap_or_else(|| settings.build_dir.clone())
}
