//! Pre-compressed twins of the search files a browser fetches before its first result: the
//! module (`search/kb-search.wasm`) and the head of the index (`search/index.bin`) get a
//! `.br` and a `.gz` beside them. A server that sends a file's twin when the browser
//! accepts that encoding (nginx `gzip_static`/`brotli_static`, Caddy's `precompressed`,
//! `kb serve`) then sends brotli at its best quality, about 30% smaller than gzip for the
//! module, and hosts that would not compress `application/wasm` or
//! `application/octet-stream` on the fly have the bytes ready. The index pages are classic
//! scripts, which every compressing host compresses anyway; twins of thousands of them
//! would cost build time at 10,000 pages for little gain.

use std::io::Write;

/// The module's twins, compressed once by build.rs (brotli at quality 11 takes seconds).
static MODULE_BR: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/kb_search.wasm.br"));
static MODULE_GZ: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/kb_search.wasm.gz"));

/// Brotli quality for the head, compressed on every build. Since the head holds only what
/// opening the index reads (150 KB at 10,000 pages, 23 KB on the guide), 10 is cheap and
/// is where brotli's gain is: at 10,000 pages 81 KB at quality 5 and 9, 70 KB at 10 in
/// 0.2 s, 69 KB at 11 in 0.5 s; on the guide 8.0, 7.2 and 7.1 KB. The head is on a first
/// search's critical path, with the module.
const HEAD_QUALITY: i32 = 10;

/// The encodings of the twins, best first: `Content-Encoding` name and file suffix.
pub(crate) const ENCODINGS: [(&str, &str); 2] = [("br", ".br"), ("gzip", ".gz")];

/// The twins of the site file `path` holding `bytes`, as (path, bytes): none for files
/// that are not fetched before the first result, or that compression does not shrink by
/// a tenth.
pub(crate) fn twins(path: &str, bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let (br, gz) = if path == kb_search::WASM_FILE && bytes == super::search::WASM_MODULE {
        (MODULE_BR.to_vec(), MODULE_GZ.to_vec())
    } else if path == kb_search::INDEX_FILE {
        rayon::join(|| brotli(bytes, HEAD_QUALITY), || gzip(bytes))
    } else {
        return Vec::new();
    };
    [(ENCODINGS[0].1, br), (ENCODINGS[1].1, gz)]
        .into_iter()
        .filter(|(_, data)| data.len() * 10 < bytes.len() * 9)
        .map(|(suffix, data)| (format!("{path}{suffix}"), data))
        .collect()
}

fn brotli(bytes: &[u8], quality: i32) -> Vec<u8> {
    let params = brotli::enc::BrotliEncoderParams {
        quality,
        lgwin: 22,
        ..Default::default()
    };
    let mut out = Vec::with_capacity(bytes.len() / 2);
    // Memory to memory: the only error would be the writer's, and a Vec does not fail.
    let _ = brotli::BrotliCompress(&mut &bytes[..], &mut out, &params);
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    // The default level: `best` took ten times as long for 2% less (gzip -6 and -9 on a
    // 10,000-page head).
    let mut gz = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 2),
        flate2::Compression::default(),
    );
    // As above: writing into memory does not fail.
    let _ = gz.write_all(bytes);
    gz.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn unbrotli(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        brotli::Decompressor::new(data, 4096)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    fn gunzip(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(data)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn the_module_twins_are_the_embedded_module() {
        let module = super::super::search::WASM_MODULE;
        let twins = twins(kb_search::WASM_FILE, module);
        assert_eq!(twins.len(), 2);
        assert_eq!(twins[0].0, "search/kb-search.wasm.br");
        assert_eq!(unbrotli(&twins[0].1), module);
        assert_eq!(twins[1].0, "search/kb-search.wasm.gz");
        assert_eq!(gunzip(&twins[1].1), module);
        // brotli at quality 11 is the smaller one.
        assert!(twins[0].1.len() < twins[1].1.len());
    }

    #[test]
    fn the_head_twins_decompress_to_the_head() {
        let head: Vec<u8> = (0..50_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        let twins = twins(kb_search::INDEX_FILE, &head);
        assert_eq!(twins.len(), 2);
        assert_eq!(unbrotli(&twins[0].1), head);
        assert_eq!(gunzip(&twins[1].1), head);
    }

    #[test]
    fn other_files_and_incompressible_bytes_get_none() {
        assert!(twins("search/pages/0123/7.js", b"__kbSearchPage(7,\"\x00\x01\");").is_empty());
        // Bytes compression cannot shrink (a xorshift stream) are not worth a twin.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let noise: Vec<u8> = (0..20_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        assert!(twins(kb_search::INDEX_FILE, &noise).is_empty());
    }
}
