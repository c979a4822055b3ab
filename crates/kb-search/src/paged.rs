//! The blob cut into pages, so the browser downloads only what a query reads.
//!
//! Pages never straddle two files of the blob. A page holds whole units (below) up to
//! [`PAGE_SIZE`]; on a small index the postings, positions and doc store are cut finer
//! than the rest (see [`unit_page_size`]).
//!
//! The site gets a *head* (`search/index.bin`): exactly the bytes that opening the index
//! reads (table of contents, `meta.json`, footers, the term dictionaries' block indexes,
//! the doc-store skip index), found at build time by opening the index natively and
//! recording every read; each of those reads is a page of its own. Every other page is its
//! own file (`search/pages/<id>/<n>.js`).
//!
//! Where the other pages are cut is found the same way (see [`Layout`]): the writer reads
//! every unit a query may read (each term dictionary block, each term's postings and
//! positions, each field's norms, each doc-store block) and pages are cut between units,
//! so a query downloads whole units and never half of one at the end of a page.
//!
//! Reads of a page that is not loaded fail with an I/O error that tantivy passes up, and
//! the page is recorded as missing (but see *sparse ranges* below). A search that
//! recorded a missing page is not answered:
//! the caller loads those pages and asks again (see `SearchIndex::answer`). Each round
//! loads at least one new page, so this ends; the final round read only loaded pages, so
//! its answer is exactly the answer of the whole blob.
//!
//! *Cell pages.* The doc store's blocks are cut differently: its span of blocks is split
//! into cells of the file's smallest page size, and page `k` holds the blocks that start
//! in cell `k`. The head's table then gives each such page the cell's length, the same
//! for all of them, instead of the page's own: tantivy reads a block by its own byte
//! range, and a block starting in cell `k` lies wholly in page `k`, so the reader finds
//! the page from the cell and learns where its bytes start when it arrives (the page
//! file begins with how far after the cell's start its first block does). The lengths of
//! pages cut between blocks, all different, took 10.6 KB of the 36 KB head at 10,000
//! pages (brotli), and ten times that at 100,000. A read that is not of whole blocks
//! (none is) still gets its bytes: it finds the page it starts in once its cell's page
//! has arrived, a round later.
//!
//! Head layout (little endian):
//!
//! ```text
//! b"KBSHEAD\0" | u32 format version | u64 blob id | u32 page count |
//!   { u32 page length, the top bit set for a cell page (the cell's length) }* |
//!   u32 pages held | { u32 page number | data }*
//! ```
//!
//! The data of a cell page is `u32 lead | bytes` in its file, `u32 lead | u32 length |
//! bytes` in the head: its bytes start `lead` bytes after its cell does.
//!
//! *Sparse ranges* (the field norms of a large segment of sections and the finest layer of
//! its doc store's skip index, see `sparse.rs`) are cut into pages of
//! [`SPARSE_PAGE_SIZE`], and a read that spans several pages and misses only pages of
//! sparse ranges (a field's norms, or a skip index, which tantivy reads whole) reads those
//! as zeros and names none of them. A read within one page (one document's norm, one byte
//! of a skip index) is exact as any other: the search reads so what the documents it
//! scores and shows need, so their pages are loaded before it answers, and the zeros are
//! never read for them.
//!
//! The blob id (a hash of the whole blob) names the folder of the pages, so a reader who
//! opened search before the site was rebuilt gets "not found" for the new build's pages,
//! never a page of another index; and every page file can be cached forever.
//!
//! ```text
//! ```

use std::collections::{BTreeSet, HashMap};
use std::io;
use std::ops::Range;
use std::sync::{Mutex, OnceLock};

use tantivy::directory::OwnedBytes;

use crate::blob::{table_of_contents, FORMAT_VERSION};
use crate::error::SearchError;

const HEAD_MAGIC: &[u8; 8] = b"KBSHEAD\0";
/// Most bytes per page: a longer unit (a common word's posting list) is cut into pages of
/// this size, and a file without recorded units is cut only at this size.
pub(crate) const PAGE_SIZE: usize = 32 * 1024;
/// Fewest bytes per page where units allow: consecutive units (the terms a prefix expands
/// to sit next to each other) share a page until it reaches this size. Smaller pages
/// download fewer bytes a query does not read, larger ones take fewer requests.
pub(crate) const UNIT_PAGE_SIZE: usize = 4 * 1024;
/// Fewest bytes per page of postings, positions and doc store on a small index: most of a
/// query's units there are a few bytes to a few hundred (a rare term's postings, one
/// block of stored text), and a 4 KiB page of them is mostly bytes the query does not
/// read. On the guide (127 pages), 1 KiB pages take the index bytes the first ten results
/// of `connection pool` download from 286 KB to 190 KB, for 78 pages instead of 69 (in
/// the same three rounds), and the index from 548 files to 1,410.
///
/// The term dictionaries too, since a query's first index pages are fetched while the
/// module loads (`prefetch.rs`), so more requests cost no round trip: a word was then one
/// 1,000-byte block in each of the 11 text fields (since `words.rs`, one or two blocks
/// hold it in all of them), and 4 KiB pages of them brought three blocks the query did
/// not read. On the guide `connection pool` reads 20 dictionary
/// pages, 30 KB, instead of 16 pages, 61 KB; the 297 relevance queries read 127 KB on
/// average instead of 168 KB, and 15 of them take a fourth round instead of 5 (a typo's
/// neighbours are less often on the pages the word itself loaded). 129 more files.
const SMALL_UNIT_PAGE_SIZE: usize = 1024;
/// How many smallest pages the postings, positions, doc store and term dictionaries may be
/// cut into, about:
/// their smallest page is the blob's length over this, between [`SMALL_UNIT_PAGE_SIZE`]
/// and [`UNIT_PAGE_SIZE`]. Small sites get small pages; from about 30 MB of index (some
/// 4,000 pages of Markdown) the pages are what they were, so the number of files a large
/// site deploys does not grow.
const SMALL_PAGES: usize = 8192;

