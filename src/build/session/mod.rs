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

mod anchor_links;
mod changed;
mod content;
mod files;
#[cfg(test)]
pub(crate) mod fixture;
mod markdown;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::bodies::Bodies;
use super::changes::Plan;
use super::output::Sink;
use super::outputs::{Dependencies, OutputStore, SidebarKey};
use super::passes::{self, BuildOptions, Prepared};
use super::progress::ProgressStyle;
use super::search;
use super::timings::Timings;
use crate::config::Settings;
use crate::content::page::url_depth;
use crate::content::{Loader, Site};
use crate::diagnostic::Diagnostic;
use crate::diagnostics::Diagnostics;
use crate::render::renderer::{Presentation, SiteShape, TemplatePage};
use anchor_links::AnchorLinks;
pub(crate) use changed::{ChangedFiles, Renamed};
use files::{render_site_files, Fresh, Previous};
use markdown::PageMarkdown;

/// One page's search documents, packed ([`search::PackedDocs`]), shared between the
/// session, the live index's indexer and the served files.
pub(crate) type PageDocs = Arc<search::PackedDocs>;

/// A page's URL, shared: every edit hands every page's sections to the served files and
/// the live index, which at 100,000 pages must not copy 100,000 URLs.
pub(crate) type PageUrl = Arc<str>;

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
    /// The paths an incremental apply wrote and removed (a one-shot build lists none).
    pub changed: ChangedFiles,
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
    /// Which pages link into which with an anchor.
    anchor_links: AnchorLinks,
    /// What rendering derived from the whole site (body edits do not change it).
    shape: SiteShape,
    /// Bytes of the content folder's assets, read once.
    assets: HashMap<String, Arc<Vec<u8>>>,
    /// Search sections of every page, in page order, by page URL.
    docs: Vec<(PageUrl, PageDocs)>,
    /// By page, the Markdown twins `llms-full.txt` was last made from by a body edit
    /// (see [`crate::agents::files_after_body_edit`]); empty after any other change.
    full_text_twins: HashMap<usize, String>,
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
    /// Makes the store that keeps pages' rendered HTML between applies.
    new_bodies: fn() -> Bodies,
    /// Pages keep no Markdown once rendered: it is read again from their files for the
    /// twins an apply makes (see [`markdown`]).
    markdown_on_disk: bool,
}

