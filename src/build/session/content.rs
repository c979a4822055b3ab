//! The incremental routes of a [`Session`] for content changes: a body edit of pages
//! whose front matter did not change, and any other change of the content folder, which
//! loads only the pages made from changed files and installs the result.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use super::files::Fresh;
use super::markdown::PageMarkdown;
use super::{sidebar_key, write_error, ChangedFiles, Outcome, Session, State};
use crate::build::bodies::PackedBody;
use crate::build::output::{Batch, Sink};
use crate::build::outputs::{fingerprint, InputsFingerprint, TemplateInputs};
use crate::build::passes::{self, Prepared};
use crate::build::search;
use crate::config::Settings;
use crate::content::load::ContentFile;
use crate::content::Loader;
use crate::content::Page;
use crate::diagnostic::Diagnostic;
use crate::diagnostics::Diagnostics;
use crate::markdown::{self, validate, RenderedPage};
use crate::render::renderer::SiteRenderer;

impl Session {
    /// Folds changed content files into the site.
    pub(super) fn rebuild_content(
        &mut self,
        changed: &BTreeSet<String>,
        sink: &dyn Sink,
    ) -> Result<Outcome, Diagnostics> {
        let Some(state) = &self.state else {
            return self.rebuild_everything(false, sink);
        };
        // A preprocessor sees the whole book and may change any page: run them all again.
        if !self.settings.preprocessors.is_empty() {
            return self.rebuild_everything(false, sink);
        }
        let content_dir = self.settings.content_dir.clone();
        let loader = Loader::new(&self.settings, self.options.drafts);
        // Paths the site ignores whatever happens to them (hidden files, editors' swap
        // files, the tags file) change nothing, unless a page includes them.
        let relevant: Vec<&String> = changed
            .iter()
            .filter(|rel| {
                rel.is_empty()
                    || rel.as_str() == "SUMMARY.md"
                    || loader.classify(rel).is_some()
                    || state.dependencies.pages_from(rel).next().is_some()
            })
            .collect();
        if relevant.is_empty() {
            return Ok(Outcome {
                warnings: state.prepared.warnings.clone(),
                ..Outcome::default()
            });
        }

        // The common case: pages that stay pages, with the same front matter.
        if let Some(outcome) = self.try_body_edit(&relevant, &loader, sink)? {
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
            loader.scan(&mut errors)
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
                match loader.classify(rel) {
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
        let render_options = markdown::RenderOptions::of(&self.settings, self.options.trust);
        let markdown_on_disk = self.markdown_on_disk;
        let loaded: Vec<Result<Option<(Page, RenderedPage)>, Diagnostic>> = to_load
            .par_iter()
            .map(|rel| {
                let page = loader.load_page(rel)?;
                Ok(page.map(|mut page| {
                    let rendered = markdown::render_with(&page, &render_options);
                    if markdown_on_disk {
                        page.leave_body_on_disk();
                    }
                    (page, rendered)
                }))
            })
            .collect();
        let reloaded: HashSet<&str> = to_load.iter().map(|s| s.as_str()).collect();
        let mut pages = Vec::with_capacity(markdown.len());
        let mut rendered_by_rel: HashMap<String, RenderedPage> = HashMap::new();
        let mut bodies = state.prepared.bodies.clone();
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
                Ok(Some((page, mut rendered))) => {
                    fresh.insert(page.rel.clone());
                    bodies.put(page.rel.clone(), std::mem::take(&mut rendered.html));
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
        let new_site = loader.assemble_loaded(pages, assets, &mut errors);
        if errors.iter().any(Diagnostic::is_error) {
            return Err(errors.into());
        }
        let rendered: Vec<RenderedPage> = new_site
            .pages
            .iter()
            .map(|p| rendered_by_rel.remove(&p.rel).unwrap_or_default())
            .collect();
        let mut diagnostics = errors;
        diagnostics.extend(passes::page_diagnostics(
            &new_site,
            &rendered,
            &self.settings,
        ));
        bodies.retain(&new_site.pages);
        let prepared = Prepared::checked(new_site, rendered, bodies, diagnostics)?;
        let settings = self.settings.clone();
        self.install(
            &settings,
            None,
            prepared,
            Fresh {
                pages: &fresh,
                assets: &changed_assets,
                everything: false,
                stylesheet: None,
                progress: self.options.progress,
            },
            sink,
        )
    }

    /// The fast path: every relevant change is an existing page whose file is still a
    /// page with the same front matter. `None` when it does not apply.
    fn try_body_edit(
        &mut self,
        relevant: &[&String],
        loader: &Loader,
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
            let Ok(Some(mut page)) = loader.load_page(rel) else {
                return Ok(None);
            };
            let old = &state.prepared.site.pages[i];
            // What assembly decides (the area; an mdBook chapter's title from SUMMARY.md)
            // does not come from the page's own file.
            page.area = old.area.clone();
            if loader.layout == crate::config::Layout::MdBook && page.meta.title.is_none() {
                page.title = old.title.clone();
            }
            if page.title != old.title
                || page.description != old.description
                || page.meta != old.meta
                || page.url != old.url
                || page.kind != old.kind
                || page.title_in_body != old.title_in_body
                // New includes change the dependencies, which only a full install records.
                || page.included.files != old.included.files
            {
                return Ok(None);
            }
            edits.push((i, page));
        }
        let render_options = markdown::RenderOptions::of(&self.settings, self.options.trust);
        let rendered: Vec<RenderedPage> = edits
            .par_iter()
            .map(|(_, page)| markdown::render_with(page, &render_options))
            .collect();
        if self.markdown_on_disk {
            for (_, page) in &mut edits {
                page.leave_body_on_disk();
            }
        }
        // Swap the new pages in; everything below that can fail swaps the old ones back.
        let mut old = Vec::with_capacity(edits.len());
        for ((i, page), mut rendered) in edits.into_iter().zip(rendered) {
            rendered.forget_code_blocks();
            let body = std::mem::take(&mut rendered.html);
            let old_body = state.prepared.bodies.put(page.rel.clone(), body);
            let old_page = std::mem::replace(&mut state.prepared.site.pages[i], page);
            let old_rendered = std::mem::replace(&mut state.prepared.rendered[i], rendered);
            old.push(OldPage {
                i,
                page: old_page,
                rendered: old_rendered,
                body: old_body,
            });
        }
        let indexes: Vec<usize> = old.iter().map(|o| o.i).collect();
        let result = body_edit_files(&self.settings, state, &indexes);
        let (diagnostics, files) = match result {
            Ok(done) => done,
            Err(diagnostics) => {
                restore(state, old);
                return Err(diagnostics);
            }
        };
        let mut batch = Batch::default();
        // Recorded only once the sink took the files (the store is not copied: at 10,000
        // pages that would cost more than the edit).
        let mut records = Vec::with_capacity(files.len());
        for (path, inputs, html) in files {
            let fingerprint = fingerprint(html.as_bytes());
            if state.outputs.differs_from(&path, fingerprint) {
                batch.write(path.clone(), html.into_bytes());
            }
            records.push((path, inputs, fingerprint));
        }
        // The edited pages' twins and llms-full.txt follow the bodies.
        let markdown = PageMarkdown {
            loader: loader.clone(),
            options: render_options,
        };
        let (site, rendered) = (&state.prepared.site, &state.prepared.rendered);
        let twin_of = |i| markdown.twin(&self.settings, site, rendered, i);
        let agents = crate::agents::files_after_body_edit(
            &self.settings,
            site,
            &indexes,
            &mut state.full_text_twins,
            &twin_of,
        );
        let agents = match agents {
            Ok(files) => files,
            Err(diagnostics) => {
                restore(state, old);
                return Err(diagnostics);
            }
        };
        let mut plain_records = Vec::new();
        for (path, bytes) in agents {
            let fingerprint = fingerprint(&bytes);
            if state.outputs.differs_from(&path, fingerprint) {
                batch.write(path.clone(), bytes);
            }
            plain_records.push((path, fingerprint));
        }
        let changed = ChangedFiles::of(&batch, None, BTreeSet::new());
        if let Err(e) = sink.apply(batch) {
            restore(state, old);
            return Err(write_error(e));
        }
        for (path, inputs, fingerprint) in records {
            state
                .outputs
                .record_fingerprint(path, Some(inputs), fingerprint);
        }
        for (path, fingerprint) in plain_records {
            state.outputs.record_fingerprint(path, None, fingerprint);
        }
        for old in &old {
            let new = &state.prepared.rendered[old.i];
            state.anchor_links.replace(old.i, &old.rendered, new);
        }
        let new_warnings = diagnostics.not_in(&state.prepared.warnings);
        state.prepared.warnings = diagnostics;
        // The page's search sections change with its body; titles and areas did not.
        // `docs` is in page order, and a body edit keeps the order and the URLs. The
        // sections move into the documents, as an install moves them.
        let site = &state.prepared.site;
        for &i in &indexes {
            let sections = state.prepared.rendered[i].take_packed_sections();
            let fields = search::DocPage::of(site, &site.pages[i]);
            let docs = Arc::new(search::PackedDocs::pack(fields, sections));
            if let Some(slot) = state
                .docs
                .get_mut(i)
                .filter(|(url, _)| url.as_ref() == site.pages[i].url)
            {
                slot.1 = docs;
            }
        }
        Ok(Some(Outcome {
            changed_files: changed.len(),
            changed,
            warnings: state.prepared.warnings.clone(),
            new_warnings,
            ..Outcome::default()
        }))
    }
}

/// A page as it was before a body edit swapped it out.
struct OldPage {
    i: usize,
    page: Page,
    rendered: RenderedPage,
    /// Its body as it was, packed (put back as it was, never read).
    body: Option<PackedBody>,
}

/// Puts back the pages a failed body edit swapped out.
fn restore(state: &mut State, old: Vec<OldPage>) {
    for old in old {
        // Its twin may have been made from the body that failed.
        state.full_text_twins.remove(&old.i);
        match old.body {
            Some(body) => state.prepared.bodies.put_packed(old.page.rel.clone(), body),
            None => state.prepared.bodies.remove(&old.page.rel),
        };
        state.prepared.site.pages[old.i] = old.page;
        state.prepared.rendered[old.i] = old.rendered;
    }
}

/// An edited page's file: its path, the fingerprint of its template inputs, its HTML.
type EditedFile = (String, InputsFingerprint, String);

/// After a body edit of pages `edited` (already swapped into `state`): the site's
/// diagnostics and the edited pages' files, or the errors that stop the edit.
fn body_edit_files(
    settings: &Settings,
    state: &State,
    edited: &[usize],
) -> Result<(Diagnostics, Vec<EditedFile>), Diagnostics> {
    let diagnostics = diagnostics_after_body_edit(settings, state, edited);
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    let site = &state.prepared.site;
    let renderer =
        SiteRenderer::with_shape(settings, site, &state.presentation, state.shape.clone());
    let files: Vec<Result<EditedFile, Diagnostic>> = edited
        .par_iter()
        .map(|&i| {
            let rendered = &state.prepared.rendered[i];
            let mut file = renderer.page(i, rendered, state.prepared.body(i));
            let html = renderer.render(&file)?;
            file.view.content.clear();
            let inputs = TemplateInputs {
                file: &file,
                sidebar: &sidebar_key(site, &file),
            }
            .fingerprint();
            Ok((file.path.clone(), inputs, html))
        })
        .collect();
    let files: Result<Vec<_>, Diagnostic> = files.into_iter().collect();
    Ok((diagnostics, files?))
}

/// The site's diagnostics after the bodies of pages `edited` changed (front matter
/// unchanged): those of the edited pages and of pages that link into them with an anchor
/// are computed again, every other page's are kept. The same list as validating
/// everything, without hashing every heading of every page.
fn diagnostics_after_body_edit(
    settings: &Settings,
    state: &State,
    edited: &[usize],
) -> Diagnostics {
    let (site, rendered) = (&state.prepared.site, &state.prepared.rendered);
    let mut affected: BTreeSet<usize> = edited.iter().copied().collect();
    affected.extend(
        state
            .anchor_links
            .linking_into(edited.iter().map(|&i| site.pages[i].rel.as_str())),
    );
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
        diagnostics.extend(validate::validate_page(site, rendered, j, settings));
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
