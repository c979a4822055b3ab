//! A large segment of sections, read sparsely: its field norms and its doc store's skip
//! index are loaded only where the sections a search scores and shows are.
//!
//! tantivy reads a field's norms whole, one byte per document, and a doc store's skip
//! index whole when the index opens. Page matching needs every page's norms, but sections
//! are ranked only within the pages shown, and only the shown sections are read. At 10,000
//! pages a first search fetched some 290 KB of section norms (about 78 KB compressed, most
//! of what it fetched while the module loaded) to score a few dozen sections, and the skip
//! index was 40 KB of the 67 KB head; at 100,000 pages 410 KB of a 614 KB head.
//!
//! Where a segment holds only sections, and more than [`SPARSE_ABOVE`] of them, its
//! `.fieldnorm` file and the finest layer of its skip index (the one that names each block
//! of stored sections; the coarser layers stay in the head) are *sparse ranges*
//! (`paged.rs`): cut into small pages, read whole they see the pages not loaded as zeros.
//! The search reads what it needs of them a byte at a time, which is exact:
//!
//! * the norm of each section it may show, before it trusts their scores
//!   (`Engine::section_norms_missing`, [`read_norms`]);
//! * the path through the skip index to each section it reads, before it reads it
//!   ([`SparseSkip::path_loaded`], `Engine::doc`), with a doc store opened for that search:
//!   the searcher's read the skip index when the index opened.
//!
//! So the answer is the whole blob's, byte for byte. Below the threshold the norms are few
//! enough to fetch ahead with the dictionaries while the module loads (`prefetch.rs`), and
//! the skip index small enough for the head, which costs no round trip.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::directory::{FileSlice, OwnedBytes};
use tantivy::index::{SegmentComponent, SegmentId};
use tantivy::schema::Field;
use tantivy::{Directory, DocAddress, DocId, HasLen, Index, Searcher, SegmentReader};

use crate::collector::Docs;
use crate::paged::PagedBlob;

/// Sections a segment holds above which it is read sparsely: at one byte per section, one
/// field's norms are then more than 16 pages of [`SPARSE_PAGE_SIZE`], where the sections
/// of the five pages a first search shows are on at most ten.
///
/// [`SPARSE_PAGE_SIZE`]: crate::paged::SPARSE_PAGE_SIZE
pub(crate) const SPARSE_ABOVE: u32 = 16_384;

/// Bytes of tantivy's doc-store footer, at the end of a `.store` file (without the
/// managed directory's footer): version (u32), skip index offset (u64), compressor (u8),
/// 15 bytes reserved.
const STORE_FOOTER: usize = 28;

/// Most bytes of one block of checkpoints of a skip index: its count, first document and
/// offset, then eight checkpoints of two VInts of a `u32` each. A walk reads one block
/// per layer (a checkpoint of a layer names one block of the next).
const MAX_BLOCK_BYTES: usize = 5 + 5 + 10 + 8 * (5 + 5);

/// Whether `segment` is read sparsely: it holds sections only, more than [`SPARSE_ABOVE`].
pub(crate) fn is_sparse(segment: &SegmentReader, kind: Field) -> bool {
    segment.max_doc() > SPARSE_ABOVE && !Docs::Pages.in_segment(segment, kind)
}

