//! The index blob: every file of a one-segment tantivy index plus kb's catalog, packed
//! into one byte string with its table of contents first, so a reader that holds only the
//! first pages (see `paged.rs`) can find every file.
//!
//! Layout (little endian):
//!
//! ```text
//! b"KBSEARCH" | u32 format version | u32 file count |
//!   { u16 name length | name (UTF-8) | u64 offset | u64 length }*   (sorted by name)
//!   file data, in table order
//! ```
//!
//! tantivy names segment files after a random UUID and writes it into `meta.json`; the
//! packer replaces it with [`FIXED_SEGMENT_ID`] (the first segment; the next ones end in
//! 2, 3, ...) so the same sections always give the same bytes (the UUID appears nowhere
//! inside the files).

use serde::{Deserialize, Serialize};

use crate::error::SearchError;
use crate::settings::SearchSettings;

const MAGIC: &[u8; 8] = b"KBSEARCH";
/// Version of the blob layout *and* of the schema/tokenizer: bump it whenever an index
/// written by one kb could be misread by another.
pub const FORMAT_VERSION: u32 = 7;
/// Name of kb's own metadata file inside the blob.
pub(crate) const CATALOG_FILE: &str = "kb-catalog.json";
/// The id of the first segment of every blob.
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
    /// The common terms, sorted: the pairs of two of them are terms of their own
    /// (`pairs.rs`). None in the live index of `kb serve`.
    #[serde(default)]
    pub common: Vec<String>,
}

/// One area of the site.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AreaInfo {
    pub id: u64,
    pub area: String,
    pub title: String,
    pub sections: usize,
    /// Pages of the area: what an empty query counts (results count pages).
    pub pages: usize,
}

/// An index blob, shared without copies: the paged site files and the native copy in
/// `search-index/` are made from the same bytes. In memory, or mapped from the file a
/// large site's writer packed it into (see `mapped.rs`).
#[cfg(feature = "writer")]
#[derive(Clone)]
pub struct SharedBlob {
    pub(crate) bytes: tantivy::directory::OwnedBytes,
    mapped: Option<std::sync::Arc<crate::mapped::MappedFile>>,
}

#[cfg(feature = "writer")]
impl From<Vec<u8>> for SharedBlob {
    fn from(bytes: Vec<u8>) -> Self {
        SharedBlob {
            bytes: tantivy::directory::OwnedBytes::new(bytes),
            mapped: None,
        }
    }
}

#[cfg(feature = "writer")]
impl SharedBlob {
    /// The blob in the file `mapped`.
    pub(crate) fn mapped(mapped: crate::mapped::MappedFile) -> SharedBlob {
        SharedBlob {
            bytes: mapped.bytes(),
            mapped: Some(std::sync::Arc::new(mapped)),
        }
    }

    /// Notes that `n` bytes of the blob were read (see `mapped.rs`).
    pub(crate) fn note_read(&self, n: usize) {
        if let Some(mapped) = &self.mapped {
            mapped.note_read(n);
        }
    }

    /// What to tell of each read of the blob, if anything.
    pub(crate) fn read_hook(&self) -> Option<crate::paged::ReadHook> {
        let mapped = self.mapped.clone()?;
        Some(std::sync::Arc::new(move |n| mapped.note_read(n)))
    }

    /// The file the blob is mapped from, if it is: the writer's own, removed with its
    /// folder, so a copy that must outlive the writer is a hard link to it.
    pub fn file(&self) -> Option<&std::path::Path> {
        self.mapped.as_ref().map(|mapped| mapped.path())
    }

    /// Writes the whole blob to `out`, a few megabytes at a time.
    pub fn write_to(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        for chunk in self.bytes.as_slice().chunks(COPY_CHUNK) {
            out.write_all(chunk)?;
            self.note_read(chunk.len());
        }
        Ok(())
    }
}

#[cfg(feature = "writer")]
impl std::ops::Deref for SharedBlob {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.bytes.as_slice()
    }
}

/// Packs `(name, bytes)` files into memory (tests; the writer packs with [`pack_to`]).
/// Names must be unique.
#[cfg(all(test, feature = "writer"))]
pub(crate) fn pack<B: AsRef<[u8]>>(files: Vec<(String, B)>) -> Result<Vec<u8>, SearchError> {
    use tantivy::directory::FileSlice;
    let files = files
        .into_iter()
        .map(|(name, bytes)| (name, FileSlice::from(bytes.as_ref().to_vec())))
        .collect();
    let mut out = Vec::new();
    pack_to(files, &mut out)?;
    Ok(out)
}

/// Bytes of a file copied into the blob at a time: a blob bigger than memory is written
/// from files on disk without holding any of them whole.
#[cfg(feature = "writer")]
const COPY_CHUNK: usize = 4 << 20;

