//! Word pairs as terms of their own, on page documents: two *common* terms that stand
//! next to each other in a page field with positions are also indexed as one term of the
//! field `p_pairs`, tagged with the field they stand in.
//!
//! Why: a page scores the pairs typed next to each other (proximity, `search/pages.rs`)
//! and quoted two-word phrases with tantivy's phrase query, which reads both words'
//! positions whole. On a 10,000-page site that was the largest part of a first search
//! (164 KB of positions for `connection pool`), and at 100,000 pages over a megabyte.
//! The pair's own postings hold the same count per page (how many positions the pair
//! starts at), so the pair query (`search/pair.rs`) scores it as the phrase query does
//! from a few hundred bytes.
//!
//! A pair term is `first second tag`: the terms never hold a space, and the tag last keeps
//! one pair's terms in every field next to each other in the dictionary, one block.
//!
//! Only pairs of common terms are indexed: those whose positions are large. A term is
//! common when it occurs [`COMMON_OCCURRENCES`] times in the first [`SAMPLE_PAGES`] pages
//! (`Sample`); with every pair, the pairs' dictionary was ten times the words' and its
//! index alone doubled the head of a small site. The common terms are listed in the
//! index's catalog, in the head, so the search side knows which pairs the index has
//! (both terms common: a pair of two that has no term does not occur) without a
//! dictionary lookup, and without knowing how they were chosen.

/// Occurrences in the sample that make a term common: its positions then weigh about a
/// kilobyte in the sample's pages alone, more than the pair's postings and dictionary
/// block cost.
#[cfg(feature = "writer")]
pub(crate) const COMMON_OCCURRENCES: u32 = 1_000;
/// Pages sampled for common terms: their page documents wait until the common terms are
/// known (at most this many pages' text in memory).
#[cfg(feature = "writer")]
pub(crate) const SAMPLE_PAGES: usize = 1_000;

use crate::schema::Holds;

/// The tag of the field a pair stands in; `None` for a field without positions, where no
/// phrase matches.
pub(crate) fn tag(holds: Holds) -> Option<char> {
    holds.positions().then(|| holds.tag())
}

/// The term of the pair `first second` in the field tagged `tag`.
pub(crate) fn term(first: &str, second: &str, tag: char) -> String {
    let mut term = String::with_capacity(first.len() + second.len() + 3);
    term.push_str(first);
    term.push(' ');
    term.push_str(second);
    term.push(' ');
    term.push(tag);
    term
}

/// Name under which [`PairTokenizer`] is registered: the tokenizer of `p_pairs`.
#[cfg(feature = "writer")]
pub(crate) const PAIR_TOKENIZER_NAME: &str = "kb-pairs";

/// The value of `p_pairs` for `text` in a field holding `holds`: the tagged field's
/// (`words::value`, its tag then the text); `None` for a field without positions or an
/// empty text.
#[cfg(feature = "writer")]
pub(crate) fn value(text: &str, holds: Holds) -> Option<String> {
    tag(holds)?;
    crate::words::value(text, holds)
}

#[cfg(feature = "writer")]
pub(crate) use writer::{CommonTerms, PairTokenizer, Sample};

#[cfg(feature = "writer")]
mod writer {
    use std::sync::{Arc, OnceLock};

    use rustc_hash::{FxHashMap, FxHashSet};
    use tantivy::schema::Value;
    use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
    use tantivy::TantivyDocument;

    use super::{COMMON_OCCURRENCES, SAMPLE_PAGES};
    use crate::schema::Fields;
    use crate::tokenizer::KbTokenizer;

    /// The common terms of an index, once its sample decided them; shared by every
    /// [`PairTokenizer`] of the index's writers. Never decided (the live index of
    /// `kb serve`): no pairs.
    pub(crate) type CommonTerms = Arc<OnceLock<FxHashSet<String>>>;

    /// The tokenizer of `p_pairs`: a value is a tag, then a text; its tokens are the pair
    /// terms of the text's common terms as [`KbTokenizer`] gives them. For every position,
    /// each of its terms pairs with each term of the next position, once, as tantivy's
    /// phrase query counts a two-term phrase. Values never pair across each other, as
    /// tantivy leaves a gap between the values of a field.
    #[derive(Clone, Default)]
    pub(crate) struct PairTokenizer {
        common: CommonTerms,
        words: KbTokenizer,
        /// The pair terms of the value being tokenized, one after another, and where
        /// each ends.
        pairs: String,
        ends: Vec<usize>,
        /// The terms at the previous position, and at the current one.
        before: Terms,
        now: Terms,
    }

