//! A two-word phrase on page documents, scored from its pair term (`pairs.rs`) instead of
//! the words' positions: the term's count in a page is the phrase's count there, so with
//! the phrase's BM25 weight (the words' summed idf, the field's average length) and the
//! field's own norm it gives the phrase query's score, float for float, from the pair's
//! postings alone (`normed.rs`).

use tantivy::schema::Field;
use tantivy::Term;

use super::normed::CountQuery;
use super::{Engine, TextField};
use crate::pairs;

impl Engine<'_> {
    /// Whether the index has the pair terms of `first second`: both are common terms,
    /// listed in the catalog (see `pairs.rs`). Then a pair with no term does not occur.
    pub(super) fn pair_indexed(&self, first: &str, second: &str) -> bool {
        let common = &self.catalog.common;
        let listed = |term: &str| common.binary_search_by(|c| c.as_str().cmp(term)).is_ok();
        listed(first) && listed(second)
    }
}

/// The phrase `first second` in the text field `f`, read from its pair term in
/// `pairs_field`, where `f`'s pairs are tagged `tag`: the pair's count, with the weight of
/// a phrase of the two words and `f`'s norms.
pub(super) fn pair_query(
    pairs_field: Field,
    tag: char,
    f: &TextField,
    first: &str,
    second: &str,
) -> CountQuery {
    let pair = Term::from_field_text(pairs_field, &pairs::term(first, second, tag));
    CountQuery::pair(pair, [f.term(first), f.term(second)], f.field)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tantivy::directory::OwnedBytes;

    use crate::blob::{unpack, FIXED_SEGMENT_ID};
    use crate::index::{probe_layout, SearchIndex};
    use crate::paged::{pack_head, Layout, PagedBlob};
    use crate::{build_index, LiveIndex, SearchSettings, SectionDoc};

    fn section(page: &str, s: usize, title: &str, body: &str, code: &str) -> SectionDoc {
        SectionDoc {
            url: format!("{page}#s{s}"),
            page_url: page.to_owned(),
            page_title: title.to_owned(),
            heading: format!("Part {s}"),
            body: body.to_owned(),
            code: code.to_owned(),
            area: "databases".into(),
            area_title: "Databases".into(),
            ..SectionDoc::default()
        }
    }

    /// 1,200 pages where `connection`, `pool` and `limits` are common (more than a
    /// thousand times in the first thousand pages), some with the words side by side,
    /// some apart, in varied amounts so scores differ; and `rare` and `words`, which are
    /// not.
    fn docs() -> Vec<SectionDoc> {
        let mut docs = Vec::new();
        for n in 0..1_200 {
            let page = format!("filler/{n}/");
            let together = "Size the connection pool to its limits. ".repeat(n % 3);
            let apart = "A connection waits; the pool has limits. ".repeat(1 + n % 4);
            docs.push(section(&page, 0, &format!("Filler {n}"), &together, ""));
            docs.push(section(
                &page,
                1,
                &format!("Notes {n}"),
                &apart,
                &"pool.Get(connection) // pool limits\n".repeat(n % 2),
            ));
        }
        docs.push(section(
            "target/",
            0,
            "The connection pool",
            "Connection pool limits, and rare words side by side.",
            "",
        ));
        docs
    }

    const QUERIES: [&str; 9] = [
        "q=connection%20pool",
        "q=pool%20connection",
        "q=%22connection%20pool%22",
        "q=%22pool%20limits%22",
        "q=connection%20pool%20limits&limit=30",
        "q=title%3A%22connection%20pool%22",
        "q=the%20connection%20pool",
        "q=%22rare%20words%22",
        "q=connection%20rare",
    ];

    #[test]
    fn pairs_of_common_words_score_as_phrases_without_positions() {
        let docs = docs();
        let settings = SearchSettings::default();
        let blob = build_index(&docs, &settings).unwrap();
        let whole = SearchIndex::from_blob(&blob).unwrap();
        // The live index of `kb serve` indexes no pairs: its phrases read positions.
        let live = LiveIndex::new(&docs, &settings).unwrap();
        for q in QUERIES {
            let json = whole.search_json(q);
            assert!(json.contains("\"url\""), "{q}: {json}");
            assert_eq!(json, live.search_json(q), "{q}");
        }
        // Paged, the pages' positions are never read for pairs of common words.
        let probe = Arc::new(
            PagedBlob::whole(OwnedBytes::new(blob.clone()), &Layout::default(), true).unwrap(),
        );
        let (plan, _) = probe_layout(probe.clone()).unwrap();
        let paged = probe.laid_out(&plan).unwrap();
        let pages_segment = format!("{}0002", &FIXED_SEGMENT_ID[..FIXED_SEGMENT_ID.len() - 4]);
        let file = |ext: &str| {
            let name = format!("{pages_segment}.{ext}");
            let (_, bytes) = unpack(&blob)
                .unwrap()
                .into_iter()
                .find(|(n, _)| *n == name)
                .unwrap_or_else(|| panic!("no {name}"));
            let at = bytes.as_ptr() as usize - blob.as_ptr() as usize;
            paged.pages_of(std::slice::from_ref(&(at..at + bytes.len())))
        };
        let (positions, pairs) = (file("pos"), file("term"));
        let head_pages = paged.pages_of(&plan.head);
        let head = pack_head(&paged, &head_pages);
        for q in QUERIES {
            let index = SearchIndex::from_head(&head).unwrap();
            let json = index.answer_loading(q, &paged);
            assert_eq!(json, whole.search_json(q), "{q}");
            let loaded = |pages: &[u32]| {
                pages.iter().any(|n| {
                    head_pages.binary_search(n).is_err() && index.blob().page(*n).is_some()
                })
            };
            assert!(loaded(&pairs), "{q}: no dictionary page of the pages read");
            // `rare` is not common: its pairs are phrase queries over positions.
            assert_eq!(
                loaded(&positions),
                q.contains("rare"),
                "{q}: positions read"
            );
        }
    }
}
