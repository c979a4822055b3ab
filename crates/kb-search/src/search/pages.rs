//! Which pages match, and in what order. The rules, in the words of the README:
//!
//! 1. A page matches a word when its title, description, tags, headings, prose or code
//!    has it (or a synonym, or while typing a longer word it starts). All the words may
//!    be in different sections.
//! 2. Filters (`tag:`, `area:`) and exclusions (`-word`: the page has it anywhere) always
//!    apply; they are never left out.
//! 3. With `use-boolean-and` (the default) a page must have every word. When no page has
//!    them all, the words of the page that has the most of them (the best scored such
//!    page on a tie) are kept, the others are *left out* and reported, and the pages with
//!    all the kept words are shown. Without `use-boolean-and`, any word will do.
//! 4. Pages are ranked by how many words they have, then by BM25 summed over the words
//!    (stop words count here, though they are never required), best field per word.
//!    Then the best [`PAIR_WINDOW`] pages also score the word pairs typed next to each
//!    other where they stand next to each other, and are ranked again: proximity orders
//!    the best matches, and reading positions for every page that has the words cost
//!    most of a query's time. An overview page (home, area) counts [`OVERVIEW_WEIGHT`] of
//!    its score: it names the topics of the pages it introduces without being about them.

use tantivy::query::{Occur, Query};
use tantivy::DocAddress;

use super::in_pages::InDocs;
use super::plan::{boolean, const_term, Plan, Role};
use super::sparse_union::SparseUnion;
use super::Engine;
use crate::collector::{AllMatches, Docs, Match};
use crate::schema::name;

/// Share of its score an overview page keeps.
const OVERVIEW_WEIGHT: f32 = 0.5;
/// How many of the best pages score word pairs (rule 4).
pub(super) const PAIR_WINDOW: usize = 100;

/// A matched page.
#[derive(Debug, Clone, Copy)]
pub(super) struct MatchedPage {
    /// Its page document.
    pub address: DocAddress,
    /// BM25 over the words it has.
    pub score: f32,
    /// How many required words it has.
    pub words: u32,
    /// Share of its score it keeps ([`OVERVIEW_WEIGHT`] on overview pages).
    weight: f32,
}

/// The pages a query matches.
#[derive(Debug, Default)]
pub(super) struct PageMatches {
    /// The best matched pages of the selected area (all areas if none is selected), best
    /// first: as many as were asked for.
    pub pages: Vec<MatchedPage>,
    /// How many pages of the selected area match.
    pub total: usize,
    /// Matched pages per area id, ignoring the area filter.
    pub per_area: Vec<usize>,
    /// Clauses (positions in the parsed query) left out because no page has them with
    /// the others.
    pub dropped: Vec<usize>,
}

/// One page document's tally over the clauses of a query.
#[derive(Clone, Copy)]
struct Tally {
    address: DocAddress,
    score: f32,
    /// Bit `i`: the page has the text clause at `i` in the plan.
    mask: u32,
    area: u64,
    /// Share of its score it keeps.
    weight: f32,
}

