//! Shared by the examples (`dump`, `bench_corpus`) and the engine tests: a corpus made
//! larger by copying, and the generated search files written into a folder.

#![allow(dead_code)] // each user takes what it needs

use std::fs;
use std::path::Path;

use kb_search::SectionDoc;

/// `base` indexed `n` times under different URLs (`copy<k>/...`), each copy's bodies
/// marked `copy<k>`: an index that spans many pages, with sections that tell copies apart.
pub fn copies(base: &[SectionDoc], n: usize) -> Vec<SectionDoc> {
    (0..n)
        .flat_map(|copy| {
            base.iter().map(move |d| SectionDoc {
                url: format!("copy{copy}/{}", d.url),
                page_url: format!("copy{copy}/{}", d.page_url),
                body: format!("{} copy{copy}", d.body),
                ..d.clone()
            })
        })
        .collect()
}

/// Replaces `dir` by the site's search files of `blob` (`dir/search/...`).
pub fn write_site_files(dir: &Path, blob: &[u8], module: &[u8]) -> Result<(), String> {
    let fail = |p: &Path, e: &dyn std::fmt::Display| format!("{}: {e}", p.display());
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(|e| fail(dir, &e))?;
    }
    let files = kb_search::site_files(blob, module).map_err(|e| e.to_string())?;
    for (path, bytes) in files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| fail(parent, &e))?;
        }
        fs::write(&path, bytes).map_err(|e| fail(&path, &e))?;
    }
    Ok(())
}
