//! What one word or quoted phrase may match, before it is spread over fields: the word
//! as analysed, the identifier whole or as a phrase of its parts, its synonyms, terms it
//! is a prefix of while typing, and terms one edit away when little matched. Expansion
//! reads the term dictionary, most frequent terms first.

use tantivy::query::FuzzyTermQuery;
use tantivy::schema::Field;
use tantivy::Term;
use tantivy_fst::Automaton;

use super::term_counts::TermCounts;
use super::{Engine, TextField};
use crate::query::ClauseKind;
use crate::tokenizer::{analyze, TokenKind};

/// Shortest word that gets typo tolerance: shorter words have too many neighbours.
pub(super) const FUZZY_MIN_CHARS: usize = 5;
/// Shortest prefix that is expanded while typing.
const PREFIX_MIN_CHARS: usize = 2;
/// Most terms one prefix expands to (the most frequent win), by typed length: a short
/// prefix matches many frequent terms and each costs a posting list walk.
const PREFIX_MAX_TERMS: [usize; 3] = [4, 8, 12];
/// Most terms one misspelt word expands to.
const FUZZY_MAX_TERMS: usize = 8;
/// Terms scanned per field and segment for one prefix, so `a` cannot walk a dictionary.
const PREFIX_SCAN_LIMIT: usize = 4000;
/// Weight of a term found by prefix relative to the word as typed.
const PREFIX_WEIGHT: f32 = 0.7;
/// Weight of a term found by typo tolerance.
const FUZZY_WEIGHT: f32 = 0.5;
/// Weight of a synonym: a little below the word as typed, so pages that use the reader's
/// own word come first.
const SYNONYM_WEIGHT: f32 = 0.9;

/// What one word or phrase may match, before it is spread over fields.
#[derive(Default)]
pub(super) struct Alternatives {
    /// Single terms with their weight.
    pub(super) terms: Vec<(String, f32)>,
    /// Sequences of terms with their relative positions, with their weight.
    pub(super) phrases: Vec<(Vec<(usize, String)>, f32)>,
    /// Some term came from typo tolerance.
    pub(super) fuzzy: bool,
}

impl Alternatives {
    fn push_term(&mut self, term: String, weight: f32) {
        if !self.terms.iter().any(|(t, _)| *t == term) {
            self.terms.push((term, weight));
        }
    }

    fn push_phrase(&mut self, phrase: Vec<(usize, String)>, weight: f32) {
        if !self.phrases.iter().any(|(p, _)| *p == phrase) {
            self.phrases.push((phrase, weight));
        }
    }

    /// Adds what `text` analyses to: one term, or a phrase of its parts.
    fn push_text(&mut self, text: &str, weight: f32) {
        let parts: Vec<_> = analyze(text)
            .into_iter()
            .filter(|t| t.kind == TokenKind::Part)
            .collect();
        match parts.as_slice() {
            [] => {}
            [one] => self.push_term(one.text.clone(), weight),
            [first, ..] => {
                let base = first.position;
                let phrase = parts.iter().map(|t| (t.position - base, t.text.clone()));
                self.push_phrase(phrase.collect(), weight);
            }
        }
    }

    pub(super) fn all_terms(&self) -> impl Iterator<Item = &str> {
        let phrases = self
            .phrases
            .iter()
            .flat_map(|(p, _)| p.iter().map(|(_, t)| t.as_str()));
        self.terms.iter().map(|(t, _)| t.as_str()).chain(phrases)
    }
}

/// Most text fields of one kind of document, whose words one tagged field holds.
const TAGS_PER_FIELD: usize = 6;

/// The tagged fields `fields` have their words in, each with the tags of those fields.
fn tagged(fields: &[TextField]) -> Vec<(Field, Vec<u8>)> {
    let mut out: Vec<(Field, Vec<u8>)> = Vec::new();
    for f in fields {
        let tag = f.tag as u8;
        match out.iter_mut().find(|(words, _)| *words == f.words) {
            Some((_, tags)) => tags.push(tag),
            None => out.push((f.words, vec![tag])),
        }
    }
    out
}

/// An automaton over words, run over tagged terms: a term matches when its word matches
/// and its tag is one of `tags`.
struct TaggedAutomaton<'a, A> {
    word: A,
    tags: &'a [u8],
}

/// Where a [`TaggedAutomaton`] stands in a key.
#[derive(Clone)]
enum TaggedState<S> {
    /// In the word.
    Word(S),
    /// After the space: the tag comes next.
    Space,
    /// After a wanted tag: the key must end.
    Tagged,
    Dead,
}

