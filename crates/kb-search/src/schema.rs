//! The tantivy schema of a kb search index, and the handles of its fields. Both the
//! indexer and the searcher build it from here.
//!
//! Two kinds of documents share it. A *section* document holds one section of a page (the
//! fields `page_title` to `code`); a *page* document holds the whole page (the `p_*`
//! fields, `kind` = `page`) and is written right after its page's sections. Pages are
//! matched on page documents (every word somewhere on the page), sections are ranked
//! inside the matched pages; `page_ord` ties a section to its page. The two use disjoint text fields, so each has BM25 statistics
//! of its own (document frequencies count pages on one side, sections on the other).
//!
//! A text field holds its norms and token count only; its words are terms of the kind's
//! tagged field (`p_words` or `words`, see `words.rs`), tagged with the field.

use tantivy::schema::{Field, Schema};
#[cfg(feature = "writer")]
use tantivy::schema::{
    IndexRecordOption, NumericOptions, TextFieldIndexing, TextOptions, STORED, STRING,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::Index;

use crate::tokenizer::{KbTokenizer, TOKENIZER_NAME};

/// Handles of every field of the schema.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    /// Full URL of the section (stored only).
    pub url: Field,
    /// URL of the page (raw term: replacing a page deletes by it).
    pub page_url: Field,
    pub page_title: Field,
    pub heading: Field,
    pub breadcrumb: Field,
    pub body: Field,
    pub code: Field,
    /// Tags, tokenized: found by plain words.
    pub tags: Field,
    /// Tags, lowercased raw terms: the `tag:` filter.
    pub tag: Field,
    /// Area folder as a raw term: the `area:` filter.
    pub area: Field,
    /// Area number (position in the index's sorted area list): counted per query.
    #[cfg_attr(not(feature = "writer"), allow(dead_code))]
    pub area_id: Field,
    pub area_title: Field,
    /// `page` on page documents only: what a query with filters alone selects; also
    /// `overview` on those of overview pages.
    pub kind: Field,
    /// Number of the page (fast field), the same on its sections and its page document:
    /// how a matched section finds its page (read by name on the search side).
    #[cfg_attr(not(feature = "writer"), allow(dead_code))]
    pub page_ord: Field,
    /// Page document fields: title, description, tags, every heading, all prose, all code.
    pub p_title: Field,
    pub p_desc: Field,
    pub p_tags: Field,
    pub p_head: Field,
    pub p_body: Field,
    pub p_code: Field,
    /// Page document field: the word pairs of the fields above with positions, as terms
    /// of their own (see `pairs.rs`).
    pub p_pairs: Field,
    /// The words of the page document's text fields, tagged with their field (see
    /// `words.rs`).
    pub p_words: Field,
    /// The same for the section's text fields.
    pub words: Field,
}

/// Field names, fixed forever for a given blob format version.
pub(crate) mod name {
    pub const AREA_ID: &str = "area_id";
    /// The value of the `kind` field on page documents.
    pub const PAGE_KIND: &str = "page";
    /// The second value of `kind` on the page documents of overview pages.
    pub const OVERVIEW_KIND: &str = "overview";
    pub const PAGE_ORD: &str = "page_ord";
}

impl Fields {
    pub(crate) fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        let f = |name: &str| schema.get_field(name);
        Ok(Fields {
            url: f("url")?,
            page_url: f("page_url")?,
            page_title: f("page_title")?,
            heading: f("heading")?,
            breadcrumb: f("breadcrumb")?,
            body: f("body")?,
            code: f("code")?,
            tags: f("tags")?,
            tag: f("tag")?,
            area: f("area")?,
            area_id: f(name::AREA_ID)?,
            area_title: f("area_title")?,
            kind: f("kind")?,
            page_ord: f(name::PAGE_ORD)?,
            p_title: f("p_title")?,
            p_desc: f("p_desc")?,
            p_tags: f("p_tags")?,
            p_head: f("p_head")?,
            p_body: f("p_body")?,
            p_code: f("p_code")?,
            p_pairs: f("p_pairs")?,
            p_words: f("p_words")?,
            words: f("words")?,
        })
    }

    /// The text fields a word is searched in on page documents, with what each holds.
    /// Searching (`Engine::text_fields`) and the pages fetched ahead (`prefetch.rs`)
    /// both take them from here.
    pub(crate) fn page_text(&self) -> [(Field, Holds); 6] {
        [
            (self.p_title, Holds::Title),
            (self.p_desc, Holds::Description),
            (self.p_tags, Holds::Tags),
            (self.p_head, Holds::Headings),
            (self.p_body, Holds::Prose),
            (self.p_code, Holds::Code),
        ]
    }

    /// The text fields a word is searched in on sections, with what each holds.
    pub(crate) fn section_text(&self) -> [(Field, Holds); 5] {
        [
            (self.page_title, Holds::Title),
            (self.heading, Holds::Headings),
            (self.tags, Holds::Tags),
            (self.body, Holds::Prose),
            (self.code, Holds::Code),
        ]
    }
}

