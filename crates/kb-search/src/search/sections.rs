//! The sections shown for each matched page: the page's sections that have the most of
//! the kept words score highest (BM25 with the section fields' boosts, and the word pairs
//! typed together counted in each section's own text: `near.rs`), up to
//! [`SECTIONS_PER_PAGE`]; a page that matched only through its title, description or tags
//! shows its first section.

use std::collections::BTreeMap;

use tantivy::query::{Occur, Query};
use tantivy::DocAddress;

use super::and_maybe::AndMaybe;
use super::in_pages::InPages;
use super::pages::MatchedPage;
use super::plan::{boolean, const_term, Plan, Role};
use super::sparse_union::SparseUnion;
use super::Engine;
use crate::collector::{AllMatches, Docs, Match};
use crate::schema::name;

/// Most sections shown under one page.
pub(super) const SECTIONS_PER_PAGE: usize = 3;

/// A section to show: its document and its score.
pub(super) type Shown = (DocAddress, f32);

impl Engine<'_> {
    /// The numbers of `pages`, in their order, read from their page documents'
    /// `page_ord` column (not the doc store: see `in_pages.rs`), opened once per segment.
    fn page_ords(&self, pages: &[MatchedPage]) -> Vec<u64> {
        let mut columns = Vec::new();
        let mut ords = Vec::with_capacity(pages.len());
        for page in pages {
            let segment = page.address.segment_ord as usize;
            if columns.len() <= segment {
                columns.resize_with(segment + 1, || None);
            }
            let column = columns[segment].get_or_insert_with(|| {
                let reader = self.searcher.segment_reader(page.address.segment_ord);
                reader.fast_fields().u64(name::PAGE_ORD).ok()
            });
            ords.extend(column.as_ref().and_then(|c| c.first(page.address.doc_id)));
        }
        ords
    }

    /// Every section of the pages numbered `ords` that `words` matches (all their
    /// sections with no words).
    fn sections_of(&self, ords: Vec<u64>, words: Option<Box<dyn Query>>) -> Vec<Match> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(InPages::new(ords)))];
        match words {
            Some(words) => clauses.push((Occur::Must, words)),
            // Sections only: the page document has the page's number too.
            None => clauses.push((
                Occur::MustNot,
                const_term(self.fields.kind, name::PAGE_KIND),
            )),
        }
        let collector = AllMatches {
            column: name::PAGE_ORD,
            segments: self.segments_with(Docs::Sections),
        };
        self.searcher
            .search(boolean(clauses).as_ref(), &collector)
            .unwrap_or_default()
    }

    /// The sections that may be shown: those of the pages (`keys`, in order) that fill
    /// `limit`, as a page shows up to [`SECTIONS_PER_PAGE`] of its sections whatever their
    /// scores. Only wanted where sections are read sparsely (`sparse.rs`).
    fn candidates(
        &self,
        keys: &[u64],
        by_page: &BTreeMap<u64, Vec<Shown>>,
        limit: usize,
    ) -> Vec<DocAddress> {
        if self.pending.is_none() || self.skips.is_empty() {
            return Vec::new();
        }
        let mut room = limit;
        keys.iter()
            .filter_map(|ord| by_page.get(ord))
            .take_while(|sections| {
                let fill = room > 0;
                room = room.saturating_sub(sections.len().min(SECTIONS_PER_PAGE));
                fill
            })
            .flatten()
            .map(|s| s.0)
            .collect()
    }

    /// On an index that may lack pages: reads the section fields' norms of `sections` in
    /// segments read sparsely (`sparse.rs`) one by one, true when a page read so far was
    /// not loaded. Those norms are loaded only so, once the sections to score are known.
    fn section_norms_missing(&self, sections: &[DocAddress]) -> bool {
        let Some(pending) = self.pending.filter(|_| !sections.is_empty()) else {
            return false;
        };
        let fields: Vec<_> = self.fields.section_text().map(|(f, _)| f).to_vec();
        crate::sparse::read_norms(self.searcher, self.skips, &fields, sections);
        pending()
    }

    /// The sections to show for `pages` (in their order), at most `limit` in all.
    pub(super) fn shown_sections(
        &self,
        plan: &Plan,
        dropped: &[usize],
        pages: &[MatchedPage],
        limit: usize,
    ) -> Vec<Shown> {
        let keys = self.page_ords(&pages[..pages.len().min(limit)]);
        if keys.is_empty() {
            return Vec::new();
        }
        let section = |role| {
            plan.clauses
                .iter()
                .filter(move |c| c.role == role && !dropped.contains(&c.index))
                .filter_map(|c| c.section.as_ref().map(|q| q.box_clone()))
        };
        let required: Vec<Box<dyn Query>> = section(Role::Required).collect();
        // Word pairs without a section query are scored below, in the text of the
        // sections that may be shown.
        let optional: Vec<Box<dyn Query>> =
            section(Role::Optional).chain(section(Role::Pair)).collect();
        let pairs = self.section_pairs(plan, dropped);
        let words: Option<Box<dyn Query>> = match (required.is_empty(), optional.is_empty()) {
            (true, true) => None,
            (false, true) => Some(boolean(vec![(Occur::Must, boolean_union(required))])),
            (true, false) => Some(boolean(vec![(
                Occur::Should,
                Box::new(SparseUnion::sum(optional)),
            )])),
            (false, false) => Some(Box::new(AndMaybe::new(
                boolean_union(required),
                SparseUnion::sum(optional),
            ))),
        };
        let mut by_page: BTreeMap<u64, Vec<Shown>> = BTreeMap::new();
        for m in self.sections_of(keys.clone(), words) {
            by_page
                .entry(m.value)
                .or_default()
                .push((m.address, m.score));
        }
        // Pages found through their title, description or tags only: their first section.
        let bare: Vec<u64> = keys
            .iter()
            .filter(|ord| !by_page.contains_key(ord))
            .copied()
            .collect();
        if !bare.is_empty() {
            for m in self.sections_of(bare.clone(), None) {
                let first = by_page.entry(m.value).or_default();
                match first.first_mut() {
                    Some(s) if s.0 <= m.address => {}
                    Some(s) => *s = (m.address, 0.0),
                    None => first.push((m.address, 0.0)),
                }
            }
        }
        let candidates = self.candidates(&keys, &by_page, limit);
        if self.section_norms_missing(&candidates) {
            // The scores above may have read zeros for norms not loaded (`sparse.rs`), so
            // which sections are shown is not known yet: read every candidate's document,
            // and the pages of those shown come in this round too. This round's answer is
            // not used.
            for &address in &candidates {
                let _ = self.doc(address);
            }
            return Vec::new();
        }
        let mut shown = Vec::new();
        for ord in &keys {
            let Some(sections) = by_page.get_mut(ord) else {
                continue;
            };
            if !pairs.is_empty() && !bare.contains(ord) {
                for (address, score) in sections.iter_mut() {
                    // A section not loaded yet scores no pair: this round's answer is
                    // not used (see `paged.rs`), and its page is asked for now.
                    if let Some(doc) = self.doc(*address) {
                        *score += pairs.score(self.searcher, *address, &doc);
                    }
                }
            }
            sections.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            shown.extend(sections.iter().take(SECTIONS_PER_PAGE).copied());
            if shown.len() >= limit {
                break;
            }
        }
        shown.truncate(limit);
        shown
    }
}

fn boolean_union(mut queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if queries.len() == 1 {
        return queries.remove(0);
    }
    Box::new(SparseUnion::sum(queries))
}
