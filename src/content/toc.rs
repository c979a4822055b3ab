//! The table of contents: what the sidebar shows, as data.
//!
//! Made by [`super::assemble`] from SUMMARY.md in an mdBook book (parts, numbers, nesting,
//! drafts, separators) and from the folder tree in a kb site, so the sidebar renders one
//! shape whatever the site's layout.

/// One line of the table of contents.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TocItem {
    /// A part title (`# Reference` in SUMMARY.md): a heading, not a link.
    Part(String),
    /// A dividing line.
    Separator,
    Entry(TocEntry),
}

/// A page (or a draft, or a folder without an index page) and what is nested under it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TocEntry {
    /// Index into `Site::pages`; `None` for a draft chapter or a folder with no index page.
    pub page: Option<usize>,
    pub title: String,
    /// "1.2." for numbered mdBook chapters.
    pub number: Option<String>,
    pub children: Vec<TocEntry>,
}

impl TocEntry {
    /// Every page of this entry and those under it, depth first.
    pub(crate) fn pages(&self, out: &mut Vec<usize>) {
        out.extend(self.page);
        for child in &self.children {
            child.pages(out);
        }
    }
}