impl<A: Automaton> Automaton for TaggedAutomaton<'_, A>
where
    A::State: Clone,
{
    type State = TaggedState<A::State>;

    fn start(&self) -> Self::State {
        TaggedState::Word(self.word.start())
    }

    fn is_match(&self, state: &Self::State) -> bool {
        matches!(state, TaggedState::Tagged)
    }

    fn can_match(&self, state: &Self::State) -> bool {
        match state {
            TaggedState::Word(s) => self.word.can_match(s),
            TaggedState::Space | TaggedState::Tagged => true,
            TaggedState::Dead => false,
        }
    }

    fn accept(&self, state: &Self::State, byte: u8) -> Self::State {
        match state {
            TaggedState::Word(s) if byte == b' ' => match self.word.is_match(s) {
                true => TaggedState::Space,
                false => TaggedState::Dead,
            },
            TaggedState::Word(s) => TaggedState::Word(self.word.accept(s, byte)),
            TaggedState::Space if self.tags.contains(&byte) => TaggedState::Tagged,
            _ => TaggedState::Dead,
        }
    }
}

/// The first key after every key that starts with `prefix`: `prefix` with its last byte
/// that is not 0xFF incremented and what follows dropped. `None` when every key after
/// `prefix` starts with it (an empty prefix, or one of 0xFF bytes only).
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let last = prefix.iter().rposition(|&b| b != 0xFF)?;
    let mut end = prefix[..=last].to_vec();
    end[last] += 1;
    Some(end)
}

