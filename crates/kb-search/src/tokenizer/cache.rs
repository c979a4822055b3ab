//! Compounds seen before: the tokens a compound gave, kept relative to the compound and
//! replayed on its next sighting instead of being split and stemmed again.
//! [`TokenBuffer::compound`] is where every compound enters, cached or not.

use std::collections::HashMap;

use super::buffer::{RawToken, TokenBuffer};
use super::TokenKind;

/// Most compounds a [`TokenBuffer`] remembers. Text repeats a few thousand words and
/// identifiers, so nearly every compound is analysed once per field (stemming alone was a
/// sixth of indexing time).
const COMPOUND_CACHE_MAX: usize = 65_536;

/// Longest compound remembered, in bytes; longer ones are rare and analysed every time.
const COMPOUND_CACHE_KEY_MAX: usize = 64;

/// The tokens one compound gave, relative to the compound: replayed on the next sighting
/// of the same text.
#[derive(Debug, Clone)]
pub(super) struct CachedCompound {
    /// All the tokens' terms, one after another.
    pub(super) terms: Box<str>,
    pub(super) tokens: Box<[CachedToken]>,
    /// Positions the compound takes up.
    pub(super) positions: usize,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct CachedToken {
    /// End of this token's term in `terms` (it starts where the previous one ends).
    pub(super) term_end: u32,
    pub(super) from: u32,
    pub(super) to: u32,
    pub(super) position: u32,
    pub(super) kind: TokenKind,
}

/// Compound text (as written) to its tokens. The hasher is rustc's Fx hash, not SipHash:
/// keys are short and hashed once per word of every indexed text, and they come from the
/// author's own pages, not from an adversary.
#[derive(Debug, Clone, Default)]
pub(super) struct CompoundCache {
    /// Compounds of up to [`SHORT_KEY_BYTES`] (nearly all), keyed inline: looking one up
    /// compares two words instead of following a pointer and calling `memcmp`.
    short: HashMap<ShortKey, CachedCompound, rustc_hash::FxBuildHasher>,
    /// Longer compounds (URLs, import paths).
    long: HashMap<Box<str>, CachedCompound, rustc_hash::FxBuildHasher>,
}

/// Longest compound kept in [`CompoundCache::short`].
const SHORT_KEY_BYTES: usize = 16;

/// A compound of up to [`SHORT_KEY_BYTES`], zero-padded. Compounds never contain a zero
/// byte (they are word characters and joiners), so the padding is unambiguous.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct ShortKey(u64, u64);

impl ShortKey {
    /// The key of `text[start..end]`, or `None` when it is too long.
    #[inline]
    fn new(text: &str, start: usize, end: usize) -> Option<ShortKey> {
        let len = end - start;
        if len > SHORT_KEY_BYTES {
            return None;
        }
        // Two whole words from the text when it has 16 bytes from `start`, else a copy.
        let mut padded = [0u8; SHORT_KEY_BYTES];
        let bytes = match text.as_bytes().get(start..start + SHORT_KEY_BYTES) {
            Some(window) => window,
            None => {
                padded[..len].copy_from_slice(&text.as_bytes()[start..end]);
                &padded[..]
            }
        };
        let word = |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().unwrap_or_default());
        let mask = |n: usize| match n {
            0 => 0,
            1..=7 => (1u64 << (8 * n)) - 1,
            _ => u64::MAX,
        };
        Some(ShortKey(
            word(0) & mask(len),
            word(8) & mask(len.saturating_sub(8)),
        ))
    }
}

impl CompoundCache {
    pub(super) fn get(&self, text: &str, start: usize, end: usize) -> Option<&CachedCompound> {
        match ShortKey::new(text, start, end) {
            Some(key) => self.short.get(&key),
            None => self.long.get(&text[start..end]),
        }
    }

    fn len(&self) -> usize {
        self.short.len() + self.long.len()
    }

    fn clear(&mut self) {
        self.short.clear();
        self.long.clear();
    }

    fn insert(&mut self, text: &str, start: usize, end: usize, cached: CachedCompound) {
        match ShortKey::new(text, start, end) {
            Some(key) => self.short.insert(key, cached),
            None => self.long.insert(text[start..end].into(), cached),
        };
    }
}