/// Packs `(name, bytes)` files into `out`, a chunk of a file at a time.
#[cfg(feature = "writer")]
pub(crate) fn pack_to(
    mut files: Vec<(String, tantivy::directory::FileSlice)>,
    out: &mut dyn std::io::Write,
) -> Result<(), SearchError> {
    use tantivy::HasLen;
    let io = |e: std::io::Error| SearchError::Index(e.into());
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let toc: usize = files.iter().map(|(n, _)| 18 + n.len()).sum();
    let mut head = Vec::with_capacity(16 + toc);
    head.extend_from_slice(MAGIC);
    head.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    head.extend_from_slice(&(files.len() as u32).to_le_bytes());
    let mut offset = (16 + toc) as u64;
    for (name, data) in &files {
        let name_len = u16::try_from(name.len())
            .map_err(|_| SearchError::CorruptBlob(format!("file name too long: {name}")))?;
        head.extend_from_slice(&name_len.to_le_bytes());
        head.extend_from_slice(name.as_bytes());
        head.extend_from_slice(&offset.to_le_bytes());
        let len = data.len() as u64;
        head.extend_from_slice(&len.to_le_bytes());
        offset += len;
    }
    out.write_all(&head).map_err(io)?;
    for (_, data) in &files {
        for start in (0..data.len()).step_by(COPY_CHUNK) {
            let end = (start + COPY_CHUNK).min(data.len());
            let chunk = data.slice(start..end).read_bytes().map_err(io)?;
            out.write_all(chunk.as_slice()).map_err(io)?;
        }
    }
    Ok(())
}

/// Where one file lies in the blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub name: String,
    pub offset: usize,
    pub len: usize,
}

/// Reads `n` bytes at `*at` through `read`, advancing `*at`.
fn take(
    read: &mut dyn FnMut(usize, usize) -> Option<Vec<u8>>,
    at: &mut usize,
    n: usize,
    what: &str,
) -> Result<Vec<u8>, SearchError> {
    let bytes =
        read(*at, n).ok_or_else(|| SearchError::CorruptBlob(format!("truncated in {what}")))?;
    *at += n;
    Ok(bytes)
}

fn le_u32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

fn le_u64(b: &[u8]) -> usize {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    usize::try_from(u64::from_le_bytes(a)).unwrap_or(usize::MAX)
}

/// Reads the table of contents of a blob of `blob_len` bytes. `read(offset, len)` returns
/// those bytes, or `None` when they are out of range or not available.
pub(crate) fn table_of_contents(
    blob_len: usize,
    read: &mut dyn FnMut(usize, usize) -> Option<Vec<u8>>,
) -> Result<Vec<Entry>, SearchError> {
    let mut at = 0;
    if take(read, &mut at, 8, "header")? != MAGIC {
        return Err(SearchError::CorruptBlob("not a kb search index".into()));
    }
    let version = le_u32(&take(read, &mut at, 4, "header")?);
    if version != FORMAT_VERSION {
        return Err(SearchError::UnsupportedVersion {
            found: version,
            expected: FORMAT_VERSION,
        });
    }
    let count = le_u32(&take(read, &mut at, 4, "header")?) as usize;
    let mut entries: Vec<Entry> = Vec::with_capacity(count.min(64));
    for _ in 0..count {
        let len = take(read, &mut at, 2, "file name")?;
        let name_len = u16::from_le_bytes([len[0], len[1]]) as usize;
        let name = String::from_utf8(take(read, &mut at, name_len, "file name")?)
            .map_err(|_| SearchError::CorruptBlob("file name is not UTF-8".into()))?;
        let place = take(read, &mut at, 16, &name)?;
        let (offset, len) = (le_u64(&place[..8]), le_u64(&place[8..]));
        let fits = offset.checked_add(len).is_some_and(|end| end <= blob_len);
        let in_order = entries.last().is_none_or(|e| e.offset + e.len == offset);
        if !fits || !in_order || (entries.is_empty() && offset < at) {
            return Err(SearchError::CorruptBlob(format!("bad place of {name}")));
        }
        entries.push(Entry { name, offset, len });
    }
    let end = entries.last().map_or(at, |e| e.offset + e.len);
    if end != blob_len {
        return Err(SearchError::CorruptBlob("trailing bytes".into()));
    }
    Ok(entries)
}

/// The table of contents of a whole blob in memory.
#[cfg(test)]
pub(crate) fn unpack(blob: &[u8]) -> Result<Vec<(String, &[u8])>, SearchError> {
    let mut read = |at: usize, n: usize| blob.get(at..at.checked_add(n)?).map(<[u8]>::to_vec);
    let entries = table_of_contents(blob.len(), &mut read)?;
    Ok(entries
        .into_iter()
        .map(|e| (e.name, &blob[e.offset..e.offset + e.len]))
        .collect())
}

#[cfg(all(test, feature = "writer"))]
mod tests {
    use super::*;

    #[test]
    fn round_trip_sorted() {
        let blob = pack(vec![("b".into(), vec![2, 2]), ("a".into(), vec![1])]).unwrap();
        let files = unpack(&blob).unwrap();
        assert_eq!(
            files,
            [
                ("a".to_owned(), &[1u8][..]),
                ("b".to_owned(), &[2u8, 2][..])
            ]
        );
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        assert!(unpack(b"").is_err());
        assert!(unpack(b"KBSEARCH\x09\0\0\0").is_err());
        let mut trailing = pack(vec![("a".into(), vec![1])]).unwrap();
        trailing.push(0);
        assert!(unpack(&trailing).is_err());
        let blob = pack(vec![("a".into(), vec![1; 10])]).unwrap();
        for cut in 0..blob.len() {
            assert!(unpack(&blob[..cut]).is_err());
        }
        let mut huge = blob.clone();
        huge[16 + 2 + 1 + 8..16 + 2 + 1 + 16].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(unpack(&huge).is_err());
    }
}
