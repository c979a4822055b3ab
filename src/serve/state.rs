//! The site `kb serve` holds in memory, and how a change is folded into it.
//!
//! The served files must always be byte for byte what `kb build` would write from the files
//! on disk. Three paths get there, from fastest to safest:
//!
//! * **Body edits.** Changed pages whose front matter, title and URL are unchanged: only
//!   their Markdown and HTML are redone (nothing else shows a page's body), the whole site
//!   is validated again (an edit can break links elsewhere), and their search sections are
//!   replaced.
//! * **Other content changes** (titles, weights, new, renamed or deleted files): the site
//!   is assembled again from the pages already loaded plus the changed ones, then every
//!   output file's *inputs* (the [`TemplatePage`] without body, the sidebar it shows) are
//!   compared with the last ones, and only files whose inputs differ are rendered. This is
//!   exact by construction: a file's bytes are a function of those inputs.
//! * **Everything else** (configuration, theme, lost watcher events, recovery from a failed
//!   full build): a full build in memory.
//!
//! A failed build changes nothing that is served: the last good site stays up, and the
//! changes are kept to be retried with the next batch.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

use axum::body::Bytes;
use rayon::prelude::*;

use super::change::Plan;
use crate::build::renderer::{Presentation, SiteRenderer, TemplatePage};
use crate::build::timings::Timings;
use crate::build::{self, search, validate, BuildOptions, Prepared};
use crate::config::Settings;
use crate::content::load::{
    assemble_loaded, classify_file, load_page, scan, shown_path, ContentFile,
};
use crate::content::page::url_depth;
use crate::content::{Page, Site};
use crate::diagnostic::Diagnostic;
use crate::markdown::links::LinkTarget;
use crate::markdown::{self, RenderedPage};

/// One page's search sections.
pub type PageDocs = Arc<Vec<kb_search::SectionDoc>>;

/// The files being served, shared with the HTTP handlers.
#[derive(Default)]
pub struct SiteFiles {
    /// Content pages by output path (`alpha/one/index.html`).
    pages: HashMap<String, Bytes>,
    /// Every other file, written after the pages by a build (so it wins on a clash).
    extras: HashMap<String, Bytes>,
    /// The search sections of every page in page order, when search is on; the browser's
    /// index files are made from them when first asked for.
    search_docs: Option<(Arc<Vec<PageDocs>>, kb_search::SearchSettings)>,
    search_files: Mutex<Option<Arc<HashMap<String, Bytes>>>>,
}

impl SiteFiles {
    /// The file at `path` (relative to the site root), if the site has it.
    pub fn get(&self, path: &str) -> Option<Bytes> {
        if self.search_docs.is_some() && is_search_file(path) {
            // Made on first use; every path of the search folder is answered from them.
            return self
                .search_files()
                .and_then(|files| files.get(path).cloned());
        }
        self.extras
            .get(path)
            .or_else(|| self.pages.get(path))
            .cloned()
    }

    /// Whether the site may have a file at `path`, without making the search files (any
    /// path under the index pages folder counts).
    pub fn contains(&self, path: &str) -> bool {
        (self.search_docs.is_some() && is_search_file(path))
            || self.extras.contains_key(path)
            || self.pages.contains_key(path)
    }

    /// Whether the site has search.
    pub fn search_enabled(&self) -> bool {
        self.search_docs.is_some()
    }

    /// Every path of the site, sorted (for tests and the benchmark's checks).
    pub fn paths(&self) -> BTreeSet<String> {
        let mut paths: BTreeSet<String> = self
            .pages
            .keys()
            .chain(self.extras.keys())
            .cloned()
            .collect();
        if let Some(files) = self.search_files() {
            paths.extend(files.keys().cloned());
        }
        paths
    }