    /// The distinct terms at one position.
    #[derive(Clone, Default)]
    struct Terms {
        at: Option<usize>,
        text: String,
        ends: Vec<usize>,
    }

    impl Terms {
        fn reset(&mut self, at: Option<usize>) {
            self.at = at;
            self.text.clear();
            self.ends.clear();
        }

        fn iter(&self) -> impl Iterator<Item = &str> {
            let starts = std::iter::once(0).chain(self.ends.iter().copied());
            starts
                .zip(&self.ends)
                .map(|(from, &to)| &self.text[from..to])
        }

        fn add(&mut self, term: &str) {
            if !term.is_empty() && !self.iter().any(|t| t == term) {
                self.text.push_str(term);
                self.ends.push(self.text.len());
            }
        }
    }

    impl PairTokenizer {
        /// A tokenizer that pairs the terms of `common`.
        pub(crate) fn new(common: CommonTerms) -> PairTokenizer {
            PairTokenizer {
                common,
                ..PairTokenizer::default()
            }
        }

        /// Every pair of `before` and `now`, when `now` is the position after `before`'s.
        fn pair(before: &Terms, now: &Terms, tag: char, pairs: &mut String, ends: &mut Vec<usize>) {
            let (Some(at), Some(next)) = (before.at, now.at) else {
                return;
            };
            if next != at + 1 {
                return;
            }
            for a in before.iter() {
                for b in now.iter() {
                    pairs.push_str(a);
                    pairs.push(' ');
                    pairs.push_str(b);
                    pairs.push(' ');
                    pairs.push(tag);
                    ends.push(pairs.len());
                }
            }
        }
    }

    /// The pair terms of one value.
    pub(crate) struct PairStream<'a> {
        pairs: &'a str,
        ends: &'a [usize],
        next: usize,
        token: Token,
    }

    impl Tokenizer for PairTokenizer {
        type TokenStream<'a> = PairStream<'a>;

        fn token_stream<'a>(&'a mut self, value: &'a str) -> PairStream<'a> {
            self.pairs.clear();
            self.ends.clear();
            self.before.reset(None);
            self.now.reset(None);
            let mut chars = value.chars();
            match (chars.next(), self.common.get()) {
                (Some(tag), Some(common)) if !common.is_empty() => {
                    let (before, now) = (&mut self.before, &mut self.now);
                    let (pairs, ends) = (&mut self.pairs, &mut self.ends);
                    let mut words = self.words.token_stream(chars.as_str());
                    while words.advance() {
                        let token = words.token();
                        if Some(token.position) != now.at {
                            Self::pair(before, now, tag, pairs, ends);
                            std::mem::swap(before, now);
                            now.reset(Some(token.position));
                        }
                        // A rare term still holds its position: it stands between others.
                        if common.contains(&token.text) {
                            now.add(&token.text);
                        }
                    }
                    Self::pair(before, now, tag, pairs, ends);
                }
                _ => {}
            }
            PairStream {
                pairs: &self.pairs,
                ends: &self.ends,
                next: 0,
                token: Token::default(),
            }
        }
    }

    /// The first page documents of an index, held until their terms decide which terms are
    /// common (when [`SAMPLE_PAGES`] have come, or at the end), then handed on in order.
    pub(crate) struct Sample {
        common: CommonTerms,
        /// The same, sorted, once decided.
        sorted: Vec<String>,
        waiting: Vec<TantivyDocument>,
        counts: FxHashMap<String, u32>,
        words: KbTokenizer,
    }

    impl Sample {
        pub(crate) fn new(common: CommonTerms) -> Sample {
            Sample {
                common,
                sorted: Vec::new(),
                waiting: Vec::new(),
                counts: FxHashMap::default(),
                words: KbTokenizer::default(),
            }
        }

        /// Takes the next page document; gives the documents ready to be indexed, in order.
        pub(crate) fn add(&mut self, f: &Fields, doc: TantivyDocument) -> Vec<TantivyDocument> {
            if self.common.get().is_some() {
                return vec![doc];
            }
            for (field, _) in f.page_text() {
                for text in doc.get_all(field).filter_map(|v| v.as_str()) {
                    let mut stream = self.words.token_stream(text);
                    while stream.advance() {
                        let term = &stream.token().text;
                        match self.counts.get_mut(term) {
                            Some(n) => *n += 1,
                            None => {
                                self.counts.insert(term.clone(), 1);
                            }
                        }
                    }
                }
            }
            self.waiting.push(doc);
            if self.waiting.len() < SAMPLE_PAGES {
                return Vec::new();
            }
            self.decide()
        }

        /// Decides the common terms (if not yet) and gives the documents still waiting.
        pub(crate) fn finish(&mut self) -> Vec<TantivyDocument> {
            if self.common.get().is_some() {
                return Vec::new();
            }
            self.decide()
        }

        fn decide(&mut self) -> Vec<TantivyDocument> {
            let counts = std::mem::take(&mut self.counts);
            let mut common: Vec<String> = counts
                .into_iter()
                .filter(|(_, n)| *n >= COMMON_OCCURRENCES)
                .map(|(term, _)| term)
                .collect();
            common.sort_unstable();
            let _ = self.common.set(common.iter().cloned().collect());
            self.sorted = common;
            std::mem::take(&mut self.waiting)
        }

        /// The common terms, sorted (for the catalog): none before they are decided.
        pub(crate) fn common(&self) -> &[String] {
            &self.sorted
        }
    }

    impl TokenStream for PairStream<'_> {
        fn advance(&mut self) -> bool {
            let Some(&end) = self.ends.get(self.next) else {
                return false;
            };
            let start = match self.next {
                0 => 0,
                n => self.ends[n - 1],
            };
            self.token.text.clear();
            self.token.text.push_str(&self.pairs[start..end]);
            self.token.position = self.next;
            self.next += 1;
            true
        }

        fn token(&self) -> &Token {
            &self.token
        }

        fn token_mut(&mut self) -> &mut Token {
            &mut self.token
        }
    }
}

