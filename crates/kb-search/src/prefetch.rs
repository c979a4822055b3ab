//! What the browser may fetch before its module runs: `search/prefetch.json`.
//!
//! On a slow link the module is most of a first search's wait, and the index pages of a
//! query's first round (its words' term dictionary blocks and the fields' norms) could
//! only be asked for once the module had started and read the query. This file lets
//! `search.js` ask for them while the module is still on its way:
//!
//! * `always`: the pages of the norms a query reads whatever its words (each text field's,
//!   in the segment that holds its kind of document);
//! * `dicts`: for the dictionary of each kind's tagged words (`words.rs`: `word tag`), the
//!   first term of each of its pages and the page's number, so a term's page is the last
//!   one whose first term is not after it;
//! * `pairs` (when the index has word pairs, `pairs.rs`): the same for the dictionary of
//!   `p_pairs`, and the common terms, so two words typed side by side that may be common
//!   terms have their pair's page fetched too.
//!
//! `search.js` guesses a query's terms from its words (lowercased, cut to a prefix that
//! covers their stems). It is a guess: a page it misses is loaded by the module's first
//! round as before, and a page it fetches for nothing costs bytes, never a wrong answer,
//! as the module reads only what it reads.
//!
//! ```text
//! {"id": "<pages id>", "always": [page, ...],
//!  "dicts": [{"keys": ["<first term of page>", ...], "pages": [page, ...]}, ...],
//!  "pairs": {"keys": [...], "pages": [...], "common": ["<common term>", ...]}}
//! ```
//!
//! On a large site the dictionaries have many pages: past [`MAX_KEYS`] first terms in all
//! the file keeps `always` only (a first search there is larger than the module anyway).

use std::ops::Range;

use serde::Serialize;

use crate::paged::PagedBlob;

/// Most first terms the file lists, about 20 bytes each in JSON (the guide's 193 take
/// 3.8 KB, 1.3 KB gzipped): past this the file would weigh more than the pages it saves a
/// round trip for.
const MAX_KEYS: usize = 16_384;

/// What [`probe`](crate::index::probe_layout) found, in blob byte ranges.
#[derive(Debug, Default)]
pub(crate) struct Probe {
    /// Reads every query makes whatever its words.
    pub always: Vec<Range<usize>>,
    /// For each kind's dictionary of tagged words: each block's first term and its bytes.
    pub dicts: Vec<Vec<(String, Range<usize>)>>,
    /// The same for the dictionary of word pairs, in the segment of pages.
    pub pairs: Vec<(String, Range<usize>)>,
    /// The common terms, whose pairs that dictionary holds.
    pub common: Vec<String>,
}

#[derive(Serialize)]
struct Dict {
    keys: Vec<String>,
    /// `null` for a page the head holds: nothing to fetch.
    pages: Vec<Option<u32>>,
}

/// The dictionary of word pairs, and the terms whose pairs it holds.
#[derive(Serialize)]
struct Pairs<'a> {
    #[serde(flatten)]
    dict: Dict,
    common: &'a [String],
}

#[derive(Serialize)]
struct PrefetchFile<'a> {
    id: String,
    always: Vec<u32>,
    dicts: Vec<Dict>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pairs: Option<Pairs<'a>>,
}

/// The dictionary of `blocks` by page of `paged`: consecutive blocks on one page are one
/// entry, with the first block's first term.
fn by_page(blocks: &[(String, Range<usize>)], paged: &PagedBlob, head_pages: &[u32]) -> Dict {
    let mut dict = Dict {
        keys: Vec::new(),
        pages: Vec::new(),
    };
    let mut last = None;
    for (key, range) in blocks {
        for page in paged.pages_of(std::slice::from_ref(range)) {
            if last != Some(page) {
                last = Some(page);
                dict.keys.push(key.clone());
                dict.pages
                    .push(head_pages.binary_search(&page).is_err().then_some(page));
            }
        }
    }
    dict
}

/// `search/prefetch.json` for the blob laid out as `paged`. Pages the head holds are left
/// out (the browser has them with the head).
pub(crate) fn prefetch_json(probe: &Probe, paged: &PagedBlob, head_pages: &[u32]) -> Vec<u8> {
    let common = &probe.common;
    let outside = |pages: Vec<u32>| -> Vec<u32> {
        pages
            .into_iter()
            .filter(|n| head_pages.binary_search(n).is_err())
            .collect()
    };
    let mut dicts: Vec<Dict> = probe
        .dicts
        .iter()
        .map(|blocks| by_page(blocks, paged, head_pages))
        .filter(|d| !d.pages.is_empty())
        .collect();
    let pairs = Some(by_page(&probe.pairs, paged, head_pages))
        .filter(|d| !d.pages.is_empty() && !common.is_empty());
    let keys = pairs.as_ref().map_or(0, |d| d.keys.len() + common.len());
    let pairs = if dicts.iter().map(|d| d.keys.len()).sum::<usize>() + keys > MAX_KEYS {
        dicts.clear();
        None
    } else {
        pairs.map(|dict| Pairs { dict, common })
    };
    let file = PrefetchFile {
        id: paged.id(),
        always: outside(paged.pages_of(&probe.always)),
        dicts,
        pairs,
    };
    serde_json::to_vec(&file).unwrap_or_default()
}