impl Fields {
    /// The text field whose norms score `term` of a tagged field or of `p_pairs`: the
    /// field its tag names, of the same kind of document. `None` for another term.
    pub(crate) fn norms_of(&self, term: &tantivy::Term) -> Option<Field> {
        let level: &[(Field, Holds)] = match term.field() {
            f if f == self.p_words || f == self.p_pairs => &self.page_text(),
            f if f == self.words => &self.section_text(),
            _ => return None,
        };
        let tag = crate::words::tag_of(term.serialized_value_bytes())?;
        level
            .iter()
            .find(|(_, holds)| holds.tag() as u32 == u32::from(tag))
            .map(|(field, _)| *field)
    }
}

/// What a text field holds: its boost follows from it, and whether it has positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Holds {
    Title,
    Description,
    Tags,
    Headings,
    Prose,
    Code,
}

impl Holds {
    /// Tags are words, not text: no phrase is searched in them.
    pub(crate) fn positions(self) -> bool {
        self != Holds::Tags
    }

    /// The tag of the field's words in a tagged field and of its pairs (`words.rs`).
    pub(crate) fn tag(self) -> char {
        match self {
            Holds::Title => 't',
            Holds::Description => 'd',
            Holds::Tags => 'g',
            Holds::Headings => 'h',
            Holds::Prose => 'b',
            Holds::Code => 'c',
        }
    }
}

/// A text field: its norms and token count, from one term per token (`words.rs`).
#[cfg(feature = "writer")]
fn text(stored: bool) -> TextOptions {
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(crate::words::COUNT_TOKENIZER_NAME)
            .set_index_option(IndexRecordOption::Basic),
    );
    if stored {
        options.set_stored()
    } else {
        options
    }
}

/// Builds the schema. The order of fields is part of the blob format.
#[cfg(feature = "writer")]
pub(crate) fn build_schema() -> Schema {
    let mut b = Schema::builder();
    b.add_text_field("url", STORED);
    b.add_text_field("page_url", STRING | STORED);
    b.add_text_field("page_title", text(true));
    b.add_text_field("heading", text(true));
    b.add_text_field("breadcrumb", STORED);
    b.add_text_field("body", text(true));
    b.add_text_field("code", text(true));
    b.add_text_field("tags", text(false));
    b.add_text_field("tag", STRING);
    b.add_text_field("area", STRING | STORED);
    b.add_u64_field(name::AREA_ID, NumericOptions::default().set_fast());
    b.add_text_field("area_title", STORED);
    b.add_text_field("kind", STRING);
    b.add_u64_field(name::PAGE_ORD, NumericOptions::default().set_fast());
    b.add_text_field("p_title", text(false));
    b.add_text_field("p_desc", text(false));
    b.add_text_field("p_tags", text(false));
    b.add_text_field("p_head", text(false));
    b.add_text_field("p_body", text(false));
    b.add_text_field("p_code", text(false));
    // No norms: a pair scores with its field's (see `pairs.rs`).
    b.add_text_field(
        "p_pairs",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(crate::pairs::PAIR_TOKENIZER_NAME)
                .set_index_option(IndexRecordOption::WithFreqs)
                .set_fieldnorms(false),
        ),
    );
    // The words of the text fields above, tagged (see `words.rs`); positions serve
    // phrases, tags have none to serve but share the field. No norms: each text field's.
    for name in ["p_words", "words"] {
        b.add_text_field(
            name,
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(crate::words::TAGGED_TOKENIZER_NAME)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions)
                    .set_fieldnorms(false),
            ),
        );
    }
    b.build()
}

/// Registers the kb tokenizer on an index (needed after every create or open).
pub(crate) fn register_tokenizer(index: &Index) {
    index
        .tokenizers()
        .register(TOKENIZER_NAME, TextAnalyzer::from(KbTokenizer::default()));
    #[cfg(feature = "writer")]
    {
        index.tokenizers().register(
            crate::pairs::PAIR_TOKENIZER_NAME,
            crate::pairs::PairTokenizer::default(),
        );
        index.tokenizers().register(
            crate::words::TAGGED_TOKENIZER_NAME,
            crate::words::TaggedTokenizer::default(),
        );
        index.tokenizers().register(
            crate::words::COUNT_TOKENIZER_NAME,
            crate::words::CountTokenizer::default(),
        );
    }
}
