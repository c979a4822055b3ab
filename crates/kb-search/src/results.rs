//! What a search returns, and its JSON form. The JSON is the wire format of both the wasm
//! module and `kb serve`'s `/__kb/search`; the browser code reads exactly these names.

use serde::Serialize;

/// The answer to one query.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SearchResults {
    /// The query as searched (after cutting an over-long query).
    pub query: String,
    /// Sections of the best pages, best page first, each page's best sections first.
    pub hits: Vec<SearchHit>,
    /// Matching pages in the selected area (all areas if none is selected).
    pub total: usize,
    /// Every area of the index with its number of matching pages for this query,
    /// ignoring the area filter (for an empty query: all its pages). Sorted by area.
    pub areas: Vec<AreaCount>,
    /// Typo tolerance was used: exact words found too little.
    pub fuzzy: bool,
    /// The query was longer than we search and was cut.
    pub truncated: bool,
    /// When nothing matched: other queries that would find something.
    pub suggestions: Vec<String>,
    /// Words (and phrases) of the query left out because no page has them with the
    /// others, as typed: the results are for the query without them.
    pub dropped: Vec<String>,
    /// The query's positive words, lowercased: what to highlight on the target page.
    pub words: Vec<String>,
}

/// One matching section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    /// Site-relative URL of the section (with its `#anchor`).
    pub url: String,
    /// Site-relative URL of its page; hits are grouped by it.
    pub page_url: String,
    /// Title of the page.
    pub page_title: String,
    /// Section heading; empty for the top of the page.
    pub heading: String,
    /// `Area > Page > Section`.
    pub breadcrumb: String,
    /// Area folder.
    pub area: String,
    /// Area title.
    pub area_title: String,
    /// BM25 score with boosts, rounded to 4 decimals so native and wasm agree to the byte.
    pub score: f32,
    /// A short passage with the matched words marked. Plain text, never HTML.
    pub excerpt: Vec<ExcerptPart>,
}

/// A run of excerpt text, marked when it matched the query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExcerptPart {
    /// Plain text (insert as text, never as HTML).
    pub text: String,
    /// Whether this run matched a query word.
    pub mark: bool,
}

/// An area and how many sections of it match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AreaCount {
    /// Area folder (the value of `area:` and of the `area` option).
    pub area: String,
    /// Display title.
    pub title: String,
    /// Matching pages.
    pub count: usize,
}

impl SearchResults {
    /// The wire JSON. Serialising these plain structs cannot fail; should it ever, the
    /// browser still gets valid JSON with no hits.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self)
            .unwrap_or_else(|_| r#"{"query":"","hits":[],"total":0,"areas":[],"fuzzy":false,"truncated":false,"suggestions":[],"dropped":[],"words":[]}"#.to_owned())
    }
}

/// Rounds a score for output; see [`SearchHit::score`].
pub(crate) fn round_score(score: f32) -> f32 {
    ((score as f64 * 10_000.0).round() / 10_000.0) as f32
}
