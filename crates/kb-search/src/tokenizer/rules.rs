//! What a word is: how text splits into compounds, a compound into segments and
//! camelCase parts, and how each piece becomes a term (lowercased, typographic
//! apostrophes made plain, prose stemmed). Everything that decides which tokens a text
//! gives lives here; the buffer stores them and the cache replays them.

use std::borrow::Cow;

use super::buffer::TokenBuffer;
use super::TokenKind;

/// Longest token we index, in bytes. Longer runs are hashes, base64 or minified code:
/// nobody types them, and they bloat the term dictionary.
pub(super) const MAX_TOKEN_BYTES: usize = 48;

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

thread_local! {
    static STEMMER: frostem::Stemmer = frostem::Stemmer::new(frostem::Algorithm::English);
}

/// The English stem of the lowercase word `lower`.
pub(super) fn stem(lower: &str) -> Box<str> {
    STEMMER.with(|s| match s.stem(lower) {
        Cow::Borrowed(b) => b.into(),
        Cow::Owned(o) => o.into_boxed_str(),
    })
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
pub(super) fn next_compound(text: &str, from: usize) -> Option<(usize, usize)> {
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

    /// [`Self::compound`] without the cache.
    pub(super) fn analyse_compound(
        &mut self,
        text: &str,
        start: usize,
        end: usize,
        position: usize,
    ) -> usize {
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

#[cfg(test)]
mod tests {
    use super::super::analyze;
    use super::super::tests::terms;

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
    fn unicode_and_apostrophes() {
        assert_eq!(terms("Straße don’t it's"), ["straße", "don't", "it"]);
        assert!(terms("'''").is_empty());
    }
}
