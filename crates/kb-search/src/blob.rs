//! The index blob: every file of a one-segment tantivy index plus kb's catalog, packed
//! into one byte string that the browser fetches (or decodes from base64) and unpacks
//! into a `RamDirectory`.
//!
//! Layout (little endian):
//!
//! ```text
//! b"KBSEARCH" | u32 format version | u32 file count |
//!   { u16 name length | name (UTF-8) | u32 data length | data }*
//! ```
//!
//! Files are sorted by name. tantivy names segment files after a random UUID and writes
//! it into `meta.json`; the packer replaces it with [`FIXED_SEGMENT_ID`] so the same
//! sections always give the same bytes (the UUID appears nowhere inside the files).

use serde::{Deserialize, Serialize};

use crate::error::SearchError;
use crate::settings::SearchSettings;

const MAGIC: &[u8; 8] = b"KBSEARCH";
/// Version of the blob layout *and* of the schema/tokenizer: bump it whenever an index
/// written by one kb could be misread by another.
pub const FORMAT_VERSION: u32 = 1;
/// Name of kb's own metadata file inside the blob.
pub(crate) const CATALOG_FILE: &str = "kb-catalog.json";
/// The segment id written into every blob.
#[cfg(feature = "writer")]
pub(crate) const FIXED_SEGMENT_ID: &str = "6b620000000040008000000000000001";

/// kb's metadata stored next to the tantivy files.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Catalog {
    /// Ranking settings the index was built with; the browser searches with them.
    pub settings: SearchSettings,
    /// Areas sorted by folder name; `id` is what the `area_id` fast field holds.
    pub areas: Vec<AreaInfo>,
    /// Number of pages.
    pub pages: usize,
    /// Number of sections (documents).
    pub sections: usize,
}

/// One area of the site.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AreaInfo {
    pub id: u64,
    pub area: String,
    pub title: String,
    pub sections: usize,
}

/// Packs `(name, bytes)` files. Names must be unique.
#[cfg(feature = "writer")]
pub(crate) fn pack(mut files: Vec<(String, Vec<u8>)>) -> Result<Vec<u8>, SearchError> {
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let size: usize = files.iter().map(|(n, d)| 6 + n.len() + d.len()).sum();
    let mut out = Vec::with_capacity(16 + size);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(files.len() as u32).to_le_bytes());
    for (name, data) in &files {
        let name_len = u16::try_from(name.len())
            .map_err(|_| SearchError::CorruptBlob(format!("file name too long: {name}")))?;
        let data_len = u32::try_from(data.len())
            .map_err(|_| SearchError::CorruptBlob(format!("{name} is larger than 4 GiB")))?;
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&data_len.to_le_bytes());
        out.extend_from_slice(data);
    }
    Ok(out)
}

/// Reads `n` bytes at `*at`, advancing it.
fn take<'a>(blob: &'a [u8], at: &mut usize, n: usize, what: &str) -> Result<&'a [u8], SearchError> {
    let end = at.checked_add(n).filter(|&e| e <= blob.len());
    let end = end.ok_or_else(|| SearchError::CorruptBlob(format!("truncated in {what}")))?;
    let slice = &blob[*at..end];
    *at = end;
    Ok(slice)
}

fn le_u32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

/// Unpacks a blob into its files (borrowed).
pub(crate) fn unpack(blob: &[u8]) -> Result<Vec<(&str, &[u8])>, SearchError> {
    let mut at = 0;
    if take(blob, &mut at, 8, "header")? != MAGIC {
        return Err(SearchError::CorruptBlob("not a kb search index".into()));
    }
    let version = le_u32(take(blob, &mut at, 4, "header")?);
    if version != FORMAT_VERSION {
        return Err(SearchError::UnsupportedVersion {
            found: version,
            expected: FORMAT_VERSION,
        });
    }
    let count = le_u32(take(blob, &mut at, 4, "header")?) as usize;
    let mut files = Vec::with_capacity(count.min(64));
    for _ in 0..count {
        let len = take(blob, &mut at, 2, "file name")?;
        let name_len = u16::from_le_bytes([len[0], len[1]]) as usize;
        let name = std::str::from_utf8(take(blob, &mut at, name_len, "file name")?)
            .map_err(|_| SearchError::CorruptBlob("file name is not UTF-8".into()))?;
        let data_len = le_u32(take(blob, &mut at, 4, name)?) as usize;
        files.push((name, take(blob, &mut at, data_len, name)?));
    }
    if at != blob.len() {
        return Err(SearchError::CorruptBlob("trailing bytes".into()));
    }
    Ok(files)
}

#[cfg(all(test, feature = "writer"))]
mod tests {
    use super::*;

    #[test]
    fn round_trip_sorted() {
        let blob = pack(vec![("b".into(), vec![2, 2]), ("a".into(), vec![1])]).unwrap();
        let files = unpack(&blob).unwrap();
        assert_eq!(files, [("a", &[1u8][..]), ("b", &[2u8, 2][..])]);
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        assert!(unpack(b"").is_err());
        assert!(unpack(b"KBSEARCH\x09\0\0\0").is_err());
        let blob = pack(vec![("a".into(), vec![1; 10])]).unwrap();
        for cut in 0..blob.len() {
            assert!(unpack(&blob[..cut]).is_err());
        }
        let mut huge = blob.clone();
        huge[16 + 2 + 1..16 + 2 + 1 + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(unpack(&huge).is_err());
    }
}
