//! The site's search index: pages' sections become `kb_search::SectionDoc`s, indexed by
//! tantivy at build time, kept in `search-index/` for `kb search` and `kb serve`, and
//! packed into the site with the WebAssembly module that searches it in the browser.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::config::{SearchConfig, Settings};
use crate::content::{Page, PageKind, Site};
use crate::diagnostic::Diagnostic;
use crate::markdown::{PackedSections, RenderedPage, Section};

use super::output::Sink;
use super::progress::{Progress, ProgressStyle};

/// The browser module, built by `scripts/build-search-wasm.sh` and committed, so neither
/// users nor CI need the wasm toolchain.
pub(crate) static WASM_MODULE: &[u8] =
    include_bytes!("../../crates/kb-search-wasm/dist/kb_search.wasm");

/// The index blob inside `search-index/`.
pub(crate) const INDEX_BLOB: &str = "index.bin";
/// Fingerprint of the inputs the index was built from, to tell whether it is stale.
pub(crate) const STAMP_FILE: &str = "stamp";

/// Ranking settings from `[output.html.search]`.
pub(crate) fn search_settings(config: &SearchConfig) -> kb_search::SearchSettings {
    kb_search::SearchSettings {
        boost_title: config.boost_title,
        boost_heading: config.boost_heading,
        boost_body: config.boost_body,
        boost_code: config.boost_code,
        limit_results: config.limit_results,
        use_boolean_and: config.use_boolean_and,
        synonyms: config.synonyms.clone(),
        ..kb_search::SearchSettings::default()
    }
}

/// The search documents of one page: one per section.
pub(crate) fn page_docs(
    site: &Site,
    page: &Page,
    rendered: &RenderedPage,
) -> Vec<kb_search::SectionDoc> {
    let sections = match &rendered.packed_sections {
        Some(packed) => packed.unpack(),
        None => rendered.sections.clone(),
    };
    section_docs(site, page, sections)
}

/// The search documents of one page from its sections, whose text is moved, not copied.
pub(crate) fn section_docs(
    site: &Site,
    page: &Page,
    sections: Vec<Section>,
) -> Vec<kb_search::SectionDoc> {
    DocPage::of(site, page).docs(sections)
}

/// What a page's search documents take from the page (the same in each of them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DocPage {
    url: String,
    title: String,
    description: String,
    tags: Vec<String>,
    area: String,
    area_title: String,
    /// An article, not an overview (a home or area page).
    article: bool,
}

impl DocPage {
    pub(crate) fn of(site: &Site, page: &Page) -> DocPage {
        let (area, area_title) = page_area(site, page);
        DocPage {
            url: page.url.clone(),
            title: page.title.clone(),
            description: page.description.clone(),
            tags: page.meta.tags.clone(),
            area,
            area_title,
            article: page.kind == PageKind::Article,
        }
    }

    /// The page's documents, one per section.
    fn docs(&self, sections: Vec<Section>) -> Vec<kb_search::SectionDoc> {
        sections
            .into_iter()
            .map(|section| {
                let mut crumbs: Vec<&str> = Vec::with_capacity(3);
                if self.article && !self.area_title.is_empty() {
                    crumbs.push(&self.area_title);
                }
                crumbs.push(&self.title);
                if !section.heading.is_empty() {
                    crumbs.push(&section.heading);
                }
                let breadcrumb = crumbs.join(" > ");
                kb_search::SectionDoc {
                    url: if section.id.is_empty() {
                        self.url.clone()
                    } else {
                        format!("{}#{}", self.url, section.id)
                    },
                    page_url: self.url.clone(),
                    page_title: self.title.clone(),
                    description: self.description.clone(),
                    heading: section.heading,
                    breadcrumb,
                    body: section.body,
                    code: section.code,
                    tags: self.tags.clone(),
                    area: self.area.clone(),
                    area_title: self.area_title.clone(),
                    overview: !self.article,
                }
            })
            .collect()
    }
}

/// A page's search documents as `kb serve` keeps them between applies: the page's fields
/// once, and its sections packed ([`PackedSections`]). Unpacked, at 100,000 pages, the
/// documents held 1.2 GB, the page's fields repeated in every section; they are only read
/// to index a changed page and to make the browser's search files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PackedDocs {
    page: DocPage,
    sections: PackedSections,
}