/// What is read sparsely in the segments that are (see [`is_sparse`]): the byte ranges of
/// `place` (a file's range in the blob), and the skip indexes to read by hand, one per
/// segment read sparsely.
pub(crate) fn sparse_ranges(
    index: &Index,
    kind: Field,
    blob: &Arc<PagedBlob>,
    place: impl Fn(&Path) -> Option<Range<usize>>,
) -> (Vec<Range<usize>>, Vec<SparseSkip>) {
    let (mut ranges, mut skips) = (Vec::new(), Vec::new());
    let Ok(metas) = index.searchable_segment_metas() else {
        return (ranges, skips);
    };
    for meta in metas {
        // A segment reader opens no doc store: the searcher's do.
        let segment = index.segment(meta);
        let Ok(reader) = SegmentReader::open(&segment) else {
            continue;
        };
        if !is_sparse(&reader, kind) {
            continue;
        }
        let path = |component| -> PathBuf { segment.relative_path(component) };
        let store = path(SegmentComponent::Store);
        let (Some(norms), Some(file), Ok(body)) = (
            place(&path(SegmentComponent::FieldNorms)),
            place(&store),
            index.directory().open_read(&store),
        ) else {
            continue;
        };
        // Both or neither: a segment is read sparsely when it is among the skips.
        if let Some(mut skip) = SparseSkip::open(reader.segment_id(), body) {
            // The store's body is the start of its file (the managed footer follows).
            let finest = skip.layers.last().cloned().unwrap_or_default();
            skip.finest = file.start + finest.start..file.start + finest.end;
            skip.pages = Some((blob.clone(), file.start));
            ranges.extend([norms, skip.finest.clone()]);
            skips.push(skip);
        }
    }
    (ranges, skips)
}

/// The norm (tantivy's field-norm id) of `doc` in `field` of `segment`, read as one byte:
/// exact on a sparse range, where a page not loaded is named missing (`paged.rs`), and
/// without reading the field's norms whole, as `get_fieldnorms_reader` would. `None` when
/// the field has no norms or the page is not loaded.
pub(crate) fn norm(segment: &SegmentReader, field: Field, doc: DocId) -> Option<u8> {
    let norms = segment
        .fieldnorms_readers()
        .get_inner_file()
        .open_read(field)?;
    let at = doc as usize;
    let byte = norms.read_bytes_slice(at..at + 1).ok()?;
    byte.as_slice().first().copied()
}

/// Reads the norm of each of `fields` for each of `docs` in a sparse segment (`sparse`
/// names them), so the pages not loaded yet are named missing.
pub(crate) fn read_norms(
    searcher: &Searcher,
    sparse: &[SparseSkip],
    fields: &[Field],
    docs: &[DocAddress],
) {
    for &doc in docs {
        let segment = searcher.segment_reader(doc.segment_ord);
        if !sparse.iter().any(|s| s.segment == segment.segment_id()) {
            continue;
        }
        for &field in fields {
            let _ = norm(segment, field, doc.doc_id);
        }
    }
}

/// The skip index of a sparse segment's doc store, read by hand one byte at a time. Its
/// format is tantivy 0.27's (`store/index/`): a list of the layers' end offsets (VInts),
/// then the layers, coarsest first, each a run of blocks of checkpoints; a checkpoint
/// names a range of documents and the bytes of the layer below (of the stored blocks, for
/// the finest) that cover them.
#[derive(Clone)]
pub(crate) struct SparseSkip {
    pub segment: SegmentId,
    /// The finest layer's bytes in the blob: not the head's (`index.rs`).
    pub finest: Range<usize>,
    /// The store file without the managed directory's footer.
    body: FileSlice,
    /// Each layer's bytes in `body`, coarsest first.
    layers: Vec<Range<usize>>,
    /// The blob and where `body` starts in it: to read the walk's bytes a page at a time.
    pages: Option<(Arc<PagedBlob>, usize)>,
}

/// Bytes of a file slice, read up to the end of a page at a time (one at a time where the
/// pages are not known): a read within one page is exact, so it fails (and names its
/// page) when the page is not loaded, sparse or not. A read per byte took 5% of a warm
/// query at 10,000 pages.
struct Bytes<'a> {
    file: &'a FileSlice,
    at: usize,
    end: usize,
    /// Where the page holding a byte of `file` ends, in `file`.
    page_end: Option<&'a dyn Fn(usize) -> usize>,
    /// The bytes read last, from `read_at`.
    read: OwnedBytes,
    read_at: usize,
}

impl<'a> Bytes<'a> {
    fn new(file: &'a FileSlice, at: usize, end: usize) -> Self {
        Bytes {
            file,
            at,
            end,
            page_end: None,
            read: OwnedBytes::empty(),
            read_at: 0,
        }
    }

