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

use std::borrow::Cow;
use std::collections::HashMap;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Name under which [`KbTokenizer`] is registered in every index.
pub const TOKENIZER_NAME: &str = "kb";

/// Longest token we index, in bytes. Longer runs are hashes, base64 or minified code:
/// nobody types them, and they bloat the term dictionary.
const MAX_TOKEN_BYTES: usize = 48;

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

/// Characters that glue the segments of one identifier together when they sit between
/// two alphanumeric characters (`a.b`, `a_b`, `a-b`, `a/b`, `a::b`, `a@b`).
fn is_joiner(c: char) -> bool {
    matches!(c, '.' | '_' | '-' | '/' | ':' | '@')
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// Splits `text` into tokens, appending them to `out`.
///
/// Positions continue from `first_position`; the return value is the next free position,
/// so callers can analyse several values of one field as one stream.
pub fn analyze_into(text: &str, first_position: usize, out: &mut Vec<AnalyzedToken>) -> usize {
    let mut buf = TokenBuffer::default();
    let position = buf.analyze(text, first_position);
    out.extend(buf.tokens.iter().map(|t| AnalyzedToken {
        text: buf.term(t).to_owned(),
        from: t.from,
        to: t.to,
        position: t.position,
        kind: t.kind,
    }));
    position
}

/// Convenience wrapper around [`analyze_into`] starting at position 0.
pub fn analyze(text: &str) -> Vec<AnalyzedToken> {
    let mut out = Vec::new();
    analyze_into(text, 0, &mut out);
    out
}

/// Lowercases and stems one prose word the way the indexer does.
pub fn stem_word(word: &str) -> String {
    stem(&word.to_lowercase()).into()
}

thread_local! {
    static STEMMER: frostem::Stemmer = frostem::Stemmer::new(frostem::Algorithm::English);
}

/// The English stem of the lowercase word `lower`.
fn stem(lower: &str) -> Box<str> {
    STEMMER.with(|s| match s.stem(lower) {
        Cow::Borrowed(b) => b.into(),
        Cow::Owned(o) => o.into_boxed_str(),
    })
}

/// Most compounds a [`TokenBuffer`] remembers. Text repeats a few thousand words and
/// identifiers, so nearly every compound is analysed once per field (stemming alone was a
/// sixth of indexing time).
const COMPOUND_CACHE_MAX: usize = 65_536;

/// Longest compound remembered, in bytes; longer ones are rare and analysed every time.
const COMPOUND_CACHE_KEY_MAX: usize = 64;

/// The tokens one compound gave, relative to the compound: replayed on the next sighting
/// of the same text.
#[derive(Debug, Clone)]
struct CachedCompound {
    /// All the tokens' terms, one after another.
    terms: Box<str>,
    tokens: Box<[CachedToken]>,
    /// Positions the compound takes up.
    positions: usize,
}

#[derive(Debug, Clone, Copy)]
struct CachedToken {
    /// End of this token's term in `terms` (it starts where the previous one ends).
    term_end: u32,
    from: u32,
    to: u32,
    position: u32,
    kind: TokenKind,
}

/// Compound text (as written) to its tokens. The hasher is rustc's Fx hash, not SipHash:
/// keys are short and hashed once per word of every indexed text, and they come from the
/// author's own pages, not from an adversary.
#[derive(Debug, Clone, Default)]
struct CompoundCache {
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
    fn get(&self, text: &str, start: usize, end: usize) -> Option<&CachedCompound> {
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

/// One token of a [`TokenBuffer`]: its term is a range of the buffer's text.
#[derive(Debug, Clone, Copy)]
struct RawToken {
    term: (u32, u32),
    from: usize,
    to: usize,
    position: usize,
    kind: TokenKind,
}

/// The tokens of one text with all their terms in one string: no allocation per token.
#[derive(Debug, Clone, Default)]
struct TokenBuffer {
    terms: String,
    tokens: Vec<RawToken>,
    /// Reused for lowercasing a part before it is stemmed.
    scratch: String,
    cache: CompoundCache,
}

impl TokenBuffer {
    fn clear(&mut self) {
        self.terms.clear();
        self.tokens.clear();
    }

    fn term(&self, t: &RawToken) -> &str {
        &self.terms[t.term.0 as usize..t.term.1 as usize]
    }

    /// Tokenizes `text` from `first_position`; returns the next free position.
    fn analyze(&mut self, text: &str, first_position: usize) -> usize {
        let mut position = first_position;
        let mut rest = 0;
        while let Some((start, end)) = next_compound(text, rest) {
            position = self.compound(text, start, end, position);
            rest = end;
        }
        position
    }

    /// Adds the term appended to `terms` since `mark` as a token (or drops it when it is
    /// empty or too long).
    fn finish(&mut self, mark: usize, from: usize, to: usize, position: usize, kind: TokenKind) {
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

    /// An identifier kept whole: lowercased, never stemmed.
    fn push_whole(&mut self, piece: &str, from: usize, to: usize, position: usize) {
        let mark = self.terms.len();
        push_normalised(piece, &mut self.terms);
        self.finish(mark, from, to, position, TokenKind::Whole);
    }

    /// A prose word or identifier part: lowercased, and stemmed when alphabetic.
    fn push_part(
        &mut self,
        piece: &str,
        alphabetic: bool,
        from: usize,
        to: usize,
        position: usize,
    ) {
        let mark = self.terms.len();
        if alphabetic {
            self.scratch.clear();
            push_normalised(piece, &mut self.scratch);
            self.terms.push_str(&stem(&self.scratch));
        } else {
            push_normalised(piece, &mut self.terms);
        }
        self.finish(mark, from, to, position, TokenKind::Part);
    }
}

/// The character at byte `i` of `text` and its length, without decoding ASCII.
#[inline]
fn char_at(text: &str, i: usize) -> Option<(char, usize)> {
    let b = *text.as_bytes().get(i)?;
    if b < 0x80 {
        return Some((char::from(b), 1));
    }
    text[i..].chars().next().map(|c| (c, c.len_utf8()))
}

/// Finds the next compound: a run of word characters, possibly joined by one or two
/// joiner characters followed by more word characters. Returns byte offsets.
fn next_compound(text: &str, from: usize) -> Option<(usize, usize)> {
    let mut start = from;
    loop {
        let (c, len) = char_at(text, start)?;
        if is_word_char(c) {
            break;
        }
        start += len;
    }
    let mut end = start;
    let mut i = start;
    while let Some((c, len)) = char_at(text, i) {
        i += len;
        if is_word_char(c) {
            end = i;
            continue;
        }
        // A joiner (or apostrophe) only belongs to the compound if a word character
        // follows within two characters: `a::b`, `a.b`, `don't`, but not `end.` or `a - b`.
        if is_joiner(c) || is_apostrophe(c) {
            let ok = match char_at(text, i) {
                Some((c2, _)) if is_word_char(c2) => true,
                Some((c2, len2)) if c2 == c && is_joiner(c) => {
                    matches!(char_at(text, i + len2), Some((c3, _)) if is_word_char(c3))
                }
                _ => false,
            };
            if ok {
                continue;
            }
        }
        break;
    }
    Some((start, end))
}

/// A part of a compound: byte span and whether it is purely alphabetic (stemmable).
struct Part {
    from: usize,
    to: usize,
    alphabetic: bool,
}

/// Splits one segment (no joiners inside) at camelCase humps: `setMax` -> `set|Max`,
/// `HTTPServer` -> `HTTP|Server`. Digits stay with their letters (`utf8`, `base64`,
/// `k8s`, `Int64`).
fn split_camel(text: &str, seg_from: usize, seg_to: usize, parts: &mut Vec<Part>) {
    let seg = &text[seg_from..seg_to];
    let chars: Vec<(usize, char)> = seg.char_indices().collect();
    let mut part_start = 0;
    for k in 1..chars.len() {
        let (i, c) = chars[k];
        let prev = chars[k - 1].1;
        let next = chars.get(k + 1).map(|&(_, n)| n);
        let hump = (prev.is_lowercase() && c.is_uppercase())
            || (prev.is_uppercase() && c.is_uppercase() && next.is_some_and(|n| n.is_lowercase()));
        if hump {
            add_part(seg, seg_from, part_start, i, parts);
            part_start = i;
        }
    }
    add_part(seg, seg_from, part_start, seg.len(), parts);
}

fn add_part(seg: &str, seg_from: usize, from: usize, to: usize, parts: &mut Vec<Part>) {
    let piece = &seg[from..to];
    // Apostrophes stay inside prose words (the stemmer strips `'s`), but a part made of
    // nothing else is noise.
    if !piece.chars().any(is_word_char) {
        return;
    }
    parts.push(Part {
        from: seg_from + from,
        to: seg_from + to,
        alphabetic: piece.chars().all(|c| c.is_alphabetic() || is_apostrophe(c)),
    });
}

/// Appends `piece` lowercased, with typographic apostrophes made plain.
fn push_normalised(piece: &str, out: &mut String) {
    if piece.is_ascii() {
        let start = out.len();
        out.push_str(piece);
        out[start..].make_ascii_lowercase();
    } else {
        out.push_str(&piece.to_lowercase().replace('\u{2019}', "'"));
    }
}

impl TokenBuffer {
    /// Adds the tokens of the compound `text[start..end]` from `position`; returns the
    /// next free position.
    fn compound(&mut self, text: &str, start: usize, end: usize, position: usize) -> usize {
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

    /// [`Self::compound`] without the cache.
    fn analyse_compound(&mut self, text: &str, start: usize, end: usize, position: usize) -> usize {
        let compound = &text[start..end];
        // Most words are plain prose (`the`, `Connection`): one stemmed part.
        let b = compound.as_bytes();
        if b[0].is_ascii_alphabetic() && b[1..].iter().all(u8::is_ascii_lowercase) {
            self.push_part(compound, true, start, end, position);
            return position + 1;
        }
        // Segments between joiners, then parts within segments.
        let first_new = self.tokens.len();
        let mut segments: Vec<(usize, usize)> = Vec::new();
        let mut seg_start: Option<usize> = None;
        for (i, c) in compound.char_indices() {
            if is_joiner(c) {
                if let Some(s) = seg_start.take() {
                    segments.push((start + s, start + i));
                }
            } else if seg_start.is_none() {
                seg_start = Some(i);
            }
        }
        if let Some(s) = seg_start {
            segments.push((start + s, end));
        }
        let mut parts = Vec::new();
        let mut segment_first_part = Vec::with_capacity(segments.len());
        for &(from, to) in &segments {
            segment_first_part.push(parts.len());
            split_camel(text, from, to, &mut parts);
        }
        if parts.is_empty() {
            return position;
        }
        if parts.len() > 1 {
            self.push_whole(compound, start, end, position);
            // A segment that is itself an identifier (`WithTimeout` in `context.WithTimeout`)
            // is also kept whole, so typing just that identifier matches precisely.
            if segments.len() > 1 {
                for (k, &(from, to)) in segments.iter().enumerate() {
                    let first = segment_first_part[k];
                    let count = segment_first_part
                        .get(k + 1)
                        .copied()
                        .unwrap_or(parts.len())
                        - first;
                    if count > 1 {
                        self.push_whole(&text[from..to], from, to, position + first);
                    }
                }
            }
        }
        for (k, part) in parts.iter().enumerate() {
            let piece = &text[part.from..part.to];
            self.push_part(piece, part.alphabetic, part.from, part.to, position + k);
        }
        // tantivy's postings need non-decreasing positions in the stream, and segment-level
        // whole tokens above were pushed at later positions than the first parts. A stable
        // sort keeps a whole token before the part it shares a position with.
        self.tokens[first_new..].sort_by_key(|t| t.position);
        position + parts.len()
    }
}

/// The tantivy face of [`analyze`], registered as [`TOKENIZER_NAME`].
#[derive(Clone, Default)]
pub struct KbTokenizer {
    buf: TokenBuffer,
}

/// Token stream over one text, analysed a compound at a time as tantivy asks.
///
/// A compound seen before that gave one token (nearly every prose word) is copied
/// straight from the cache into the token; any other compound is analysed (or replayed)
/// into the buffer and handed out from there. Gives exactly the tokens of [`analyze`].
pub struct KbTokenStream<'a> {
    text: &'a str,
    buf: &'a mut TokenBuffer,
    /// Byte offset where the search for the next compound starts.
    rest: usize,
    /// Next free position.
    position: usize,
    /// Next token of `buf.tokens` to hand out.
    next: usize,
    token: Token,
}

impl Tokenizer for KbTokenizer {
    type TokenStream<'a> = KbTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> KbTokenStream<'a> {
        self.buf.clear();
        KbTokenStream {
            text,
            buf: &mut self.buf,
            rest: 0,
            position: 0,
            next: 0,
            token: Token::default(),
        }
    }
}

/// Makes `token` the token of `term` at `position`, spanning `from..to` in the text.
fn set_token(token: &mut Token, from: usize, to: usize, position: usize, term: &str) {
    token.offset_from = from;
    token.offset_to = to;
    token.position = position;
    token.position_length = 1;
    token.text.clear();
    token.text.push_str(term);
}

impl TokenStream for KbTokenStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            if let Some(t) = self.buf.tokens.get(self.next) {
                self.next += 1;
                set_token(&mut self.token, t.from, t.to, t.position, self.buf.term(t));
                return true;
            }
            let Some((start, end)) = next_compound(self.text, self.rest) else {
                return false;
            };
            self.rest = end;
            let cache = &self.buf.cache;
            if let Some(cached) = cache
                .get(self.text, start, end)
                .filter(|c| c.tokens.len() == 1)
            {
                // Its one token's term is all of the cached terms.
                let t = cached.tokens[0];
                let (from, to) = (start + t.from as usize, start + t.to as usize);
                let position = self.position + t.position as usize;
                set_token(&mut self.token, from, to, position, &cached.terms);
                self.position += cached.positions;
                return true;
            }
            self.buf.clear();
            self.next = 0;
            self.position = self.buf.compound(self.text, start, end, self.position);
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        analyze(text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn prose_is_stemmed() {
        assert_eq!(terms("Connections connecting"), ["connect", "connect"]);
    }

    #[test]
    fn camel_case_identifier_is_whole_and_split() {
        let toks = analyze("db.SetMaxOpenConns(10)");
        let texts: Vec<_> = toks.iter().map(|t| (t.text.as_str(), t.position)).collect();
        assert_eq!(
            texts,
            [
                ("db.setmaxopenconns", 0),
                ("db", 0),
                ("setmaxopenconns", 1),
                ("set", 1),
                ("max", 2),
                ("open", 3),
                ("conn", 4),
                ("10", 5),
            ]
        );
    }

    #[test]
    fn joiners_split_but_keep_whole() {
        assert_eq!(
            terms("max_connections"),
            ["max_connections", "max", "connect"]
        );
        assert_eq!(
            terms("x/sync/errgroup"),
            ["x/sync/errgroup", "x", "sync", "errgroup"]
        );
        assert_eq!(terms("cache-aside"), ["cache-aside", "cach", "asid"]);
        assert_eq!(
            terms("std::sync::Arc"),
            ["std::sync::arc", "std", "sync", "arc"]
        );
    }

    #[test]
    fn trailing_punctuation_is_not_a_joiner() {
        assert_eq!(terms("end. Next - thing"), ["end", "next", "thing"]);
    }

    #[test]
    fn acronyms_and_digits() {
        assert_eq!(terms("GOGC"), ["gogc"]);
        assert_eq!(terms("HTTPServer"), ["httpserver", "http", "server"]);
        assert_eq!(terms("utf8 Int64"), ["utf8", "int64"]);
    }

    #[test]
    fn short_technical_words_survive() {
        assert_eq!(terms("go io db it on"), ["go", "io", "db", "it", "on"]);
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
    fn unicode_and_apostrophes() {
        assert_eq!(terms("Straße don’t it's"), ["straße", "don't", "it"]);
        assert!(terms("'''").is_empty());
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

    #[test]
    fn the_token_stream_gives_exactly_the_analysed_tokens() {
        // Every kind of compound, each seen twice (the second time from the cache), and a
        // token too long to index, through one tokenizer reused across texts as tantivy
        // reuses it across fields and documents.
        let text = format!(
            "Connections don’t use db.SetMaxOpenConns or x/sync/errgroup.WithContext; \
             HTTPServer k8s utf8 Straße {} GOGC max_connections cache-aside a::b end. \
             e.g. it's",
            "z".repeat(60)
        );
        let twice = format!("{text} {text}");
        let mut tokenizer = KbTokenizer::default();
        for text in [text.as_str(), twice.as_str(), "", "  ...  ", twice.as_str()] {
            let mut stream = tokenizer.token_stream(text);
            let mut streamed = Vec::new();
            while stream.advance() {
                let t = stream.token();
                streamed.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
            }
            let analysed: Vec<_> = analyze(text)
                .into_iter()
                .map(|t| (t.text, t.from, t.to, t.position))
                .collect();
            assert_eq!(streamed, analysed, "{text}");
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
