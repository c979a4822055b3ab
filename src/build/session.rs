//! The one orchestration of a build. `kb build` is a [`Session`] with no previous state that
//! writes every file into the staging folder once; `kb serve` keeps a session and folds each
//! batch of file changes into it with [`Session::apply`], which writes only the files whose
//! inputs changed into an in-memory sink.
//!
//! The files an incremental apply writes are always byte for byte what a one-shot build
//! from the same files writes. It gets there by one of three routes, fastest first:
//!
//! * **Body edits.** Changed pages whose front matter, title and URL are unchanged: only
//!   their Markdown and HTML are redone (nothing else shows a page's body), the pages whose
//!   links reach into them are validated again, and their search sections are replaced.
//! * **Other content changes** (titles, weights, new, renamed or deleted files): the site
//!   is assembled again from the pages already loaded plus the pages made from the changed
//!   files ([`Dependencies`]), then every output file's inputs ([`TemplateInputs`]) are
//!   compared with those recorded in the [`OutputStore`], and only files whose inputs differ
//!   are rendered. This is exact by construction: a file's bytes are a function of them.
//! * **Everything else** (configuration, theme, the first apply): a full build, compared
//!   file by file with what was written before.
//!
//! A failed apply changes nothing, in the session or in the sink: everything is rendered
//! before the first byte is written, and the changes are kept to be retried with the next
//! batch.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::changes::Plan;
use super::output::{Batch, Sink};
use super::outputs::{Dependencies, OutputStore, SidebarKey, TemplateInputs};
use super::passes::{self, BuildOptions, Prepared};
use super::search;
use super::timings::Timings;
use crate::config::Settings;
use crate::content::load::{assemble_loaded, classify_file, load_page, scan, ContentFile};
use crate::content::page::url_depth;
use crate::content::{Page, Site};
use crate::diagnostic::{shown_path, Diagnostic};
use crate::diagnostics::Diagnostics;
use crate::markdown::links::LinkTarget;
use crate::markdown::{self, validate, RenderedPage};
use crate::render::renderer::{self, Presentation, SiteRenderer, TemplatePage};

/// One page's search sections, shared between the session and the live index.
pub type PageDocs = Arc<Vec<kb_search::SectionDoc>>;

/// Whether a session remembers what it built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Build once and keep nothing: `kb build`. Indexing streams beside rendering and no
    /// dependency is recorded, so tracking costs a one-shot build nothing.
    OneShot,
    /// Keep the site and what each output file was made from, to apply changes: `kb serve`.
    Incremental,
}

/// What an apply did.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// Pages in the site.
    pub pages: usize,
    /// Files written or removed (a one-shot build: every file of the site).
    pub changed_files: usize,
    /// The new stylesheet's URL when only the theme's stylesheet changed: open tabs swap
    /// it instead of reloading.
    pub stylesheet: Option<String>,
    /// Every warning of the site now.
    pub warnings: Diagnostics,
    /// Warnings that were not there before this apply.
    pub new_warnings: Diagnostics,
    /// The apply reloaded the configuration (the watched folders may have moved).
    pub reloaded_settings: bool,
}

/// The site as last built, and what is needed to update it.
struct State {
    presentation: Presentation,
    prepared: Prepared,
    outputs: OutputStore,
    dependencies: Dependencies,
    /// Bytes of the content folder's assets, read once.
    assets: HashMap<String, Arc<Vec<u8>>>,
    /// Search sections of every page, in page order, by page URL.
    docs: Vec<(String, PageDocs)>,
}

/// A build that can be applied again and again.
pub(crate) struct Session {
    root: PathBuf,
    options: BuildOptions,
    settings: Settings,
    mode: Mode,
    state: Option<State>,
    /// Changes not yet applied successfully.
    pending: Plan,
    timings: Timings,
}

