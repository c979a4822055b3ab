//! Where pages' rendered HTML bodies are kept: from the Markdown pass to the templates in
//! `kb build`, and between applies in `kb serve`. The bodies are most of what a session
//! holds (a few kilobytes a page), so they sit behind this one store: keeping them
//! compressed, or rendering them on demand, changes this file and no other.

use std::collections::HashMap;
use std::sync::Arc;

use crate::content::Page;
use crate::markdown::RenderedPage;

/// Rendered HTML bodies by page (the page's `rel`, its path in the content folder).
/// Cloning is cheap: bodies are shared, not copied.
#[derive(Clone, Default)]
pub(crate) struct Bodies {
    encoding: Encoding,
    bodies: HashMap<String, Body>,
}

/// How bodies are stored; chosen when the store is made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Encoding {
    /// As rendered: no work to read or write, all the memory.
    #[default]
    Plain,
    /// LZ4-compressed: HTML shrinks about fourfold, each read pays a decompression
    /// (about a gigabyte a second).
    Lz4,
}

#[derive(Clone)]
enum Body {
    Plain(Arc<String>),
    Lz4(Arc<[u8]>),
}

impl Bodies {
    /// A store that keeps bodies as they are (`kb build`, and `kb serve` by default).
    pub(crate) fn in_memory() -> Bodies {
        Bodies::default()
    }

    /// A store that keeps bodies compressed: less memory, a little more time per read.
    pub(crate) fn compressed() -> Bodies {
        Bodies {
            encoding: Encoding::Lz4,
            bodies: HashMap::new(),
        }
    }

    /// The body of page `rel`.
    pub(crate) fn get(&self, rel: &str) -> Option<String> {
        match self.bodies.get(rel)? {
            Body::Plain(html) => Some(html.as_ref().clone()),
            Body::Lz4(bytes) => lz4_flex::decompress_size_prepended(bytes)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok()),
        }
    }

    /// Keeps `html` as the body of page `rel`; returns the body it replaces.
    pub(crate) fn put(&mut self, rel: String, html: String) -> Option<String> {
        let old = self.remove(&rel);
        let body = match self.encoding {
            Encoding::Plain => Body::Plain(Arc::new(html)),
            Encoding::Lz4 => Body::Lz4(lz4_flex::compress_prepend_size(html.as_bytes()).into()),
        };
        self.bodies.insert(rel, body);
        old
    }

    /// Forgets the body of page `rel`; returns it.
    pub(crate) fn remove(&mut self, rel: &str) -> Option<String> {
        let old = self.get(rel);
        self.bodies.remove(rel);
        old
    }

    /// Moves the HTML of each of `rendered` (page `i` of `pages`) into the store, leaving
    /// the rest of the rendering (headings, links, sections) where it was.
    pub(crate) fn take_from(&mut self, pages: &[Page], rendered: &mut [RenderedPage]) {
        self.bodies.reserve(pages.len());
        for (page, rendered) in pages.iter().zip(rendered) {
            self.put(page.rel.clone(), std::mem::take(&mut rendered.html));
        }
    }

    /// Keeps only the bodies of `pages`.
    pub(crate) fn retain(&mut self, pages: &[Page]) {
        let rels: std::collections::HashSet<&str> = pages.iter().map(|p| p.rel.as_str()).collect();
        self.bodies.retain(|rel, _| rels.contains(rel.as_str()));
    }

    /// How many bytes the bodies take (their HTML, or its compressed form).
    #[cfg(test)]
    pub(crate) fn stored_bytes(&self) -> usize {
        self.bodies
            .values()
            .map(|body| match body {
                Body::Plain(html) => html.len(),
                Body::Lz4(bytes) => bytes.len(),
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_store_gives_back_what_it_was_given() {
        let html = "<p>Pools</p>".repeat(200);
        for mut store in [Bodies::in_memory(), Bodies::compressed()] {
            assert_eq!(store.put("a.md".into(), html.clone()), None);
            assert_eq!(store.get("a.md").as_deref(), Some(html.as_str()));
            assert_eq!(
                store.put("a.md".into(), "<p>new</p>".into()),
                Some(html.clone())
            );
            let copy = store.clone();
            assert_eq!(store.remove("a.md").as_deref(), Some("<p>new</p>"));
            assert_eq!(store.get("a.md"), None);
            assert_eq!(copy.get("a.md").as_deref(), Some("<p>new</p>"));
        }
    }

    #[test]
    fn the_compressed_store_is_smaller() {
        let html = "<p>Connection pools in Go</p>\n".repeat(100);
        let (mut plain, mut small) = (Bodies::in_memory(), Bodies::compressed());
        plain.put("a.md".into(), html.clone());
        small.put("a.md".into(), html.clone());
        assert_eq!(plain.stored_bytes(), html.len());
        assert!(
            small.stored_bytes() * 4 < html.len(),
            "{}",
            small.stored_bytes()
        );
    }
}
