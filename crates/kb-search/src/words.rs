//! Words tagged with their field, all in one field per kind of document: the word `pool`
//! in a page's prose is the term `pool b` of `p_words`, in its title `pool t`.
//!
//! Why: a word is searched in every text field, six on pages and five on sections, and
//! tantivy keeps a term dictionary, postings and positions per field. In the browser each
//! of those is a page of its own to download: on the guide, `connection pool` read 20
//! dictionary pages, 19 of postings and 17 of positions. Tagged, one word's terms in
//! every field stand next to each other in one dictionary block (a space sorts before
//! any letter a term holds), and their postings and positions next to each other too.
//!
//! BM25 still scores each field on its own: a text field keeps its norms and its token
//! count (the average length) through the field itself, indexed by [`CountTokenizer`]:
//! the same tokens, every one the same term, so its dictionary is one term. A tagged
//! term's document frequency is the word's in that field, as before. The queries of
//! `search/normed.rs` put the two together: the tagged term's postings (or positions), the
//! field's norms and statistics. The scores are the separate fields', float for float.
//!
//! A term is `word tag`: words never hold a space, and the tags are those of `pairs.rs`
//! (`Holds::tag`).

#[cfg(feature = "writer")]
use crate::schema::Holds;

/// The term of `word` in the field tagged `tag`.
pub(crate) fn term(word: &str, tag: char) -> String {
    let mut term = String::with_capacity(word.len() + 2);
    term.push_str(word);
    term.push(' ');
    term.push(tag);
    term
}

/// The word and tag of a tagged term (`None` for another key).
pub(crate) fn split(key: &[u8]) -> Option<(&[u8], u8)> {
    match key {
        [word @ .., b' ', tag] if !word.is_empty() => Some((word, *tag)),
        _ => None,
    }
}

/// The tag of the field `term` of a tagged field (or of `p_pairs`) stands in.
pub(crate) fn tag_of(term: &[u8]) -> Option<u8> {
    match term {
        [.., b' ', tag] => Some(*tag),
        _ => None,
    }
}

/// Name under which [`TaggedTokenizer`] is registered: the tokenizer of `p_words` and
/// `words`.
#[cfg(feature = "writer")]
pub(crate) const TAGGED_TOKENIZER_NAME: &str = "kb-tagged";
/// Name under which [`CountTokenizer`] is registered: the tokenizer of the text fields.
#[cfg(feature = "writer")]
pub(crate) const COUNT_TOKENIZER_NAME: &str = "kb-count";

/// The value of a tagged field for `text` in a field holding `holds` (its tag, then the
/// text); `None` for an empty text.
#[cfg(feature = "writer")]
pub(crate) fn value(text: &str, holds: Holds) -> Option<String> {
    (!text.is_empty()).then(|| {
        let mut value = String::with_capacity(text.len() + 1);
        value.push(holds.tag());
        value.push_str(text);
        value
    })
}

#[cfg(feature = "writer")]
pub(crate) use writer::{CountTokenizer, TaggedTokenizer};

#[cfg(feature = "writer")]
mod writer {
    use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

    use crate::tokenizer::{KbTokenStream, KbTokenizer};

    /// The one term of a text field's [`CountTokenizer`].
    const COUNTED: &str = "#";

    /// The tokenizer of a tagged field: a value is a tag, then a text; its tokens are
    /// [`KbTokenizer`]'s, at the same positions, each followed by a space and the tag.
    #[derive(Clone, Default)]
    pub(crate) struct TaggedTokenizer {
        words: KbTokenizer,
    }

    /// The tokenizer of a text field: [`KbTokenizer`]'s tokens, every one the same term,
    /// so the field counts them (its norms, its average length) and holds no words.
    #[derive(Clone, Default)]
    pub(crate) struct CountTokenizer {
        words: KbTokenizer,
    }

    /// The tokens of a tagged value, or of a counted one (`tag` `None`).
    pub(crate) struct Tagged<'a> {
        words: Option<KbTokenStream<'a>>,
        tag: Option<char>,
        token: Token,
    }

    impl Tokenizer for TaggedTokenizer {
        type TokenStream<'a> = Tagged<'a>;

        fn token_stream<'a>(&'a mut self, value: &'a str) -> Tagged<'a> {
            let mut chars = value.chars();
            let tag = chars.next();
            Tagged {
                words: tag.map(|_| self.words.token_stream(chars.as_str())),
                tag,
                token: Token::default(),
            }
        }
    }

    impl Tokenizer for CountTokenizer {
        type TokenStream<'a> = Tagged<'a>;

        fn token_stream<'a>(&'a mut self, text: &'a str) -> Tagged<'a> {
            Tagged {
                words: Some(self.words.token_stream(text)),
                tag: None,
                token: Token::default(),
            }
        }
    }

    impl TokenStream for Tagged<'_> {
        fn advance(&mut self) -> bool {
            let Some(words) = self.words.as_mut() else {
                return false;
            };
            if !words.advance() {
                return false;
            }
            let word = words.token();
            self.token.offset_from = word.offset_from;
            self.token.offset_to = word.offset_to;
            self.token.position = word.position;
            self.token.position_length = word.position_length;
            self.token.text.clear();
            match self.tag {
                Some(tag) => {
                    self.token.text.push_str(&word.text);
                    self.token.text.push(' ');
                    self.token.text.push(tag);
                }
                None => self.token.text.push_str(COUNTED),
            }
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
    use crate::schema::Holds;

    use tantivy::tokenizer::{TokenStream, Tokenizer};

    fn tokens<T: Tokenizer>(tokenizer: &mut T, text: &str) -> Vec<(String, usize)> {
        let mut stream = tokenizer.token_stream(text);
        let mut got = Vec::new();
        while stream.advance() {
            got.push((stream.token().text.clone(), stream.token().position));
        }
        got
    }

    #[test]
    fn tagged_terms_are_the_words_at_their_positions_with_the_tag() {
        let mut tagged = TaggedTokenizer::default();
        let prose = value("Connection pools use SetMaxOpenConns", Holds::Prose).unwrap();
        let got = tokens(&mut tagged, &prose);
        let words: Vec<_> = crate::tokenizer::analyze("Connection pools use SetMaxOpenConns")
            .into_iter()
            .map(|t| (term(&t.text, 'b'), t.position))
            .collect();
        assert_eq!(got, words);
        assert_eq!(got[0], ("connect b".to_owned(), 0));
        assert_eq!(value("", Holds::Title), None);
        assert!(tokens(&mut tagged, "").is_empty());
    }

    #[test]
    fn a_counted_field_has_as_many_tokens_and_one_term() {
        let text = "Connection pools use SetMaxOpenConns";
        let got = tokens(&mut CountTokenizer::default(), text);
        assert_eq!(got.len(), crate::tokenizer::analyze(text).len());
        assert!(got.iter().all(|(t, _)| t == "#"));
    }

    #[test]
    fn a_tagged_term_splits_back_into_word_and_tag() {
        assert_eq!(split(b"pool b"), Some((&b"pool"[..], b'b')));
        assert_eq!(split(b" b"), None);
        assert_eq!(split(b"pool"), None);
        assert_eq!(tag_of(b"connect pool h"), Some(b'h'));
    }
}
