//! The generated files of the search under the site root, with their names and the
//! global names of the `file://` fallback scripts. `search.js` reads exactly these names;
//! a test below checks that it does, so the two cannot drift.
//!
//! The index is paged (see `paged.rs`): the head is fetched when search opens, every
//! other page only when a query reads it.

/// The head of the paged index, fetched over http(s) when search opens.
pub const INDEX_FILE: &str = "search/index.bin";
/// Folder of the other pages of the index: `<id>/<n>.js`, where `<id>` names one build of
/// the index. Each is a classic script holding the page's bytes as they are (see
/// `byte_string_into`): fetched and read as bytes over http(s), run by a `<script>`
/// element from `file://`. One file per page serves both, and compresses within 1-2% of
/// the bare bytes; base64 scripts, as before, were 15% bigger than the bytes once
/// compressed (brotli, the pages the first search at 10,000 pages reads).
pub const PAGES_DIR: &str = "search/pages";
/// The WebAssembly module, fetched over http(s).
pub const WASM_FILE: &str = "search/kb-search.wasm";
/// The head in a classic script, for `file://` where fetch is blocked.
pub const INDEX_SCRIPT: &str = "search/index.js";
/// The module in a classic script, for `file://`.
pub const WASM_SCRIPT: &str = "search/kb-search-wasm.js";
/// What the browser may fetch while the module loads (see `prefetch.rs`), over http(s).
pub const PREFETCH_FILE: &str = "search/prefetch.json";
/// Global that [`INDEX_SCRIPT`] assigns the head to.
pub const INDEX_GLOBAL: &str = "__kbSearchIndexBytes";
/// Global that [`WASM_SCRIPT`] assigns the module to.
pub const WASM_GLOBAL: &str = "__kbSearchWasmBytes";
/// The encoding a browser must read the scripts above and the page scripts in (the
/// `charset` of their `<script>` elements): one character per byte, every byte a
/// character (see `byte_string_into`).
pub const SCRIPT_CHARSET: &str = "windows-1252";

/// Function a page script calls with its page number and bytes.
pub const PAGE_CALLBACK: &str = "__kbSearchPage";

/// Path of page `n` of the index `id` (a script) under the site root.
pub fn page_script(id: &str, n: u32) -> String {
    format!("{PAGES_DIR}/{id}/{n}.js")
}

/// Why the search files could not be made: the index, or the writer the files go to.
#[cfg(feature = "writer")]
#[derive(Debug)]
pub enum SiteFilesError<E> {
    /// The blob could not be opened or paged.
    Index(crate::SearchError),
    /// The writer failed on this path.
    Write(String, E),
}

/// Files [`write_site_files`] writes before the index pages, in order: the head, the
/// module, their scripts, and the prefetch list.
#[cfg(feature = "writer")]
const FIRST_FILES: usize = 5;

