//! How `kb serve` keeps one served file in memory: gzip-compressed when that shrinks it by
//! a tenth, as it is otherwise. At 100,000 pages the served files are about 3 GB of HTML,
//! Markdown twins and scripts, the largest thing the server holds; gzip at its fastest
//! level keeps about a third of that (measured on the benchmark corpus: a 17.6 kB page
//! becomes 5.6 kB, where LZ4 kept 7.6 kB). A browser that accepts gzip gets the compressed
//! bytes as they are; anything else gets them decompressed, byte for byte what `kb build`
//! writes. The few files past a megabyte (`llms-full.txt`, sitemaps) are kept as they are,
//! so that an edit that rewrites one does not wait for it to be compressed.

use std::io::{Read, Write};

use axum::body::Bytes;

/// Files larger than this are kept as they are.
const LARGEST_COMPRESSED: usize = 1 << 20;

/// One file's bytes as kept in memory.
#[derive(Clone, Debug)]
pub(crate) enum StoredFile {
    /// Bytes compression does not shrink (images, fonts, the pre-compressed twins).
    Plain(Bytes),
    /// A gzip member holding the file.
    Gzip(Bytes),
}

impl StoredFile {
    /// Keeps `bytes`, compressed when that saves at least a tenth.
    pub(crate) fn new(bytes: Vec<u8>) -> StoredFile {
        // Under a few hundred bytes the gzip header and trailer eat most of the saving.
        // Past a megabyte the file is one of the few the whole site makes (`llms-full.txt`
        // up to 16 MiB, sitemaps): compressing it again would add up to 100 ms to every
        // edit that rewrites it, to save little of the total.
        if bytes.len() < 256 || bytes.len() > LARGEST_COMPRESSED {
            return StoredFile::Plain(Bytes::from(bytes));
        }
        let mut gz = flate2::write::GzEncoder::new(
            Vec::with_capacity(bytes.len() / 3),
            flate2::Compression::fast(),
        );
        // Writing into memory does not fail.
        let compressed = gz.write_all(&bytes).and_then(|()| gz.finish());
        match compressed {
            Ok(gz) if gz.len() * 10 < bytes.len() * 9 => StoredFile::Gzip(Bytes::from(shrink(gz))),
            _ => StoredFile::Plain(Bytes::from(bytes)),
        }
    }

    /// The file's bytes, decompressed.
    pub(crate) fn bytes(&self) -> Bytes {
        match self {
            StoredFile::Plain(bytes) => bytes.clone(),
            StoredFile::Gzip(gz) => {
                let mut out = Vec::with_capacity(gz.len() * 4);
                // Only this module's own output is decoded: it cannot be corrupt, short of
                // a bug, which an empty file makes visible rather than a crash.
                match flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut out) {
                    Ok(_) => Bytes::from(out),
                    Err(e) => {
                        log::error!("cannot decompress a served file: {e}");
                        Bytes::new()
                    }
                }
            }
        }
    }

    /// The gzip-compressed bytes, when the file is kept that way.
    pub(crate) fn gzip(&self) -> Option<Bytes> {
        match self {
            StoredFile::Plain(_) => None,
            StoredFile::Gzip(gz) => Some(gz.clone()),
        }
    }

    /// How many bytes the file takes in memory.
    #[cfg(test)]
    pub(crate) fn stored_len(&self) -> usize {
        match self {
            StoredFile::Plain(bytes) | StoredFile::Gzip(bytes) => bytes.len(),
        }
    }
}

/// `bytes` without the spare capacity the encoder reserved: kept for the session's life.
fn shrink(mut bytes: Vec<u8>) -> Vec<u8> {
    bytes.shrink_to_fit();
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_kept_compressed_and_decodes_to_its_bytes() {
        let html = "<nav><a href=\"../a/\">Pools</a></nav><p>Connection pools</p>\n".repeat(300);
        let stored = StoredFile::new(html.clone().into_bytes());
        assert!(
            stored.stored_len() * 4 < html.len(),
            "{}",
            stored.stored_len()
        );
        assert_eq!(stored.bytes(), html.as_bytes());
        // What a browser that accepts gzip gets is a gzip member of the same bytes.
        let gz = stored.gzip().unwrap();
        assert_eq!(gz[..2], [0x1f, 0x8b]);
        let mut decoded = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut decoded)
            .unwrap();
        assert_eq!(decoded, html);
    }

    #[test]
    fn small_and_incompressible_files_are_kept_as_they_are() {
        let small = StoredFile::new(b"<p>hi</p>".to_vec());
        assert!(small.gzip().is_none());
        assert_eq!(small.bytes(), &b"<p>hi</p>"[..]);
        // A xorshift stream: compression cannot shrink it.
        let noise: Vec<u8> = std::iter::successors(Some(0x2545_f491_4f6c_dd1du64), |x| {
            let x = x ^ (x << 13);
            let x = x ^ (x >> 7);
            Some(x ^ (x << 17))
        })
        .take(20_000)
        .map(|x| x as u8)
        .collect();
        let stored = StoredFile::new(noise.clone());
        assert!(stored.gzip().is_none());
        assert_eq!(stored.bytes(), noise);
    }

    #[test]
    fn an_empty_file_stays_empty() {
        let stored = StoredFile::new(Vec::new());
        assert_eq!(stored.bytes().len(), 0);
        assert!(stored.gzip().is_none());
    }

    #[test]
    fn a_file_of_the_whole_site_is_kept_as_it_is() {
        let text = "# Pools\n".repeat(LARGEST_COMPRESSED / 8 + 1).into_bytes();
        let stored = StoredFile::new(text.clone());
        assert!(stored.gzip().is_none());
        assert_eq!(stored.bytes(), text);
    }
}