impl Session {
    /// A session with nothing built yet; the first [`Session::apply`] builds everything.
    pub fn new(root: &Path, settings: Settings, options: BuildOptions, mode: Mode) -> Session {
        Session {
            root: root.to_path_buf(),
            options,
            settings,
            mode,
            state: None,
            pending: Plan {
                everything: true,
                ..Plan::default()
            },
            timings: Timings::default(),
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// How long each step of the builds so far took.
    pub fn timings(&self) -> &Timings {
        &self.timings
    }

    /// Folds `plan` (and the changes of earlier applies that failed) into the site and
    /// writes the files that changed into `sink`. On error nothing changed, in the session
    /// or in the sink, and the diagnostics say why.
    pub fn apply(&mut self, plan: Plan, sink: &dyn Sink) -> Result<Outcome, Diagnostics> {
        self.pending.merge(plan);
        let plan = self.pending.clone();
        if plan.is_empty() {
            return Ok(Outcome::default());
        }
        let mut outcome = match self.mode {
            Mode::OneShot => self.build_once(sink)?,
            Mode::Incremental if plan.everything || plan.theme || self.state.is_none() => {
                self.rebuild_everything(plan.everything, sink)?
            }
            Mode::Incremental => self.rebuild_content(&plan.content, sink)?,
        };
        if plan.stylesheet_only && outcome.changed_files > 0 {
            outcome.stylesheet = self
                .state
                .as_ref()
                .map(|s| format!("/{}", s.presentation.hashed.css.0));
        }
        outcome.pages = self
            .state
            .as_ref()
            .map_or(outcome.pages, |s| s.prepared.site.pages.len());
        self.pending = Plan::default();
        Ok(outcome)
    }

    /// What the live search index should hold now: the ranking settings and every page's
    /// sections (`None` when search is off or nothing is built).
    pub fn search_snapshot(&self) -> Option<SearchSnapshot> {
        let state = self.state.as_ref()?;
        self.settings.search.enable.then(|| SearchSnapshot {
            settings: search::search_settings(&self.settings.search),
            pages: state.docs.clone(),
        })
    }

    /// `kb build`: every file, with the index streamed beside rendering.
    fn build_once(&mut self, sink: &dyn Sink) -> Result<Outcome, Diagnostics> {
        let report = passes::build(&self.settings, &self.options, sink, &mut self.timings)?;
        Ok(Outcome {
            pages: report.pages,
            changed_files: report.files,
            new_warnings: report.warnings.clone(),
            warnings: report.warnings,
            ..Outcome::default()
        })
    }

    fn rebuild_everything(
        &mut self,
        reload_settings: bool,
        sink: &dyn Sink,
    ) -> Result<Outcome, Diagnostics> {
        let settings = if reload_settings {
            Settings::load(&self.root)?
        } else {
            self.settings.clone()
        };
        let presentation = Presentation::load(&settings)?;
        let prepared = passes::prepare(&settings, &self.options, &mut self.timings)?;
        let all: HashSet<String> = prepared.site.pages.iter().map(|p| p.rel.clone()).collect();
        let mut outcome = self.install(
            &settings,
            Some(presentation),
            prepared,
            Fresh {
                pages: &all,
                assets: &[],
                everything: true,
            },
            sink,
        )?;
        self.settings = settings;
        outcome.reloaded_settings = reload_settings;
        Ok(outcome)
    }

    /// Folds changed content files into the site.
    fn rebuild_content(
        &mut self,
        changed: &BTreeSet<String>,
        sink: &dyn Sink,
    ) -> Result<Outcome, Diagnostics> {
        let Some(state) = &self.state else {
            return self.rebuild_everything(false, sink);
        };
        let content_dir = self.settings.content_dir.clone();
        let shown = shown_path(&content_dir);
        let tags_file = self.settings.tags_file.clone();
        let is_tags_file = |rel: &str| content_dir.join(rel) == tags_file;
        // Paths the site ignores whatever happens to them (hidden files, editors' swap
        // files, the tags file) change nothing.
        let relevant: Vec<&String> = changed
            .iter()
            .filter(|rel| {
                rel.is_empty()
                    || rel.as_str() == "SUMMARY.md"
                    || classify_file(rel, is_tags_file(rel)).is_some()
            })
            .collect();
        if relevant.is_empty() {
            return Ok(Outcome {
                warnings: state.prepared.warnings.clone(),
                ..Outcome::default()
            });
        }

        // The common case: pages that stay pages, with the same front matter.
        if let Some(outcome) = self.try_body_edit(&relevant, &shown, sink)? {
            return Ok(outcome);
        }
        let Some(state) = &self.state else {
            return self.rebuild_everything(false, sink);
        };
        let site = &state.prepared.site;
        let known_pages: HashMap<&str, usize> = site
            .pages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.rel.as_str(), i))
            .collect();
        let known_assets: HashSet<&str> = site.assets.iter().map(String::as_str).collect();

        // A folder appeared, vanished or was renamed, or a file we never saw went away:
        // list the folder again rather than guess.
        let needs_scan = relevant.iter().any(|rel| {
            let path = content_dir.join(rel);
            let meta = std::fs::symlink_metadata(&path);
            let prefix = format!("{rel}/");
            rel.is_empty()
                || meta.as_ref().is_ok_and(|m| m.is_dir())
                || (meta.is_err()
                    && !known_pages.contains_key(rel.as_str())
                    && !known_assets.contains(rel.as_str()))
                || known_pages
                    .keys()
                    .chain(known_assets.iter())
                    .any(|k| k.starts_with(&prefix))
        });
        let mut errors = Vec::new();
        let (markdown, assets): (Vec<String>, Vec<String>) = if needs_scan {
            scan(&content_dir, &self.settings.tags_file, &mut errors)
        } else {
            let mut markdown: BTreeSet<String> = site.pages.iter().map(|p| p.rel.clone()).collect();
            let mut assets: BTreeSet<String> = site.assets.iter().cloned().collect();
            // Drafts are not in the site but are still pages on disk.
            for rel in &relevant {
                markdown.remove(rel.as_str());
                assets.remove(rel.as_str());
                if !is_real_file(&content_dir, rel) {
                    continue;
                }
                match classify_file(rel, is_tags_file(rel)) {
                    Some(ContentFile::Page) => {
                        markdown.insert(rel.to_string());
                    }
                    Some(ContentFile::Asset) => {
                        assets.insert(rel.to_string());
                    }
                    None => {}
                }
            }
            (markdown.into_iter().collect(), assets.into_iter().collect())
        };
        // Pages to load again: those made from a changed file, and new ones.
        let mut reload: HashSet<&str> = relevant.iter().map(|s| s.as_str()).collect();
        for rel in &relevant {
            reload.extend(state.dependencies.pages_from(rel).map(String::as_str));
        }
        let to_load: Vec<&String> = markdown
            .iter()
            .filter(|rel| reload.contains(rel.as_str()) || !known_pages.contains_key(rel.as_str()))
            .collect();
        let split = self.settings.search.heading_split_level;
        let drafts = self.options.drafts;
        let loaded: Vec<Result<Option<(Page, RenderedPage)>, Diagnostic>> = to_load
            .par_iter()
            .map(|rel| {
                let page = load_page(&content_dir, &shown, rel, drafts)?;
                Ok(page.map(|page| {
                    let rendered = markdown::render(&page, split);
                    (page, rendered)
                }))
            })
            .collect();
        let reloaded: HashSet<&str> = to_load.iter().map(|s| s.as_str()).collect();
        let mut pages = Vec::with_capacity(markdown.len());
        let mut rendered_by_rel: HashMap<String, RenderedPage> = HashMap::new();
        for rel in &markdown {
            if reloaded.contains(rel.as_str()) {
                continue;
            }
            if let Some(&i) = known_pages.get(rel.as_str()) {
                pages.push(site.pages[i].clone());
                rendered_by_rel.insert(rel.clone(), state.prepared.rendered[i].clone());
            }
        }
        let mut fresh = HashSet::new();
        for result in loaded {
            match result {
                Ok(Some((page, rendered))) => {
                    fresh.insert(page.rel.clone());
                    rendered_by_rel.insert(page.rel.clone(), rendered);
                    pages.push(page);
                }
                Ok(None) => {}
                Err(e) => errors.push(e),
            }
        }
        let changed_assets: Vec<String> = relevant
            .iter()
            .filter(|rel| assets.contains(*rel))
            .map(|rel| rel.to_string())
            .collect();
        let new_site = assemble_loaded(&content_dir, pages, assets, &mut errors);
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let rendered: Vec<RenderedPage> = new_site
            .pages
            .iter()
            .map(|p| rendered_by_rel.remove(&p.rel).unwrap_or_default())
            .collect();
        let diagnostics = passes::page_diagnostics(&new_site, &rendered);
        let prepared = Prepared::checked(new_site, rendered, diagnostics)?;
        let settings = self.settings.clone();
        self.install(
            &settings,
            None,
            prepared,
            Fresh {
                pages: &fresh,
                assets: &changed_assets,
                everything: false,
            },
            sink,
        )
    }