/// Fewest bytes per page, where units allow, of the blob file `name` in a blob of
/// `blob_len` bytes.
fn unit_page_size(name: &str, blob_len: usize) -> usize {
    let fine = [".idx", ".pos", ".store", ".term"]
        .iter()
        .any(|ext| name.ends_with(ext));
    match fine {
        true => (blob_len / SMALL_PAGES).clamp(SMALL_UNIT_PAGE_SIZE, UNIT_PAGE_SIZE),
        false => UNIT_PAGE_SIZE,
    }
}

/// Bytes per page of a sparse range: a page of norms holds one byte per section, so the
/// sections of one shown page (neighbours in the segment) are on one or two pages.
pub(crate) const SPARSE_PAGE_SIZE: usize = 1024;

/// Reads of the head closer than this are one page (a footer read in three small reads).
const UNIT_GAP: usize = 64;

/// Most bytes of cross-page reads kept assembled; past it the cache starts over.
const ASSEMBLED_MAX_BYTES: usize = 64 << 20;

/// Cross-page reads by byte range, and their total size.
#[derive(Default)]
struct Assembled {
    reads: HashMap<(usize, usize), OwnedBytes>,
    bytes: usize,
}

/// The message of the I/O error a read of a missing page fails with.
const MISSING: &str = "kb search: index page not loaded yet";

/// The top bit of a page's length in the head's table: a cell page.
const CELL_BIT: u32 = 1 << 31;

/// A loaded page: where its bytes start in the blob, and the bytes.
struct Page {
    start: usize,
    bytes: OwnedBytes,
}

impl Page {
    fn range(&self) -> Range<usize> {
        self.start..self.start + self.bytes.len()
    }
}

/// Where the pages of a blob are cut (see [`layout`]): for each page where its table
/// entry starts (the cell's start for a cell page), where its bytes start, and whether it
/// is a cell page. For every page but cell pages the two starts are one.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Cuts {
    pub nominal: Vec<usize>,
    pub actual: Vec<usize>,
    pub cell: Vec<bool>,
}

impl Cuts {
    fn push(&mut self, nominal: usize, actual: usize, cell: bool) {
        self.nominal.push(nominal);
        self.actual.push(actual);
        self.cell.push(cell);
    }
}

/// A blob of which some pages are loaded.
pub(crate) struct PagedBlob {
    len: usize,
    /// Hash of the whole blob: the name of its pages' folder.
    id: u64,
    /// Where each page's table entry starts; entry `n` ends where `n + 1` starts (the
    /// last at `len`). The page's bytes too, but for cell pages (see the module's docs).
    starts: Vec<usize>,
    /// Whether each page is a cell page.
    cell: Vec<bool>,
    pages: Vec<OnceLock<Page>>,
    /// The whole blob, when every page is loaded from it: reads across pages are then
    /// slices of it instead of copies.
    whole: Option<OwnedBytes>,
    /// Reads that crossed pages, assembled once: tantivy reads the same posting and
    /// position lists on every query, and copying them again each time was a large part
    /// of a warm query. Bounded by [`ASSEMBLED_MAX_BYTES`].
    assembled: Mutex<Assembled>,
    /// Pages a read wanted but did not find, since the last `take_missing`.
    missing: Mutex<BTreeSet<u32>>,
    /// The sparse ranges (see the module's docs), set once the index is open.
    sparse: OnceLock<Vec<Range<usize>>>,
    /// Byte ranges read, when recording (to lay out the pages and find the head).
    touched: Option<Mutex<Vec<Range<usize>>>>,
    /// Told how many bytes of the whole blob each read hands out (see [`ReadHook`]).
    on_read: Option<ReadHook>,
}

/// Told the length of each read of a whole blob: a mapped blob hands its pages back to
/// the kernel every so many bytes (see `mapped.rs`).
pub(crate) type ReadHook = std::sync::Arc<dyn Fn(usize) + Send + Sync>;

impl std::fmt::Debug for PagedBlob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PagedBlob({} bytes)", self.len)
    }
}

fn corrupt(what: impl std::fmt::Display) -> SearchError {
    SearchError::CorruptBlob(what.to_string())
}

