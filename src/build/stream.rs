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
use super::passes::{load, page_diagnostics, print_page_left_out, BuildOptions, BuildReport};
use super::progress::Progress;
use super::search;
use super::timings::Timings;
use crate::agents::{twin, FullTextKeeper};
use crate::config::Settings;
use crate::content::Loader;
use crate::diagnostic::Diagnostic;
use crate::diagnostics::Diagnostics;
use crate::markdown::source_links::SourceLink;
use crate::markdown::{self, RenderedPage};
use crate::render::print;
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
    // The Markdown stays on disk until its page is rendered.
    let loader = super::passes::loader(settings, options, true);
    let (mut site, mut diagnostics) = load(settings, &loader, options, timings);
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
    std::thread::scope(|scope| {
        // The index and its files in the site (written to the staging folder, so a failed
        // build still leaves the previous site as it was).
        let (send, receive) = mpsc::sync_channel::<Vec<kb_search::PreparedDoc>>(INDEXER_QUEUE);
        let style = options.progress;
        let indexer = writer.map(|mut writer| {
            let preparer = writer.preparer();
            let thread = std::thread::Builder::new().name("kb-index".into());
            let handle = thread.spawn_scoped(scope, move || {
                let start = std::time::Instant::now();
                let mut steps = IndexSteps::default();
                let indexed = receive
                    .into_iter()
                    .try_for_each(|docs| search::add_docs(settings, &mut writer, docs))
                    .and_then(|()| {
                        steps.fed = start.elapsed();
                        // The pages are all rendered: what is left is shown.
                        let parts = writer.parts_to_merge();
                        let what = format!("merging the {parts} parts of the search index");
                        let merging =
                            (parts > 1).then(|| Progress::phase(style, "indexing", &what));
                        let blob = search::finish_index(settings, writer);
                        if let Some(merging) = merging {
                            merging.finish();
                        }
                        steps.finished = start.elapsed();
                        blob
                    })
                    .and_then(|blob| {
                        let files = search::write_site_files(&blob, sink, style)?;
                        Ok((blob, files))
                    });
                steps.files = start.elapsed();
                (indexed, steps)
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
        let Written {
            rendered,
            errors: page_errors,
            twins,
            full_text,
            print,
            html_bytes,
        } = timings.time("pages", || {
            render_pages(&renderer, &loader, sources, to_indexer, sink, options)
        });
        diagnostics
            .extend(timings.time("validate", || page_diagnostics(&site, &rendered, settings)));
        diagnostics.extend(print_page_left_out(settings, site.pages.len(), html_bytes));
        let mut diagnostics = Diagnostics::new(diagnostics);
        if !diagnostics.has_errors() && !page_errors.is_empty() {
            diagnostics = page_errors.into();
        }
        let mut files = 0;
        if !diagnostics.has_errors() {
            files = site.pages.len() + twins;
            let agents = full_text.map_or_else(Vec::new, |kept| kept.files(settings, &site));
            files += timings.time("extras", || {
                let render_options = markdown::RenderOptions::of(settings, options.trust);
                write_extras(settings, &renderer, print, agents, &render_options, sink)
            })?;
        }
        if let Some(indexer) = indexer {
            // Whatever indexing is left once the pages are written: the last chunk, the
            // merge, and the browser's search files.
            let joined = timings.time("index wait", || indexer.join());
            let (indexed, steps) = joined.map_err(|_| {
                Diagnostic::file_error(
                    &settings.search_index_dir,
                    "the search indexer stopped unexpectedly",
                )
            })?;
            timings.record_beside("index", steps.files);
            if indexed.is_ok() {
                // Its steps, when it went through all of them.
                timings.record_beside("index feed", steps.fed);
                let close = steps.finished.saturating_sub(steps.fed);
                timings.record_beside("index close", close);
                let files = steps.files.saturating_sub(steps.finished);
                timings.record_beside("index files", files);
            }
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

/// When the indexer thread finished each of its steps, from its start: the last section
/// indexed, the index closed (the last parts written and merged), the browser's search
/// files written.
#[derive(Debug, Default, Clone, Copy)]
struct IndexSteps {
    fed: std::time::Duration,
    finished: std::time::Duration,
    files: std::time::Duration,
}

/// What rendering the pages leaves for the later steps.
struct Written {
    /// Each page's rendering without its HTML, sections or code.
    rendered: Vec<RenderedPage>,
    /// The errors of templates and writes.
    errors: Vec<Diagnostic>,
    /// Files of Markdown twins written (each twin and its script twin).
    twins: usize,
    /// The twins `llms-full.txt` needs, when it is written.
    full_text: Option<FullTextKeeper>,
    /// Each page's HTML body for the print page, when the book gets one.
    print: Option<Vec<String>>,
    /// The pages' HTML bodies, in bytes (the print page's size limit).
    html_bytes: usize,
}

/// One page, rendered, written and reduced to what is kept.
struct PageDone {
    rendered: RenderedPage,
    docs: Vec<kb_search::PreparedDoc>,
    error: Option<Diagnostic>,
    /// The page's twin, when `llms-full.txt` may need it.
    twin: Option<String>,
    /// The page's HTML body, when the print page needs it.
    body: Option<String>,
    html_bytes: usize,
}

impl PageDone {
    /// A page whose Markdown could not be read: its error, reported with the pages'.
    fn failed(error: Diagnostic) -> PageDone {
        let mut rendered = RenderedPage::default();
        rendered.diagnostics.push(error);
        PageDone {
            rendered,
            docs: Vec::new(),
            error: None,
            twin: None,
            body: None,
            html_bytes: 0,
        }
    }
}

/// Renders every page's Markdown and template and writes it with its Markdown twin, a chunk
/// at a time, freeing each page's Markdown and HTML as soon as it is written; hands the
/// sections to the indexer.
fn render_pages(
    renderer: &SiteRenderer<'_>,
    loader: &Loader,
    mut sources: Vec<String>,
    to_indexer: Option<ToIndexer>,
    sink: &dyn Sink,
    options: &BuildOptions,
) -> Written {
    let (site, settings) = (renderer.site, renderer.settings);
    let progress = Progress::new(options.progress, site.pages.len(), "rendering");
    let bar = progress.bar();
    let render_options = markdown::RenderOptions::of(settings, options.trust);
    let mut written = Written {
        rendered: Vec::with_capacity(site.pages.len()),
        errors: Vec::new(),
        twins: 0,
        full_text: FullTextKeeper::new(settings, site),
        // A book past the print page's chapter limit gets none: keep nothing for it.
        print: (settings.print.enable && print::too_large(site.pages.len(), 0).is_none())
            .then(|| Vec::with_capacity(site.pages.len())),
        html_bytes: 0,
    };
    for (n, sources) in sources.chunks_mut(CHUNK).enumerate() {
        let first = n * CHUNK;
        let full_text = written.full_text.as_ref();
        let keep_body = written.print.is_some();
        let results: Vec<PageDone> = sources
            .par_iter_mut()
            .enumerate()
            .progress_with(bar.clone())
            .map(|(k, source)| {
                let i = first + k;
                let page = &site.pages[i];
                let source = match page.body_on_disk {
                    true => loader.reload_body(page),
                    false => Ok(std::mem::take(source)),
                };
                let source = match source {
                    Ok(source) => source,
                    Err(e) => return PageDone::failed(e),
                };
                let mut r = markdown::render_source(page, &source, &render_options);
                let links = std::mem::take(&mut r.source_links);
                let (twin, twin_error) = write_twin(renderer, sink, i, &source, &links, full_text);
                drop(source);
                let sections = std::mem::take(&mut r.sections);
                let docs = match &to_indexer {
                    Some(to) => search::prepared_docs(site, page, sections, &to.preparer),
                    None => Vec::new(),
                };
                r.forget_code_blocks();
                let html = std::mem::take(&mut r.html);
                let html_bytes = html.len();
                let body = keep_body.then(|| html.clone());
                let file = renderer.page(i, &r, html);
                let error = renderer
                    .render(&file)
                    .and_then(|html| write(sink, &file.path, html.as_bytes()))
                    .err()
                    .or(twin_error);
                progress.report();
                PageDone {
                    rendered: r,
                    docs,
                    error,
                    twin,
                    body,
                    html_bytes,
                }
            })
            .collect();
        let mut docs = Vec::new();
        for (k, mut done) in results.into_iter().enumerate() {
            written.rendered.push(done.rendered);
            docs.append(&mut done.docs);
            written.errors.extend(done.error);
            written.html_bytes += done.html_bytes;
            // A twin and its script.
            written.twins += 2 * usize::from(settings.agents.markdown_twins);
            if let (Some(kept), Some(twin)) = (written.full_text.as_mut(), done.twin) {
                kept.offer(first + k, twin);
            }
            if let (Some(bodies), Some(body)) = (written.print.as_mut(), done.body) {
                bodies.push(body);
            }
        }
        if print::too_large(site.pages.len(), written.html_bytes).is_some() {
            written.print = None;
        }
        if let Some(to) = &to_indexer {
            // A closed channel means the indexer failed; its error is reported when the
            // build joins it.
            let _ = to.send.send(docs);
        }
    }
    progress.finish();
    written
}

/// Makes page `i`'s Markdown twin from its Markdown `source` (whose links to rewrite are
/// `links`, found by the Markdown pass) and writes it and its script twin when twins are
/// on; returns the twin when `llms-full.txt` may need it, and the write's error.
fn write_twin(
    renderer: &SiteRenderer<'_>,
    sink: &dyn Sink,
    i: usize,
    source: &str,
    links: &[SourceLink],
    full_text: Option<&FullTextKeeper>,
) -> (Option<String>, Option<Diagnostic>) {
    let (site, settings) = (renderer.site, renderer.settings);
    let wanted = full_text.is_some_and(|kept| kept.wants(i));
    if !settings.agents.markdown_twins && !wanted {
        return (None, None);
    }
    let page = &site.pages[i];
    let text = twin::twin_of_body(settings, site, page, source, links).text;
    let error = settings
        .agents
        .markdown_twins
        .then(|| {
            let script = twin::twin_script(&text);
            write(sink, &twin::twin_file(&page.url), text.as_bytes())
                .and_then(|()| write(sink, &twin::twin_script_file(&page.url), script.as_bytes()))
                .err()
        })
        .flatten();
    (wanted.then_some(text), error)
}

fn write(sink: &dyn Sink, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
    sink.write(path, bytes)
        .map_err(|e| Diagnostic::file_error(path, format!("cannot write the output file: {e}")))
}

/// Writes the files besides content pages (tag pages, 404, the print page from the pages'
/// `print` bodies, assets, sitemap, the `agents` files, …); returns how many.
fn write_extras(
    settings: &Settings,
    renderer: &SiteRenderer<'_>,
    print: Option<Vec<String>>,
    agents: Vec<(String, Vec<u8>)>,
    render_options: &markdown::RenderOptions<'_>,
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
    let print = print.and_then(|bodies| renderer.print_page(&|i| bodies[i].clone()));
    for file in renderer
        .listing_pages(render_options)
        .into_iter()
        .chain(print)
    {
        let html = renderer.render(&file)?;
        put(&file.path, html.as_bytes());
    }
    let read_asset = |rel: &str| renderer::read_asset(settings, rel);
    let (files, mut read_errors) = renderer.plain_files(&read_asset, agents);
    for (path, bytes) in &files {
        put(path, bytes);
    }
    errors.append(&mut read_errors);
    match errors.is_empty() {
        true => Ok(count),
        false => Err(errors.into()),
    }
}