/// Makes the generated search files and hands each to `write(path under the site root,
/// bytes)` as soon as it is made: head, module and their scripts first, in this order,
/// then the script of each page that is not in the head, several at once on rayon's
/// threads (at 100,000 pages they are 0.7 GB, written after the last page is
/// indexed, so they are on the build's critical path). `count` is told how many there
/// will be before the first is written. Returns how many files were written.
#[cfg(feature = "writer")]
pub fn write_site_files<E, W>(
    index_blob: &crate::blob::SharedBlob,
    wasm: &[u8],
    count: impl FnOnce(usize),
    write: W,
) -> Result<usize, SiteFilesError<E>>
where
    W: Fn(&str, &[u8]) -> Result<(), E> + Sync,
    E: Send,
{
    use crate::paged::{pack_head, Layout, PagedBlob};
    use rayon::prelude::*;
    let whole = index_blob.bytes.clone();
    let probe = match index_blob.read_hook() {
        Some(hook) => PagedBlob::whole_watched(whole, &Layout::default(), true, hook),
        None => PagedBlob::whole(whole, &Layout::default(), true),
    };
    let probe = std::sync::Arc::new(probe.map_err(SiteFilesError::Index)?);
    let (plan, prefetch) =
        crate::index::probe_layout(probe.clone()).map_err(SiteFilesError::Index)?;
    let paged = probe.laid_out(&plan).map_err(SiteFilesError::Index)?;
    let head_pages = paged.pages_of(&plan.head);
    let pages: Vec<u32> = (0..paged.page_count() as u32)
        .filter(|n| head_pages.binary_search(n).is_err())
        .collect();
    count(FIRST_FILES + pages.len());
    let put = |path: &str, bytes: &[u8]| {
        write(path, bytes).map_err(|e| SiteFilesError::Write(path.to_owned(), e))
    };
    let head = pack_head(&paged, &head_pages);
    let id = paged.id();
    // The first files, FIRST_FILES of them.
    put(INDEX_FILE, &head)?;
    put(WASM_FILE, wasm)?;
    put(INDEX_SCRIPT, &global_script(INDEX_GLOBAL, &head))?;
    put(WASM_SCRIPT, &global_script(WASM_GLOBAL, wasm))?;
    put(
        PREFETCH_FILE,
        &crate::prefetch::prefetch_json(&prefetch, &paged, &head_pages),
    )?;
    pages.par_iter().try_for_each(|&n| {
        let page = paged.page(n).unwrap_or_default();
        put(&page_script(&id, n), &page_call(n, &page))?;
        index_blob.note_read(page.len());
        Ok(())
    })?;
    Ok(FIRST_FILES + pages.len())
}

/// The generated search files as a list; see [`write_site_files`].
#[cfg(feature = "writer")]
pub fn site_files(
    index_blob: &[u8],
    wasm: &[u8],
) -> Result<Vec<(String, Vec<u8>)>, crate::SearchError> {
    let files = std::sync::Mutex::new(Vec::new());
    let keep = |path: &str, bytes: &[u8]| -> Result<(), std::convert::Infallible> {
        let mut files = files.lock().unwrap_or_else(|e| e.into_inner());
        files.push((path.to_owned(), bytes.to_vec()));
        Ok(())
    };
    let blob = crate::blob::SharedBlob::from(index_blob.to_vec());
    match write_site_files(&blob, wasm, |_| {}, keep) {
        Ok(_) => {
            let mut files = files.into_inner().unwrap_or_else(|e| e.into_inner());
            // The pages in order of their numbers, after the files that come first.
            files[FIRST_FILES..].sort_by(|(a, _), (b, _)| (a.len(), a).cmp(&(b.len(), b)));
            Ok(files)
        }
        Err(SiteFilesError::Index(e)) => Err(e),
        Err(SiteFilesError::Write(_, never)) => match never {},
    }
}

#[cfg(feature = "writer")]
/// `__kbSearchPage(N,"<bytes>");` — a classic script that hands page N to the loader.
fn page_call(n: u32, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32 + 64);
    out.extend_from_slice(format!("{PAGE_CALLBACK}({n},\"").as_bytes());
    byte_string_into(bytes, &mut out);
    out.extend_from_slice(b"\");\n");
    out
}

/// The page number and bytes a page script (made by `page_call`) holds, as `search.js`'s
/// `pageOfScript` reads them over http; `None` if `script` is not one.
pub fn page_of_script(script: &[u8]) -> Option<(u32, Vec<u8>)> {
    let rest = script.strip_prefix(format!("{PAGE_CALLBACK}(").as_bytes())?;
    let comma = rest.iter().position(|&b| b == b',')?;
    let n = std::str::from_utf8(&rest[..comma]).ok()?.parse().ok()?;
    let inside = rest[comma + 1..].strip_prefix(b"\"")?;
    let inside = inside.strip_suffix(b"\");\n")?;
    let mut bytes = Vec::with_capacity(inside.len());
    let mut at = inside.iter();
    while let Some(&b) = at.next() {
        bytes.push(match b {
            b'\\' => match at.next()? {
                b'n' => b'\n',
                b'r' => b'\r',
                &e @ (b'"' | b'\\') => e,
                _ => return None,
            },
            b'"' => return None,
            b => b,
        });
    }
    Some((n, bytes))
}

