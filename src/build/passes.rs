//! The build passes and their one-shot order: load → markdown → validate → theme → pages
//! → extras (→ search). Each pass takes plain data and returns plain data; only the
//! [`Sink`] at the end touches the output. All diagnostics of a pass are collected before
//! the build stops, so one run reports every problem.

use std::path::PathBuf;
use std::sync::mpsc;

use indicatif::ParallelProgressIterator;
use rayon::prelude::*;

use super::bodies::Bodies;
use super::output::Sink;
use super::search;
use super::timings::Timings;
use crate::config::Settings;
use crate::content::{Loader, Site};
use crate::diagnostic::Diagnostic;
use crate::diagnostics::Diagnostics;
use crate::markdown::{self, RenderedPage};
use crate::render::renderer::{self, Presentation, SiteRenderer};

/// What the user asked of this build.
#[derive(Debug, Clone, Default)]
pub(crate) struct BuildOptions {
    /// Include pages marked `draft: true`.
    pub drafts: bool,
    /// Show a progress bar for the per-page steps (on a terminal, for large sites).
    pub progress: bool,
    /// Whether steps may run code the site names (mdBook preprocessors consult it).
    pub trust: crate::trust::Trust,
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

/// A loaded and rendered site, before templates: what `kb serve` keeps between applies.
pub(crate) struct Prepared {
    pub site: Site,
    /// Each page's rendering, in page order, without its HTML: that is in `bodies`.
    pub rendered: Vec<RenderedPage>,
    /// Each page's rendered HTML.
    pub bodies: Bodies,
    /// Warnings found so far (errors stop preparation).
    pub warnings: Diagnostics,
}

/// The result of a successful build.
#[derive(Debug, Default)]
pub(crate) struct BuildReport {
    pub pages: usize,
    pub files: usize,
    pub warnings: Diagnostics,
}

/// Everything the content passes found: the pages that loaded, their rendering, and all
/// diagnostics. `kb check` reports from this even when there are errors.
pub(crate) struct Analysis {
    pub site: Site,
    pub rendered: Vec<RenderedPage>,
    pub diagnostics: Diagnostics,
}

/// Loads, renders and validates the content, collecting every diagnostic.
pub(crate) fn analyze(
    settings: &Settings,
    options: &BuildOptions,
    timings: &mut Timings,
) -> Analysis {
    let (site, diagnostics) = load(settings, options, timings);
    render_site(
        settings,
        site,
        diagnostics,
        options,
        Sections::Keep,
        timings,
    )
}

/// What the Markdown pass does with the pages' searchable sections.
enum Sections {
    /// Keep them in [`RenderedPage::sections`] (`kb check`, `kb serve`, `kb search`).
    Keep,
    /// Drop them as soon as they are made: no index is wanted.
    Drop,
    /// Hand them to the indexer as search documents, in page order, a chunk of pages at
    /// a time, so indexing runs beside rendering instead of after it.
    Send(
        mpsc::Sender<Vec<kb_search::PreparedDoc>>,
        kb_search::DocPreparer,
    ),
}

/// Pages rendered between two hand-overs to the indexer: small enough that indexing
/// starts early and the indexer wakes rarely (80 times at 10,000 pages).
const SECTION_CHUNK: usize = 128;

/// The load pass: every page that could be read, and the problems found.
fn load(
    settings: &Settings,
    options: &BuildOptions,
    timings: &mut Timings,
) -> (Site, Vec<Diagnostic>) {
    let (mut site, mut diagnostics) =
        timings.time("load", || Loader::new(settings, options.drafts).load_site());
    if !settings.preprocessors.is_empty() {
        // Plugins see the whole book, so they run once every page is loaded.
        match timings.time("plugins", || {
            crate::preprocess::run(settings, options.trust, &mut site)
        }) {
            Ok(warnings) => diagnostics.extend(warnings),
            Err(error) => diagnostics.push(error),
        }
    }
    (site, diagnostics)
}

/// The Markdown and validation passes over a loaded site; `sections` says where the
/// pages' searchable text goes.
fn render_site(
    settings: &Settings,
    site: Site,
    mut diagnostics: Vec<Diagnostic>,
    options: &BuildOptions,
    sections: Sections,
    timings: &mut Timings,
) -> Analysis {
    let bar = progress_bar(options.progress, site.pages.len(), "markdown");
    let render_options = markdown::RenderOptions::of(settings, options.trust);
    let render = |page: &crate::content::Page| markdown::render_with(page, &render_options);
    let rendered: Vec<RenderedPage> = timings.time("markdown", || match sections {
        Sections::Keep => site
            .pages
            .par_iter()
            .progress_with(bar.clone())
            .map(render)
            .collect(),
        Sections::Drop => site
            .pages
            .par_iter()
            .progress_with(bar.clone())
            .map(|page| {
                // Freed page by page: on a large site all sections together are about
                // as big as the Markdown.
                RenderedPage {
                    sections: Vec::new(),
                    ..render(page)
                }
            })
            .collect(),
        Sections::Send(to_indexer, preparer) => {
            let mut rendered = Vec::with_capacity(site.pages.len());
            for pages in site.pages.chunks(SECTION_CHUNK) {
                // Each worker turns its page's sections into search documents too.
                let (mut chunk, docs): (Vec<RenderedPage>, Vec<Vec<kb_search::PreparedDoc>>) =
                    pages
                        .par_iter()
                        .progress_with(bar.clone())
                        .map(|page| {
                            let mut r = render(page);
                            let sections = std::mem::take(&mut r.sections);
                            (r, search::prepared_docs(&site, page, sections, &preparer))
                        })
                        .unzip();
                // A closed channel means the indexer failed; its error is reported when
                // the build joins it.
                let _ = to_indexer.send(docs.into_iter().flatten().collect());
                rendered.append(&mut chunk);
            }
            rendered
        }
    });
    bar.finish_and_clear();
    diagnostics.extend(timings.time("validate", || page_diagnostics(&site, &rendered, settings)));
    diagnostics.extend(print_page_left_out(settings, &rendered));
    Analysis {
        site,
        rendered,
        diagnostics: Diagnostics::new(diagnostics),
    }
}

/// The warning that a book too large for a print page gets none (see
/// [`crate::render::print::too_large`]).
fn print_page_left_out(settings: &Settings, rendered: &[RenderedPage]) -> Option<Diagnostic> {
    if !settings.print.enable {
        return None;
    }
    let bytes = rendered.iter().map(|r| r.html.len()).sum();
    let why = crate::render::print::too_large(rendered.len(), bytes)?;
    Some(
        Diagnostic::warning(
            crate::config::config_value_location(&settings.root, "output.html.print"),
            format!("print.html is not written: {why}"),
        )
        .with_help("readers print chapters one by one; set `[output.html.print] enable = false` to say so and silence this"),
    )
}

/// The diagnostics of the rendered pages and of the links between them.
pub(crate) fn page_diagnostics(
    site: &Site,
    rendered: &[RenderedPage],
    settings: &Settings,
) -> Vec<Diagnostic> {
    let mut diagnostics: Vec<Diagnostic> = rendered
        .iter()
        .flat_map(|r| r.diagnostics.iter().cloned())
        .collect();
    diagnostics.extend(crate::markdown::validate::validate(
        site, rendered, settings,
    ));
    diagnostics
}

impl Prepared {
    /// The prepared site, or its diagnostics (sorted) when any is an error. `rendered`
    /// comes without its HTML: `bodies` holds every page's.
    pub(crate) fn checked(
        site: Site,
        rendered: Vec<RenderedPage>,
        bodies: Bodies,
        diagnostics: impl Into<Diagnostics>,
    ) -> Result<Prepared, Diagnostics> {
        let diagnostics = diagnostics.into();
        if diagnostics.has_errors() {
            return Err(diagnostics);
        }
        Ok(Prepared {
            site,
            rendered,
            bodies,
            warnings: diagnostics,
        })
    }

