//! Which pages link into which with a `#fragment`: after a body edit, only the pages that
//! link into an edited page with an anchor can have gained or lost a broken-anchor warning.
//! Kept by the session so that finding them does not scan every link of the site (at
//! 100,000 pages, about a million) on every edit.

use std::collections::{BTreeSet, HashMap};

use crate::markdown::links::LinkTarget;
use crate::markdown::RenderedPage;

/// The pages (by index) whose links name an anchor of each page (by `rel`).
#[derive(Debug, Default)]
pub(super) struct AnchorLinks {
    into: HashMap<String, BTreeSet<usize>>,
}

impl AnchorLinks {
    /// The anchor links of every page, `rendered` in page order.
    pub(super) fn of(rendered: &[RenderedPage]) -> AnchorLinks {
        let mut links = AnchorLinks::default();
        for (j, page) in rendered.iter().enumerate() {
            links.add(j, page);
        }
        links
    }

    /// The pages that link with an anchor into any of `rels`.
    pub(super) fn linking_into<'a>(
        &'a self,
        rels: impl IntoIterator<Item = &'a str> + 'a,
    ) -> impl Iterator<Item = usize> + 'a {
        rels.into_iter()
            .filter_map(|rel| self.into.get(rel))
            .flatten()
            .copied()
    }

    /// Page `j`'s links are now those of `new`, no longer those of `old`.
    pub(super) fn replace(&mut self, j: usize, old: &RenderedPage, new: &RenderedPage) {
        for rel in targets(old) {
            if let Some(pages) = self.into.get_mut(rel) {
                pages.remove(&j);
                if pages.is_empty() {
                    self.into.remove(rel);
                }
            }
        }
        self.add(j, new);
    }

    fn add(&mut self, j: usize, page: &RenderedPage) {
        for rel in targets(page) {
            self.into.entry(rel.to_string()).or_default().insert(j);
        }
    }
}

/// The pages `page` links into with an anchor, by `rel`.
fn targets(page: &RenderedPage) -> impl Iterator<Item = &str> {
    page.links.iter().filter_map(|link| match &link.target {
        LinkTarget::Page {
            rel,
            fragment: Some(_),
        } => Some(rel.as_str()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;
    use crate::markdown::render::LinkRef;

    fn page(targets: &[(&str, Option<&str>)]) -> RenderedPage {
        RenderedPage {
            links: targets
                .iter()
                .map(|(rel, fragment)| LinkRef {
                    target: LinkTarget::Page {
                        rel: rel.to_string(),
                        fragment: fragment.map(str::to_string),
                    },
                    written: rel.to_string(),
                    location: Location {
                        file: "content/a.md".into(),
                        line: 1,
                        column: 1,
                    },
                })
                .collect(),
            ..RenderedPage::default()
        }
    }

    fn linking(links: &AnchorLinks, rel: &str) -> Vec<usize> {
        let mut pages: Vec<usize> = links.linking_into([rel]).collect();
        pages.sort();
        pages
    }

    #[test]
    fn only_links_with_an_anchor_count_and_edits_move_them() {
        let pages = [
            page(&[("b.md", Some("x")), ("c.md", None)]),
            page(&[("b.md", None)]),
            page(&[("b.md", Some("y")), ("c.md", Some("z"))]),
        ];
        let mut links = AnchorLinks::of(&pages);
        assert_eq!(linking(&links, "b.md"), [0, 2]);
        assert_eq!(linking(&links, "c.md"), [2]);
        assert_eq!(linking(&links, "a.md"), Vec::<usize>::new());
        // Page 2 now links only into `a.md`.
        let edited = page(&[("a.md", Some("top"))]);
        links.replace(2, &pages[2], &edited);
        assert_eq!(linking(&links, "b.md"), [0]);
        assert_eq!(linking(&links, "c.md"), Vec::<usize>::new());
        assert_eq!(linking(&links, "a.md"), [2]);
    }
}