    fn byte(&mut self) -> Option<u8> {
        if self.at >= self.end {
            return None;
        }
        if !(self.read_at..self.read_at + self.read.len()).contains(&self.at) {
            let to = self.page_end.map_or(self.at + 1, |end| end(self.at));
            let to = to.clamp(self.at + 1, self.end);
            let Ok(read) = self.file.read_bytes_slice(self.at..to) else {
                // Not loaded: name the page the rest of this block of checkpoints may be
                // on too, or the walk would need a round trip per page.
                let ahead = (self.at + MAX_BLOCK_BYTES).min(self.end - 1);
                let _ = self.file.read_bytes_slice(ahead..ahead + 1);
                return None;
            };
            (self.read, self.read_at) = (read, self.at);
        }
        let byte = self.read.as_slice().get(self.at - self.read_at).copied();
        self.at += 1;
        byte
    }

    /// tantivy's VInt: seven bits a byte, the lowest first, the last byte's high bit set.
    fn vint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 != 0 {
                return Some(value);
            }
        }
        None
    }
}

impl SparseSkip {
    /// Reads the footer and the layer offsets (in the head). `None` when they do not add
    /// up, as a doc store of another format would not.
    fn open(segment: SegmentId, body: FileSlice) -> Option<SparseSkip> {
        let len = body.len();
        let footer = body
            .read_bytes_slice(len.checked_sub(STORE_FOOTER)?..len)
            .ok()?;
        let offset = u64::from_le_bytes(footer.as_slice().get(4..12)?.try_into().ok()?);
        let end = len - STORE_FOOTER;
        let mut bytes = Bytes::new(&body, usize::try_from(offset).ok()?, end);
        let count = bytes.vint()?;
        let ends: Vec<u64> = (0..count).map(|_| bytes.vint()).collect::<Option<_>>()?;
        let data = bytes.at;
        let mut start = data;
        let mut layers = Vec::with_capacity(ends.len());
        for layer_end in ends {
            let layer_end = data.checked_add(usize::try_from(layer_end).ok()?)?;
            if layer_end < start {
                return None;
            }
            layers.push(start..layer_end);
            start = layer_end;
        }
        (start == end && !layers.is_empty()).then_some(SparseSkip {
            segment,
            finest: 0..0,
            body,
            layers,
            pages: None,
        })
    }

    /// Whether every byte tantivy's seek for `doc` reads is loaded: it walks the layers as
    /// `SkipIndex::seek` does, from the first checkpoint whose documents end after `doc`
    /// in one layer to the bytes it names in the next. A byte not loaded stops it, named.
    pub(crate) fn path_loaded(&self, doc: DocId) -> bool {
        let target = u64::from(doc);
        let mut start = 0u64;
        for layer in &self.layers {
            let Some(at) = usize::try_from(start)
                .ok()
                .and_then(|s| layer.start.checked_add(s))
            else {
                return false;
            };
            let page_end = |at: usize| match &self.pages {
                Some((blob, base)) => blob.page_end(base + at).saturating_sub(*base),
                None => at + 1,
            };
            let mut bytes = Bytes::new(&self.body, at, layer.end);
            bytes.page_end = Some(&page_end);
            let found = (|| loop {
                let count = bytes.vint()?;
                if count == 0 {
                    continue;
                }
                let (mut first, mut offset) = (bytes.vint()?, bytes.vint()?);
                let mut found = None;
                for _ in 0..count {
                    let (docs, len) = (bytes.vint()?, bytes.vint()?);
                    // Saturating: the bytes are the index's, but a wrong one must not
                    // overflow in the browser's module.
                    if found.is_none() && first.saturating_add(docs) > target {
                        found = Some(offset);
                    }
                    first = first.saturating_add(docs);
                    offset = offset.saturating_add(len);
                }
                if found.is_some() {
                    return found;
                }
            })();
            match found {
                Some(offset) => start = offset,
                None => return false,
            }
        }
        true
    }
}

#[cfg(all(test, feature = "writer"))]
mod tests {
    use std::sync::Arc;

