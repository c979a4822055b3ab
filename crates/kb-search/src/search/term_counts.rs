//! The most frequent terms among those several term-dictionary walks found (one walk per
//! field and segment): the terms a prefix or a misspelt word expands to.
//!
//! Why not a map from term to count: a two-letter prefix walks thousands of terms per
//! field, and a map allocated and compared each of them, for most of a query's time. The
//! walks come in term order, so their terms are kept in one buffer and merged in order.

use std::cmp::Ordering;

/// A term in [`TermCounts::bytes`] with its document frequency.
#[derive(Debug, Clone, Copy)]
struct Entry {
    start: usize,
    end: usize,
    freq: u64,
}

/// Terms with their document frequencies summed over walks.
#[derive(Debug, Default)]
pub(super) struct TermCounts {
    /// The bytes of every term pushed.
    bytes: Vec<u8>,
    /// Terms of the walks merged so far: in term order, each once.
    merged: Vec<Entry>,
    /// Terms of the current walk.
    walk: Vec<Entry>,
}

impl TermCounts {
    fn term(&self, e: &Entry) -> &[u8] {
        &self.bytes[e.start..e.end]
    }

    /// Adds a term of the current walk (walks list their terms in order).
    pub(super) fn push(&mut self, term: &str, freq: u64) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(term.as_bytes());
        self.walk.push(Entry {
            start,
            end: self.bytes.len(),
            freq,
        });
    }

    /// Ends the current walk: its terms count with those of the walks before.
    pub(super) fn end_walk(&mut self) {
        let mut walk = std::mem::take(&mut self.walk);
        let in_order = walk.windows(2).all(|w| self.term(&w[0]) < self.term(&w[1]));
        if !in_order {
            walk.sort_by(|a, b| self.term(a).cmp(self.term(b)));
            walk = self.summed(walk);
        }
        let before = std::mem::take(&mut self.merged);
        let mut merged = Vec::with_capacity(before.len() + walk.len());
        let mut walk = walk.into_iter().peekable();
        for e in before {
            while let Some(w) = walk.next_if(|w| self.term(w) < self.term(&e)) {
                merged.push(w);
            }
            match walk.next_if(|w| self.term(w) == self.term(&e)) {
                Some(w) => merged.push(Entry {
                    freq: e.freq + w.freq,
                    ..e
                }),
                None => merged.push(e),
            }
        }
        merged.extend(walk);
        self.merged = merged;
    }

    /// `sorted` (in term order) with each term once, its frequencies summed.
    fn summed(&self, sorted: Vec<Entry>) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::with_capacity(sorted.len());
        for e in sorted {
            match out.last_mut() {
                Some(last) if self.term(last) == self.term(&e) => last.freq += e.freq,
                _ => out.push(e),
            }
        }
        out
    }

    /// Forgets `term`.
    pub(super) fn remove(&mut self, term: &str) {
        let bytes = term.as_bytes();
        self.merged.retain(|e| &self.bytes[e.start..e.end] != bytes);
    }

    /// The `max` most frequent terms of the ended walks, ties by term, for a result that
    /// does not depend on how the index is split into segments.
    pub(super) fn top(mut self, max: usize) -> Vec<String> {
        let order = |a: &Entry, b: &Entry| -> Ordering {
            b.freq
                .cmp(&a.freq)
                .then_with(|| self.bytes[a.start..a.end].cmp(&self.bytes[b.start..b.end]))
        };
        if max == 0 {
            return Vec::new();
        }
        if self.merged.len() > max {
            // Each term is there once, so `order` is total: the same terms as a full sort.
            self.merged.select_nth_unstable_by(max - 1, order);
            self.merged.truncate(max);
        }
        self.merged.sort_unstable_by(order);
        self.merged
            .iter()
            .map(|e| String::from_utf8_lossy(self.term(e)).into_owned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(counts: &mut TermCounts, terms: &[(&str, u64)]) {
        for (t, f) in terms {
            counts.push(t, *f);
        }
        counts.end_walk();
    }

    #[test]
    fn sums_over_walks_and_keeps_the_most_frequent() {
        let mut counts = TermCounts::default();
        walk(&mut counts, &[("pool", 3), ("pooled", 1), ("pools", 2)]);
        walk(&mut counts, &[("po", 1), ("pooled", 4), ("pools", 1)]);
        walk(&mut counts, &[]);
        // pooled 5, pool 3, pools 3 (tie: by term), po 1.
        assert_eq!(counts.top(3), ["pooled", "pool", "pools"]);
    }

    #[test]
    fn walks_out_of_order_count_the_same() {
        let mut counts = TermCounts::default();
        walk(&mut counts, &[("b", 1), ("a", 1), ("b", 1)]);
        walk(&mut counts, &[("a", 1)]);
        counts.remove("c");
        assert_eq!(counts.top(5), ["a", "b"]);
        let mut counts = TermCounts::default();
        walk(&mut counts, &[("a", 9), ("b", 1)]);
        counts.remove("a");
        assert_eq!(counts.top(5), ["b"]);
    }
}