impl Engine<'_> {
    /// Runs `query` with the plan's filters and exclusions over page documents.
    fn page_matches(&self, plan: &Plan, query: Box<dyn Query>) -> Vec<Match> {
        let mut clauses = vec![(Occur::Must, query)];
        for c in &plan.clauses {
            match c.role {
                Role::Filter => clauses.push((Occur::Must, c.page.box_clone())),
                Role::Excluded => clauses.push((Occur::MustNot, c.page.box_clone())),
                Role::Required | Role::Optional | Role::Pair => {}
            }
        }
        let collector = AllMatches {
            column: name::AREA_ID,
            segments: self.segments_with(Docs::Pages),
        };
        self.searcher
            .search(boolean(clauses).as_ref(), &collector)
            .unwrap_or_default()
    }

    /// The pages `plan` matches in `area` (all areas when `None`): how many, and the
    /// `best` first of them, ranked. Only those are ranked: with every page matching a
    /// common word, sorting them all cost more than finding them.
    pub(super) fn match_pages(&self, plan: &Plan, area: Option<u64>, best: usize) -> PageMatches {
        let text: Vec<_> = plan
            .clauses
            .iter()
            .filter(|c| matches!(c.role, Role::Required | Role::Optional))
            .collect();
        let required: u32 = text
            .iter()
            .enumerate()
            .filter(|(_, c)| c.role == Role::Required)
            .fold(0, |mask, (bit, _)| mask | 1 << bit);
        let mut tallies: Vec<Tally> = Vec::new();
        if text.is_empty() {
            // Filters alone: every page that passes them.
            let pages = const_term(self.fields.kind, name::PAGE_KIND);
            tallies = tally(tallies, self.page_matches(plan, pages), 0);
        }
        for (bit, c) in text.iter().enumerate() {
            let matches = self.page_matches(plan, c.page.box_clone());
            tallies = tally(tallies, matches, 1 << bit);
        }
        if !text.is_empty() {
            let overviews = const_term(self.fields.kind, name::OVERVIEW_KIND);
            let overviews = self.page_matches(plan, overviews);
            demote_overviews(&mut tallies, &overviews);
        }
        let (kept, dropped_mask) =
            select(&tallies, required, self.catalog.settings.use_boolean_and);
        let dropped = text
            .iter()
            .enumerate()
            .filter(|(bit, _)| dropped_mask & 1 << bit != 0)
            .map(|(_, c)| c.index)
            .collect();
        let mut result = PageMatches {
            dropped,
            ..PageMatches::default()
        };
        for t in kept {
            if t.area < crate::collector::MAX_AREAS {
                let id = t.area as usize;
                if result.per_area.len() <= id {
                    result.per_area.resize(id + 1, 0);
                }
                result.per_area[id] += 1;
            }
            if area.is_none_or(|wanted| wanted == t.area) {
                result.pages.push(MatchedPage {
                    address: t.address,
                    score: t.score,
                    words: (t.mask & required).count_ones(),
                    weight: t.weight,
                });
            }
        }
        result.total = result.pages.len();
        if best == 0 {
            result.pages.clear();
            return result;
        }
        rank_best(&mut result.pages, best.max(PAIR_WINDOW));
        self.score_pairs(plan, &mut result.pages);
        result.pages.truncate(best);
        result
    }

    /// Adds the word pairs' scores to the best [`PAIR_WINDOW`] of `pages` (ranked) and
    /// ranks those again (rule 4). Every other page has no more words and no higher score
    /// than the last of them, so the whole list stays ranked.
    fn score_pairs(&self, plan: &Plan, pages: &mut [MatchedPage]) {
        let pairs: Vec<Box<dyn Query>> = plan
            .clauses
            .iter()
            .filter(|c| c.role == Role::Pair)
            .map(|c| c.page.box_clone())
            .collect();
        let window = pages.len().min(PAIR_WINDOW);
        if pairs.is_empty() || window == 0 {
            return;
        }
        let best = &mut pages[..window];
        let docs = InDocs::new(self.searcher, best.iter().map(|p| p.address));
        let query = boolean(vec![
            (Occur::Must, Box::new(docs)),
            (Occur::Must, Box::new(SparseUnion::sum(pairs))),
        ]);
        let collector = AllMatches {
            column: name::AREA_ID,
            segments: self.segments_with(Docs::Pages),
        };
        let found = self
            .searcher
            .search(query.as_ref(), &collector)
            .unwrap_or_default();
        for m in found {
            if let Some(p) = best.iter_mut().find(|p| p.address == m.address) {
                p.score += m.score * p.weight;
            }
        }
        best.sort_by(rank);
    }
}

/// Best first: more words, then a higher score, then index order.
fn rank(a: &MatchedPage, b: &MatchedPage) -> std::cmp::Ordering {
    b.words
        .cmp(&a.words)
        .then_with(|| b.score.total_cmp(&a.score))
        .then_with(|| a.address.cmp(&b.address))
}

/// Keeps the `n` best of `pages` (in any order), best first.
fn rank_best(pages: &mut Vec<MatchedPage>, n: usize) {
    if pages.len() > n {
        // `rank` is a total order (index order breaks ties): the same pages as a full sort.
        pages.select_nth_unstable_by(n - 1, rank);
        pages.truncate(n);
    }
    pages.sort_unstable_by(rank);
}

/// Adds the matches of one clause (bit `bit`) to the tallies of the clauses before it.
/// Both are in index order (the collector's), and so is the result.
fn tally(tallies: Vec<Tally>, mut matches: Vec<Match>, bit: u32) -> Vec<Tally> {
    if !matches.is_sorted_by_key(|m| m.address) {
        matches.sort_by_key(|m| m.address);
    }
    let mut merged = Vec::with_capacity(tallies.len().max(matches.len()));
    let mut before = tallies.into_iter().peekable();
    for m in matches {
        while let Some(t) = before.next_if(|t| t.address < m.address) {
            merged.push(t);
        }
        match before.next_if(|t| t.address == m.address) {
            Some(mut t) => {
                t.score += m.score;
                t.mask |= bit;
                merged.push(t);
            }
            None => merged.push(Tally {
                address: m.address,
                score: m.score,
                mask: bit,
                area: m.value,
                weight: 1.0,
            }),
        }
    }
    merged.extend(before);
    merged
}

