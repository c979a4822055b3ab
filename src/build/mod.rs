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
pub mod renderer;
pub mod search;
pub mod timings;
pub mod validate;

use std::path::PathBuf;

use indicatif::ParallelProgressIterator;
use rayon::prelude::*;

use crate::config::Settings;
use crate::content::{load_site, Site};
use crate::diagnostic::Diagnostic;
use crate::markdown::{self, RenderedPage};
use output::Sink;
use renderer::{Presentation, SiteRenderer};
use timings::Timings;

/// What the user asked of this build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Include pages marked `draft: true`.
    pub drafts: bool,
    /// Show a progress bar for the per-page steps (on a terminal, for large sites).
    pub progress: bool,
}

/// Below this many pages a build is too quick for a progress bar to help.
const PROGRESS_MIN_PAGES: usize = 500;

/// A progress bar for one per-page step, or a hidden one.
fn progress_bar(options_progress: bool, len: usize, step: &'static str) -> indicatif::ProgressBar {
    if !options_progress || len < PROGRESS_MIN_PAGES {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64).with_message(step);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg:>9} [{bar:30}] {pos}/{len} pages")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
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

/// Everything the content passes found: the pages that loaded, their rendering, and all
/// diagnostics. `kb check` reports from this even when there are errors.
pub struct Analysis {
    pub site: Site,
    pub rendered: Vec<RenderedPage>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Loads, renders and validates the content, collecting every diagnostic.
pub fn analyze(settings: &Settings, options: &BuildOptions, timings: &mut Timings) -> Analysis {
    let (site, mut diagnostics) = timings.time("load", || {
        load_site(&settings.content_dir, &settings.tags_file, options.drafts)
    });
    let split = settings.search.heading_split_level;
    let bar = progress_bar(options.progress, site.pages.len(), "markdown");
    let rendered: Vec<RenderedPage> = timings.time("markdown", || {
        site.pages
            .par_iter()
            .progress_with(bar.clone())
            .map(|page| markdown::render(page, split))
            .collect()
    });
    bar.finish_and_clear();
    diagnostics.extend(timings.time("validate", || page_diagnostics(&site, &rendered)));
    Analysis {
        site,
        rendered,
        diagnostics: sorted(diagnostics),
    }
}

/// The diagnostics of the rendered pages and of the links between them.
pub fn page_diagnostics(site: &Site, rendered: &[RenderedPage]) -> Vec<Diagnostic> {
    let mut diagnostics: Vec<Diagnostic> = rendered
        .iter()
        .flat_map(|r| r.diagnostics.iter().cloned())
        .collect();
    diagnostics.extend(validate::validate(site, rendered));
    diagnostics
}

impl Prepared {
    /// The prepared site, or its diagnostics (sorted) when any is an error.
    pub fn checked(
        site: Site,
        rendered: Vec<RenderedPage>,
        diagnostics: Vec<Diagnostic>,
    ) -> Result<Prepared, Vec<Diagnostic>> {
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
}

/// Loads, renders and validates the content: every error of these passes, or the data.
pub fn prepare(
    settings: &Settings,
    options: &BuildOptions,
    timings: &mut Timings,
) -> Result<Prepared, Vec<Diagnostic>> {
    let Analysis {
        site,
        rendered,
        diagnostics,
    } = analyze(settings, options, timings);
    Prepared::checked(site, rendered, diagnostics)
}

/// Builds the whole site into `sink`.
pub fn build(
    settings: &Settings,
    options: &BuildOptions,
    sink: &dyn Sink,
    timings: &mut Timings,
) -> Result<BuildReport, Vec<Diagnostic>> {
    let stamp = search::input_stamp(settings, options.drafts);
    let mut prepared = prepare(settings, options, timings)?;
    // The sections' text is needed only by the index: move it there instead of copying
    // the whole site's text once more (tens of megabytes on large sites).
    let docs = settings
        .search
        .enable
        .then(|| search::take_site_docs(&prepared.site, &mut prepared.rendered));
    let prepared = prepared;
    // Templates and the search index need the same rendered pages and nothing from each
    // other, so they run side by side: indexing is mostly single-threaded.
    let ((written, site_timings), (blob, index_time)) = rayon::join(
        || {
            let mut t = Timings::default();
            (write_site(settings, &prepared, sink, &mut t), t)
        },
        || {
            let start = std::time::Instant::now();
            let blob = docs.map(|docs| search::index_docs(settings, docs));
            (blob, start.elapsed())
        },
    );
    timings.steps.extend(site_timings.steps);
    let mut files = written?;
    if let Some(blob) = blob {
        timings.steps.push(("index", index_time));
        let blob = blob.map_err(|e| vec![e])?;
        files += timings.time("search", || -> Result<usize, Vec<Diagnostic>> {
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
    let presentation = timings.time("theme", || Presentation::load(settings))?;
    let renderer = SiteRenderer::new(settings, site, rendered, &presentation);
    let write = |path: &str, bytes: &[u8]| -> Result<(), Diagnostic> {
        sink.write(path, bytes)
            .map_err(|e| Diagnostic::file_error(path, format!("cannot write the output file: {e}")))
    };

    let page_errors: Vec<Diagnostic> = timings.time("pages", || {
        (0..site.pages.len())
            .into_par_iter()
            .filter_map(|i| {
                let file = renderer.page(i);
                renderer
                    .render(&file)
                    .and_then(|html| write(&file.path, html.as_bytes()))
                    .err()
            })
            .collect()
    });
    if !page_errors.is_empty() {
        return Err(sorted(page_errors));
    }
    let mut count = site.pages.len();

    timings.time("extras", || -> Result<(), Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let mut put = |path: &str, bytes: &[u8]| {
            if let Err(e) = write(path, bytes) {
                errors.push(e);
            }
            count += 1;
        };
        for file in renderer.listing_pages() {
            match renderer.render(&file) {
                Ok(html) => put(&file.path, html.as_bytes()),
                Err(e) => return Err(vec![e]),
            }
        }
        let (files, mut read_errors) =
            renderer.plain_files(&|rel| renderer::read_asset(settings, rel));
        for (path, bytes) in &files {
            put(path, bytes);
        }
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
