//! The tantivy schema of a kb search index: one document per page section, and the
//! handles of its fields. Both the indexer and the searcher build it from here.

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
}

/// Field names, fixed forever for a given blob format version.
pub(crate) mod name {
    pub const AREA_ID: &str = "area_id";
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
        })
    }
}

#[cfg(feature = "writer")]
fn text(stored: bool, positions: bool) -> TextOptions {
    let record = if positions {
        IndexRecordOption::WithFreqsAndPositions
    } else {
        IndexRecordOption::WithFreqs
    };
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER_NAME)
            .set_index_option(record),
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
    b.add_text_field("page_title", text(true, true));
    b.add_text_field("heading", text(true, true));
    b.add_text_field("breadcrumb", STORED);
    b.add_text_field("body", text(true, true));
    b.add_text_field("code", text(true, true));
    b.add_text_field("tags", text(false, false));
    b.add_text_field("tag", STRING);
    b.add_text_field("area", STRING | STORED);
    b.add_u64_field(name::AREA_ID, NumericOptions::default().set_fast());
    b.add_text_field("area_title", STORED);
    b.build()
}

/// Registers the kb tokenizer on an index (needed after every create or open).
pub(crate) fn register_tokenizer(index: &Index) {
    index
        .tokenizers()
        .register(TOKENIZER_NAME, TextAnalyzer::from(KbTokenizer::default()));
}
