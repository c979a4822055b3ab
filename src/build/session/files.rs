//! Rendering an install's files: every output file whose inputs changed is rendered, every
//! other file is compared with what was written, and the whole change comes back as one
//! [`Batch`], nothing written yet.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use indicatif::ParallelProgressIterator;
use rayon::prelude::*;

use super::changed::Renamed;
use super::markdown::PageMarkdown;
use super::sidebar_key;
use crate::build::output::{Batch, FileBytes, Sink};
use crate::build::outputs::{
    fingerprint, InputsFingerprint, OutputStore, SidebarKey, TemplateInputs,
};
use crate::build::passes::Prepared;
use crate::build::progress::{Progress, ProgressStyle};
use crate::config::Settings;
use crate::diagnostic::Diagnostic;
use crate::diagnostics::Diagnostics;
use crate::render::renderer::{self, Presentation, SiteRenderer, SiteShape, TemplatePage};

/// What changed in the sources of an install: pages whose body was rendered again, assets
/// whose bytes may differ, or everything (a new theme or configuration).
pub(super) struct Fresh<'a> {
    pub pages: &'a HashSet<String>,
    pub assets: &'a [String],
    pub everything: bool,
    /// The theme's stylesheet, when a new theme renamed it (the install finds out).
    pub stylesheet: Option<&'a Renamed>,
    /// How rendering the pages through the templates shows its progress.
    pub progress: ProgressStyle,
}

/// What the previous install wrote: its output files and the assets' bytes.
pub(super) struct Previous<'a> {
    pub outputs: &'a OutputStore,
    pub assets: &'a HashMap<String, Arc<Vec<u8>>>,
}

/// The files an install writes, and the store and asset cache after it.
pub(super) struct SiteFiles {
    pub batch: Batch,
    /// Pages written only because the stylesheet was renamed (see
    /// [`super::ChangedFiles::restyled`]).
    pub restyled: BTreeSet<String>,
    pub outputs: OutputStore,
    pub assets: HashMap<String, Arc<Vec<u8>>>,
    /// What the renderer derived from the whole site, for body edits to reuse.
    pub shape: SiteShape,
}

/// An output file made by an install, compared with what was written at its path.
struct OutputFile {
    path: String,
    /// The fingerprint of its bytes.
    bytes: u64,
    /// Its bytes as the sink keeps them, when they differ from what was written.
    packed: Option<FileBytes>,
}

impl OutputFile {
    /// The file at `path` with `bytes`, packed by `sink` when it differs from `old`'s.
    fn of(old: &OutputStore, sink: &dyn Sink, path: String, bytes: Vec<u8>) -> OutputFile {
        let fingerprint = fingerprint(&bytes);
        let packed = old
            .differs_from(&path, fingerprint)
            .then(|| sink.pack(&path, bytes));
        OutputFile {
            path,
            bytes: fingerprint,
            packed,
        }
    }
}

/// A template-made file, rendered.
struct RenderedFile {
    file: OutputFile,
    inputs: InputsFingerprint,
    /// It differs from what was written only by the stylesheet's new name.
    restyled: bool,
}