/// A 64-bit hash of the blob, eight bytes per step (Fx-style rotate, xor, multiply, then
/// a final avalanche): a version stamp, not a security measure. Byte-wise FNV-1a took
/// 60 ms on a 57 MB index. `on_read` is told of each [`ID_CHUNK`] bytes hashed.
fn blob_id(blob: &[u8], on_read: Option<&ReadHook>) -> u64 {
    /// Bytes hashed between two calls of the hook: a multiple of the word size.
    const ID_CHUNK: usize = 1 << 20;
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let step = |h: u64, word: u64| (h.rotate_left(5) ^ word).wrapping_mul(K);
    let mut h = step(0xcbf2_9ce4_8422_2325, blob.len() as u64);
    let mut tail: &[u8] = &[];
    for chunk in blob.chunks(ID_CHUNK) {
        let mut words = chunk.chunks_exact(8);
        for w in &mut words {
            h = step(h, u64::from_le_bytes(w.try_into().unwrap_or_default()));
        }
        tail = words.remainder();
        if let Some(hook) = on_read {
            hook(chunk.len());
        }
    }
    let mut last = [0u8; 8];
    last[..tail.len()].copy_from_slice(tail);
    h = step(h, u64::from_le_bytes(last));
    // Spread the last steps' bits over the whole id (splitmix64's finaliser).
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// Where pages are cut: the byte ranges the head holds, and the units queries read.
#[derive(Debug, Default, Clone)]
pub(crate) struct Layout {
    /// Ranges read by opening the index: each becomes pages of its own, held by the head.
    pub head: Vec<Range<usize>>,
    /// Ranges read as a whole by queries: pages are cut between them where possible.
    pub units: Vec<Range<usize>>,
    /// Sparse ranges (see the module's docs): cut into pages of [`SPARSE_PAGE_SIZE`].
    pub sparse: Vec<Range<usize>>,
}

/// Sorted, with ranges that overlap or lie within [`UNIT_GAP`] of each other merged.
pub(crate) fn merged(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.retain(|r| !r.is_empty());
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end + UNIT_GAP => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// Where the pages of `blob` start. The table of contents is one page; each file is cut
/// at the bounds of the head's ranges, between units once a page holds
/// [`unit_page_size`] bytes, and wherever a page would pass [`PAGE_SIZE`]; a sparse range
/// at its bounds and every [`SPARSE_PAGE_SIZE`] bytes; a doc store's blocks into cell
/// pages (see the module's docs).
pub(crate) fn layout(blob: &[u8], plan: &Layout) -> Result<Cuts, SearchError> {
    let mut read = |at: usize, n: usize| blob.get(at..at.checked_add(n)?).map(<[u8]>::to_vec);
    let entries = table_of_contents(blob.len(), &mut read)?;
    let files: Vec<_> = entries.iter().filter(|e| e.len > 0).collect();
    // Unit starts are where a page may end; the head's bounds and each file's end are
    // where one must.
    let mut may: Vec<usize> = plan.units.iter().map(|r| r.start).collect();
    may.sort_unstable();
    let head = merged(plan.head.clone());
    let mut must: Vec<usize> = head
        .iter()
        .flat_map(|r| [r.start, r.end])
        .chain(files.iter().map(|e| e.offset + e.len))
        .chain(plan.sparse.iter().flat_map(|r| [r.start, r.end]))
        .collect();
    must.sort_unstable();
    must.dedup();
    let sparse_at = |at: usize| plan.sparse.iter().any(|r| r.start <= at && at < r.end);
    let in_head = |span: &Range<usize>| {
        head.iter()
            .any(|r| r.start <= span.start && span.end <= r.end)
    };
    // The sorted `list`'s bounds in `(from, to)`, with `to` itself when `to_too`.
    let inside = |list: &[usize], from: usize, to: usize, to_too: bool| -> Vec<usize> {
        let first = list.partition_point(|&m| m <= from);
        let last = list.partition_point(|&m| m < to || (to_too && m == to));
        list[first..last].to_vec()
    };
    let mut cuts = Cuts::default();
    cuts.push(0, 0, false);
    for e in files {
        let unit = unit_page_size(&e.name, blob.len());
        let store = e.name.ends_with(".store");
        // The file's spans between the bounds pages must end at, each cut on its own.
        let mut from = e.offset;
        for to in inside(&must, e.offset, e.offset + e.len, true) {
            let span = from..to;
            from = to;
            let units = inside(&may, span.start, span.end, false);
            let sparse = sparse_at(span.start);
            if store && !sparse && !units.is_empty() && !in_head(&span) {
                // Cell `k` starts at `span.start + k * unit`; its page holds the units
                // that start in it.
                for at in span.clone().step_by(unit) {
                    let first = units.partition_point(|&u| u < at);
                    let actual = match at == span.start {
                        true => at,
                        false => units.get(first).copied().unwrap_or(span.end),
                    };
                    cuts.push(at, actual, true);
                }
            } else {
                let (smallest, largest) = match sparse {
                    true => (SPARSE_PAGE_SIZE, SPARSE_PAGE_SIZE),
                    false => (unit, PAGE_SIZE),
                };
                let mut at = span.start;
                cuts.push(at, at, false);
                for bound in units.into_iter().chain([span.end]) {
                    while bound - at > largest {
                        at += largest;
                        cuts.push(at, at, false);
                    }
                    if bound < span.end && bound - at >= smallest {
                        at = bound;
                        cuts.push(at, at, false);
                    }
                }
            }
        }
    }
    Ok(cuts)
}

impl PagedBlob {
    fn empty(len: usize, id: u64, starts: Vec<usize>, cell: Vec<bool>, record: bool) -> Self {
        PagedBlob {
            len,
            id,
            pages: starts.iter().map(|_| OnceLock::new()).collect(),
            starts,
            cell,
            whole: None,
            assembled: Mutex::new(Assembled::default()),
            missing: Mutex::new(BTreeSet::new()),
            sparse: OnceLock::new(),
            touched: record.then(|| Mutex::new(Vec::new())),
            on_read: None,
        }
    }

    /// A blob with every page loaded (slices of `whole`, not copies), cut by `plan`;
    /// `record` notes the ranges reads touch.
    pub(crate) fn whole(
        whole: OwnedBytes,
        plan: &Layout,
        record: bool,
    ) -> Result<Self, SearchError> {
        let id = blob_id(whole.as_slice(), None);
        PagedBlob::whole_with_id(whole, id, plan, record)
    }

    /// [`Self::whole`], telling `on_read` of every read of it, the hashing of its id
    /// included.
    #[cfg(feature = "writer")]
    pub(crate) fn whole_watched(
        whole: OwnedBytes,
        plan: &Layout,
        record: bool,
        on_read: ReadHook,
    ) -> Result<Self, SearchError> {
        let id = blob_id(whole.as_slice(), Some(&on_read));
        let mut paged = PagedBlob::whole_with_id(whole, id, plan, record)?;
        paged.on_read = Some(on_read);
        Ok(paged)
    }

    /// The same whole blob cut by `plan` instead, without hashing it again.
    #[cfg(feature = "writer")]
    pub(crate) fn laid_out(&self, plan: &Layout) -> Result<Self, SearchError> {
        let whole = self
            .whole
            .clone()
            .ok_or_else(|| corrupt("not a whole blob"))?;
        let mut paged = PagedBlob::whole_with_id(whole, self.id, plan, false)?;
        paged.on_read = self.on_read.clone();
        Ok(paged)
    }

    fn whole_with_id(
        whole: OwnedBytes,
        id: u64,
        plan: &Layout,
        record: bool,
    ) -> Result<Self, SearchError> {
        let blob = whole.as_slice();
        let cuts = layout(blob, plan)?;
        let mut paged = PagedBlob::empty(blob.len(), id, cuts.nominal, cuts.cell, record);
        let ends = cuts.actual.iter().skip(1).copied().chain([blob.len()]);
        for (n, (start, end)) in cuts.actual.iter().copied().zip(ends).enumerate() {
            let bytes = whole.slice(start..end);
            let _ = paged.pages[n].set(Page { start, bytes });
        }
        paged.whole = Some(whole);
        Ok(paged)
    }

    /// A blob with only the pages of a head loaded.
    pub(crate) fn from_head(head: &[u8]) -> Result<Self, SearchError> {
        let mut at = 0usize;
        let mut take = |n: usize| -> Result<&[u8], SearchError> {
            let end = at.checked_add(n).filter(|&e| e <= head.len());
            let end = end.ok_or_else(|| corrupt("truncated search head"))?;
            let bytes = &head[at..end];
            at = end;
            Ok(bytes)
        };
        if take(8)? != HEAD_MAGIC {
            return Err(corrupt("not a kb search head"));
        }
        let u32_at = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let version = u32_at(take(4)?);
        if version != FORMAT_VERSION {
            return Err(SearchError::UnsupportedVersion {
                found: version,
                expected: FORMAT_VERSION,
            });
        }
        let mut id = [0u8; 8];
        id.copy_from_slice(take(8)?);
        let id = u64::from_le_bytes(id);
        let count = u32_at(take(4)?) as usize;
        let lengths = take(count.checked_mul(4).ok_or_else(|| corrupt("page count"))?)?;
        let mut starts = Vec::with_capacity(count);
        let mut cell = Vec::with_capacity(count);
        let mut len = 0usize;
        for l in lengths.chunks(4) {
            starts.push(len);
            cell.push(u32_at(l) & CELL_BIT != 0);
            len = len
                .checked_add((u32_at(l) & !CELL_BIT) as usize)
                .ok_or_else(|| corrupt("page lengths"))?;
        }
        let paged = PagedBlob::empty(len, id, starts, cell, false);
        let held = u32_at(take(4)?);
        for _ in 0..held {
            let n = u32_at(take(4)?);
            if n as usize >= count {
                return Err(corrupt(format!("no page {n}")));
            }
            // A page in the head has its length; a cell page's too, after its lead.
            let data = match paged.cell[n as usize] {
                false => take(paged.page_range(n as usize).len())?,
                true => {
                    let lead = take(8)?;
                    let len = u32_at(&lead[4..]) as usize;
                    let bytes = take(len)?;
                    paged.add_cell_page(n, u32_at(lead), bytes)?;
                    continue;
                }
            };
            paged.add_page(n, data)?;
        }
        if at != head.len() {
            return Err(corrupt("trailing bytes in search head"));
        }
        Ok(paged)
    }

    /// The blob's id, as the 16 hex digits that name its pages' folder.
    pub(crate) fn id(&self) -> String {
        format!("{:016x}", self.id)
    }

    /// Length of the blob in bytes.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Number of pages.
    pub(crate) fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Byte range of page `n`'s entry in the head's table.
    fn nominal_range(&self, n: usize) -> Range<usize> {
        self.starts[n]..self.starts.get(n + 1).copied().unwrap_or(self.len)
    }

    /// Byte range of page `n` in the blob: of its bytes once loaded, else of its table
    /// entry (the cell, for a cell page).
    pub(crate) fn page_range(&self, n: usize) -> Range<usize> {
        match self.pages[n].get() {
            Some(page) => page.range(),
            None => self.nominal_range(n),
        }
    }

    /// The page holding byte `at` (which must be below `len`): exact but where a cell
    /// page is not loaded, whose bytes start at its cell or after (see the module's docs):
    /// then a guess, the page of the cell `at` is in or of the first earlier cell that is
    /// not loaded.
    fn page_at(&self, at: usize) -> usize {
        let mut n = self.starts.partition_point(|&s| s <= at) - 1;
        while n > 0 && self.cell[n] && self.pages[n].get().is_some_and(|p| p.start > at) {
            n -= 1;
        }
        n
    }

    /// Where the page holding byte `at` ends: a read from `at` to there is within one
    /// page (exact but for a cell page not loaded, see [`Self::page_at`]).
    pub(crate) fn page_end(&self, at: usize) -> usize {
        match at < self.len {
            true => self.page_range(self.page_at(at)).end,
            false => self.len,
        }
    }

    /// Loads page `n` from its file's data (a second copy of a loaded page is ignored).
    pub(crate) fn add_page(&self, n: u32, data: &[u8]) -> Result<(), SearchError> {
        if self.cell.get(n as usize) == Some(&true) {
            let (lead, bytes) = data
                .split_first_chunk::<4>()
                .ok_or_else(|| corrupt(format!("page {n} is cut short")))?;
            return self.add_cell_page(n, u32::from_le_bytes(*lead), bytes);
        }
        let slot = self
            .pages
            .get(n as usize)
            .ok_or_else(|| corrupt(format!("no page {n}")))?;
        if data.len() != self.nominal_range(n as usize).len() {
            return Err(corrupt(format!("page {n} has the wrong length")));
        }
        let start = self.starts[n as usize];
        let bytes = OwnedBytes::new(data.to_vec());
        let _ = slot.set(Page { start, bytes });
        Ok(())
    }

    /// Loads cell page `n`, whose bytes start `lead` bytes after its cell.
    fn add_cell_page(&self, n: u32, lead: u32, bytes: &[u8]) -> Result<(), SearchError> {
        let start = self.starts[n as usize].checked_add(lead as usize);
        let start = start.filter(|s| s.checked_add(bytes.len()).is_some_and(|e| e <= self.len));
        let start = start.ok_or_else(|| corrupt(format!("page {n} lies outside the index")))?;
        let bytes = OwnedBytes::new(bytes.to_vec());
        let _ = self.pages[n as usize].set(Page { start, bytes });
        Ok(())
    }

    /// Makes `ranges` of the blob sparse (see the module's docs). Only the first call
    /// counts: the index is opened once.
    pub(crate) fn set_sparse(&self, ranges: Vec<Range<usize>>) {
        let _ = self.sparse.set(ranges);
    }

    /// The sparse ranges.
    #[cfg(feature = "writer")]
    pub(crate) fn sparse(&self) -> &[Range<usize>] {
        self.sparse.get().map_or(&[], Vec::as_slice)
    }

    /// `range` with the pages that are not loaded read as zeros: not kept with the
    /// assembled reads, as those pages may come later.
    fn zero_filled(&self, range: Range<usize>) -> OwnedBytes {
        let mut out = vec![0u8; range.len()];
        for n in self.page_at(range.start)..=self.page_at(range.end - 1) {
            let Some(page) = self.pages[n].get() else {
                continue;
            };
            let pr = page.range();
            let (from, to) = (range.start.max(pr.start), range.end.min(pr.end));
            out[from - range.start..to - range.start]
                .copy_from_slice(&page.bytes.as_slice()[from - pr.start..to - pr.start]);
        }
        OwnedBytes::new(out)
    }

    /// The pages reads wanted and did not find since the last call.
    pub(crate) fn take_missing(&self) -> Vec<u32> {
        let mut missing = self.missing.lock().unwrap_or_else(|e| e.into_inner());
        std::mem::take(&mut *missing).into_iter().collect()
    }

    /// Whether every page is loaded, from one whole blob.
    pub(crate) fn is_whole(&self) -> bool {
        self.whole.is_some()
    }

    /// Whether a read wanted a page that is not loaded, since the last `take_missing`.
    pub(crate) fn has_missing(&self) -> bool {
        !self
            .missing
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_empty()
    }

    /// The ranges reads touched since the last call (when recording), in read order.
    #[cfg(feature = "writer")]
    pub(crate) fn take_touched(&self) -> Vec<Range<usize>> {
        self.touched.as_ref().map_or_else(Vec::new, |t| {
            std::mem::take(&mut *t.lock().unwrap_or_else(|e| e.into_inner()))
        })
    }

    /// The pages that hold bytes of `ranges`.
    #[cfg(feature = "writer")]
    pub(crate) fn pages_of(&self, ranges: &[Range<usize>]) -> Vec<u32> {
        let mut pages: Vec<u32> = ranges
            .iter()
            .filter(|r| !r.is_empty() && r.end <= self.len)
            .flat_map(|r| self.page_at(r.start) as u32..=self.page_at(r.end - 1) as u32)
            .collect();
        pages.sort_unstable();
        pages.dedup();
        pages
    }

    /// Reads `range` of the blob. Fails (and records the pages) when a page is missing.
    pub(crate) fn read(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        if range.start > range.end || range.end > self.len {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "read past the end of the search index",
            ));
        }
        if range.is_empty() {
            return Ok(OwnedBytes::empty());
        }
        if let Some(touched) = &self.touched {
            touched
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(range.clone());
        }
        if let Some(whole) = &self.whole {
            if let Some(hook) = &self.on_read {
                hook(range.len());
            }
            return Ok(whole.slice(range));
        }
        let first = self.page_at(range.start);
        let last = self.page_at(range.end - 1).max(first);
        if (first..=last).any(|n| self.cell[n]) {
            return self.read_cells(range, first);
        }
        let absent = |n: &usize| self.pages[*n].get().is_none();
        if (first..=last).any(|n| absent(&n)) {
            let in_sparse = |n: usize| {
                let page = self.page_range(n);
                self.sparse.get().is_some_and(|ranges| {
                    ranges
                        .iter()
                        .any(|r| r.start <= page.start && page.end <= r.end)
                })
            };
            if first != last && (first..=last).filter(absent).all(in_sparse) {
                return Ok(self.zero_filled(range));
            }
            let mut missing = self.missing.lock().unwrap_or_else(|e| e.into_inner());
            missing.extend((first..=last).filter(absent).map(|n| n as u32));
            return Err(io::Error::other(MISSING));
        }
        let page = |n: usize| self.pages[n].get().expect("checked above");
        if first == last {
            let base = page(first).start;
            return Ok(page(first)
                .bytes
                .slice(range.start - base..range.end - base));
        }
        self.assemble(range, (first..=last).map(page))
    }

    /// Reads `range` where it meets cell pages: page after page from `first` (see
    /// [`Self::page_at`]), as where a cell page ends is known only once it is loaded. Names
    /// the missing pages up to the first cell page missing.
    fn read_cells(&self, range: Range<usize>, first: usize) -> io::Result<OwnedBytes> {
        let mut pages = Vec::new();
        let mut missing = Vec::new();
        let (mut n, mut at) = (first, range.start);
        while at < range.end && n < self.pages.len() {
            match self.pages[n].get() {
                Some(page) if page.start <= at && at <= page.range().end => {
                    at = page.range().end;
                    pages.push(page);
                }
                Some(_) => return Err(io::Error::other("kb search: index pages disagree")),
                None if self.cell[n] => {
                    missing.push(n as u32);
                    break;
                }
                None => {
                    missing.push(n as u32);
                    at = self.nominal_range(n).end;
                }
            }
            n += 1;
        }
        if !missing.is_empty() {
            let mut all = self.missing.lock().unwrap_or_else(|e| e.into_inner());
            all.extend(missing);
            return Err(io::Error::other(MISSING));
        }
        if at < range.end {
            return Err(io::Error::other("kb search: index pages disagree"));
        }
        match pages[..] {
            [page] => {
                let base = page.start;
                Ok(page.bytes.slice(range.start - base..range.end - base))
            }
            _ => self.assemble(range, pages.into_iter()),
        }
    }

    /// `range` copied out of `pages`, which hold it in order, once: kept for the next read.
    fn assemble<'a>(
        &self,
        range: Range<usize>,
        pages: impl Iterator<Item = &'a Page>,
    ) -> io::Result<OwnedBytes> {
        let key = (range.start, range.end);
        let mut assembled = self.assembled.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(bytes) = assembled.reads.get(&key) {
            return Ok(bytes.clone());
        }
        let mut out = Vec::with_capacity(range.len());
        for page in pages {
            let pr = page.range();
            let from = range.start.max(pr.start) - pr.start;
            let to = range.end.min(pr.end).max(range.start.max(pr.start)) - pr.start;
            out.extend_from_slice(&page.bytes.as_slice()[from..to]);
        }
        let bytes = OwnedBytes::new(out);
        if assembled.bytes + bytes.len() > ASSEMBLED_MAX_BYTES {
            *assembled = Assembled::default();
        }
        assembled.bytes += bytes.len();
        assembled.reads.insert(key, bytes.clone());
        Ok(bytes)
    }

    /// The data of page `n`'s file, if loaded, as [`Self::add_page`] takes it: its
    /// bytes, after their lead for a cell page (the writer writes the page files; the
    /// reader only reads through [`Self::read`]).
    #[cfg(feature = "writer")]
    pub(crate) fn page(&self, n: u32) -> Option<std::borrow::Cow<'_, [u8]>> {
        let page = self.pages.get(n as usize)?.get()?;
        Some(match self.cell[n as usize] {
            false => page.bytes.as_slice().into(),
            true => {
                let lead = (page.start - self.starts[n as usize]) as u32;
                [&lead.to_le_bytes()[..], page.bytes.as_slice()]
                    .concat()
                    .into()
            }
        })
    }

    /// Reads `len` bytes at `at`, `None` when out of range or missing.
    pub(crate) fn get(&self, at: usize, len: usize) -> Option<Vec<u8>> {
        let end = at.checked_add(len)?;
        self.read(at..end).ok().map(|b| b.as_slice().to_vec())
    }
}