    /// The fast path: every relevant change is an existing page whose file is still a
    /// page with the same front matter. `None` when it does not apply.
    fn try_body_edit(
        &mut self,
        relevant: &[&String],
        shown: &Path,
        sink: &dyn Sink,
    ) -> Result<Option<Outcome>, Diagnostics> {
        let Some(state) = self.state.as_mut() else {
            return Ok(None);
        };
        let content_dir = &self.settings.content_dir;
        let mut edits = Vec::new();
        for rel in relevant {
            let Some(i) = state.prepared.site.page_by_rel(rel) else {
                return Ok(None);
            };
            // A file other pages are made from is not an edit of one body.
            if state.dependencies.pages_from(rel).any(|p| p != *rel) {
                return Ok(None);
            }
            if !is_real_file(content_dir, rel) {
                return Ok(None);
            }
            // A load error is reported the same way by the slower path; let it decide.
            let Ok(Some(page)) = load_page(content_dir, shown, rel, self.options.drafts) else {
                return Ok(None);
            };
            let old = &state.prepared.site.pages[i];
            if page.title != old.title
                || page.description != old.description
                || page.meta != old.meta
                || page.url != old.url
                || page.kind != old.kind
            {
                return Ok(None);
            }
            edits.push((i, page));
        }
        let split = self.settings.search.heading_split_level;
        let rendered: Vec<RenderedPage> = edits
            .par_iter()
            .map(|(_, page)| markdown::render(page, split))
            .collect();
        // Swap the new pages in; everything below that can fail swaps the old ones back.
        let mut old = Vec::with_capacity(edits.len());
        for ((i, page), rendered) in edits.into_iter().zip(rendered) {
            let old_page = std::mem::replace(&mut state.prepared.site.pages[i], page);
            let old_rendered = std::mem::replace(&mut state.prepared.rendered[i], rendered);
            old.push((i, old_page, old_rendered));
        }
        let indexes: Vec<usize> = old.iter().map(|(i, _, _)| *i).collect();
        let result = body_edit_files(&self.settings, state, &indexes);
        let (diagnostics, files) = match result {
            Ok(done) => done,
            Err(diagnostics) => {
                for (i, page, rendered) in old {
                    state.prepared.site.pages[i] = page;
                    state.prepared.rendered[i] = rendered;
                }
                return Err(diagnostics);
            }
        };
        let mut batch = Batch::default();
        let mut outputs = state.outputs.clone();
        for (inputs, html) in files {
            let path = inputs.file.path.clone();
            let differs = outputs.differs(&path, html.as_bytes());
            outputs.record(path.clone(), Some(inputs), html.as_bytes());
            if differs {
                batch.write(path, html.into_bytes());
            }
        }
        let changed_files = batch.len();
        if let Err(e) = sink.apply(batch) {
            for (i, page, rendered) in old {
                state.prepared.site.pages[i] = page;
                state.prepared.rendered[i] = rendered;
            }
            return Err(write_error(e));
        }
        state.outputs = outputs;
        let new_warnings = diagnostics.not_in(&state.prepared.warnings);
        state.prepared.warnings = diagnostics;
        // The page's search sections change with its body; titles and areas did not.
        let site = &state.prepared.site;
        for &i in &indexes {
            let docs = Arc::new(search::page_docs(
                site,
                &site.pages[i],
                &state.prepared.rendered[i],
            ));
            if let Some(slot) = state
                .docs
                .iter_mut()
                .find(|(url, _)| *url == site.pages[i].url)
            {
                slot.1 = docs;
            }
        }
        Ok(Some(Outcome {
            changed_files,
            warnings: state.prepared.warnings.clone(),
            new_warnings,
            ..Outcome::default()
        }))
    }