#[cfg(all(test, feature = "writer"))]
mod tests {
    use super::*;

    use tantivy::tokenizer::{TokenStream, Tokenizer};

    /// The pair terms of the values `texts` of a field of prose, through one tokenizer
    /// reused as tantivy reuses it.
    fn pairs(texts: &[&str]) -> Vec<String> {
        let common = CommonTerms::default();
        let words = "call set setmaxopenconns max open conn now connect pool size";
        let _ = common.set(words.split(' ').map(str::to_owned).collect());
        let mut tokenizer = PairTokenizer::new(common);
        let mut got = Vec::new();
        for t in texts {
            let Some(value) = value(t, Holds::Prose) else {
                continue;
            };
            let mut stream = tokenizer.token_stream(&value);
            while stream.advance() {
                got.push(stream.token().text.clone());
            }
        }
        got
    }

    #[test]
    fn adjacent_terms_pair_within_a_value_only() {
        assert_eq!(
            pairs(&["Connection pools", "pool size"]),
            ["connect pool b", "pool size b"]
        );
        assert_eq!(pairs(&["one", ""]), Vec::<String>::new());
        assert_eq!(value("x", Holds::Tags), None);
    }

    #[test]
    fn only_common_terms_pair_and_rare_ones_keep_their_place() {
        // `the` is not common here: `connection` and `pool` are not next to each other.
        assert_eq!(pairs(&["connection the pool size"]), ["pool size b"]);
        let mut tokenizer = PairTokenizer::default();
        let mut stream = tokenizer.token_stream("bconnection pool");
        assert!(!stream.advance(), "no common terms, no pairs");
    }

    #[test]
    fn identifiers_pair_their_parts_and_their_whole() {
        // `SetMaxOpenConns` is the whole term at the position of its first part; parts
        // are stemmed.
        let got = pairs(&["call SetMaxOpenConns now"]);
        for want in [
            "call setmaxopenconns b",
            "call set b",
            "setmaxopenconns max b",
            "set max b",
            "max open b",
            "open conn b",
            "conn now b",
        ] {
            assert!(got.contains(&want.to_owned()), "{want} in {got:?}");
        }
        assert_eq!(got.len(), 7, "{got:?}");
    }
}