/// The head file of a whole blob: its page table and the given pages, in order.
#[cfg(feature = "writer")]
pub(crate) fn pack_head(blob: &PagedBlob, pages: &[u32]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(HEAD_MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&blob.id.to_le_bytes());
    out.extend_from_slice(&(blob.page_count() as u32).to_le_bytes());
    for n in 0..blob.page_count() {
        let len = blob.nominal_range(n).len() as u32;
        let len = if blob.cell[n] { len | CELL_BIT } else { len };
        out.extend_from_slice(&len.to_le_bytes());
    }
    out.extend_from_slice(&(pages.len() as u32).to_le_bytes());
    for &n in pages {
        out.extend_from_slice(&n.to_le_bytes());
        let data = blob.page(n).unwrap_or_default();
        if blob.cell[n as usize] {
            // The lead, then the bytes' length, which the table does not give.
            out.extend_from_slice(&data[..4]);
            out.extend_from_slice(&((data.len() - 4) as u32).to_le_bytes());
            out.extend_from_slice(&data[4..]);
        } else {
            out.extend_from_slice(&data);
        }
    }
    out
}

#[cfg(all(test, feature = "writer"))]
mod tests {
    use super::*;
    use crate::blob::pack;

    /// A blob of a small file, a large file and a doc store.
    fn blob() -> Vec<u8> {
        let data = |len: usize| (0..len).map(|i| (i % 251) as u8).collect::<Vec<u8>>();
        pack(vec![
            ("a.json".into(), data(10)),
            ("b.idx".into(), data(PAGE_SIZE * 2 + 10)),
            ("c.store".into(), data(PAGE_SIZE * 3)),
        ])
        .unwrap()
    }