/// Renders every output file of `prepared` whose inputs changed since `previous` and compares
/// every other file with what was written: the whole change, nothing written yet, the
/// files packed for `sink` as they are made.
pub(super) fn render_site_files(
    settings: &Settings,
    presentation: &Presentation,
    prepared: &Prepared,
    previous: Previous<'_>,
    fresh: &Fresh<'_>,
    markdown: &PageMarkdown<'_>,
    sink: &dyn Sink,
) -> Result<SiteFiles, Diagnostics> {
    let Previous {
        outputs: old,
        assets: old_assets,
    } = previous;
    let site = &prepared.site;
    let renderer = SiteRenderer::new(settings, site, presentation);
    let n = site.pages.len();
    let frames: Vec<TemplatePage> = (0..n)
        .into_par_iter()
        .map(|i| renderer.page_frame(i, &prepared.rendered[i]))
        .collect();
    let listing = renderer.listing_pages(&markdown.options);
    let mut sidebars: HashMap<SidebarKey, String> = HashMap::new();
    for file in frames.iter().chain(&listing) {
        sidebars
            .entry(sidebar_key(site, file))
            .or_insert_with(|| renderer.sidebar_of(file).to_string());
    }
    // Pages, then the tag pages and the 404 page, in the order a build writes them; a file
    // whose inputs did not change keeps its bytes.
    let files: Vec<(Option<usize>, &TemplatePage)> = frames
        .iter()
        .enumerate()
        .map(|(i, f)| (Some(i), f))
        .chain(listing.iter().map(|f| (None, f)))
        .collect();
    let keys: Vec<(SidebarKey, InputsFingerprint)> = files
        .par_iter()
        .map(|(_, file)| {
            let sidebar = sidebar_key(site, file);
            let inputs = TemplateInputs {
                file,
                sidebar: &sidebar,
            }
            .fingerprint();
            (sidebar, inputs)
        })
        .collect();
    let mut outputs = OutputStore::default();
    let mut to_render: Vec<(Option<usize>, &TemplatePage, InputsFingerprint)> = Vec::new();
    for ((page, file), (sidebar, inputs)) in files.into_iter().zip(keys) {
        let stale = fresh.everything
            || page.is_some_and(|i| fresh.pages.contains(&site.pages[i].rel))
            || old.is_stale(&file.path, inputs, &sidebar, &sidebars);
        if stale || !outputs.keep(old, &file.path, inputs) {
            to_render.push((page, file, inputs));
        }
    }
    // Each file is compared and packed for the sink as soon as it is rendered, so the
    // batch holds files as the sink keeps them (compressed, in `kb serve`).
    let progress = Progress::new(fresh.progress, to_render.len(), "writing");
    let made: Vec<Result<RenderedFile, Diagnostic>> = to_render
        .into_par_iter()
        .progress_with(progress.bar())
        .map(|(page, file, inputs)| {
            progress.report();
            let html = match page {
                Some(i) => {
                    let mut file = file.clone();
                    file.view.content = prepared.body(i);
                    renderer.render(&file)
                }
                None => renderer.render(file),
            };
            let html = html?;
            let path = file.path.clone();
            let restyled = fresh
                .stylesheet
                .is_some_and(|s| old.only_restyled(&path, &html, &s.from, &s.to));
            Ok(RenderedFile {
                inputs,
                restyled,
                file: OutputFile::of(old, sink, path, html.into_bytes()),
            })
        })
        .collect();
    progress.finish();
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut batch = Batch::default();
    let mut restyled = BTreeSet::new();
    for made in made {
        match made {
            Ok(made) => {
                let file = made.file;
                outputs.record_fingerprint(file.path.clone(), Some(made.inputs), file.bytes);
                if let Some(packed) = file.packed {
                    if made.restyled {
                        restyled.insert(file.path.clone());
                    }
                    batch.write_file(file.path, packed);
                }
            }
            Err(e) => errors.push(e),
        }
    }
    // The print page repeats every chapter: made again on every install, written only
    // when its bytes changed.
    let print = renderer.print_page(&|i| prepared.body(i));
    let print = print.map(|print| renderer.render(&print).map(|html| (print.path, html)));
    let mut plain: Vec<OutputFile> = Vec::new();
    match print {
        Some(Ok((path, html))) => plain.push(OutputFile::of(old, sink, path, html.into_bytes())),
        Some(Err(e)) => errors.push(e),
        None => {}
    }
    let mut assets: HashMap<String, Arc<Vec<u8>>> = HashMap::new();
    for rel in &site.assets {
        let cached = old_assets
            .get(rel)
            .filter(|_| !fresh.everything && !fresh.assets.contains(rel));
        match cached {
            Some(bytes) => {
                assets.insert(rel.clone(), bytes.clone());
            }
            None => match renderer::read_asset(settings, rel) {
                Ok(bytes) => {
                    assets.insert(rel.clone(), Arc::new(bytes));
                }
                Err(e) => errors.push(e),
            },
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let read_asset = |rel: &str| {
        assets
            .get(rel)
            .map(|bytes| bytes.to_vec())
            .ok_or_else(|| Diagnostic::file_error(rel, "cannot read"))
    };
    let (files, read_errors) = renderer.plain_files(&read_asset, Vec::new());
    if !read_errors.is_empty() {
        return Err(read_errors.into());
    }
    plain.extend(
        files
            .into_iter()
            .map(|(path, bytes)| OutputFile::of(old, sink, path, bytes)),
    );
    // Every page's twin is made again, so they too are packed as they are made.
    let twin_of = |i| markdown.twin(settings, site, &prepared.rendered, i);
    let put = |path, bytes| OutputFile::of(old, sink, path, bytes);
    plain.extend(crate::agents::files(
        settings,
        site,
        &twin_of,
        &put,
        fresh.progress,
    )?);
    for file in plain {
        outputs.record_fingerprint(file.path.clone(), None, file.bytes);
        if let Some(packed) = file.packed {
            batch.write_file(file.path, packed);
        }
    }
    outputs.set_sidebars(sidebars);
    for gone in old.gone_from(&outputs) {
        batch.remove(gone.clone());
    }
    Ok(SiteFiles {
        batch,
        restyled,
        outputs,
        assets,
        shape: renderer.shape(),
    })
}
