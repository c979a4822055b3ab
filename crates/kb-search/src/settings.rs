//! Ranking settings (from the site configuration), per-query options, and the one parser
//! of search request strings shared by the wasm module and `kb serve`'s endpoint.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Ranking and result settings. kb maps `[output.html.search]` onto this.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct SearchSettings {
    /// Weight of a match in the page title.
    pub boost_title: f32,
    /// Weight of a match in the section heading (and tags).
    pub boost_heading: f32,
    /// Weight of a match in prose.
    pub boost_body: f32,
    /// Weight of a match in code blocks.
    pub boost_code: f32,
    /// Weight of a match in the page's description (front matter).
    pub boost_description: f32,
    /// Sections returned when a query does not ask for a number.
    pub limit_results: usize,
    /// All words must match (`true`) or any word may (`false`).
    pub use_boolean_and: bool,
    /// The site's own synonyms: a word (lowercase) and what it also matches. An entry
    /// replaces the built-in one for the same word.
    pub synonyms: BTreeMap<String, Vec<String>>,
}

impl Default for SearchSettings {
    fn default() -> Self {
        SearchSettings {
            boost_title: 4.0,
            boost_heading: 2.5,
            boost_body: 1.0,
            boost_code: 0.6,
            boost_description: 2.0,
            limit_results: 30,
            use_boolean_and: true,
            synonyms: BTreeMap::new(),
        }
    }
}

impl SearchSettings {
    /// Replaces values that would break ranking (negative, NaN, zero limit) by defaults.
    pub fn sanitized(&self) -> SearchSettings {
        let d = SearchSettings::default();
        let boost = |v: f32, dv: f32| if v.is_finite() && v >= 0.0 { v } else { dv };
        SearchSettings {
            boost_title: boost(self.boost_title, d.boost_title),
            boost_heading: boost(self.boost_heading, d.boost_heading),
            boost_body: boost(self.boost_body, d.boost_body),
            boost_code: boost(self.boost_code, d.boost_code),
            boost_description: boost(self.boost_description, d.boost_description),
            limit_results: if self.limit_results == 0 {
                d.limit_results
            } else {
                self.limit_results.min(MAX_LIMIT)
            },
            use_boolean_and: self.use_boolean_and,
            synonyms: self
                .synonyms
                .iter()
                .take(MAX_SYNONYMS)
                .map(|(word, also)| {
                    let also = also.iter().take(MAX_SYNONYMS_PER_WORD).cloned().collect();
                    (word.trim().to_lowercase(), also)
                })
                .collect(),
        }
    }
}

/// Most synonym entries an index keeps, so a huge list cannot bloat the head the browser
/// downloads first.
const MAX_SYNONYMS: usize = 2000;
/// Most synonyms of one word kept: each costs a term lookup per field in every query.
const MAX_SYNONYMS_PER_WORD: usize = 8;

/// Upper bound of sections one query returns, whatever is asked.
pub const MAX_LIMIT: usize = 200;

/// Options of one query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryOptions {
    /// Sections to return; 0 means the index's `limit-results`.
    pub limit: usize,
    /// Only sections of this area (folder name).
    pub area: Option<String>,
}

/// A query and its options, as carried by a URL query string
/// (`q=...&area=...&limit=...`). The browser sends exactly this string to the wasm
/// module and to `kb serve`'s `/__kb/search`, so both parse it with this one function.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchRequest {
    /// The user's query text.
    pub query: String,
    /// Its options.
    pub options: QueryOptions,
}

impl SearchRequest {
    /// Parses `q=...&area=...&limit=...` (form-urlencoded). Unknown keys, bad numbers
    /// and bad escapes are ignored, never errors.
    pub fn from_url_query(raw: &str) -> SearchRequest {
        let mut req = SearchRequest::default();
        let raw = raw.strip_prefix('?').unwrap_or(raw);
        for pair in raw.split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_decode(value);
            match percent_decode(key).as_str() {
                "q" => req.query = value,
                "area" if !value.is_empty() => req.options.area = Some(value),
                "limit" => req.options.limit = value.trim().parse().unwrap_or(0),
                _ => {}
            }
        }
        req
    }
}

/// Decodes `+` and `%XX`; invalid escapes and invalid UTF-8 are kept or replaced.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_request() {
        let r = SearchRequest::from_url_query("q=max+open%20conns&area=caching&limit=5&x=1");
        assert_eq!(r.query, "max open conns");
        assert_eq!(r.options.area.as_deref(), Some("caching"));
        assert_eq!(r.options.limit, 5);
    }

    #[test]
    fn bad_input_is_ignored() {
        let r = SearchRequest::from_url_query("q=%zz%&limit=lots&area=&&=");
        assert_eq!(r.query, "%zz%");
        assert_eq!(r.options, QueryOptions::default());
        assert_eq!(SearchRequest::from_url_query("q=%E2%82").query, "\u{fffd}");
        assert_eq!(SearchRequest::from_url_query("q=a%2").query, "a%2");
    }

    #[test]
    fn settings_are_sanitized() {
        let s = SearchSettings {
            boost_title: f32::NAN,
            limit_results: 0,
            ..Default::default()
        };
        let s = s.sanitized();
        assert_eq!(s.boost_title, SearchSettings::default().boost_title);
        assert_eq!(s.limit_results, 30);
    }
}
