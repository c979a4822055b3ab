//! The unit of search: one section of one page, as the engine hands it over.

use serde::{Deserialize, Serialize};

/// One searchable document: a section of a page (pages are split at h2/h3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SectionDoc {
    /// Site-relative URL of the section, e.g. `caching/stampedes/#singleflight`
    /// (no anchor for the part of the page before the first heading).
    pub url: String,
    /// Site-relative URL of the page, e.g. `caching/stampedes/`: the key used to replace
    /// or remove a page's sections incrementally.
    pub page_url: String,
    /// Title of the page.
    pub page_title: String,
    /// Description of the page (the same on every section of a page): indexed once per
    /// page, with its own boost.
    pub description: String,
    /// Heading of the section; empty for the part before the first h2.
    pub heading: String,
    /// Human path to the section, e.g. `Caching Strategies > Preventing cache stampedes > singleflight`.
    pub breadcrumb: String,
    /// Plain text of the section, code blocks excluded.
    pub body: String,
    /// Text of the section's code blocks.
    pub code: String,
    /// Tags of the page.
    pub tags: Vec<String>,
    /// Area folder, e.g. `caching`: the facet results can be filtered by.
    pub area: String,
    /// Display title of the area, e.g. `Caching Strategies`.
    pub area_title: String,
    /// The page is an overview of others (a home or area page): it names many topics
    /// without being about them, so it ranks below the pages it introduces.
    pub overview: bool,
}