    use tantivy::directory::OwnedBytes;

    use crate::index::{probe_layout, SearchIndex};
    use crate::paged::{pack_head, Layout, PagedBlob};
    use crate::{build_index, SearchSettings, SectionDoc};

    const WORDS: [&str; 9] = [
        "connection",
        "pool",
        "timeout",
        "retry",
        "cache",
        "queue",
        "lock",
        "shard",
        "replica",
    ];

    /// `pages` pages of five sections, of 3 to 19 words each, so their norms differ,
    /// with some code, so that the stored sections take many blocks.
    fn docs(pages: usize) -> Vec<SectionDoc> {
        (0..pages)
            .flat_map(|p| {
                (0..5).map(move |s| {
                    let n = p * 5 + s;
                    let words: Vec<&str> = (0..3 + n % 17)
                        .map(|k| WORDS[(n * 7 + k * k * 3) % WORDS.len()])
                        .collect();
                    SectionDoc {
                        url: format!("p{p}/#s{s}"),
                        page_url: format!("p{p}/"),
                        page_title: format!("Page {p} {}", WORDS[p % WORDS.len()]),
                        heading: format!("Part {s} {}", WORDS[(p + s) % WORDS.len()]),
                        body: words.join(" "),
                        code: "let x = 1; ".repeat(30),
                        area: "apis".into(),
                        area_title: "APIs".into(),
                        ..SectionDoc::default()
                    }
                })
            })
            .collect()
    }

    #[test]
    fn a_large_index_loads_only_the_norms_and_skip_index_of_the_sections_it_reads() {
        let blob = build_index(&docs(3_400), &SearchSettings::default()).unwrap();
        let whole = SearchIndex::from_blob(&blob).unwrap();
        let probe = PagedBlob::whole(OwnedBytes::new(blob), &Layout::default(), true).unwrap();
        let probe = Arc::new(probe);
        let (plan, prefetch) = probe_layout(probe.clone()).unwrap();
        // The sections' norms, then the finest layer of their doc store's skip index.
        let [norms, skip] = &plan.sparse[..] else {
            panic!("sparse ranges: {:?}", plan.sparse);
        };
        let paged = probe.laid_out(&plan).unwrap();
        let norm_pages = paged.pages_of(std::slice::from_ref(norms));
        let skip_pages = paged.pages_of(std::slice::from_ref(skip));
        assert!(
            skip_pages.len() >= 8,
            "{} pages of skip index",
            skip_pages.len()
        );
        let always = paged.pages_of(&prefetch.always);
        assert!(always.iter().all(|n| norm_pages.binary_search(n).is_err()));
        let head_pages = paged.pages_of(&plan.head);
        assert!(head_pages
            .iter()
            .all(|n| skip_pages.binary_search(n).is_err()));
        let head = pack_head(&paged, &head_pages);
        for q in [
            "q=connection%20pool&limit=5",
            "q=retry%20timeout&limit=30",
            "q=shard",
            "q=replica%20-lock",
            "q=title%3Aqueue",
            "q=Part%203%20cache",
        ] {
            let index = SearchIndex::from_head(&head).unwrap();
            let json = index.answer_loading(q, &paged);
            assert_eq!(json, whole.search_json(q), "{q}");
            let loaded = |pages: &[u32]| {
                pages
                    .iter()
                    .filter(|&&n| index.blob().page(n).is_some())
                    .count()
            };
            // Read whole, the five section text fields' norms are a third of the
            // segment's.
            let norms = loaded(&norm_pages);
            assert!(
                norms * 5 < norm_pages.len(),
                "{q}: {norms} of {} pages of norms",
                norm_pages.len()
            );
            // The pages of the sections shown, and only some of the layer's.
            let skip = loaded(&skip_pages);
            let shown = json.contains("\"url\"");
            assert!(
                skip * 2 <= skip_pages.len() && (skip > 0) == shown,
                "{q}: {skip} of {} pages of skip index",
                skip_pages.len()
            );
        }
    }
}