impl PackedDocs {
    /// The documents `page` makes of `sections`.
    pub(crate) fn pack(page: DocPage, sections: PackedSections) -> PackedDocs {
        PackedDocs { page, sections }
    }

    /// The page's fields the documents were made with.
    pub(crate) fn page(&self) -> &DocPage {
        &self.page
    }

    /// The same sections under the fields of `page` (its title, tags or area changed).
    pub(crate) fn with_page(&self, page: DocPage) -> PackedDocs {
        PackedDocs {
            page,
            sections: self.sections.clone(),
        }
    }

    /// Whether the page has no sections (it is then not in the index).
    pub(crate) fn is_empty(&self) -> bool {
        self.sections.len() == 0
    }

    /// The documents, unpacked: those [`section_docs`] made of the same page and sections.
    pub(crate) fn docs(&self) -> Vec<kb_search::SectionDoc> {
        self.page.docs(self.sections.unpack())
    }
}

/// All documents of the site, in page order.
pub(crate) fn site_docs(site: &Site, rendered: &[RenderedPage]) -> Vec<kb_search::SectionDoc> {
    site.pages
        .iter()
        .zip(rendered)
        .flat_map(|(page, r)| page_docs(site, page, r))
        .collect()
}

/// The `(area, area title)` a page's search documents name; both empty outside areas.
fn page_area(site: &Site, page: &Page) -> (String, String) {
    match site.area_of(page) {
        Some(a) => (a.slug.clone(), a.title.clone()),
        None => (String::new(), String::new()),
    }
}

/// The `(area, area title)` of every page: what a [`kb_search::IndexWriter`] is told
/// before the sections arrive.
pub(crate) fn site_areas(site: &Site) -> Vec<(String, String)> {
    site.pages
        .iter()
        .map(|page| page_area(site, page))
        .collect()
}

fn index_error(settings: &Settings, e: kb_search::SearchError) -> Diagnostic {
    Diagnostic::file_error(
        &settings.search_index_dir,
        format!("cannot build the search index: {e}"),
    )
}

/// An index writer for the site's sections, to be fed with [`add_docs`] and closed with
/// [`finish_index`]. It builds the index on disk, in a temporary folder inside the
/// search-index folder that is removed when the returned guard is dropped (keep it while
/// the blob is used: the blob is that folder's file, mapped), with a thread per core.
pub(crate) fn index_writer(
    settings: &Settings,
    site: &Site,
) -> Result<(kb_search::IndexWriter, tempfile::TempDir), Diagnostic> {
    let dir = &settings.search_index_dir;
    let folder = std::fs::create_dir_all(dir)
        .and_then(|()| {
            tempfile::Builder::new()
                .prefix(".building-")
                .tempdir_in(dir)
        })
        .map_err(|e| {
            Diagnostic::file_error(
                dir,
                format!("cannot make a folder to build the search index in: {e}"),
            )
        })?;
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let writer = kb_search::IndexWriter::on_disk(
        site_areas(site),
        &search_settings(&settings.search),
        folder.path(),
        threads,
    )
    .map_err(|e| index_error(settings, e))?;
    Ok((writer, folder))
}

/// The prepared search documents of one page from its sections (see
/// [`kb_search::DocPreparer`]): made on the rendering thread, so the sections' text is
/// freed there and the indexer only indexes.
pub(crate) fn prepared_docs(
    site: &Site,
    page: &Page,
    sections: Vec<Section>,
    preparer: &kb_search::DocPreparer,
) -> Vec<kb_search::PreparedDoc> {
    section_docs(site, page, sections)
        .iter()
        .map(|d| preparer.prepare(d))
        .collect()
}

/// Indexes prepared `docs`, in order, after those added before.
pub(crate) fn add_docs(
    settings: &Settings,
    writer: &mut kb_search::IndexWriter,
    docs: Vec<kb_search::PreparedDoc>,
) -> Result<(), Diagnostic> {
    docs.into_iter()
        .try_for_each(|d| writer.add_prepared(d))
        .map_err(|e| index_error(settings, e))
}

/// The index blob of everything added to `writer`.
pub(crate) fn finish_index(
    settings: &Settings,
    writer: kb_search::IndexWriter,
) -> Result<kb_search::SharedBlob, Diagnostic> {
    writer.finish().map_err(|e| index_error(settings, e))
}

