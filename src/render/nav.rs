//! The sidebar, generated once per area and depth instead of once per page.
//!
//! mdBook copies the whole table of contents into every page, so its output grows with the
//! square of the page count. kb builds the sidebar's HTML once for each (open area, folder
//! depth) pair and each page only marks its own link. Large sites list the pages of the
//! current area only, which keeps every page's size independent of the site's size.

use std::collections::HashMap;

use crate::content::page::root_prefix;
use crate::content::Site;

/// Above this many pages, the sidebar lists the pages of the current area only.
const FULL_TREE_LIMIT: usize = 400;

/// An area with more pages than this lists only its overview in the sidebar: a list of
/// hundreds of links in every page would make each page's size grow with its area's, and
/// the area's overview lists them all anyway (with breadcrumbs and previous/next on each
/// page). The list must not depend on which page shows it, or `kb serve` could not share
/// one sidebar between the pages of an area.
const AREA_LIST_LIMIT: usize = 150;

/// Pre-rendered sidebars.
pub(crate) struct Sidebar {
    variants: HashMap<(Option<usize>, usize), String>,
}

impl Sidebar {
    pub(crate) fn new(site: &Site, has_tags: bool) -> Sidebar {
        let full_tree = site.pages.len() <= FULL_TREE_LIMIT;
        let mut variants = HashMap::new();
        for depth in 0..=2 {
            for open in std::iter::once(None).chain((0..site.areas.len()).map(Some)) {
                variants.insert(
                    (open, depth),
                    render(site, open, depth, full_tree, has_tags),
                );
            }
        }
        Sidebar { variants }
    }

    /// The sidebar shared by every page at `url`'s depth in area number `area`, before the
    /// page's own link is marked: `kb serve` compares these to know which pages a change of
    /// the navigation reaches.
    pub(crate) fn variant(&self, area: Option<usize>, url: &str) -> &str {
        let depth = crate::content::page::url_depth(url).min(2);
        self.variants
            .get(&(area, depth))
            .or_else(|| self.variants.get(&(None, depth)))
            .map_or("", String::as_str)
    }

    /// The sidebar for a page at `url` in area number `area`, with the page's link marked.
    pub(crate) fn for_page(&self, area: Option<usize>, url: &str) -> String {
        let depth = crate::content::page::url_depth(url).min(2);
        let html = self.variant(area, url).to_string();
        let href = if url.is_empty() {
            root_prefix(depth)
        } else {
            format!("{}{url}", root_prefix(depth))
        };
        let needle = format!("<a href=\"{href}\">");
        match html.find(&needle) {
            Some(i) => {
                let mut marked = String::with_capacity(html.len() + 24);
                marked.push_str(&html[..i]);
                marked.push_str(&format!("<a href=\"{href}\" aria-current=\"page\">"));
                marked.push_str(&html[i + needle.len()..]);
                marked
            }
            None => html,
        }
    }
}

fn render(
    site: &Site,
    open: Option<usize>,
    depth: usize,
    full_tree: bool,
    has_tags: bool,
) -> String {
    let root = root_prefix(depth);
    let esc = |s: &str| html_escape::encode_text(s).into_owned();
    let mut html = String::from("<ul class=\"nav-tree\">");
    if let Some(home) = site.home {
        html.push_str(&format!(
            "<li class=\"nav-home\"><a href=\"{root}\">{}</a></li>",
            esc(&site.pages[home].title)
        ));
    }
    for (i, area) in site.areas.iter().enumerate() {
        let index = &site.pages[area.index];
        let is_open = open == Some(i);
        if !full_tree && !is_open {
            html.push_str(&format!(
                "<li class=\"nav-area\"><a href=\"{root}{}\">{}</a></li>",
                index.url,
                esc(&index.title)
            ));
            continue;
        }
        html.push_str("<li class=\"nav-area\"><details");
        if is_open {
            html.push_str(" open");
        }
        html.push_str(&format!("><summary>{}</summary><ul>", esc(&index.title)));
        html.push_str(&format!(
            "<li><a href=\"{root}{}\">Overview</a></li>",
            index.url
        ));
        if area.pages.len() > AREA_LIST_LIMIT {
            html.push_str(&format!(
                "<li class=\"nav-more\">{} pages, listed in the overview</li>",
                area.pages.len()
            ));
        } else {
            for &p in &area.pages {
                let page = &site.pages[p];
                html.push_str(&format!(
                    "<li><a href=\"{root}{}\">{}</a></li>",
                    page.url,
                    esc(&page.title)
                ));
            }
        }
        html.push_str("</ul></details></li>");
    }
    if has_tags {
        html.push_str(&format!(
            "<li class=\"nav-tags\"><a href=\"{root}tags/\">All tags</a></li>"
        ));
    }
    html.push_str("</ul>");
    html
}