    /// Makes `prepared` the session's site: renders the files whose inputs changed (all of
    /// them with `fresh.everything`), writes those whose bytes differ and removes those that
    /// are gone, then keeps the new state. `presentation` is a newly loaded theme, or `None`
    /// to keep the current one.
    fn install(
        &mut self,
        settings: &Settings,
        presentation: Option<Presentation>,
        prepared: Prepared,
        fresh: Fresh<'_>,
        sink: &dyn Sink,
    ) -> Result<Outcome, Diagnostics> {
        let old = self.state.as_ref();
        let Some(presentation_ref) = presentation
            .as_ref()
            .or_else(|| old.map(|s| &s.presentation))
        else {
            return Err(Diagnostic::file_error(&settings.root, "no theme is loaded").into());
        };
        let empty = OutputStore::default();
        let old_outputs = old.map_or(&empty, |s| &s.outputs);
        let no_assets = HashMap::new();
        let old_assets = old.map_or(&no_assets, |s| &s.assets);
        let made = render_site_files(
            settings,
            presentation_ref,
            &prepared,
            old_outputs,
            old_assets,
            &fresh,
        )?;
        let changed_files = made.batch.len();
        sink.apply(made.batch).map_err(write_error)?;

        // Everything written: keep the new state.
        let new_warnings = match old {
            Some(s) => prepared.warnings.not_in(&s.prepared.warnings),
            None => prepared.warnings.clone(),
        };
        let old_docs: HashMap<&str, &PageDocs> = old
            .map(|s| s.docs.iter().map(|(u, d)| (u.as_str(), d)).collect())
            .unwrap_or_default();
        let docs: Vec<(String, PageDocs)> = {
            let site = &prepared.site;
            site.pages
                .par_iter()
                .zip(&prepared.rendered)
                .map(|(page, rendered)| {
                    let docs = search::page_docs(site, page, rendered);
                    let docs = match old_docs.get(page.url.as_str()) {
                        Some(&d) if **d == docs => d.clone(),
                        _ => Arc::new(docs),
                    };
                    (page.url.clone(), docs)
                })
                .collect()
        };
        let presentation = match (presentation, self.state.take()) {
            (Some(p), _) => p,
            (None, Some(s)) => s.presentation,
            (None, None) => unreachable!("checked above: a theme is loaded"),
        };
        let warnings = prepared.warnings.clone();
        self.state = Some(State {
            presentation,
            dependencies: Dependencies::of(&prepared.site),
            prepared,
            outputs: made.outputs,
            assets: made.assets,
            docs,
        });
        Ok(Outcome {
            changed_files,
            warnings,
            new_warnings,
            ..Outcome::default()
        })
    }
}

