//! The page document: one per page, holding the text of all its sections, written right
//! after them. Search matches pages on these documents (a page matches when its title,
//! description, tags, headings and body together have the words) and then ranks the
//! sections inside the matched pages.
//! A section and its page document hold the same `page_ord`.

use tantivy::{doc, TantivyDocument};

use crate::doc::SectionDoc;
use crate::schema::{name, Fields, Holds};
use crate::{pairs, words};

/// A page document being filled section by section.
pub(crate) struct PageDoc {
    page_url: String,
    doc: TantivyDocument,
}

impl PageDoc {
    /// Starts the page document of the page `first` is the first section of.
    pub(crate) fn new(f: &Fields, first: &SectionDoc, area_id: u64) -> PageDoc {
        let mut doc = doc!(
            f.page_url => first.page_url.as_str(),
            f.kind => name::PAGE_KIND,
            f.area => first.area.as_str(),
            f.area_id => area_id,
            f.p_title => first.page_title.as_str(),
            f.p_desc => first.description.as_str(),
        );
        if first.overview {
            doc.add_text(f.kind, name::OVERVIEW_KIND);
        }
        for tag in &first.tags {
            doc.add_text(f.p_tags, tag);
            doc.add_text(f.tag, tag.to_lowercase());
        }
        for (text, holds) in [
            (&first.page_title, Holds::Title),
            (&first.description, Holds::Description),
        ] {
            if let Some(words) = words::value(text, holds) {
                doc.add_text(f.p_words, words);
            }
            if let Some(pairs) = pairs::value(text, holds) {
                doc.add_text(f.p_pairs, pairs);
            }
        }
        for tag in &first.tags {
            if let Some(words) = words::value(tag, Holds::Tags) {
                doc.add_text(f.p_words, words);
            }
        }
        PageDoc {
            page_url: first.page_url.clone(),
            doc,
        }
    }

    /// The page this document is for.
    pub(crate) fn page_url(&self) -> &str {
        &self.page_url
    }

    /// Adds one section's text (each a separate value, so phrases do not run across).
    pub(crate) fn push(&mut self, f: &Fields, heading: &str, body: &str, code: &str) {
        for (field, holds, text) in [
            (f.p_head, Holds::Headings, heading),
            (f.p_body, Holds::Prose, body),
            (f.p_code, Holds::Code, code),
        ] {
            if !text.is_empty() {
                self.doc.add_text(field, text);
                if let Some(words) = words::value(text, holds) {
                    self.doc.add_text(f.p_words, words);
                }
                if let Some(pairs) = pairs::value(text, holds) {
                    self.doc.add_text(f.p_pairs, pairs);
                }
            }
        }
    }

    /// The finished document of page number `page_ord` (see [`Fields::page_ord`]).
    pub(crate) fn finish(mut self, f: &Fields, page_ord: u64) -> TantivyDocument {
        self.doc.add_u64(f.page_ord, page_ord);
        self.doc
    }
}

/// The page document of a page's sections (`None` without sections).
pub(crate) fn page_document(
    f: &Fields,
    sections: &[SectionDoc],
    area_id: u64,
    page_ord: u64,
) -> Option<TantivyDocument> {
    let mut page = PageDoc::new(f, sections.first()?, area_id);
    for s in sections {
        page.push(f, &s.heading, &s.body, &s.code);
    }
    Some(page.finish(f, page_ord))
}