#[cfg(feature = "writer")]
/// `window.NAME="<bytes>";` — a classic script any page can load, even from disk.
fn global_script(global: &str, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32 + global.len() + 64);
    out.extend_from_slice(b"/* generated by kb: search data for file:// pages */\nwindow.");
    out.extend_from_slice(global.as_bytes());
    out.extend_from_slice(b"=\"");
    byte_string_into(bytes, &mut out);
    out.extend_from_slice(b"\";\n");
    out
}

/// Appends `bytes` as the inside of a double-quoted JavaScript string, each byte as it is
/// but the four a string cannot hold bare: `"`, `\\`, line feed and carriage return, which
/// are escaped. Read as [`SCRIPT_CHARSET`], which decodes every byte to one character
/// (windows-1252 as browsers define it: Latin-1, but for 27 of the bytes 0x80-0x9f) and
/// none to a line terminator, the script's string has one character per byte, and
/// `search.js` maps the characters back. Fetched over http, `search.js` reads the bytes
/// between the quotes itself. Unlike base64, this keeps the bytes' repeats byte-aligned
/// for the compressor: the first search at 10,000 pages fetched 115 KB of base64 pages
/// (brotli), 99 KB of these, and 98 KB of bare bytes.
#[cfg(feature = "writer")]
fn byte_string_into(bytes: &[u8], out: &mut Vec<u8>) {
    for &b in bytes {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
}

#[cfg(all(test, feature = "writer"))]
mod tests {
    use super::*;

    #[test]
    fn byte_strings_escape_only_what_a_string_cannot_hold() {
        let mut out = Vec::new();
        byte_string_into(b"a\"b\\c\nd\re\0\x80\xff'", &mut out);
        assert_eq!(out, b"a\\\"b\\\\c\\nd\\re\0\x80\xff'");
        // Every byte value, each once: 256 bytes, 4 of them escaped.
        let all: Vec<u8> = (0..=255).collect();
        out.clear();
        byte_string_into(&all, &mut out);
        assert_eq!(out.len(), 260);
    }

    #[test]
    fn page_scripts_call_back() {
        assert_eq!(page_call(7, b"fo\"o"), b"__kbSearchPage(7,\"fo\\\"o\");\n");
        let all: Vec<u8> = (0..=255).chain(0..=255).collect();
        assert_eq!(page_of_script(&page_call(12, &all)), Some((12, all)));
        assert_eq!(page_of_script(b"__kbSearchPage(1,\"a\"b\");\n"), None);
        assert_eq!(page_of_script(b"__kbSearchPage(1,\"a\\x\");\n"), None);
        assert_eq!(page_of_script(b"__kbSearchPage(1,\"ab"), None);
        assert_eq!(page_script("00ff", 7), "search/pages/00ff/7.js");
    }

    /// The browser code must use the same file and variable names.
    #[test]
    fn search_js_uses_these_names() {
        let js = include_str!("../../../themes/default/static/search/search.js");
        for name in [INDEX_FILE, WASM_FILE, INDEX_SCRIPT, WASM_SCRIPT] {
            let file = name.trim_start_matches("search/");
            assert!(
                js.contains(&format!("'{file}'")),
                "search.js does not load {file}"
            );
        }
        assert!(js.contains("'pages/'"), "search.js does not load pages");
        for global in [INDEX_GLOBAL, WASM_GLOBAL, PAGE_CALLBACK] {
            assert!(js.contains(global), "search.js does not read {global}");
        }
        assert!(
            js.contains(&format!("s.charset = '{SCRIPT_CHARSET}'")),
            "search.js does not read the scripts as {SCRIPT_CHARSET}"
        );
    }
}