/// The index blob of a prepared site, with the writer `kb build` streams into: what
/// `kb search` saves when the index is missing or stale.
pub(crate) fn index_blob(
    settings: &Settings,
    site: &Site,
    rendered: &[RenderedPage],
) -> Result<kb_search::SharedBlob, Diagnostic> {
    let (mut writer, _folder) = index_writer(settings, site)?;
    site_docs(site, rendered)
        .iter()
        .try_for_each(|d| writer.add(d))
        .map_err(|e| index_error(settings, e))?;
    finish_index(settings, writer)
}

/// The index blob of every page's documents, in this order: what `kb serve` makes the
/// browser's search files from, with the writer `kb build` streams into (the same bytes
/// as [`kb_search::build_index`] of all the documents). Pages are unpacked one at a time.
pub(crate) fn index_blob_of<'a>(
    pages: impl Iterator<Item = &'a PackedDocs> + Clone,
    settings: &kb_search::SearchSettings,
) -> Result<kb_search::SharedBlob, Diagnostic> {
    let error = |e: kb_search::SearchError| {
        Diagnostic::file_error(
            kb_search::INDEX_FILE,
            format!("cannot build the search index: {e}"),
        )
    };
    // The areas the documents name, as `build_index` declares them.
    let areas = pages
        .clone()
        .filter(|p| !p.is_empty())
        .map(|p| (p.page.area.clone(), p.page.area_title.clone()));
    let mut writer = kb_search::IndexWriter::new(areas, settings).map_err(error)?;
    for page in pages {
        for doc in page.docs() {
            writer.add(&doc).map_err(error)?;
        }
    }
    writer.finish().map_err(error)
}

/// Writes the browser's search files (module, paged index, loaders) into the site, each
/// as soon as it is made.
pub(crate) fn write_site_files(
    blob: &kb_search::SharedBlob,
    sink: &dyn Sink,
    progress: ProgressStyle,
) -> Result<usize, Diagnostic> {
    let shown = std::sync::OnceLock::new();
    let count = |files| {
        let _ = shown.set(Progress::counting(
            progress,
            files,
            "writing",
            "search files",
        ));
    };
    let write = |path: &str, bytes: &[u8]| {
        sink.write(path, bytes)?;
        for (twin, data) in super::precompress::twins(path, bytes) {
            sink.write(&twin, &data)?;
        }
        if let Some(shown) = shown.get() {
            shown.bar().inc(1);
            shown.report();
        }
        Ok::<(), std::io::Error>(())
    };
    let written = kb_search::write_site_files(blob, WASM_MODULE, count, write);
    if let Some(shown) = shown.into_inner() {
        shown.finish();
    }
    written.map_err(|e| match e {
        kb_search::SiteFilesError::Index(e) => Diagnostic::file_error(
            kb_search::INDEX_FILE,
            format!("cannot page the search index: {e}"),
        ),
        kb_search::SiteFilesError::Write(path, e) => {
            Diagnostic::file_error(path, format!("cannot write the output file: {e}"))
        }
    })
}

/// Saves the native index and its input fingerprint in `search-index/`.
pub(crate) fn save_native(
    settings: &Settings,
    blob: &kb_search::SharedBlob,
    stamp: &str,
) -> Result<(), Diagnostic> {
    let dir = &settings.search_index_dir;
    let write = |name: &str, write_to: &dyn Fn(&mut dyn std::io::Write) -> std::io::Result<()>| {
        std::fs::create_dir_all(dir)
            .and_then(|()| {
                // Write then rename, so a reader never sees half an index. The temporary
                // file is removed when anything fails (a full disk), not left behind.
                let mut tmp = tempfile::Builder::new()
                    .prefix(&format!(".{name}.tmp-"))
                    .tempfile_in(dir)?;
                write_to(&mut tmp)?;
                tmp.persist(dir.join(name)).map_err(|e| e.error)?;
                Ok(())
            })
            .map_err(|e| {
                Diagnostic::file_error(dir.join(name), format!("cannot save the search index: {e}"))
            })
    };
    // A blob packed into a file of the writer's folder (inside `dir`) is linked, not
    // copied: at 100,000 pages that is 0.7 GB not written again.
    let linked = blob.file().is_some_and(|file| {
        std::fs::create_dir_all(dir).is_ok()
            && tempfile::Builder::new()
                .prefix(&format!(".{INDEX_BLOB}.tmp-"))
                .make_in(dir, |tmp| std::fs::hard_link(file, tmp))
                .and_then(|tmp| tmp.persist(dir.join(INDEX_BLOB)).map_err(|e| e.error))
                .is_ok()
    });
    if !linked {
        write(INDEX_BLOB, &|out| blob.write_to(out))?;
    }
    write(STAMP_FILE, &|out| out.write_all(stamp.as_bytes()))
}