/// Multiplies the score of the overview pages among `tallies` by [`OVERVIEW_WEIGHT`].
/// `tallies` are in index order.
fn demote_overviews(tallies: &mut [Tally], overviews: &[Match]) {
    let mut addresses: Vec<DocAddress> = overviews.iter().map(|m| m.address).collect();
    addresses.sort();
    let mut next = addresses.into_iter().peekable();
    for t in tallies.iter_mut() {
        while next.next_if(|a| *a < t.address).is_some() {}
        if next.peek() == Some(&t.address) {
            t.score *= OVERVIEW_WEIGHT;
            t.weight = OVERVIEW_WEIGHT;
        }
    }
}

/// The pages to show and the required words left out (rule 3 of the module doc).
fn select(tallies: &[Tally], required: u32, and: bool) -> (Vec<Tally>, u32) {
    if required == 0 {
        return (tallies.to_vec(), 0);
    }
    let has = |t: &Tally| (t.mask & required).count_ones();
    if !and {
        return (tallies.iter().filter(|t| has(t) > 0).copied().collect(), 0);
    }
    let most = tallies.iter().map(has).max().unwrap_or(0);
    if most == 0 {
        return (Vec::new(), 0);
    }
    // The best page among those with the most words decides which words are kept.
    let best = tallies.iter().filter(|t| has(t) == most).max_by(|a, b| {
        a.score
            .total_cmp(&b.score)
            .then_with(|| b.address.cmp(&a.address))
    });
    let keep = best.map_or(required, |t| t.mask & required);
    let kept = tallies
        .iter()
        .filter(|t| t.mask & keep == keep)
        .copied()
        .collect();
    (kept, required & !keep)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(doc: u32, score: f32, mask: u32) -> Tally {
        Tally {
            address: DocAddress::new(0, doc),
            score,
            mask,
            area: 0,
            weight: 1.0,
        }
    }

    fn docs(kept: &[Tally]) -> Vec<u32> {
        kept.iter().map(|t| t.address.doc_id).collect()
    }

    #[test]
    fn pages_with_every_word_are_kept() {
        let pages = [t(1, 1.0, 0b11), t(2, 5.0, 0b01), t(3, 2.0, 0b11)];
        let (kept, dropped) = select(&pages, 0b11, true);
        assert_eq!(docs(&kept), [1, 3]);
        assert_eq!(dropped, 0);
    }

    #[test]
    fn words_no_page_has_together_are_left_out() {
        // Words 0 and 1 are never on one page with word 2; the best page with two words
        // has 0 and 1, so 2 is left out and every page with 0 and 1 is shown.
        let pages = [
            t(1, 1.0, 0b011),
            t(2, 9.0, 0b100),
            t(3, 3.0, 0b011),
            t(4, 2.0, 0b101),
        ];
        let (kept, dropped) = select(&pages, 0b111, true);
        assert_eq!(docs(&kept), [1, 3]);
        assert_eq!(dropped, 0b100);
    }

    #[test]
    fn optional_words_are_never_required_nor_left_out() {
        // Bit 1 is a stop word: not in `required`.
        let pages = [t(1, 1.0, 0b01), t(2, 2.0, 0b10), t(3, 3.0, 0b11)];
        let (kept, dropped) = select(&pages, 0b01, true);
        assert_eq!(docs(&kept), [1, 3]);
        assert_eq!(dropped, 0);
    }

    #[test]
    fn any_word_will_do_without_boolean_and() {
        let pages = [t(1, 1.0, 0b01), t(2, 2.0, 0b10), t(3, 3.0, 0b100)];
        let (kept, dropped) = select(&pages, 0b11, false);
        assert_eq!(docs(&kept), [1, 2]);
        assert_eq!(dropped, 0);
    }

    #[test]
    fn no_word_on_any_page_matches_nothing() {
        let (kept, _) = select(&[t(1, 1.0, 0b100)], 0b11, true);
        assert!(kept.is_empty());
    }

    #[test]
    fn overview_pages_keep_part_of_their_score() {
        let mut pages = [t(1, 2.0, 1), t(5, 2.0, 1), t(9, 2.0, 1)];
        let overview = |doc| Match {
            address: DocAddress::new(0, doc),
            score: 0.0,
            value: 0,
        };
        demote_overviews(&mut pages, &[overview(3), overview(5)]);
        let scores: Vec<f32> = pages.iter().map(|t| t.score).collect();
        assert_eq!(scores, [2.0, 2.0 * OVERVIEW_WEIGHT, 2.0]);
    }

    #[test]
    fn tally_sums_scores_and_words_per_page() {
        let m = |doc, score| Match {
            address: DocAddress::new(0, doc),
            score,
            value: 7,
        };
        let tallies = tally(Vec::new(), vec![m(2, 1.0)], 0b01);
        let tallies = tally(tallies, vec![m(1, 0.5), m(2, 2.0)], 0b10);
        let got: Vec<_> = tallies
            .iter()
            .map(|t| (t.address.doc_id, t.score, t.mask, t.area))
            .collect();
        assert_eq!(got, [(1, 0.5, 0b10, 7), (2, 3.0, 0b11, 7)]);
    }
}