    /// The rendered HTML of page `i` (every page has one: [`Prepared::checked`] keeps them).
    pub(crate) fn body(&self, i: usize) -> String {
        self.bodies.get(&self.site.pages[i].rel).unwrap_or_default()
    }
}

/// Loads, renders and validates the content: every error of these passes, or the data,
/// its pages' HTML kept in `bodies`.
pub(crate) fn prepare(
    settings: &Settings,
    options: &BuildOptions,
    bodies: Bodies,
    timings: &mut Timings,
) -> Result<Prepared, Diagnostics> {
    let Analysis {
        site,
        rendered,
        diagnostics,
    } = analyze(settings, options, timings);
    prepared(site, rendered, bodies, diagnostics)
}

/// [`Prepared::checked`] for pages rendered with their HTML, which moves into `bodies`.
fn prepared(
    site: Site,
    mut rendered: Vec<RenderedPage>,
    mut bodies: Bodies,
    diagnostics: Diagnostics,
) -> Result<Prepared, Diagnostics> {
    bodies.take_from(&site.pages, &mut rendered);
    Prepared::checked(site, rendered, bodies, diagnostics)
}

/// Builds the whole site into `sink`.
///
/// The search index is built, paged and written on a thread of its own, fed with the
/// pages' sections as the Markdown pass renders them, so it runs beside highlighting and
/// templating (tantivy's single-segment writer uses one core). A build that fails still
/// waits for that thread.
pub(crate) fn build(
    settings: &Settings,
    options: &BuildOptions,
    sink: &dyn Sink,
    timings: &mut Timings,
) -> Result<BuildReport, Diagnostics> {
    let stamp = search::input_stamp(settings, options.drafts);
    let (site, load_diagnostics) = load(settings, options, timings);
    let writer = match settings.search.enable {
        true => Some(search::index_writer(settings, &site).map_err(Diagnostics::from)?),
        false => None,
    };
    std::thread::scope(|scope| {
        // The index and its files in the site (written to the staging folder, so a failed
        // build still leaves the previous site as it was).
        let (to_indexer, from_renderer) = mpsc::channel::<Vec<kb_search::PreparedDoc>>();
        let indexer = writer.map(|mut writer| {
            let preparer = writer.preparer();
            let thread = std::thread::Builder::new().name("kb-index".into());
            let handle = thread.spawn_scoped(scope, move || {
                let start = std::time::Instant::now();
                let indexed = from_renderer
                    .into_iter()
                    .try_for_each(|docs| search::add_docs(settings, &mut writer, docs))
                    .and_then(|()| search::finish_index(settings, writer))
                    .and_then(|blob| {
                        let blob = kb_search::SharedBlob::from(blob);
                        let files = search::write_site_files(&blob, sink)?;
                        Ok((blob, files))
                    });
                (indexed, start.elapsed())
            });
            handle.map(|handle| (handle, preparer))
        });
        let (indexer, sections) = match indexer.transpose() {
            Ok(Some((indexer, preparer))) => (Some(indexer), Sections::Send(to_indexer, preparer)),
            Ok(None) => (None, Sections::Drop),
            Err(e) => {
                let why = format!("cannot start the search indexer: {e}");
                return Err(Diagnostic::file_error(&settings.search_index_dir, why).into());
            }
        };
        let Analysis {
            site,
            rendered,
            diagnostics,
        } = render_site(settings, site, load_diagnostics, options, sections, timings);
        let prepared = prepared(site, rendered, Bodies::in_memory(), diagnostics)?;
        let mut files = write_site(settings, &prepared, sink, timings)?;
        if let Some(indexer) = indexer {
            // Whatever indexing is left once the pages are written: the last chunk, the
            // segment, and the browser's search files.
            let joined = timings.time("index wait", || indexer.join());
            let (indexed, elapsed) = joined.map_err(|_| {
                Diagnostic::file_error(
                    &settings.search_index_dir,
                    "the search indexer stopped unexpectedly",
                )
            })?;
            timings.record_beside("index", elapsed);
            let (blob, search_files) = indexed.map_err(Diagnostics::from)?;
            files += search_files;
            timings.time("search", || {
                search::save_native(settings, &blob, &stamp).map_err(Diagnostics::from)
            })?;
        }
        Ok(BuildReport {
            pages: prepared.site.pages.len(),
            files,
            warnings: prepared.warnings,
        })
    })
}

/// Applies the theme to a prepared site and writes every file; returns the file count.
pub(crate) fn write_site(
    settings: &Settings,
    prepared: &Prepared,
    sink: &dyn Sink,
    timings: &mut Timings,
) -> Result<usize, Diagnostics> {
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
                let file = renderer.page(i, prepared.body(i));
                renderer
                    .render(&file)
                    .and_then(|html| write(&file.path, html.as_bytes()))
                    .err()
            })
            .collect()
    });
    if !page_errors.is_empty() {
        return Err(page_errors.into());
    }
    let mut count = site.pages.len();

    timings.time("extras", || -> Result<(), Diagnostics> {
        let mut errors = Vec::new();
        let mut put = |path: &str, bytes: &[u8]| {
            if let Err(e) = write(path, bytes) {
                errors.push(e);
            }
            count += 1;
        };
        let print = renderer.print_page(&|i| prepared.body(i));
        for file in renderer.listing_pages().into_iter().chain(print) {
            match renderer.render(&file) {
                Ok(html) => put(&file.path, html.as_bytes()),
                Err(e) => return Err(e.into()),
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
            Err(errors.into())
        }
    })?;
    Ok(count)
}

/// The default destination, or the one given on the command line.
pub(crate) fn destination(settings: &Settings, dest: Option<PathBuf>) -> PathBuf {
    dest.unwrap_or_else(|| settings.build_dir.clone())
}
