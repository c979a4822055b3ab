//! The tantivy face of the tokenizer: [`KbTokenizer`], registered in every index as
//! [`TOKENIZER_NAME`](super::TOKENIZER_NAME), and its token stream, which analyses a
//! compound at a time as the indexer asks for tokens instead of the whole text up front.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::buffer::TokenBuffer;
use super::rules::next_compound;

/// The tantivy face of [`analyze`](super::analyze), registered as
/// [`TOKENIZER_NAME`](super::TOKENIZER_NAME).
#[derive(Clone, Default)]
pub struct KbTokenizer {
    buf: TokenBuffer,
}

/// Token stream over one text, analysed a compound at a time as tantivy asks.
///
/// A compound seen before that gave one token (nearly every prose word) is copied
/// straight from the cache into the token; any other compound is analysed (or replayed)
/// into the buffer and handed out from there. Gives exactly the tokens of
/// [`analyze`](super::analyze).
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
    use super::super::analyze;
    use super::*;

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
}
