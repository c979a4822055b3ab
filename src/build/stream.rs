//! `kb build`, streamed: pages are rendered, templated, written and dropped a chunk at a
//! time, so a build's memory does not grow with the pages' HTML. What the later steps
//! need of each page is kept, compact: its headings, anchors and links for the link
//! checks, its word count, its diagnostics. Its search sections go to the indexer, which
//! builds the index on disk on threads of its own beside rendering.
//!
//! Pages are written before the link checks run, which need every page: that is safe
//! because a build writes into a staging folder that is swapped in only when the whole
//! build succeeded.

use std::sync::mpsc;

use indicatif::ParallelProgressIterator;
use rayon::prelude::*;

use super::output::Sink;
use super::passes::{load, page_diagnostics, BuildOptions, BuildReport};
use super::progress::Progress;
use super::search;
use super::timings::Timings;
use crate::config::Settings;
use crate::diagnostic::Diagnostic;
use crate::diagnostics::Diagnostics;
use crate::markdown::{self, RenderedPage};
use crate::render::renderer::{self, Presentation, SiteRenderer};

/// Pages rendered and written between two hand-overs to the indexer: small enough that
/// indexing starts early and little HTML is alive at once, large enough that the indexer
/// wakes rarely (80 times at 10,000 pages).
const CHUNK: usize = 128;
/// Chunks of sections that may wait for the indexer: when indexing falls behind,
/// rendering waits instead of piling sections up in memory.
const INDEXER_QUEUE: usize = 4;

/// Where the pages' search sections go.
struct ToIndexer {
    send: mpsc::SyncSender<Vec<kb_search::PreparedDoc>>,
    preparer: kb_search::DocPreparer,
}

/// Builds the whole site into `sink`.
///
/// The search index is built, paged and written on a thread of its own, fed with the
/// pages' sections as they are rendered, so it runs beside highlighting and templating.
/// A build that fails still waits for that thread.
pub(crate) fn build(
    settings: &Settings,
    options: &BuildOptions,
    sink: &dyn Sink,
    timings: &mut Timings,
) -> Result<BuildReport, Diagnostics> {
    let stamp = search::input_stamp(settings, options.drafts);
    let (mut site, mut diagnostics) = load(settings, options, timings);
    let presentation = timings.time("theme", || Presentation::load(settings))?;
    // Kept until the build ends: the index blob is a file of this folder, mapped.
    let (writer, _index_folder) = match settings.search.enable {
        true => {
            let (writer, folder) = search::index_writer(settings, &site)?;
            (Some(writer), Some(folder))
        }
        false => (None, None),
    };
    // The Markdown of each page, taken out of the site so that it is freed as soon as the
    // page is rendered: on a large site it is as big as everything else together.
    let sources: Vec<String> = site
        .pages
        .iter_mut()
        .map(|page| std::mem::take(&mut page.body))
        .collect();
    let site = site;
    std::thread::scope(|scope| {
        // The index and its files in the site (written to the staging folder, so a failed
        // build still leaves the previous site as it was).
        let (send, receive) = mpsc::sync_channel::<Vec<kb_search::PreparedDoc>>(INDEXER_QUEUE);
        let indexer = writer.map(|mut writer| {
            let preparer = writer.preparer();
            let thread = std::thread::Builder::new().name("kb-index".into());
            let handle = thread.spawn_scoped(scope, move || {
                let start = std::time::Instant::now();
                let indexed = receive
                    .into_iter()
                    .try_for_each(|docs| search::add_docs(settings, &mut writer, docs))
                    .and_then(|()| search::finish_index(settings, writer))
                    .and_then(|blob| {
                        let files = search::write_site_files(&blob, sink)?;
                        Ok((blob, files))
                    });
                (indexed, start.elapsed())
            });
            handle.map(|handle| (handle, preparer))
        });
        let (indexer, to_indexer) = match indexer.transpose() {
            Ok(Some((indexer, preparer))) => (Some(indexer), Some(ToIndexer { send, preparer })),
            Ok(None) => (None, None),
            Err(e) => {
                let why = format!("cannot start the search indexer: {e}");
                return Err(Diagnostic::file_error(&settings.search_index_dir, why).into());
            }
        };
        let renderer = SiteRenderer::new(settings, &site, &presentation);
        let (rendered, page_errors) = timings.time("pages", || {
            render_pages(&renderer, sources, to_indexer, sink, options)
        });
        diagnostics
            .extend(timings.time("validate", || page_diagnostics(&site, &rendered, settings)));
        let mut diagnostics = Diagnostics::new(diagnostics);
        if !diagnostics.has_errors() && !page_errors.is_empty() {
            diagnostics = page_errors.into();
        }
        let mut files = 0;
        if !diagnostics.has_errors() {
            files = site.pages.len();
            files += timings.time("extras", || write_extras(settings, &renderer, sink))?;
        }
        if let Some(indexer) = indexer {
            // Whatever indexing is left once the pages are written: the last chunk, the
            // merge, and the browser's search files.
            let joined = timings.time("index wait", || indexer.join());
            let (indexed, elapsed) = joined.map_err(|_| {
                Diagnostic::file_error(
                    &settings.search_index_dir,
                    "the search indexer stopped unexpectedly",
                )
            })?;
            timings.record_beside("index", elapsed);
            if diagnostics.has_errors() {
                return Err(diagnostics);
            }
            let (blob, search_files) = indexed.map_err(Diagnostics::from)?;
            files += search_files;
            timings.time("search", || {
                search::save_native(settings, &blob, &stamp).map_err(Diagnostics::from)
            })?;
        }
        if diagnostics.has_errors() {
            return Err(diagnostics);
        }
        Ok(BuildReport {
            pages: site.pages.len(),
            files,
            warnings: diagnostics,
        })
    })
}

