//! The tokens of one text, kept with all their terms in one string so that analysing a
//! text allocates nothing per token. [`analyze`](super::analyze) and the token stream
//! both fill a [`TokenBuffer`]; the rules decide what goes in (`rules.rs`), the cache
//! what can be replayed (`cache.rs`).

use super::cache::CompoundCache;
use super::rules::{next_compound, MAX_TOKEN_BYTES};
use super::TokenKind;

/// One token of a [`TokenBuffer`]: its term is a range of the buffer's text.
#[derive(Debug, Clone, Copy)]
pub(super) struct RawToken {
    pub(super) term: (u32, u32),
    pub(super) from: usize,
    pub(super) to: usize,
    pub(super) position: usize,
    pub(super) kind: TokenKind,
}

/// The tokens of one text with all their terms in one string: no allocation per token.
#[derive(Debug, Clone, Default)]
pub(super) struct TokenBuffer {
    pub(super) terms: String,
    pub(super) tokens: Vec<RawToken>,
    /// Reused for lowercasing a part before it is stemmed.
    pub(super) scratch: String,
    pub(super) cache: CompoundCache,
}

impl TokenBuffer {
    pub(super) fn clear(&mut self) {
        self.terms.clear();
        self.tokens.clear();
    }

    pub(super) fn term(&self, t: &RawToken) -> &str {
        &self.terms[t.term.0 as usize..t.term.1 as usize]
    }

    /// Appends the tokens of `text`, positions from 0.
    pub(super) fn analyze(&mut self, text: &str) {
        let mut position = 0;
        let mut rest = 0;
        while let Some((start, end)) = next_compound(text, rest) {
            position = self.compound(text, start, end, position);
            rest = end;
        }
    }

    /// Adds the term appended to `terms` since `mark` as a token (or drops it when it is
    /// empty or too long).
    pub(super) fn finish(
        &mut self,
        mark: usize,
        from: usize,
        to: usize,
        position: usize,
        kind: TokenKind,
    ) {
        let len = self.terms.len() - mark;
        if len == 0 || len > MAX_TOKEN_BYTES || self.terms.len() > u32::MAX as usize {
            self.terms.truncate(mark);
            return;
        }
        self.tokens.push(RawToken {
            term: (mark as u32, self.terms.len() as u32),
            from,
            to,
            position,
            kind,
        });
    }
}
