//! What an incremental [`Session`](super::session::Session) remembers of the files it wrote:
//! for each output file a fingerprint of the inputs it was rendered from and one of its
//! bytes, and for each source file the pages whose body was made from it.
//!
//! Everything the session keeps about its output is behind [`OutputStore`], so how it is
//! kept (today: 128-bit fingerprints of the template inputs, the body left out, and 64-bit
//! fingerprints of the bytes; the bytes themselves live only in the sink) can change here
//! alone. The inputs themselves were kept until 100,000 pages' worth of them (titles,
//! tables of contents, breadcrumbs, cards of related pages) showed in `kb serve`'s memory.

use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;

use crate::content::{Page, Site};
use crate::render::renderer::TemplatePage;

/// The sidebar a file shows: its area's folder and its depth (the sidebar's links are
/// relative, so they differ by depth).
pub(crate) type SidebarKey = (Option<String>, usize);

/// What one template-made output file was rendered from, body left out: the bytes are a
/// function of these, the page's rendered body and the theme.
#[derive(Debug, Clone, PartialEq, Hash)]
pub(crate) struct TemplateInputs<'a> {
    /// The file, its body (`view.content`) empty.
    pub file: &'a TemplatePage,
    pub sidebar: &'a SidebarKey,
}

/// A 128-bit fingerprint of [`TemplateInputs`]: equal inputs give equal fingerprints, and
/// different ones the same with a chance of one in 2^64 even over billions of files (the
/// store compares a file only with what was written at its own path).
pub(crate) type InputsFingerprint = u128;

impl TemplateInputs<'_> {
    pub(crate) fn fingerprint(&self) -> InputsFingerprint {
        let mut hasher = xxhash_rust::xxh3::Xxh3Default::new();
        self.hash(&mut hasher);
        hasher.digest128()
    }
}

/// One output file as last written.
#[derive(Debug, Clone)]
struct Record {
    /// `None` for files made without a template (assets, redirects, sitemap).
    inputs: Option<InputsFingerprint>,
    /// Fingerprint of the bytes written, to tell whether a file really changed.
    bytes: u64,
}

/// The session's memory of its output: one [`Record`] per output path, and the rendered
/// sidebars by [`SidebarKey`] (a title change elsewhere changes them).
#[derive(Debug, Clone, Default)]
pub(crate) struct OutputStore {
    records: HashMap<String, Record>,
    sidebars: HashMap<SidebarKey, String>,
}

impl OutputStore {
    /// Whether the file at `path`, made from inputs with fingerprint `inputs` showing the
    /// sidebar `sidebar`, must be rendered again: it is new, its inputs differ, or the
    /// sidebar it shows changed.
    pub(crate) fn is_stale(
        &self,
        path: &str,
        inputs: InputsFingerprint,
        sidebar: &SidebarKey,
        sidebars: &HashMap<SidebarKey, String>,
    ) -> bool {
        self.sidebars.get(sidebar) != sidebars.get(sidebar)
            || self
                .records
                .get(path)
                .and_then(|r| r.inputs)
                .is_none_or(|old| old != inputs)
    }

    /// Whether `bytes` differ from what was last written at `path`.
    pub(crate) fn differs(&self, path: &str, bytes: &[u8]) -> bool {
        self.differs_from(path, fingerprint(bytes))
    }

    /// Whether bytes with `fingerprint` differ from what was last written at `path`.
    pub(crate) fn differs_from(&self, path: &str, fingerprint: u64) -> bool {
        self.records
            .get(path)
            .is_none_or(|r| r.bytes != fingerprint)
    }

    /// Whether `html`, once the stylesheet's new name `to` is put back to `from`, is what
    /// was last written at `path`: the page changed only because the stylesheet was
    /// renamed. Costs a copy of the page, paid only when the stylesheet changed.
    pub(crate) fn only_restyled(&self, path: &str, html: &str, from: &str, to: &str) -> bool {
        html.contains(to) && !self.differs(path, html.replace(to, from).as_bytes())
    }

    /// Records that `path` now holds bytes with `fingerprint`, made from inputs with
    /// fingerprint `inputs`.
    pub(crate) fn record_fingerprint(
        &mut self,
        path: String,
        inputs: Option<InputsFingerprint>,
        fingerprint: u64,
    ) {
        self.records.insert(
            path,
            Record {
                inputs,
                bytes: fingerprint,
            },
        );
    }

    /// Records new inputs for the file at `path` whose bytes did not need rendering again
    /// (they are the same as before: only the body could differ, and it did not).
    pub(crate) fn keep(
        &mut self,
        old: &OutputStore,
        path: &str,
        inputs: InputsFingerprint,
    ) -> bool {
        match old.records.get(path) {
            Some(record) => {
                self.records.insert(
                    path.to_string(),
                    Record {
                        inputs: Some(inputs),
                        bytes: record.bytes,
                    },
                );
                true
            }
            None => false,
        }
    }

    /// Paths recorded in `self` that `newer` no longer has: files to remove.
    pub(crate) fn gone_from<'a>(
        &'a self,
        newer: &'a OutputStore,
    ) -> impl Iterator<Item = &'a String> {
        self.records
            .keys()
            .filter(|path| !newer.records.contains_key(*path))
    }

    pub(crate) fn set_sidebars(&mut self, sidebars: HashMap<SidebarKey, String>) {
        self.sidebars = sidebars;
    }
}

/// A fast 64-bit fingerprint of a file's bytes (xxh3: a page's worth in microseconds).
pub(crate) fn fingerprint(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// The source files each page's body was made from (its own, and those it includes), by
/// path relative to the content folder (`../listings/a.rs` for one outside it), and the
/// reverse: which pages must be loaded again when a source file changes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Dependencies {
    /// Content-relative source path to the pages (by content-relative path) made from it.
    dependents: HashMap<String, BTreeSet<String>>,
}

impl Dependencies {
    /// The dependencies of every page of `site`.
    pub(crate) fn of(site: &Site) -> Dependencies {
        let mut dependents: HashMap<String, BTreeSet<String>> = HashMap::new();
        for page in &site.pages {
            for source in page_sources(page) {
                dependents
                    .entry(source.to_string())
                    .or_default()
                    .insert(page.rel.clone());
            }
        }
        Dependencies { dependents }
    }

    /// The pages made from `source`.
    pub(crate) fn pages_from(&self, source: &str) -> impl Iterator<Item = &String> {
        self.dependents.get(source).into_iter().flatten()
    }

    /// Sources outside the content folder (`../listings/a.rs`): the watcher does not see
    /// them unless told.
    pub(crate) fn outside_content(&self) -> impl Iterator<Item = &str> {
        self.dependents
            .keys()
            .map(String::as_str)
            .filter(|source| source.starts_with("../"))
    }
}

/// The files a page's body is made from, its own first.
fn page_sources(page: &Page) -> impl Iterator<Item = &str> {
    std::iter::once(page.rel.as_str()).chain(page.included.files.iter().map(String::as_str))
}
