//! The field norms of a large segment of sections, read only where the shown sections are.
//!
//! tantivy reads a field's norms whole: one byte per document. Page matching needs every
//! page's norms, but sections are ranked only within the pages shown, and a first search at
//! 10,000 pages fetched some 290 KB of section norms (about 78 KB compressed, most of what
//! it fetched while the module loaded) to score a few dozen sections.
//!
//! Where a segment holds only sections, and more than [`SPARSE_ABOVE`] of them, its
//! `.fieldnorm` file is *sparse* (`paged.rs`): cut into small pages, its whole-field reads
//! see the pages not loaded as zeros, and the search loads the pages of the sections it
//! scores before it answers (`Engine::section_norms_missing`). So the answer is the whole
//! blob's, byte for byte, and a first search loads a few small pages of norms per field
//! instead of all of them.
//!
//! Below the threshold the norms are few enough to fetch ahead with the dictionaries while
//! the module loads (`prefetch.rs`), which costs no round trip.

use std::path::PathBuf;

use tantivy::index::SegmentComponent;
use tantivy::schema::Field;
use tantivy::{DocAddress, Index, Searcher};

use crate::collector::Docs;

/// Sections a segment holds above which its norms are sparse: at one byte per section,
/// one field's norms are then more than 16 pages of [`SPARSE_PAGE_SIZE`], where the
/// sections of the five pages a first search shows are on at most ten.
///
/// [`SPARSE_PAGE_SIZE`]: crate::paged::SPARSE_PAGE_SIZE
pub(crate) const SPARSE_ABOVE: u32 = 16_384;

/// Whether the norms of `segment` are read sparsely: it holds sections only, more than
/// [`SPARSE_ABOVE`].
pub(crate) fn is_sparse(segment: &tantivy::SegmentReader, kind: Field) -> bool {
    segment.max_doc() > SPARSE_ABOVE && !Docs::Pages.in_segment(segment, kind)
}

/// The `.fieldnorm` files of the segments whose norms are read sparsely.
pub(crate) fn sparse_files(index: &Index, searcher: &Searcher, kind: Field) -> Vec<PathBuf> {
    let Ok(metas) = index.searchable_segment_metas() else {
        return Vec::new();
    };
    searcher
        .segment_readers()
        .iter()
        .filter(|segment| is_sparse(segment, kind))
        .filter_map(|segment| {
            let meta = metas.iter().find(|m| m.id() == segment.segment_id())?;
            Some(
                index
                    .segment(meta.clone())
                    .relative_path(SegmentComponent::FieldNorms),
            )
        })
        .collect()
}

/// Reads the norm of each of `fields` for each of `docs`, a byte each: on a sparse file
/// those reads are exact, so the pages not loaded yet are named missing (`paged.rs`).
pub(crate) fn read_norms(searcher: &Searcher, fields: &[Field], docs: &[DocAddress]) {
    for &doc in docs {
        let segment = searcher.segment_reader(doc.segment_ord);
        let file = segment.fieldnorms_readers().get_inner_file();
        for &field in fields {
            if let Some(norms) = file.open_read(field) {
                let at = doc.doc_id as usize;
                let _ = norms.read_bytes_slice(at..at + 1);
            }
        }
    }
}

#[cfg(all(test, feature = "writer"))]
mod tests {
    use std::sync::Arc;

    use tantivy::directory::OwnedBytes;

    use crate::index::{probe_layout, Answer, SearchIndex};
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

    /// `pages` pages of five sections, of 3 to 19 words each, so their norms differ.
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
                        area: "apis".into(),
                        area_title: "APIs".into(),
                        ..SectionDoc::default()
                    }
                })
            })
            .collect()
    }

    #[test]
    fn a_large_index_loads_only_the_norms_of_the_sections_it_scores() {
        let blob = build_index(&docs(3_400), &SearchSettings::default()).unwrap();
        let whole = SearchIndex::from_blob(&blob).unwrap();
        let probe = PagedBlob::whole(OwnedBytes::new(blob), &Layout::default(), true).unwrap();
        let probe = Arc::new(probe);
        let (plan, prefetch) = probe_layout(probe.clone()).unwrap();
        assert_eq!(plan.sparse.len(), 1, "the sections' norms are sparse");
        let paged = probe.laid_out(&plan).unwrap();
        let norm_pages = paged.pages_of(&plan.sparse);
        let always = paged.pages_of(&prefetch.always);
        assert!(always.iter().all(|n| norm_pages.binary_search(n).is_err()));
        let head = pack_head(&paged, &paged.pages_of(&plan.head));
        for q in [
            "q=connection%20pool&limit=5",
            "q=retry%20timeout&limit=30",
            "q=shard",
            "q=replica%20-lock",
            "q=title%3Aqueue",
            "q=Part%203%20cache",
        ] {
            let index = SearchIndex::from_head(&head).unwrap();
            let json = loop {
                match index.answer(q) {
                    Answer::Json(json) => break json,
                    Answer::NeedPages(pages) => {
                        for n in pages {
                            index.add_page(n, paged.page(n).unwrap()).unwrap();
                        }
                    }
                }
            };
            assert_eq!(json, whole.search_json(q), "{q}");
            let loaded = norm_pages
                .iter()
                .filter(|&&n| index.blob().page(n).is_some())
                .count();
            // Read whole, the five section text fields' norms are a third of the
            // segment's.
            assert!(
                loaded * 5 < norm_pages.len(),
                "{q}: {loaded} of {} pages of norms",
                norm_pages.len()
            );
        }
    }
}