impl Engine<'_> {
    /// Total document frequency of `term` over the given fields.
    pub(super) fn doc_freq(&self, fields: &[TextField], term: &str) -> u64 {
        fields
            .iter()
            .map(|f| self.searcher.doc_freq(&f.term(term)).unwrap_or(0))
            .sum()
    }

    /// Whether any of `forms` of a word (as analysed, as typed) is in any of `fields`.
    pub(super) fn knows(&self, fields: &[TextField], forms: &[&str]) -> bool {
        forms.iter().any(|form| self.doc_freq(fields, form) > 0)
    }

    /// Whether none of `forms` is in any of `fields`, with every lookup answered: a lookup
    /// of a dictionary page not loaded yet counts as knowing the word.
    fn surely_unknown(&self, fields: &[TextField], forms: &[&str]) -> bool {
        forms.iter().all(|form| {
            fields
                .iter()
                .all(|f| matches!(self.searcher.doc_freq(&f.term(form)), Ok(0)))
        })
    }

    /// Terms starting with `prefix` in any of `fields`, most frequent first.
    fn prefix_terms(&self, fields: &[TextField], prefix: &str) -> Vec<String> {
        let mut counts = TermCounts::default();
        for segment in self.searcher.segment_readers() {
            for (words, tags) in tagged(fields) {
                let Ok(inverted) = segment.inverted_index(words) else {
                    continue;
                };
                // Bounded above: with a lower bound only, tantivy reads the dictionary
                // from the prefix's block to its end in one read (in the browser, every
                // page of it: `connection pool` on the guide loaded 12 dictionary pages
                // for nothing).
                let range = inverted.terms().range().ge(prefix.as_bytes());
                let range = match prefix_end(prefix.as_bytes()) {
                    Some(end) => range.lt(end),
                    None => range,
                };
                let Ok(mut stream) = range.into_stream() else {
                    continue;
                };
                // The scan's bound is per field: the tagged field holds them all.
                let limit = PREFIX_SCAN_LIMIT * TAGS_PER_FIELD;
                let mut scanned = 0;
                while stream.advance() && scanned < limit {
                    scanned += 1;
                    let key = stream.key();
                    if !key.starts_with(prefix.as_bytes()) {
                        break;
                    }
                    let Some((word, tag)) = crate::words::split(key) else {
                        continue;
                    };
                    if let (true, Ok(term)) = (tags.contains(&tag), std::str::from_utf8(word)) {
                        counts.push(term, u64::from(stream.value().doc_freq));
                    }
                }
                counts.end_walk();
            }
        }
        let chars = prefix.chars().count();
        let max = PREFIX_MAX_TERMS[chars
            .saturating_sub(PREFIX_MIN_CHARS)
            .min(PREFIX_MAX_TERMS.len() - 1)];
        counts.top(max)
    }

    /// Terms within `distance` edits of `word` in any of `fields`, most frequent first.
    pub(super) fn fuzzy_terms(
        &self,
        fields: &[TextField],
        word: &str,
        distance: u8,
        max: usize,
    ) -> Vec<String> {
        let mut counts = TermCounts::default();
        for segment in self.searcher.segment_readers() {
            for (words, tags) in tagged(fields) {
                let Ok(inverted) = segment.inverted_index(words) else {
                    continue;
                };
                // tantivy caches the Levenshtein automaton builders; we only borrow its DFA.
                let fuzzy = FuzzyTermQuery::new(Term::from_field_text(words, word), distance, true);
                let Ok(dfa) = fuzzy.automaton() else { continue };
                let automaton = TaggedAutomaton {
                    word: dfa,
                    tags: &tags,
                };
                let Ok(mut stream) = inverted.terms().search(automaton).into_stream() else {
                    continue;
                };
                while stream.advance() {
                    let Some((word, _)) = crate::words::split(stream.key()) else {
                        continue;
                    };
                    if let Ok(term) = std::str::from_utf8(word) {
                        counts.push(term, u64::from(stream.value().doc_freq));
                    }
                }
                counts.end_walk();
            }
        }
        counts.remove(word);
        counts.top(max)
    }

    /// What a word as typed may match.
    pub(super) fn word_alternatives(
        &self,
        word: &str,
        fields: &[TextField],
        prefix: bool,
        fuzzy: bool,
    ) -> Option<Alternatives> {
        let tokens = analyze(word);
        let parts: Vec<_> = tokens
            .iter()
            .filter(|t| t.kind == TokenKind::Part)
            .collect();
        let (first, last) = (parts.first()?, parts.last()?);
        let mut alts = Alternatives::default();
        let whole = tokens
            .iter()
            .find(|t| t.kind == TokenKind::Whole && t.from == first.from && t.to == last.to);
        if parts.len() == 1 {
            alts.push_term(first.text.clone(), 1.0);
            // Identifiers typed in lowercase (`setmaxopenconns`) are indexed unstemmed.
            let lower = word[first.from..first.to].to_lowercase();
            alts.push_term(lower, 1.0);
        } else {
            // The identifier as written, if the site has it; otherwise its parts in a row
            // (`x/sync/errgroup` inside `golang.org/x/sync/errgroup`, or prose that spells
            // it out). Not both: a phrase of common parts (`with` in `WithTimeout`) costs
            // more than everything else in the query.
            let known = whole.filter(|w| self.doc_freq(fields, &w.text) > 0);
            match known {
                Some(whole) => alts.push_term(whole.text.clone(), 1.0),
                None => {
                    let base = first.position;
                    let phrase = parts.iter().map(|t| (t.position - base, t.text.clone()));
                    alts.push_phrase(phrase.collect(), 1.0);
                }
            }
        }
        for synonym in self.synonyms_of(&word.to_lowercase()) {
            alts.push_text(synonym, SYNONYM_WEIGHT);
        }
        if prefix {
            // The prefix is what was typed, unstemmed: `connecti` must reach `connect`
            // (a stem shorter than the prefix) and `connection...` wholes.
            let typed = match whole {
                Some(w) if parts.len() > 1 => w.text.clone(),
                _ => word[last.from..last.to].to_lowercase(),
            };
            if typed.chars().count() >= PREFIX_MIN_CHARS {
                for term in self.prefix_terms(fields, &typed) {
                    alts.push_term(term, PREFIX_WEIGHT);
                }
                if parts.len() == 1 {
                    let mut cut = typed.clone();
                    for _ in 0..3 {
                        cut.pop();
                        if cut.chars().count() < 4 {
                            break;
                        }
                        if self.doc_freq(fields, &cut) > 0 {
                            alts.push_term(cut.clone(), PREFIX_WEIGHT);
                        }
                    }
                }
            }
        }
        if fuzzy && parts.len() == 1 {
            let lower = word[first.from..first.to].to_lowercase();
            // Only a word the index does not know is taken for a typo: walking the
            // dictionaries for its neighbours costs a first search a round trip and about
            // 100 KB, and a word the site uses is more likely rare than misspelt.
            let forms = [first.text.as_str(), lower.as_str()];
            let typo = match self.typos_ahead.get() {
                true => self.surely_unknown(fields, &forms),
                false => !self.knows(fields, &forms),
            };
            if lower.chars().count() >= FUZZY_MIN_CHARS && typo {
                let mut seeds = vec![lower];
                if first.text != seeds[0] {
                    seeds.push(first.text.clone());
                }
                for seed in seeds {
                    for term in self.fuzzy_terms(fields, &seed, 1, FUZZY_MAX_TERMS) {
                        alts.fuzzy = true;
                        alts.push_term(term, FUZZY_WEIGHT);
                    }
                }
            }
        }
        Some(alts)
    }

    /// What a quoted phrase may match: its parts, in order.
    pub(super) fn phrase_alternatives(&self, kind: &ClauseKind) -> Option<Alternatives> {
        let ClauseKind::Phrase(phrase) = kind else {
            return None;
        };
        let mut alts = Alternatives::default();
        alts.push_text(phrase, 1.0);
        (!alts.terms.is_empty() || !alts.phrases.is_empty()).then_some(alts)
    }
}

#[cfg(test)]
mod tests {
    use super::prefix_end;

    #[test]
    fn the_end_of_a_prefix_is_the_first_key_past_its_terms() {
        assert_eq!(prefix_end(b"pool"), Some(b"poom".to_vec()));
        assert_eq!(prefix_end(b"a\xff\xff"), Some(b"b".to_vec()));
        assert_eq!(prefix_end(b"\xff"), None);
        assert_eq!(prefix_end(b""), None);
        for key in [&b"pool"[..], b"pooling", b"pool\xff\xff"] {
            assert!(key < &prefix_end(b"pool").unwrap()[..]);
        }
        assert!(b"poom"[..] >= prefix_end(b"pool").unwrap()[..]);
    }
}