/// A fingerprint of everything the index depends on: every file of the content folder
/// (path, size, modification time), `book.toml`, and the index format version.
pub(crate) fn input_stamp(settings: &Settings, drafts: bool) -> String {
    let mut hasher = Sha256::new();
    hasher.update(kb_search::FORMAT_VERSION.to_string());
    hasher.update(if drafts { "drafts" } else { "published" });
    let mut add = |path: &Path| {
        if let Ok(meta) = std::fs::metadata(path) {
            hasher.update(path.to_string_lossy().as_bytes());
            hasher.update(meta.len().to_le_bytes());
            if let Ok(modified) = meta.modified() {
                if let Ok(since) = modified.duration_since(std::time::UNIX_EPOCH) {
                    hasher.update(since.as_nanos().to_le_bytes());
                }
            }
        }
    };
    add(&settings.root.join(crate::config::CONFIG_FILE));
    for entry in walkdir::WalkDir::new(&settings.content_dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        if entry.file_type().is_file() {
            add(entry.path());
        }
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(title: &str, area_title: &str, article: bool) -> DocPage {
        DocPage {
            url: "caching/stampedes/".into(),
            title: title.into(),
            description: "When every request misses at once.".into(),
            tags: vec!["cache".into(), "Go".into()],
            area: "caching".into(),
            area_title: area_title.into(),
            article,
        }
    }

    fn sections() -> Vec<Section> {
        vec![
            Section {
                id: String::new(),
                heading: String::new(),
                body: "A stampede: ünïcode and \u{0} bytes.".into(),
                code: String::new(),
            },
            Section {
                id: "singleflight".into(),
                heading: "singleflight".into(),
                body: "One caller loads, the others wait. ".repeat(50),
                code: "g.Do(key, load)".into(),
            },
        ]
    }

    fn packed() -> PackedSections {
        PackedSections::pack(&sections())
    }

    #[test]
    fn packed_documents_unpack_to_the_documents_of_their_page() {
        for article in [true, false] {
            let fields = page("Stampedes", "Caching", article);
            let packed = PackedDocs::pack(fields.clone(), packed());
            assert_eq!(packed.docs(), fields.docs(sections()));
            assert!(!packed.is_empty());
        }
        let docs = PackedDocs::pack(page("Stampedes", "Caching", true), packed()).docs();
        assert_eq!(docs[1].url, "caching/stampedes/#singleflight");
        assert_eq!(docs[1].breadcrumb, "Caching > Stampedes > singleflight");
        assert!(PackedDocs::pack(page("Empty", "", true), PackedSections::pack(&[])).is_empty());
    }

    #[test]
    fn packed_documents_take_new_page_fields_without_their_sections() {
        let packed = PackedDocs::pack(page("Stampedes", "Caching", true), packed());
        let renamed = packed.with_page(page("Thundering herds", "Caches", true));
        assert_ne!(renamed, packed);
        assert_eq!(
            renamed.docs(),
            page("Thundering herds", "Caches", true).docs(sections())
        );
        assert_eq!(
            renamed.docs()[1].breadcrumb,
            "Caches > Thundering herds > singleflight"
        );
    }

    #[test]
    fn the_index_of_packed_pages_is_the_index_of_their_documents() {
        let mut other = page("Pools", "Databases", true);
        other.url = "db/pools/".into();
        other.area = "db".into();
        let mut empty = page("Nothing", "Empty area", true);
        empty.url = "empty/".into();
        empty.area = "archive".into(); // sorts first: declared, it would shift the ids
        let pages = [
            PackedDocs::pack(page("Stampedes", "Caching", true), packed()),
            PackedDocs::pack(empty, PackedSections::pack(&[])),
            PackedDocs::pack(other, packed()),
        ];
        let docs: Vec<kb_search::SectionDoc> = pages.iter().flat_map(PackedDocs::docs).collect();
        let settings = kb_search::SearchSettings::default();
        assert_eq!(
            &*index_blob_of(pages.iter(), &settings).unwrap(),
            kb_search::build_index(&docs, &settings).unwrap().as_slice()
        );
    }
}