/// Renders every page's Markdown and template and writes it, a chunk at a time, freeing
/// each page's Markdown and HTML as soon as it is written; hands the sections to the
/// indexer. Returns each page's rendering without its HTML, sections or code, and the
/// errors of templates and writes.
fn render_pages(
    renderer: &SiteRenderer<'_>,
    mut sources: Vec<String>,
    to_indexer: Option<ToIndexer>,
    sink: &dyn Sink,
    options: &BuildOptions,
) -> (Vec<RenderedPage>, Vec<Diagnostic>) {
    let site = renderer.site;
    let progress = Progress::new(options.progress, site.pages.len(), "pages");
    let bar = progress.bar();
    let render_options = markdown::RenderOptions::of(renderer.settings);
    let mut rendered = Vec::with_capacity(site.pages.len());
    let mut errors = Vec::new();
    for (n, sources) in sources.chunks_mut(CHUNK).enumerate() {
        let first = n * CHUNK;
        let results: Vec<(
            RenderedPage,
            Vec<kb_search::PreparedDoc>,
            Option<Diagnostic>,
        )> = sources
            .par_iter_mut()
            .enumerate()
            .progress_with(bar.clone())
            .map(|(k, source)| {
                let i = first + k;
                let page = &site.pages[i];
                let source = std::mem::take(source);
                let mut r = markdown::render_source(page, &source, &render_options);
                drop(source);
                let sections = std::mem::take(&mut r.sections);
                let docs = match &to_indexer {
                    Some(to) => search::prepared_docs(site, page, sections, &to.preparer),
                    None => Vec::new(),
                };
                // Only `kb check` reads the code blocks.
                r.code_blocks = Vec::new();
                let html = std::mem::take(&mut r.html);
                let file = renderer.page(i, &r, html);
                let error = renderer
                    .render(&file)
                    .and_then(|html| write(sink, &file.path, html.as_bytes()))
                    .err();
                progress.report();
                (r, docs, error)
            })
            .collect();
        let mut docs = Vec::new();
        for (r, mut page_docs, error) in results {
            rendered.push(r);
            docs.append(&mut page_docs);
            errors.extend(error);
        }
        if let Some(to) = &to_indexer {
            // A closed channel means the indexer failed; its error is reported when the
            // build joins it.
            let _ = to.send.send(docs);
        }
    }
    progress.finish();
    (rendered, errors)
}

fn write(sink: &dyn Sink, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
    sink.write(path, bytes)
        .map_err(|e| Diagnostic::file_error(path, format!("cannot write the output file: {e}")))
}

/// Writes the files besides content pages (tag pages, 404, assets, sitemap, …); returns
/// how many.
fn write_extras(
    settings: &Settings,
    renderer: &SiteRenderer<'_>,
    sink: &dyn Sink,
) -> Result<usize, Diagnostics> {
    let mut count = 0;
    let mut errors = Vec::new();
    let mut put = |path: &str, bytes: &[u8]| {
        if let Err(e) = write(sink, path, bytes) {
            errors.push(e);
        }
        count += 1;
    };
    for file in renderer.listing_pages() {
        let html = renderer.render(&file)?;
        put(&file.path, html.as_bytes());
    }
    let (files, mut read_errors) = renderer.plain_files(&|rel| renderer::read_asset(settings, rel));
    for (path, bytes) in &files {
        put(path, bytes);
    }
    errors.append(&mut read_errors);
    match errors.is_empty() {
        true => Ok(count),
        false => Err(errors.into()),
    }
}