    /// Where `b.idx` starts in the blob.
    fn idx_start(blob: &[u8]) -> usize {
        PagedBlob::whole(OwnedBytes::new(blob.to_vec()), &Layout::default(), false)
            .unwrap()
            .page_range(2)
            .start
    }

    fn page(blob: &[u8], n: u32) -> Vec<u8> {
        PagedBlob::whole(OwnedBytes::new(blob.to_vec()), &Layout::default(), false)
            .unwrap()
            .page(n)
            .unwrap()
            .to_vec()
    }

    #[test]
    fn pages_follow_files_and_reads_cross_them() {
        let b = blob();
        let p = PagedBlob::whole(OwnedBytes::new(b.clone()), &Layout::default(), false).unwrap();
        // toc, a.json, b.idx in 3, c.store in 3.
        assert_eq!(p.page_count(), 8);
        assert_eq!(p.page_range(7).len(), PAGE_SIZE);
        let r = 100..b.len() - 5;
        assert_eq!(p.read(r.clone()).unwrap().as_slice(), &b[r]);
        assert_eq!(p.read(3..9).unwrap().as_slice(), &b[3..9]);
        assert!(p.read(0..b.len() + 1).is_err());
        assert!(p.take_missing().is_empty());
    }

    #[test]
    fn missing_pages_are_recorded_then_loaded() {
        let b = blob();
        let whole =
            PagedBlob::whole(OwnedBytes::new(b.clone()), &Layout::default(), false).unwrap();
        let p = PagedBlob::from_head(&pack_head(&whole, &[0, 1])).unwrap();
        assert_eq!(p.read(10..20).unwrap().as_slice(), &b[10..20]);
        let across = whole.page_range(3).end - 1..whole.page_range(5).start + 1;
        assert!(p.read(across.clone()).is_err());
        assert_eq!(p.take_missing(), [3, 4, 5]);
        assert!(p.take_missing().is_empty());
        for n in [3, 4, 5] {
            p.add_page(n, &page(&b, n)).unwrap();
        }
        assert_eq!(p.read(across.clone()).unwrap().as_slice(), &b[across]);
        assert!(p.add_page(99, b"x").is_err());
        assert!(p.add_page(6, b"short").is_err());
    }