/// What the live search index should hold: ranking settings and every page's sections.
#[derive(Clone)]
pub struct SearchSnapshot {
    pub settings: kb_search::SearchSettings,
    /// Every page's sections, in page order, by page URL.
    pub pages: Vec<(String, PageDocs)>,
}

/// What changed in the sources of an install: pages whose body was rendered again, assets
/// whose bytes may differ, or everything (a new theme or configuration).
struct Fresh<'a> {
    pages: &'a HashSet<String>,
    assets: &'a [String],
    everything: bool,
}

/// The files an install writes, and the store and asset cache after it.
struct SiteFiles {
    batch: Batch,
    outputs: OutputStore,
    assets: HashMap<String, Arc<Vec<u8>>>,
}

/// Renders every output file of `prepared` whose inputs changed since `old` and compares
/// every other file with what was written: the whole change, nothing written yet.
fn render_site_files(
    settings: &Settings,
    presentation: &Presentation,
    prepared: &Prepared,
    old: &OutputStore,
    old_assets: &HashMap<String, Arc<Vec<u8>>>,
    fresh: &Fresh<'_>,
) -> Result<SiteFiles, Diagnostics> {
    let site = &prepared.site;
    let renderer = SiteRenderer::new(settings, site, &prepared.rendered, presentation);
    let n = site.pages.len();
    let frames: Vec<TemplatePage> = (0..n)
        .into_par_iter()
        .map(|i| renderer.page_frame(i))
        .collect();
    let listing = renderer.listing_pages();
    let mut sidebars: HashMap<SidebarKey, String> = HashMap::new();
    for file in frames.iter().chain(&listing) {
        sidebars
            .entry(sidebar_key(site, file))
            .or_insert_with(|| renderer.sidebar_of(file).to_string());
    }
    let inputs = |file: &TemplatePage| TemplateInputs {
        file: file.clone(),
        sidebar: sidebar_key(site, file),
    };
    // Pages, then the tag pages and the 404 page, in the order a build writes them; a file
    // whose inputs did not change keeps its bytes.
    let mut outputs = OutputStore::default();
    let mut to_render: Vec<(Option<usize>, TemplateInputs)> = Vec::new();
    let files = frames
        .iter()
        .enumerate()
        .map(|(i, f)| (Some(i), f))
        .chain(listing.iter().map(|f| (None, f)));
    for (page, file) in files {
        let inputs = inputs(file);
        let stale = fresh.everything
            || page.is_some_and(|i| fresh.pages.contains(&site.pages[i].rel))
            || old.is_stale(&inputs, &sidebars);
        if stale || !outputs.keep(old, inputs.clone()) {
            to_render.push((page, inputs));
        }
    }
    let made: Vec<Result<(TemplateInputs, String), Diagnostic>> = to_render
        .into_par_iter()
        .map(|(page, inputs)| {
            let html = match page {
                Some(i) => {
                    let mut file = inputs.file.clone();
                    file.view.content = prepared.rendered[i].html.clone();
                    renderer.render(&file)
                }
                None => renderer.render(&inputs.file),
            };
            html.map(|html| (inputs, html))
        })
        .collect();
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut batch = Batch::default();
    for file in made {
        match file {
            Ok((inputs, html)) => {
                let path = inputs.file.path.clone();
                outputs.record(path.clone(), Some(inputs), html.as_bytes());
                if old.differs(&path, html.as_bytes()) {
                    batch.write(path, html.into_bytes());
                }
            }
            Err(e) => errors.push(e),
        }
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
    let (plain, read_errors) = renderer.plain_files(&|rel| {
        assets
            .get(rel)
            .map(|bytes| bytes.to_vec())
            .ok_or_else(|| Diagnostic::file_error(rel, "cannot read"))
    });
    if !read_errors.is_empty() {
        return Err(read_errors.into());
    }
    for (path, bytes) in plain {
        if old.differs(&path, &bytes) {
            outputs.record(path.clone(), None, &bytes);
            batch.write(path, bytes);
        } else {
            outputs.record(path, None, &bytes);
        }
    }
    outputs.set_sidebars(sidebars);
    for gone in old.gone_from(&outputs) {
        batch.remove(gone.clone());
    }
    Ok(SiteFiles {
        batch,
        outputs,
        assets,
    })
}

/// After a body edit of pages `edited` (already swapped into `state`): the site's
/// diagnostics and the edited pages' files, or the errors that stop the edit.
fn body_edit_files(
    settings: &Settings,
    state: &State,
    edited: &[usize],
) -> Result<(Diagnostics, Vec<(TemplateInputs, String)>), Diagnostics> {
    let diagnostics = diagnostics_after_body_edit(state, edited);
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    let site = &state.prepared.site;
    let renderer = SiteRenderer::new(
        settings,
        site,
        &state.prepared.rendered,
        &state.presentation,
    );
    let files: Vec<Result<(TemplateInputs, String), Diagnostic>> = edited
        .par_iter()
        .map(|&i| {
            let mut file = renderer.page(i);
            let html = renderer.render(&file)?;
            file.view.content.clear();
            let sidebar = sidebar_key(site, &file);
            Ok((TemplateInputs { file, sidebar }, html))
        })
        .collect();
    let files: Result<Vec<_>, Diagnostic> = files.into_iter().collect();
    Ok((diagnostics, files?))
}

/// The site's diagnostics after the bodies of pages `edited` changed (front matter
/// unchanged): those of the edited pages and of pages that link into them with an anchor
/// are computed again, every other page's are kept. The same list as validating
/// everything, without hashing every heading of every page.
fn diagnostics_after_body_edit(state: &State, edited: &[usize]) -> Diagnostics {
    let (site, rendered) = (&state.prepared.site, &state.prepared.rendered);
    let edited_rels: HashSet<&str> = edited.iter().map(|&i| site.pages[i].rel.as_str()).collect();
    let mut affected: BTreeSet<usize> = edited.iter().copied().collect();
    affected.extend((0..site.pages.len()).filter(|&j| {
        rendered[j].links.iter().any(|l| {
            matches!(&l.target, LinkTarget::Page { rel, fragment: Some(_) } if edited_rels.contains(rel.as_str()))
        })
    }));
    let files: HashSet<&Path> = affected
        .iter()
        .map(|&j| site.pages[j].file.as_path())
        .collect();
    let mut diagnostics: Vec<Diagnostic> = state
        .prepared
        .warnings
        .iter()
        .filter(|d| !files.contains(d.file.as_path()))
        .cloned()
        .collect();
    for &j in &affected {
        diagnostics.extend(rendered[j].diagnostics.iter().cloned());
        diagnostics.extend(validate::validate_page(site, rendered, j));
    }
    Diagnostics::new(diagnostics)
}

/// Pages that are files of the site: a regular file, every folder on the way a real folder
/// (a symlink anywhere means it is not part of the site, as in `kb build`).
fn is_real_file(content_dir: &Path, rel: &str) -> bool {
    let mut path = content_dir.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    for (k, part) in parts.iter().enumerate() {
        path.push(part);
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            return false;
        };
        let last = k + 1 == parts.len();
        if (last && !meta.is_file()) || (!last && !meta.is_dir()) {
            return false;
        }
    }
    true
}

fn sidebar_key(site: &Site, file: &TemplatePage) -> SidebarKey {
    let area = file
        .area
        .and_then(|i| site.areas.get(i))
        .map(|a| a.slug.clone());
    (area, url_depth(&file.url).min(2))
}

fn write_error(e: std::io::Error) -> Diagnostics {
    Diagnostic::file_error("<output>", format!("cannot write the output: {e}")).into()
}