impl Session {
    /// A session with nothing built yet; the first [`Session::apply`] builds everything.
    pub(crate) fn new(
        root: &Path,
        settings: Settings,
        options: BuildOptions,
        mode: Mode,
    ) -> Session {
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
            new_bodies: Bodies::in_memory,
            markdown_on_disk: false,
        }
    }

    /// The same session, keeping pages' rendered HTML in stores made by `new_bodies`
    /// (such as [`Bodies::spilled`]).
    pub(crate) fn with_bodies(self, new_bodies: fn() -> Bodies) -> Session {
        Session { new_bodies, ..self }
    }

    /// The same session, its pages keeping no Markdown once rendered (as `kb build`'s);
    /// the twins are made from the pages' files. Not for `kb mcp`, which reads pages'
    /// Markdown from the site.
    pub(crate) fn leaving_markdown_on_disk(self) -> Session {
        Session {
            markdown_on_disk: true,
            ..self
        }
    }

    pub(crate) fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Shows no more progress: `kb serve` shows its first build's, which can take minutes,
    /// and not the rebuilds after it, each of which prints its own line.
    pub(crate) fn stop_showing_progress(&mut self) {
        self.options.progress = ProgressStyle::Off;
    }

    /// What the builds include (drafts) and trust.
    pub(crate) fn options(&self) -> &BuildOptions {
        &self.options
    }

    /// How long each step of the builds so far took.
    pub(crate) fn timings(&self) -> &Timings {
        &self.timings
    }

    /// Folds `plan` (and the changes of earlier applies that failed) into the site and
    /// writes the files that changed into `sink`. On error nothing changed, in the session
    /// or in the sink, and the diagnostics say why.
    pub(crate) fn apply(&mut self, plan: Plan, sink: &dyn Sink) -> Result<Outcome, Diagnostics> {
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
        outcome.pages = self
            .state
            .as_ref()
            .map_or(outcome.pages, |s| s.prepared.site.pages.len());
        self.pending = Plan::default();
        Ok(outcome)
    }

    /// Files outside the content folder that pages include, by path relative to the
    /// content folder (`../listings/a.rs`), sorted.
    pub(crate) fn included_outside(&self) -> Vec<String> {
        let mut paths: Vec<String> = self.state.as_ref().map_or_else(Vec::new, |s| {
            s.dependencies
                .outside_content()
                .map(str::to_string)
                .collect()
        });
        paths.sort();
        paths
    }

    /// The site as last built and each page's rendering, in page order (`None` before the
    /// first apply that succeeded): what `kb mcp` reads pages and headings from. The
    /// renderings hold no sections (they moved into the search documents) and no code
    /// blocks.
    pub(crate) fn site(&self) -> Option<(&Site, &[crate::markdown::RenderedPage])> {
        let state = self.state.as_ref()?;
        Some((&state.prepared.site, state.prepared.rendered.as_slice()))
    }

    /// What the live search index should hold now: the ranking settings and every page's
    /// sections (`None` when search is off or nothing is built).
    pub(crate) fn search_snapshot(&self) -> Option<SearchSnapshot> {
        let state = self.state.as_ref()?;
        self.settings.search.enable.then(|| SearchSnapshot {
            settings: search::search_settings(&self.settings.search),
            pages: state.docs.clone(),
        })
    }

    /// `kb build`: every file, with the index streamed beside rendering.
    fn build_once(&mut self, sink: &dyn Sink) -> Result<Outcome, Diagnostics> {
        let report = super::stream::build(&self.settings, &self.options, sink, &mut self.timings)?;
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
        let prepared = passes::prepare(
            &settings,
            &self.options,
            (self.new_bodies)(),
            self.markdown_on_disk,
            &mut self.timings,
        )?;
        let all: HashSet<String> = prepared.site.pages.iter().map(|p| p.rel.clone()).collect();
        let mut outcome = self.install(
            &settings,
            Some(presentation),
            prepared,
            Fresh {
                pages: &all,
                assets: &[],
                everything: true,
                stylesheet: None,
                progress: self.options.progress,
            },
            sink,
        )?;
        self.settings = settings;
        outcome.reloaded_settings = reload_settings;
        Ok(outcome)
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
        let stylesheet = old
            .map(|s| &s.presentation.hashed.css.0)
            .filter(|from| **from != presentation_ref.hashed.css.0)
            .map(|from| Renamed {
                from: from.clone(),
                to: presentation_ref.hashed.css.0.clone(),
            });
        let made = render_site_files(
            settings,
            presentation_ref,
            &prepared,
            Previous {
                outputs: old_outputs,
                assets: old_assets,
            },
            &Fresh {
                stylesheet: stylesheet.as_ref(),
                ..fresh
            },
            &PageMarkdown {
                loader: Loader::new(settings, self.options.drafts),
                options: crate::markdown::RenderOptions::of(settings, self.options.trust),
            },
            sink,
        )?;
        let changed = ChangedFiles::of(&made.batch, stylesheet, made.restyled);
        sink.apply(made.batch).map_err(write_error)?;

        // Everything written: keep the new state.
        let new_warnings = match old {
            Some(s) => prepared.warnings.not_in(&s.prepared.warnings),
            None => prepared.warnings.clone(),
        };
        // Pages' sections move into their search documents (the text is held once, there,
        // packed); a page this install did not render again keeps its packed sections, under
        // its page's fields as they are now.
        let old_docs: HashMap<&str, &PageDocs> = old
            .map(|s| {
                let pages = s.prepared.site.pages.iter();
                pages
                    .zip(&s.docs)
                    .map(|(p, (_, d))| (p.rel.as_str(), d))
                    .collect()
            })
            .unwrap_or_default();
        let mut prepared = prepared;
        let docs: Vec<(PageUrl, PageDocs)> = {
            let site = &prepared.site;
            site.pages
                .par_iter()
                .zip(prepared.rendered.par_iter_mut())
                .map(|(page, rendered)| {
                    let before = old_docs.get(page.rel.as_str()).copied();
                    let rendered_now = fresh.everything || fresh.pages.contains(&page.rel);
                    let fields = search::DocPage::of(site, page);
                    let docs = match before {
                        Some(d) if !rendered_now && *d.page() == fields => d.clone(),
                        Some(d) if !rendered_now => Arc::new(d.with_page(fields)),
                        _ => {
                            let sections = rendered.take_packed_sections();
                            let docs = search::PackedDocs::pack(fields, sections);
                            match before {
                                Some(d) if **d == docs => d.clone(),
                                _ => Arc::new(docs),
                            }
                        }
                    };
                    (PageUrl::from(page.url.as_str()), docs)
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
            anchor_links: AnchorLinks::of(&prepared.rendered),
            shape: made.shape,
            prepared,
            outputs: made.outputs,
            assets: made.assets,
            docs,
            full_text_twins: HashMap::new(),
        });
        Ok(Outcome {
            changed_files: changed.len(),
            changed,
            warnings,
            new_warnings,
            ..Outcome::default()
        })
    }
}

/// What the live search index should hold: ranking settings and every page's sections.
#[derive(Clone)]
pub(crate) struct SearchSnapshot {
    pub settings: kb_search::SearchSettings,
    /// Every page's sections, in page order, by page URL.
    pub pages: Vec<(PageUrl, PageDocs)>,
}

fn sidebar_key(site: &Site, file: &TemplatePage) -> SidebarKey {
    let area = file
        .area
        .and_then(|i| site.areas.get(i))
        .map(|a| a.slug.clone());
    (area, url_depth(&file.url))
}

fn write_error(e: std::io::Error) -> Diagnostics {
    Diagnostic::file_error("<output>", format!("cannot write the output: {e}")).into()
}