    #[test]
    fn bad_heads_are_errors_not_panics() {
        let whole = PagedBlob::whole(OwnedBytes::new(blob()), &Layout::default(), false).unwrap();
        let head = pack_head(&whole, &[0, 1, 7]);
        assert!(PagedBlob::from_head(&head).is_ok());
        for cut in 0..head.len() {
            assert!(PagedBlob::from_head(&head[..cut]).is_err());
        }
        let mut wrong = head.clone();
        wrong[8] = 99;
        assert_eq!(
            PagedBlob::from_head(&head).unwrap().id(),
            format!("{:016x}", blob_id(&blob(), None))
        );
        assert!(matches!(
            PagedBlob::from_head(&wrong),
            Err(SearchError::UnsupportedVersion { found: 99, .. })
        ));
    }

    #[test]
    fn any_change_gives_another_id() {
        let b: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut ids = std::collections::BTreeSet::new();
        assert!(ids.insert(blob_id(&b, None)));
        for at in [0, 1, 7, 8, 500, 991, 992, 999] {
            let mut changed = b.clone();
            changed[at] ^= 1;
            assert!(ids.insert(blob_id(&changed, None)), "byte {at}");
        }
        for len in [0, 1, 8, 9, 999] {
            assert!(ids.insert(blob_id(&b[..len], None)), "length {len}");
        }
        let mut longer = b.clone();
        longer.push(0);
        assert!(ids.insert(blob_id(&longer, None)), "a trailing zero");
    }

