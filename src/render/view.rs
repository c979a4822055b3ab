//! Read-only views handed to templates. Templates never see the model itself, only these
//! plain, serializable snapshots, so a template cannot depend on engine internals.

use serde::Serialize;

use crate::config::ThemeMode;
use crate::content::front_matter::Difficulty;

/// What every page's template knows about the site.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct SiteView {
    pub title: String,
    /// `[book] authors`, for themes that show them (the default theme does not).
    pub authors: Vec<String>,
    pub description: String,
    pub language: String,
    pub default_theme: ThemeMode,
    pub repository_url: Option<String>,
    pub search: bool,
    /// Content-hashed stylesheet path, relative to the root (`style.3f2a1c9d.css`).
    pub css: String,
    /// Content-hashed script path, relative to the root.
    pub js: String,
    pub additional_css: Vec<String>,
    pub additional_js: Vec<String>,
}

/// A link with its text.
#[derive(Debug, Clone, PartialEq, Hash, Serialize)]
pub(crate) struct LinkView {
    pub title: String,
    pub href: String,
}

/// A card on the home page, an area page, a tag page or a related list.
#[derive(Debug, Clone, PartialEq, Hash, Serialize)]
pub(crate) struct CardView {
    pub title: String,
    pub href: String,
    pub description: String,
    pub difficulty: Option<Difficulty>,
    /// Number of pages, for area cards.
    pub count: Option<usize>,
}

/// An entry of the "On this page" list.
#[derive(Debug, Clone, PartialEq, Hash, Serialize)]
pub(crate) struct TocEntry {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// The page being rendered.
#[derive(Debug, Clone, PartialEq, Hash, Serialize)]
pub(crate) struct PageView {
    /// `home`, `area`, `article`, `tags`, `tag`, `404` or `print`.
    pub kind: &'static str,
    pub title: String,
    /// The body begins with its own `<h1>`: the template leaves its own out.
    pub title_in_body: bool,
    pub description: String,
    pub canonical: Option<String>,
    /// The page's Markdown twin, relative to the page (it sits beside it): `index.md`.
    pub markdown: Option<String>,
    /// The rendered Markdown body.
    pub content: String,
    pub toc: Vec<TocEntry>,
    pub tags: Vec<LinkView>,
    pub difficulty: Option<Difficulty>,
    pub updated: Option<String>,
    pub reading_minutes: usize,
    pub breadcrumbs: Vec<LinkView>,
    pub prev: Option<LinkView>,
    pub next: Option<LinkView>,
    pub related: Vec<CardView>,
    pub cards: Vec<CardView>,
    pub edit_url: Option<String>,
    /// The print page: each chapter starts on a new sheet.
    pub page_break: bool,
}

impl PageView {
    /// A page with only a title and description; callers fill in the rest.
    pub(crate) fn new(
        kind: &'static str,
        title: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        PageView {
            kind,
            title: title.into(),
            title_in_body: false,
            description: description.into(),
            canonical: None,
            markdown: None,
            content: String::new(),
            toc: Vec::new(),
            tags: Vec::new(),
            difficulty: None,
            updated: None,
            reading_minutes: 0,
            breadcrumbs: Vec::new(),
            prev: None,
            next: None,
            related: Vec::new(),
            cards: Vec::new(),
            edit_url: None,
            page_break: false,
        }
    }
}

/// Everything a template receives.
#[derive(Debug, Serialize)]
pub(crate) struct Context<'a> {
    pub site: &'a SiteView,
    pub page: &'a PageView,
    /// Relative path to the site root (`../../`).
    pub root: &'a str,
    /// The sidebar's HTML, with the current page marked.
    pub sidebar: &'a str,
    /// `<base href>` for pages served at any path (the 404 page).
    pub base: Option<&'a str>,
}
