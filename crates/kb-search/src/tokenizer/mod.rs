//! The one tokenizer of kb search, used to index every text field and to analyse every
//! query word, natively and in the browser, so the two sides can never disagree about
//! what a word is.
//!
//! A backend knowledge base mixes prose with code, so a "word" is one of two things:
//!
//! * a prose word (`connections`): lowercased and reduced with the English snowball
//!   stemmer, so `connection`, `connecting` and `connections` meet;
//! * an identifier (`SetMaxOpenConns`, `context.WithTimeout`, `max_connections`,
//!   `x/sync/errgroup`, `cache-aside`): kept *whole* (lowercased, never stemmed) and also
//!   split into its parts at `.`, `_`, `-`, `/`, `:`, `@` and at camelCase humps. The
//!   parts get consecutive positions, so `max open conns` finds `SetMaxOpenConns` as a
//!   phrase, and the whole token sits at the position of the first part so
//!   `SetMaxOpenConns` finds itself precisely.
//!
//! There is deliberately no stop-word list: `go`, `io`, `db`, `it`, `on` are real words
//! in this domain. Queries treat common function words as optional instead (see
//! `query.rs`).
//!
//! This file is the public face ([`analyze`], [`stem_word`], [`KbTokenizer`]); the work
//! is split by concern:
//!
//! * `rules.rs`: what a compound, a part and a term are (splitting, lowercasing,
//!   stemming);
//! * `buffer.rs`: the tokens of one text, all their terms in one string;
//! * `cache.rs`: compounds seen before, replayed instead of analysed again;
//! * `stream.rs`: the tantivy token stream the indexer runs.

mod buffer;
mod cache;
mod rules;
mod stream;

use buffer::TokenBuffer;
pub use stream::{KbTokenStream, KbTokenizer};

/// Name under which [`KbTokenizer`] is registered in every index.
pub const TOKENIZER_NAME: &str = "kb";

/// What a token stands for; decides how a query uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A prose word or one part of an identifier: lowercased and stemmed.
    Part,
    /// A whole identifier made of several parts: lowercased, never stemmed.
    Whole,
}

/// One token with its byte span in the analysed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyzedToken {
    /// The indexed term text.
    pub text: String,
    /// Byte offset of the first character in the source text.
    pub from: usize,
    /// Byte offset just past the last character in the source text.
    pub to: usize,
    /// Position in the token stream; `Whole` tokens share the position of their first part.
    pub position: usize,
    /// Whether this is a part or a whole identifier.
    pub kind: TokenKind,
}

/// Splits `text` into tokens, positions from 0: the tokens [`KbTokenizer`] gives tantivy.
pub fn analyze(text: &str) -> Vec<AnalyzedToken> {
    let mut buf = TokenBuffer::default();
    buf.analyze(text);
    buf.tokens
        .iter()
        .map(|t| AnalyzedToken {
            text: buf.term(t).to_owned(),
            from: t.from,
            to: t.to,
            position: t.position,
            kind: t.kind,
        })
        .collect()
}

/// Lowercases and stems one prose word the way the indexer does.
pub fn stem_word(word: &str) -> String {
    rules::stem(&word.to_lowercase()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The terms of `text`, in stream order.
    pub(super) fn terms(text: &str) -> Vec<String> {
        analyze(text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn offsets_point_into_source() {
        let text = "Use context.WithTimeout here";
        for t in analyze(text) {
            assert!(text.is_char_boundary(t.from) && text.is_char_boundary(t.to));
        }
        let with = analyze(text)
            .into_iter()
            .find(|t| t.text == "with")
            .map(|t| (t.from, t.to));
        assert_eq!(with, Some((12, 16)));
    }

    #[test]
    fn positions_never_decrease() {
        for text in [
            "context.WithTimeout(ctx)",
            "x/sync/errgroup.WithContext",
            "a.SetMaxOpenConns.b_c",
        ] {
            let toks = analyze(text);
            assert!(
                toks.windows(2).all(|w| w[0].position <= w[1].position),
                "{text}: {toks:?}"
            );
        }
    }

    #[test]
    fn long_tokens_are_dropped_but_keep_positions() {
        let long = "a".repeat(100);
        let toks = analyze(&format!("{long} next"));
        assert_eq!(toks.len(), 1);
        assert_eq!(toks[0].position, 1);
    }
}