    #[test]
    fn recording_notes_touched_ranges_and_their_pages() {
        let b = blob();
        let p = PagedBlob::whole(OwnedBytes::new(b.clone()), &Layout::default(), true).unwrap();
        let r = p.page_range(6);
        p.read(r.start + 1..r.end + 1).unwrap();
        p.read(3..9).unwrap();
        let touched = p.take_touched();
        assert_eq!(touched, [r.start + 1..r.end + 1, 3..9]);
        assert_eq!(p.pages_of(&touched), [0, 6, 7]);
        assert!(p.take_touched().is_empty());
    }

    #[test]
    fn the_head_ranges_are_pages_of_their_own() {
        let b = blob();
        let idx = idx_start(&b);
        // Two reads 10 bytes apart are one range; a read inside a page cuts it in three.
        let head = vec![
            idx + 100..idx + 200,
            idx + 210..idx + 300,
            idx + 5000..idx + 5001,
        ];
        let plan = Layout {
            head: head.clone(),
            ..Layout::default()
        };
        let p = PagedBlob::whole(OwnedBytes::new(b.clone()), &plan, false).unwrap();
        let pages = p.pages_of(&head);
        let ranges: Vec<_> = pages.iter().map(|&n| p.page_range(n as usize)).collect();
        assert_eq!(ranges, [idx + 100..idx + 300, idx + 5000..idx + 5001]);
        // The pages before, between and after them are cut at those bounds too.
        assert_eq!(p.page_range(pages[0] as usize - 1), idx..idx + 100);
        assert_eq!(p.page_range(pages[0] as usize + 1), idx + 300..idx + 5000);
        // Every byte is in exactly one page, in order.
        let mut at = 0;
        for n in 0..p.page_count() {
            assert_eq!(p.page_range(n).start, at);
            at = p.page_range(n).end;
        }
        assert_eq!(at, b.len());
    }

    #[test]
    fn pages_end_between_units_once_they_are_big_enough() {
        let b = blob();
        let idx = idx_start(&b);
        let unit = |from: usize, len: usize| idx + from..idx + from + len;
        // A small blob: the postings' pages are as small as they get.
        let min = unit_page_size("x.idx", b.len());
        assert_eq!(min, SMALL_UNIT_PAGE_SIZE);
        // Units of a quarter page: four fill a page. Then one unit longer than PAGE_SIZE.
        let q = min / 4;
        let mut units: Vec<_> = (0..8).map(|i| unit(i * q, q)).collect();
        units.push(unit(8 * q, PAGE_SIZE + min / 2));
        units.push(unit(8 * q + PAGE_SIZE + min / 2, 100));
        let plan = Layout {
            units,
            ..Layout::default()
        };
        let p = PagedBlob::whole(OwnedBytes::new(b), &plan, false).unwrap();
        let first = p.pages_of(&[unit(0, 1)])[0] as usize;
        let lens: Vec<usize> = (first..first + 4).map(|n| p.page_range(n).len()).collect();
        // The long unit's last half page is too little for a page: it shares one with the
        // unit after it, up to the end of the file.
        let rest = PAGE_SIZE * 2 + 10 - (8 * q + PAGE_SIZE);
        assert_eq!(lens, [min, min, PAGE_SIZE, rest]);
        assert_eq!(p.page_range(first + 3).end, idx + PAGE_SIZE * 2 + 10);
    }

    #[test]
    fn sparse_files_read_missing_pages_as_zeros_across_pages_only() {
        let b = blob();
        let idx = idx_start(&b);
        let file = idx..idx + PAGE_SIZE * 2 + 10;
        let plan = Layout {
            sparse: vec![file.clone()],
            ..Layout::default()
        };
        let whole = PagedBlob::whole(OwnedBytes::new(b.clone()), &plan, false).unwrap();
        let pages = whole.pages_of(std::slice::from_ref(&file));
        // Cut every SPARSE_PAGE_SIZE bytes, the last page holding the rest.
        assert_eq!(pages.len(), file.len().div_ceil(SPARSE_PAGE_SIZE));
        assert!(pages
            .iter()
            .all(|&n| whole.page_range(n as usize).len() <= SPARSE_PAGE_SIZE));
        let p = PagedBlob::from_head(&pack_head(&whole, &[0, 1, pages[1]])).unwrap();
        p.set_sparse(vec![file.clone()]);
        // The whole file: page 1 as it is, the others zeros, nothing named missing.
        let read = p.read(file.clone()).unwrap();
        let second = whole.page_range(pages[1] as usize);
        let mut want = vec![0u8; file.len()];
        want[second.start - idx..second.end - idx].copy_from_slice(&b[second.clone()]);
        assert_eq!(read.as_slice(), &want[..]);
        assert!(p.take_missing().is_empty());
        // A read within one page is exact: it names its page.
        assert!(p.read(idx + 3..idx + 4).is_err());
        assert_eq!(p.take_missing(), [pages[0]]);
        assert_eq!(
            p.read(second.start + 1..second.start + 2)
                .unwrap()
                .as_slice(),
            &b[second.start + 1..second.start + 2]
        );
        // Outside the sparse file nothing is zero-filled.
        let store = whole.page_range(whole.page_count() - 2).start;
        assert!(p.read(store..store + PAGE_SIZE + 1).is_err());
        assert!(!p.take_missing().is_empty());
        // Once loaded, the pages read as they are.
        p.add_page(pages[0], &whole.page(pages[0]).unwrap())
            .unwrap();
        let first = whole.page_range(pages[0] as usize);
        assert_eq!(
            &p.read(file.clone()).unwrap().as_slice()[..first.len()],
            &b[first]
        );
    }