    /// The browser's search files, built from the current sections on first use: the same
    /// call `kb build` makes, so the bytes are the same.
    fn search_files(&self) -> Option<Arc<HashMap<String, Bytes>>> {
        let (docs, settings) = self.search_docs.as_ref()?;
        let mut cache = self.search_files.lock().ok()?;
        if cache.is_none() {
            let all: Vec<kb_search::SectionDoc> =
                docs.iter().flat_map(|d| d.iter().cloned()).collect();
            let files = kb_search::build_index(&all, settings)
                .and_then(|blob| kb_search::site_files(&blob, search::WASM_MODULE));
            match files {
                Ok(files) => {
                    *cache = Some(Arc::new(
                        files
                            .into_iter()
                            .map(|(p, b)| (p, Bytes::from(b)))
                            .collect(),
                    ));
                }
                Err(e) => log::error!("cannot build the search index: {e}"),
            }
        }
        cache.clone()
    }
}

/// A generated search file: the head, the module, their scripts, or an index page.
fn is_search_file(path: &str) -> bool {
    [
        kb_search::INDEX_FILE,
        kb_search::WASM_FILE,
        kb_search::INDEX_SCRIPT,
        kb_search::WASM_SCRIPT,
    ]
    .contains(&path)
        || path
            .strip_prefix(kb_search::PAGES_DIR)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// What a rebuild changed in what is served.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Files added, removed or with new bytes.
    pub changed_files: usize,
    /// Files rendered from templates (the cost of the rebuild).
    pub rendered: usize,
    /// The new stylesheet's URL when only the theme's stylesheet changed: tabs swap it
    /// instead of reloading.
    pub stylesheet: Option<String>,
    /// Warnings that were not there before.
    pub new_warnings: Vec<Diagnostic>,
    /// The rebuild reloaded the configuration (the watched folders may have moved).
    pub reloaded_settings: bool,
}

/// Pages by tag, and the pre-rendered sidebars.
type Navigation = (
    Arc<std::collections::BTreeMap<String, Vec<usize>>>,
    Arc<crate::render::nav::Sidebar>,
);

/// The sidebar a file shows: its area's folder and its depth.
type SidebarKey = (Option<String>, usize);

/// What an output file was last rendered from.
struct Inputs {
    file: TemplatePage,
    sidebar: SidebarKey,
}

/// The site in memory and everything needed to update it.
pub struct LiveSite {
    root: std::path::PathBuf,
    options: BuildOptions,
    pub settings: Settings,
    presentation: Option<Presentation>,
    prepared: Prepared,
    /// Inputs of each content page's output file (body left out), by output path.
    page_inputs: HashMap<String, Inputs>,
    /// Inputs of the tag pages and the 404 page, by output path.
    listing_inputs: HashMap<String, Inputs>,
    sidebars: HashMap<SidebarKey, String>,
    /// Tags and sidebar of the current site, reused by body edits (which cannot change them).
    navigation: Option<Navigation>,
    /// Bytes of the content folder's assets, read once.
    assets: HashMap<String, Vec<u8>>,
    /// Search sections of every page, in page order, by page URL.
    docs: Vec<(String, PageDocs)>,

    /// Changes not yet built successfully.
    pending: Plan,
    pub files: Arc<RwLock<SiteFiles>>,
}

impl LiveSite {
    /// A server with nothing built yet; [`LiveSite::rebuild`] with everything builds it.
    pub fn new(root: &Path, options: BuildOptions, settings: Settings) -> LiveSite {
        LiveSite {
            root: root.to_path_buf(),
            options,
            settings,
            presentation: None,
            prepared: empty_prepared(),
            page_inputs: HashMap::new(),
            listing_inputs: HashMap::new(),
            sidebars: HashMap::new(),
            navigation: None,
            assets: HashMap::new(),
            docs: Vec::new(),
            pending: Plan::default(),
            files: Arc::default(),
        }
    }

    /// The pages of the site, for messages.
    pub fn page_count(&self) -> usize {
        self.prepared.site.pages.len()
    }