impl TokenBuffer {
    /// Adds the tokens of the compound `text[start..end]` from `position`; returns the
    /// next free position.
    pub(super) fn compound(
        &mut self,
        text: &str,
        start: usize,
        end: usize,
        position: usize,
    ) -> usize {
        let compound = &text[start..end];
        if compound.len() > COMPOUND_CACHE_KEY_MAX {
            return self.analyse_compound(text, start, end, position);
        }
        let room = self.terms.len() < (u32::MAX / 2) as usize;
        if let Some(cached) = self.cache.get(text, start, end).filter(|_| room) {
            let base = self.terms.len() as u32;
            self.terms.push_str(&cached.terms);
            let mut term_start = base;
            for t in cached.tokens.iter() {
                let term_end = base + t.term_end;
                self.tokens.push(RawToken {
                    term: (term_start, term_end),
                    from: start + t.from as usize,
                    to: start + t.to as usize,
                    position: position + t.position as usize,
                    kind: t.kind,
                });
                term_start = term_end;
            }
            return position + cached.positions;
        }
        let first_token = self.tokens.len();
        let next = self.analyse_compound(text, start, end, position);
        // The tokens were sorted by position after their terms were appended, so the
        // cached terms are laid out again in token order.
        let mut terms = String::new();
        let tokens = self.tokens[first_token..]
            .iter()
            .map(|t| {
                terms.push_str(&self.terms[t.term.0 as usize..t.term.1 as usize]);
                let term_end = terms.len() as u32;
                CachedToken {
                    term_end,
                    from: (t.from - start) as u32,
                    to: (t.to - start) as u32,
                    position: (t.position - position) as u32,
                    kind: t.kind,
                }
            })
            .collect();
        if self.cache.len() >= COMPOUND_CACHE_MAX {
            self.cache.clear();
        }
        let cached = CachedCompound {
            terms: terms.into_boxed_str(),
            tokens,
            positions: next - position,
        };
        self.cache.insert(text, start, end, cached);
        next
    }
}

#[cfg(test)]
mod tests {
    use super::super::analyze;
    use super::*;

    #[test]
    fn a_repeated_compound_gives_the_same_tokens_shifted() {
        // The second sighting of each compound is replayed from the buffer's cache.
        let once = "x/sync/errgroup.WithContext db.SetMaxOpenConns Connections don't";
        let twice = format!("{once} {once}");
        let toks = analyze(&twice);
        let (first, second) = toks.split_at(toks.len() / 2);
        let shift = once.len() + 1;
        let positions = first.last().map_or(0, |t| t.position + 1);
        assert_eq!(first.len(), second.len());
        for (a, b) in first.iter().zip(second) {
            assert_eq!(a.text, b.text);
            assert_eq!(a.kind, b.kind);
            assert_eq!((a.from + shift, a.to + shift), (b.from, b.to));
            assert_eq!(a.position + positions, b.position);
            assert_eq!(&twice[a.from..a.to], &twice[b.from..b.to]);
        }
    }

    #[test]
    fn short_keys_are_equal_exactly_when_the_compounds_are() {
        let words = [
            "a",
            "ab",
            "conn",
            "conns",
            "abcdefg",
            "abcdefgh",
            "abcdefghi",
            "connections",
            "abcdefghijklmnop",
            "abcdefghijklmno",
            "héllo",
        ];
        // Each word mid-text (read in place) and at the very end (copied).
        let key = |w: &str, at_end: bool| {
            let text = if at_end {
                format!("x {w}")
            } else {
                format!("x {w} {}", "z".repeat(20))
            };
            ShortKey::new(&text, 2, 2 + w.len())
        };
        for a in words {
            assert_eq!(key(a, true), key(a, false), "{a}");
            assert!(key(a, true).is_some(), "{a}");
            for b in words {
                assert_eq!(a == b, key(a, false) == key(b, true), "{a} / {b}");
            }
        }
        assert_eq!(key("abcdefghijklmnopq", false), None);
    }
}
