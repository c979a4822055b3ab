//! The site's search index: pages' sections become `kb_search::SectionDoc`s, indexed by
//! tantivy at build time, kept in `search-index/` for `kb search` and `kb serve`, and
//! packed into the site with the WebAssembly module that searches it in the browser.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::config::{SearchConfig, Settings};
use crate::content::{Page, PageKind, Site};
use crate::diagnostic::Diagnostic;
use crate::markdown::{RenderedPage, Section};

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
    section_docs(site, page, rendered.sections.clone())
}

/// The search documents of one page from its sections, whose text is moved, not copied.
pub(crate) fn section_docs(
    site: &Site,
    page: &Page,
    sections: Vec<Section>,
) -> Vec<kb_search::SectionDoc> {
    let (area, area_title) = page_area(site, page);
    sections
        .into_iter()
        .map(|section| {
            let mut crumbs: Vec<&str> = Vec::with_capacity(3);
            if page.kind == PageKind::Article && !area_title.is_empty() {
                crumbs.push(&area_title);
            }
            crumbs.push(&page.title);
            if !section.heading.is_empty() {
                crumbs.push(&section.heading);
            }
            let breadcrumb = crumbs.join(" > ");
            kb_search::SectionDoc {
                url: if section.id.is_empty() {
                    page.url.clone()
                } else {
                    format!("{}#{}", page.url, section.id)
                },
                page_url: page.url.clone(),
                page_title: page.title.clone(),
                description: page.description.clone(),
                heading: section.heading,
                breadcrumb,
                body: section.body,
                code: section.code,
                tags: page.meta.tags.clone(),
                area: area.clone(),
                area_title: area_title.clone(),
                overview: page.kind != PageKind::Article,
            }
        })
        .collect()
}

/// The sections a page's search documents were made from (by [`section_docs`]): what
/// `kb serve` keeps of them, to hold their text once.
pub(crate) fn sections_of(docs: &[kb_search::SectionDoc]) -> Vec<Section> {
    docs.iter()
        .map(|doc| Section {
            id: doc
                .url
                .strip_prefix(doc.page_url.as_str())
                .and_then(|rest| rest.strip_prefix('#'))
                .unwrap_or_default()
                .to_string(),
            heading: doc.heading.clone(),
            body: doc.body.clone(),
            code: doc.code.clone(),
        })
        .collect()
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

/// The index blob of `docs`, in this order: what `kb serve` makes the browser's search
/// files from, with the writer `kb build` streams into.
pub(crate) fn index_blob_of<'a>(
    docs: impl Iterator<Item = &'a kb_search::SectionDoc>,
    settings: &kb_search::SearchSettings,
) -> Result<Vec<u8>, Diagnostic> {
    let docs: Vec<kb_search::SectionDoc> = docs.cloned().collect();
    kb_search::build_index(&docs, settings).map_err(|e| {
        Diagnostic::file_error(
            kb_search::INDEX_FILE,
            format!("cannot build the search index: {e}"),
        )
    })
}

/// Writes the browser's search files (module, paged index, loaders) into the site, each
/// as soon as it is made.
pub(crate) fn write_site_files(
    blob: &kb_search::SharedBlob,
    sink: &dyn Sink,
    progress: ProgressStyle,
) -> Result<usize, Diagnostic> {
    let shown = std::cell::OnceCell::new();
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