    /// All warnings of the current site.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.prepared.warnings
    }

    /// Applies a batch of changes (and those of earlier batches that failed). On error the
    /// served site is unchanged and the diagnostics say why.
    pub fn rebuild(&mut self, plan: Plan) -> Result<Outcome, Vec<Diagnostic>> {
        self.pending.merge(plan);
        let plan = self.pending.clone();
        if plan.is_empty() {
            return Ok(Outcome::default());
        }
        let result = if plan.everything || plan.theme || self.presentation.is_none() {
            self.rebuild_everything(plan.everything)
        } else {
            self.rebuild_content(&plan.content)
        };
        match result {
            Ok(mut outcome) => {
                if plan.stylesheet_only && outcome.changed_files > 0 {
                    outcome.stylesheet = self
                        .presentation
                        .as_ref()
                        .map(|p| format!("/{}", p.hashed.css.0));
                }
                self.pending = Plan::default();
                Ok(outcome)
            }
            Err(diagnostics) => Err(build::sorted(diagnostics)),
        }
    }

    fn rebuild_everything(&mut self, reload_settings: bool) -> Result<Outcome, Vec<Diagnostic>> {
        let settings = if reload_settings {
            Settings::load(&self.root)?
        } else {
            self.settings.clone()
        };
        let presentation = Presentation::load(&settings)?;
        let prepared = build::prepare(&settings, &self.options, &mut Timings::default())?;
        self.settings = settings;
        self.presentation = Some(presentation);
        self.assets.clear();
        let all: HashSet<String> = prepared.site.pages.iter().map(|p| p.rel.clone()).collect();
        let mut outcome = self.install(prepared, &all, true)?;
        outcome.reloaded_settings = reload_settings;
        Ok(outcome)
    }

    /// Folds changed content files into the site.
    fn rebuild_content(&mut self, changed: &BTreeSet<String>) -> Result<Outcome, Vec<Diagnostic>> {
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
            return Ok(Outcome::default());
        }

        // The common case: pages that stay pages, with the same front matter.
        if let Some(outcome) = self.try_body_edit(&relevant, &shown)? {
            return Ok(outcome);
        }
        let site = &self.prepared.site;
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
        let changed_set: HashSet<&str> = relevant.iter().map(|s| s.as_str()).collect();
        let to_load: Vec<&String> = markdown
            .iter()
            .filter(|rel| {
                changed_set.contains(rel.as_str()) || !known_pages.contains_key(rel.as_str())
            })
            .collect();
        let split = self.settings.search.heading_split_level;
        let loaded: Vec<Result<Option<(Page, RenderedPage)>, Diagnostic>> = to_load
            .par_iter()
            .map(|rel| {
                let page = load_page(&content_dir, &shown, rel, self.options.drafts)?;
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
                rendered_by_rel.insert(rel.clone(), self.prepared.rendered[i].clone());
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
        for rel in relevant.iter().filter(|rel| assets.contains(*rel)) {
            self.assets.remove(rel.as_str());
        }
        let new_site = assemble_loaded(&content_dir, pages, assets, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        let rendered: Vec<RenderedPage> = new_site
            .pages
            .iter()
            .map(|p| rendered_by_rel.remove(&p.rel).unwrap_or_default())
            .collect();
        let diagnostics = build::page_diagnostics(&new_site, &rendered);
        let prepared = Prepared::checked(new_site, rendered, diagnostics)?;
        self.install(prepared, &fresh, false)
    }

    /// The fast path: every relevant change is an existing page whose file is still a
    /// page with the same front matter. `None` when it does not apply.
    fn try_body_edit(
        &mut self,
        relevant: &[&String],
        shown: &Path,
    ) -> Result<Option<Outcome>, Vec<Diagnostic>> {
        let content_dir = &self.settings.content_dir;
        let mut edits = Vec::new();
        for rel in relevant {
            let Some(i) = self.prepared.site.page_by_rel(rel) else {
                return Ok(None);
            };
            if !is_real_file(content_dir, rel) {
                return Ok(None);
            }
            // A load error is reported the same way by the slower path; let it decide.
            let Ok(Some(page)) = load_page(content_dir, shown, rel, self.options.drafts) else {
                return Ok(None);
            };
            let old = &self.prepared.site.pages[i];
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
        // Swap the new pages in, validate, and swap the old ones back on error.
        let mut old = Vec::with_capacity(edits.len());
        for ((i, page), rendered) in edits.into_iter().zip(rendered) {
            let old_page = std::mem::replace(&mut self.prepared.site.pages[i], page);
            let old_rendered = std::mem::replace(&mut self.prepared.rendered[i], rendered);
            old.push((i, old_page, old_rendered));
        }
        let indexes: Vec<usize> = old.iter().map(|(i, _, _)| *i).collect();
        let diagnostics = self.diagnostics_after_body_edit(&indexes);
        if diagnostics.iter().any(Diagnostic::is_error) {
            for (i, page, rendered) in old {
                self.prepared.site.pages[i] = page;
                self.prepared.rendered[i] = rendered;
            }
            return Err(diagnostics);
        }
        let new_warnings = new_warnings(&self.prepared.warnings, &diagnostics);
        self.prepared.warnings = diagnostics;
        let Some(presentation) = &self.presentation else {
            return Ok(None);
        };
        let renderer = SiteRenderer::new(
            &self.settings,
            &self.prepared.site,
            &self.prepared.rendered,
            presentation,
        );
        let indexes: Vec<usize> = old.iter().map(|(i, _, _)| *i).collect();
        let outputs: Vec<Result<(TemplatePage, String), Diagnostic>> = indexes
            .par_iter()
            .map(|&i| {
                let file = renderer.page(i);
                renderer.render(&file).map(|html| (file, html))
            })
            .collect();
        let mut rendered_files = Vec::new();
        for output in outputs {
            rendered_files.push(output.map_err(|e| vec![e])?);
        }
        let mut changed_files = 0;
        let count = rendered_files.len();
        {
            let mut files = self.files.write().unwrap_or_else(|e| e.into_inner());
            for (mut file, html) in rendered_files {
                let bytes = Bytes::from(html);
                if files.pages.get(&file.path) != Some(&bytes) {
                    changed_files += 1;
                }
                files.pages.insert(file.path.clone(), bytes);
                file.view.content.clear();
                let sidebar = sidebar_key(&self.prepared.site, &file);
                self.page_inputs
                    .insert(file.path.clone(), Inputs { file, sidebar });
            }
        }
        // The page's search sections change with its body; titles and areas did not.
        let site = &self.prepared.site;
        for &i in &indexes {
            let docs = Arc::new(search::page_docs(
                site,
                &site.pages[i],
                &self.prepared.rendered[i],
            ));
            if let Some(slot) = self
                .docs
                .iter_mut()
                .find(|(url, _)| *url == site.pages[i].url)
            {
                slot.1 = docs;
            }
        }
        self.publish_docs();
        Ok(Some(Outcome {
            changed_files,
            rendered: count,
            new_warnings,
            ..Outcome::default()
        }))
    }

    /// The site's diagnostics after the bodies of pages `edited` changed (front matter
    /// unchanged): those of the edited pages and of pages that link into them with an
    /// anchor are computed again, every other page's are kept. The same list as validating
    /// everything, without hashing every heading of every page.
    fn diagnostics_after_body_edit(&self, edited: &[usize]) -> Vec<Diagnostic> {
        let (site, rendered) = (&self.prepared.site, &self.prepared.rendered);
        let edited_rels: HashSet<&str> =
            edited.iter().map(|&i| site.pages[i].rel.as_str()).collect();
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
        let mut diagnostics: Vec<Diagnostic> = self
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
        build::sorted(diagnostics)
    }

    /// Makes `prepared` the served site: renders the files whose inputs changed (all of
    /// them with `everything`, after a theme or configuration change). `fresh` names the
    /// pages whose body was rendered again.
    fn install(
        &mut self,
        prepared: Prepared,
        fresh: &HashSet<String>,
        everything: bool,
    ) -> Result<Outcome, Vec<Diagnostic>> {
        let Some(presentation) = &self.presentation else {
            return Err(Vec::new());
        };
        let settings = &self.settings;
        let renderer =
            SiteRenderer::new(settings, &prepared.site, &prepared.rendered, presentation);
        let n = prepared.site.pages.len();
        let frames: Vec<TemplatePage> = (0..n)
            .into_par_iter()
            .map(|i| renderer.page_frame(i))
            .collect();
        let listing = renderer.listing_pages();
        let mut sidebars: HashMap<SidebarKey, String> = HashMap::new();
        for file in frames.iter().chain(&listing) {
            sidebars
                .entry(sidebar_key(&prepared.site, file))
                .or_insert_with(|| renderer.sidebar_of(file).to_string());
        }
        let stale = |inputs: &HashMap<String, Inputs>, file: &TemplatePage| {
            let key = sidebar_key(&prepared.site, file);
            everything
                || self.sidebars.get(&key) != sidebars.get(&key)
                || inputs
                    .get(&file.path)
                    .is_none_or(|old| old.file != *file || old.sidebar != key)
        };
        let to_render: Vec<usize> = (0..n)
            .filter(|&i| {
                fresh.contains(&prepared.site.pages[i].rel) || stale(&self.page_inputs, &frames[i])
            })
            .collect();
        let pages: Vec<Result<(String, String), Diagnostic>> = to_render
            .par_iter()
            .map(|&i| {
                let mut file = frames[i].clone();
                file.view.content = prepared.rendered[i].html.clone();
                renderer.render(&file).map(|html| (file.path, html))
            })
            .collect();
        let listing_render: Vec<Option<Result<String, Diagnostic>>> = listing
            .par_iter()
            .map(|file| stale(&self.listing_inputs, file).then(|| renderer.render(file)))
            .collect();
        let mut errors: Vec<Diagnostic> = Vec::new();
        let mut new_pages = Vec::with_capacity(pages.len());
        for page in pages {
            match page {
                Ok(p) => new_pages.push(p),
                Err(e) => errors.push(e),
            }
        }
        let mut extras: Vec<(String, Bytes)> = Vec::new();
        {
            let old_files = self.files.read().unwrap_or_else(|e| e.into_inner());
            for (file, html) in listing.iter().zip(listing_render) {
                match html {
                    Some(Ok(html)) => extras.push((file.path.clone(), Bytes::from(html))),
                    Some(Err(e)) => errors.push(e),
                    None => match old_files.extras.get(&file.path) {
                        Some(bytes) => extras.push((file.path.clone(), bytes.clone())),
                        None => errors.push(Diagnostic::file_error(
                            &file.path,
                            "kb serve lost this file; edit any page to rebuild",
                        )),
                    },
                }
            }
        }
        for rel in &prepared.site.assets {
            if !self.assets.contains_key(rel) {
                match crate::build::renderer::read_asset(settings, rel) {
                    Ok(bytes) => {
                        self.assets.insert(rel.clone(), bytes);
                    }
                    Err(e) => errors.push(e),
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let assets = &self.assets;
        let (plain, read_errors) = renderer.plain_files(&|rel| {
            assets
                .get(rel)
                .cloned()
                .ok_or_else(|| Diagnostic::file_error(rel, "cannot read"))
        });
        if !read_errors.is_empty() {
            return Err(read_errors);
        }
        extras.extend(plain.into_iter().map(|(p, b)| (p, Bytes::from(b))));

        // Everything rendered: publish.
        let new_warnings = new_warnings(&self.prepared.warnings, &prepared.warnings);
        let rendered_count = new_pages.len() + listing.len();
        let live_paths: HashSet<&str> = frames.iter().map(|f| f.path.as_str()).collect();
        let mut changed_files = 0;
        {
            let mut files = self.files.write().unwrap_or_else(|e| e.into_inner());
            let before = files.pages.len();
            files
                .pages
                .retain(|path, _| live_paths.contains(path.as_str()));
            changed_files += before - files.pages.len();
            for (path, html) in new_pages {
                let bytes = Bytes::from(html);
                if files.pages.get(&path) != Some(&bytes) {
                    changed_files += 1;
                }
                files.pages.insert(path, bytes);
            }
            let new_extras: HashMap<String, Bytes> = extras.into_iter().collect();
            for (path, bytes) in &new_extras {
                if files.extras.get(path) != Some(bytes) {
                    changed_files += 1;
                }
            }
            changed_files += files
                .extras
                .keys()
                .filter(|path| !new_extras.contains_key(*path))
                .count();
            files.extras = new_extras;
        }
        self.page_inputs = frames
            .into_iter()
            .map(|file| {
                let sidebar = sidebar_key(&prepared.site, &file);
                (file.path.clone(), Inputs { file, sidebar })
            })
            .collect();
        self.listing_inputs = listing
            .into_iter()
            .map(|file| {
                let sidebar = sidebar_key(&prepared.site, &file);
                (file.path.clone(), Inputs { file, sidebar })
            })
            .collect();
        self.sidebars = sidebars;
        self.navigation = Some((renderer.tags.clone(), renderer.sidebar.clone()));
        let live_assets: HashSet<&String> = prepared.site.assets.iter().collect();
        self.assets.retain(|rel, _| live_assets.contains(rel));
        self.prepared = prepared;
        self.docs = {
            let old: HashMap<&str, &PageDocs> =
                self.docs.iter().map(|(u, d)| (u.as_str(), d)).collect();
            let site = &self.prepared.site;
            site.pages
                .par_iter()
                .zip(&self.prepared.rendered)
                .map(|(page, rendered)| {
                    let docs = search::page_docs(site, page, rendered);
                    let docs = match old.get(page.url.as_str()) {
                        Some(&d) if **d == docs => d.clone(),
                        _ => Arc::new(docs),
                    };
                    (page.url.clone(), docs)
                })
                .collect()
        };
        self.publish_docs();
        Ok(Outcome {
            changed_files,
            rendered: rendered_count,
            stylesheet: None,
            new_warnings,
            reloaded_settings: false,
        })
    }

    /// Hands the current search sections to the file server (the browser's index files are
    /// made again when next asked for).
    fn publish_docs(&self) {
        let mut files = self.files.write().unwrap_or_else(|e| e.into_inner());
        files.search_docs = self.settings.search.enable.then(|| {
            (
                Arc::new(self.docs.iter().map(|(_, d)| d.clone()).collect()),
                search::search_settings(&self.settings.search),
            )
        });
        *files
            .search_files
            .get_mut()
            .unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// What the live search index should hold now: the ranking settings and every page's
    /// sections (`None` when search is off).
    pub fn search_snapshot(&self) -> Option<super::search::Snapshot> {
        self.settings
            .search
            .enable
            .then(|| super::search::Snapshot {
                settings: search::search_settings(&self.settings.search),
                pages: self.docs.clone(),
            })
    }
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

fn new_warnings(old: &[Diagnostic], new: &[Diagnostic]) -> Vec<Diagnostic> {
    let old: HashSet<String> = old.iter().map(ToString::to_string).collect();
    new.iter()
        .filter(|d| !old.contains(&d.to_string()))
        .cloned()
        .collect()
}

fn empty_prepared() -> Prepared {
    Prepared {
        site: Site::default(),
        rendered: Vec::new(),
        warnings: Vec::new(),
    }
}
