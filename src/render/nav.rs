//! The sidebar, generated once per area and depth instead of once per page.
//!
//! mdBook copies the whole table of contents into every page, so its output grows with the
//! square of the page count. kb builds the sidebar's HTML once for each (open area, folder
//! depth) pair and each page only marks its own link. Large sites list the pages of the
//! current area only, which keeps every page's size independent of the site's size.
//!
//! The sidebar renders the site's table of contents ([`TocItem`]): in a kb site the
//! top-level folders fold (`<details>`) and deeper folders nest; in an mdBook book it is
//! SUMMARY.md as mdBook shows it: part titles, numbers, nesting, drafts and separators.

use std::collections::HashMap;

use crate::config::{Layout, SidebarOptions};
use crate::content::page::{root_prefix, url_depth};
use crate::content::toc::{TocEntry, TocItem};
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
    pub(crate) fn new(
        site: &Site,
        layout: Layout,
        options: SidebarOptions,
        has_tags: bool,
    ) -> Sidebar {
        let full_tree = site.pages.len() <= FULL_TREE_LIMIT;
        // Every folder depth a page (or a tag page, two deep) is written at.
        let deepest = site
            .pages
            .iter()
            .map(|p| url_depth(&p.url))
            .max()
            .unwrap_or(0)
            .max(2);
        let mut variants = HashMap::new();
        let sidebar = Render {
            site,
            layout,
            options,
            full_tree,
            has_tags,
        };
        for depth in 0..=deepest {
            for open in std::iter::once(None).chain((0..site.areas.len()).map(Some)) {
                variants.insert((open, depth), sidebar.render(open, depth));
            }
        }
        Sidebar { variants }
    }

    /// The sidebar shared by every page at `url`'s depth in area number `area`, before the
    /// page's own link is marked: `kb serve` compares these to know which pages a change of
    /// the navigation reaches.
    pub(crate) fn variant(&self, area: Option<usize>, url: &str) -> &str {
        let depth = url_depth(url);
        self.variants
            .get(&(area, depth))
            .or_else(|| self.variants.get(&(None, depth)))
            .map_or("", String::as_str)
    }

    /// The sidebar for a page at `url` in area number `area`, with the page's link marked.
    pub(crate) fn for_page(&self, area: Option<usize>, url: &str) -> String {
        let depth = url_depth(url);
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

/// One sidebar being rendered.
struct Render<'a> {
    site: &'a Site,
    layout: Layout,
    options: SidebarOptions,
    full_tree: bool,
    has_tags: bool,
}

fn esc(s: &str) -> String {
    html_escape::encode_text(s).into_owned()
}

impl Render<'_> {
    fn render(&self, open: Option<usize>, depth: usize) -> String {
        let root = root_prefix(depth);
        let site = self.site;
        let mut html = String::from("<ul class=\"nav-tree\">");
        let home_in_toc = site.home.is_some_and(|home| {
            let mut pages = Vec::new();
            for item in &site.toc {
                if let TocItem::Entry(entry) = item {
                    entry.pages(&mut pages);
                }
            }
            pages.contains(&home)
        });
        if let Some(home) = site.home.filter(|_| !home_in_toc) {
            html.push_str(&format!(
                "<li class=\"nav-home\"><a href=\"{}\">{}</a></li>",
                self.href(&root, home),
                esc(&site.pages[home].title)
            ));
        }
        for item in &site.toc {
            match item {
                TocItem::Part(title) => {
                    html.push_str(&format!("<li class=\"nav-part\">{}</li>", esc(title)));
                }
                TocItem::Separator => {
                    html.push_str("<li class=\"nav-separator\" aria-hidden=\"true\"></li>")
                }
                TocItem::Entry(entry) => match self.layout {
                    Layout::Site if !entry.children.is_empty() || entry.page.is_none() => {
                        self.area_folder(&mut html, entry, open, &root);
                    }
                    _ => self.chapter(&mut html, entry, &root, 0),
                },
            }
        }
        if self.has_tags {
            html.push_str(&format!(
                "<li class=\"nav-tags\"><a href=\"{root}tags/\">All tags</a></li>"
            ));
        }
        html.push_str("</ul>");
        html
    }

    fn href(&self, root: &str, page: usize) -> String {
        let url = &self.site.pages[page].url;
        if url.is_empty() {
            root.to_string()
        } else {
            format!("{root}{url}")
        }
    }

    /// A top-level folder of a kb site: a foldable group, open on its own pages.
    fn area_folder(&self, html: &mut String, entry: &TocEntry, open: Option<usize>, root: &str) {
        let area = self
            .site
            .areas
            .iter()
            .position(|a| a.index == entry.page && a.title == entry.title);
        let is_open = area.is_some() && open == area;
        if !self.full_tree && !is_open {
            match entry.page {
                Some(index) => html.push_str(&format!(
                    "<li class=\"nav-area\"><a href=\"{}\">{}</a></li>",
                    self.href(root, index),
                    esc(&entry.title)
                )),
                None => html.push_str(&format!(
                    "<li class=\"nav-area\"><span>{}</span></li>",
                    esc(&entry.title)
                )),
            }
            return;
        }
        html.push_str("<li class=\"nav-area\"><details");
        if is_open {
            html.push_str(" open");
        }
        html.push_str(&format!("><summary>{}</summary><ul>", esc(&entry.title)));
        if let Some(index) = entry.page {
            html.push_str(&format!(
                "<li><a href=\"{}\">Overview</a></li>",
                self.href(root, index)
            ));
        }
        let mut count = Vec::new();
        entry.pages(&mut count);
        let listed = count.len() - usize::from(entry.page.is_some());
        if listed > AREA_LIST_LIMIT && entry.page.is_some() {
            html.push_str(&format!(
                "<li class=\"nav-more\">{listed} pages, listed in the overview</li>"
            ));
        } else {
            for child in &entry.children {
                self.chapter(html, child, root, 0);
            }
        }
        html.push_str("</ul></details></li>");
    }

    /// A page (with its number, in an mdBook book) and the pages nested under it, `level`
    /// levels below the top. With `[output.html.fold]` a chapter with sub-chapters is a
    /// `<details>` (open down to the fold level; the theme's script opens the current
    /// page's chapters), so folding needs no script and a closed one opens with a click.
    fn chapter(&self, html: &mut String, entry: &TocEntry, root: &str, level: usize) {
        let number = entry
            .number
            .as_deref()
            .filter(|_| self.options.section_labels)
            .map(|n| format!("<span class=\"nav-number\">{n}</span> "))
            .unwrap_or_default();
        let label = match entry.page {
            Some(page) => format!(
                "<a href=\"{}\">{number}{}</a>",
                self.href(root, page),
                esc(&entry.title)
            ),
            None => format!("<span>{number}{}</span>", esc(&entry.title)),
        };
        let class = if entry.page.is_none() {
            " class=\"nav-draft\""
        } else {
            ""
        };
        let fold = self
            .options
            .fold_level
            .filter(|_| !entry.children.is_empty());
        match fold {
            Some(open_levels) => html.push_str(&format!(
                "<li{class}><details class=\"nav-fold\"{}><summary>{label}</summary>",
                if level < open_levels { " open" } else { "" }
            )),
            None => html.push_str(&format!("<li{class}>{label}")),
        }
        if !entry.children.is_empty() {
            html.push_str("<ul>");
            for child in &entry.children {
                self.chapter(html, child, root, level + 1);
            }
            html.push_str("</ul>");
        }
        if fold.is_some() {
            html.push_str("</details>");
        }
        html.push_str("</li>");
    }
}