    /// Loads the pages `read` names until it answers; returns the rounds it took.
    fn read_loading(p: &PagedBlob, whole: &PagedBlob, r: Range<usize>) -> (Vec<u8>, Vec<Vec<u32>>) {
        let mut rounds = Vec::new();
        loop {
            match p.read(r.clone()) {
                Ok(bytes) => return (bytes.as_slice().to_vec(), rounds),
                Err(_) => {
                    let missing = p.take_missing();
                    assert!(
                        !missing.is_empty() && rounds.len() < 100,
                        "{r:?}: {rounds:?}"
                    );
                    for &n in &missing {
                        p.add_page(n, &whole.page(n).unwrap()).unwrap();
                    }
                    rounds.push(missing);
                }
            }
        }
    }

    #[test]
    fn doc_store_blocks_are_cut_into_cells() {
        let b = blob();
        let plain =
            PagedBlob::whole(OwnedBytes::new(b.clone()), &Layout::default(), false).unwrap();
        // c.store is the last file: its three pages of PAGE_SIZE.
        let store = plain.page_range(plain.page_count() - 3).start..b.len();
        let cell = unit_page_size("c.store", b.len());
        // Blocks of uneven sizes, some longer than a cell, up to a skip index at the end.
        let mut blocks = Vec::new();
        let mut at = store.start;
        for (i, len) in [700, 300, 2500, 100, 5000, 50, 60, 1500]
            .iter()
            .cycle()
            .enumerate()
        {
            if at + len > store.end - 2000 || i > 40 {
                break;
            }
            blocks.push(at..at + len);
            at += len;
        }
        let skip = at..store.end;
        let plan = Layout {
            units: blocks.clone(),
            head: vec![skip.clone()],
            ..Layout::default()
        };
        let whole = PagedBlob::whole(OwnedBytes::new(b.clone()), &plan, false).unwrap();
        let cells: Vec<usize> = (0..whole.page_count()).filter(|&n| whole.cell[n]).collect();
        assert_eq!(cells.len(), (skip.start - store.start).div_ceil(cell));
        for (k, &n) in cells.iter().enumerate() {
            // Each page's entry is its cell; its bytes are the blocks that start in it.
            let cell_range = store.start + k * cell..(store.start + (k + 1) * cell).min(skip.start);
            assert_eq!(whole.nominal_range(n), cell_range);
            let inside: Vec<_> = blocks
                .iter()
                .filter(|r| cell_range.contains(&r.start))
                .collect();
            match (inside.first(), inside.last()) {
                (Some(a), Some(z)) => assert_eq!(whole.page_range(n), a.start..z.end),
                _ => assert!(whole.page_range(n).is_empty(), "cell {k} holds no block"),
            }
        }
        // The table gives every cell page one length.
        let head = pack_head(&whole, &[0, 1]);
        let p = PagedBlob::from_head(&head).unwrap();
        assert_eq!(p.page_range(cells[3]).len(), cell);
        // Each block is read in one round of one page, the page of its cell.
        for r in &blocks {
            let (bytes, rounds) = read_loading(&p, &whole, r.clone());
            assert_eq!(bytes, &b[r.clone()]);
            let k = (r.start - store.start) / cell;
            assert!(
                rounds.is_empty() || rounds == [vec![cells[k] as u32]],
                "{r:?}: {rounds:?}"
            );
        }
        // Reads that are not of whole blocks get their bytes too, a round at a time.
        let p = PagedBlob::from_head(&head).unwrap();
        let long = blocks[4].clone();
        for r in [
            long.start + cell + 10..long.end - 1,
            store.start + 5..skip.start + 10,
        ] {
            let (bytes, rounds) = read_loading(&p, &whole, r.clone());
            assert_eq!(bytes, &b[r.clone()], "{r:?}");
            assert!(rounds.len() >= 2, "{r:?}: {rounds:?}");
        }
        // A cell page in the head, and pages that do not fit their cells.
        let head = pack_head(&whole, &[0, 1, cells[2] as u32]);
        let p = PagedBlob::from_head(&head).unwrap();
        assert_eq!(p.page_range(cells[2]), whole.page_range(cells[2]));
        let n = cells[5] as u32;
        assert!(p.add_page(n, b"abc").is_err());
        assert!(p
            .add_page(n, &[&u32::MAX.to_le_bytes()[..], b"x"].concat())
            .is_err());
    }

    #[test]
    fn small_indexes_cut_postings_dictionaries_and_stored_text_finer() {
        let kb = 1024;
        // The guide's index (127 pages), one of about 2,000 pages, one of 10,000.
        assert_eq!(unit_page_size("s.idx", 2_400 * kb), SMALL_UNIT_PAGE_SIZE);
        assert_eq!(unit_page_size("s.pos", 16_000 * kb), 2_000);
        assert_eq!(unit_page_size("s.store", 72_000 * kb), UNIT_PAGE_SIZE);
        // Term dictionaries too (a word is one block in each field); norms keep their
        // pages, as a query reads the norms of every document.
        assert_eq!(unit_page_size("s.term", 2_400 * kb), SMALL_UNIT_PAGE_SIZE);
        assert_eq!(unit_page_size("s.term", 72_000 * kb), UNIT_PAGE_SIZE);
        assert_eq!(unit_page_size("s.fieldnorm", 2_400 * kb), UNIT_PAGE_SIZE);
    }
}
