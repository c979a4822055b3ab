//! Views of pages: turns the model and the rendered Markdown into the read-only
//! [`PageView`]s templates receive.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::config::Settings;
use crate::content::page::{root_prefix, url_depth};
use crate::content::tags::tag_slug;
use crate::content::{toc, Page, PageKind, Site};
use crate::markdown::RenderedPage;
use crate::render::view::{CardView, LinkView, PageView, TocEntry};
use crate::safe_url::{neutralise, UrlUse};

/// Words per minute for the reading-time estimate.
const READING_SPEED: usize = 220;

/// Where each page stands in the site: reading order and ancestors. A function of the
/// table of contents only, so `kb serve` keeps it across edits of pages' bodies.
pub(crate) struct Outline {
    /// Pages in reading order.
    order: Vec<usize>,
    /// Position of each page in reading order, for previous and next.
    position: Vec<Option<usize>>,
    /// Each page's nearest ancestor page in the table of contents (its folder's index, or
    /// the chapter it is nested under), for breadcrumbs.
    parent: Vec<Option<usize>>,
}

impl Outline {
    pub(crate) fn of(site: &Site) -> Outline {
        let order = site.reading_order();
        let mut position = vec![None; site.pages.len()];
        for (pos, &i) in order.iter().enumerate() {
            position[i] = Some(pos);
        }
        Outline {
            order,
            position,
            parent: parents(site),
        }
    }
}

/// Everything needed to build any page's view.
pub(crate) struct ViewBuilder<'a> {
    pub settings: &'a Settings,
    pub site: &'a Site,
    outline: Arc<Outline>,
}

/// Each page's nearest ancestor page in `site`'s table of contents: a draft chapter or a
/// folder without an index page is skipped over.
fn parents(site: &Site) -> Vec<Option<usize>> {
    fn walk(entry: &toc::TocEntry, up: Option<usize>, parent: &mut [Option<usize>]) {
        if let Some(page) = entry.page {
            parent[page] = up.filter(|&up| up != page);
        }
        for child in &entry.children {
            walk(child, entry.page.or(up), parent);
        }
    }
    let mut parent = vec![None; site.pages.len()];
    for item in &site.toc {
        if let toc::TocItem::Entry(entry) = item {
            walk(entry, None, &mut parent);
        }
    }
    parent
}

impl<'a> ViewBuilder<'a> {
    /// Views of `site`'s pages, placed by `outline` (made by [`Outline::of`] from `site`).
    pub(crate) fn new(settings: &'a Settings, site: &'a Site, outline: Arc<Outline>) -> Self {
        ViewBuilder {
            settings,
            site,
            outline,
        }
    }

    /// Where the pages stand, shared.
    pub(crate) fn outline(&self) -> Arc<Outline> {
        self.outline.clone()
    }

    /// The site URL of `url`, when the site's address is configured.
    pub(crate) fn canonical(&self, url: &str) -> Option<String> {
        self.settings
            .site_url
            .as_ref()
            .map(|base| format!("{base}{url}"))
    }

    fn href(&self, from_url: &str, to_url: &str) -> String {
        let root = root_prefix(url_depth(from_url));
        if to_url.is_empty() {
            root
        } else {
            format!("{root}{to_url}")
        }
    }

    fn link(&self, from: &Page, to: usize) -> LinkView {
        let page = &self.site.pages[to];
        LinkView {
            title: page.title.clone(),
            href: self.href(&from.url, &page.url),
        }
    }

    fn card(&self, from_url: &str, to: usize) -> CardView {
        let page = &self.site.pages[to];
        let count = match page.kind {
            PageKind::Area => self.site.area_of(page).map(|a| a.pages.len()),
            _ => None,
        };
        CardView {
            title: page.title.clone(),
            href: self.href(from_url, &page.url),
            description: page.description.clone(),
            difficulty: page.meta.difficulty,
            count,
        }
    }

    /// The view of content page `i` without its body: everything that other pages' changes
    /// can reach, cheap to compare (`kb serve` re-renders a page only when this or its own
    /// body changed).
    pub(crate) fn page_frame(&self, i: usize, rendered: &RenderedPage) -> PageView {
        let page = &self.site.pages[i];
        let kind = match page.kind {
            PageKind::Home => "home",
            PageKind::Area => "area",
            PageKind::Article => "article",
        };
        let mut view = PageView::new(kind, &page.title, &page.description);
        view.title_in_body = page.title_in_body;
        view.canonical = self.canonical(&page.url);
        view.markdown = self.settings.agents.markdown_twins.then(|| {
            let twin = crate::agents::twin::twin_file(&page.url);
            twin.rsplit('/').next().unwrap_or(&twin).to_string()
        });
        view.toc = rendered
            .headings
            .iter()
            .filter(|h| h.level == 2 || h.level == 3)
            .map(|h| TocEntry {
                level: h.level,
                id: h.id.clone(),
                text: h.text.clone(),
            })
            .collect();
        view.difficulty = page.meta.difficulty;
        view.updated = page.meta.updated.map(|d| d.format("%Y-%m-%d").to_string());
        if page.kind == PageKind::Article {
            view.reading_minutes = rendered.word_count.div_ceil(READING_SPEED).max(1);
        }
        view.tags = page
            .meta
            .tags
            .iter()
            .map(|t| LinkView {
                title: t.clone(),
                href: self.href(&page.url, &format!("tags/{}/", tag_slug(t))),
            })
            .collect();
        // Home, then the pages the table of contents nests this one under: its folders'
        // index pages, or in a book the chapters above it (2. › 2.1. for chapter 2.1.1.).
        let mut ancestors = Vec::new();
        let mut up = self.outline.parent[i];
        while let Some(p) = up.filter(|p| !ancestors.contains(p) && *p != i) {
            ancestors.push(p);
            up = self.outline.parent[p];
        }
        let home = self.site.home.filter(|&home| home != i);
        ancestors.extend(home.filter(|home| !ancestors.contains(home)));
        view.breadcrumbs = ancestors
            .iter()
            .rev()
            .map(|&p| self.link(page, p))
            .collect();
        if let Some(pos) = self.outline.position[i] {
            if pos > 0 {
                view.prev = Some(self.link(page, self.outline.order[pos - 1]));
            }
            if let Some(&next) = self.outline.order.get(pos + 1) {
                view.next = Some(self.link(page, next));
            }
        }
        view.related = page
            .meta
            .related
            .iter()
            .filter_map(|rel| self.site.page_by_rel(rel.trim_start_matches('/')))
            .map(|r| self.card(&page.url, r))
            .collect();
        view.cards = match page.kind {
            PageKind::Home => self
                .site
                .areas
                .iter()
                .filter_map(|a| a.index)
                .map(|index| self.card(&page.url, index))
                .collect(),
            PageKind::Area => self
                .site
                .area_of(page)
                .map(|a| a.pages.iter().map(|&p| self.card(&page.url, p)).collect())
                .unwrap_or_default(),
            PageKind::Article => Vec::new(),
        };
        view.edit_url = self
            .settings
            .edit_url_template
            .as_ref()
            .map(|t| {
                t.replace(
                    "{path}",
                    &edit_path(&self.settings.root, &page.source, &page.file),
                )
            })
            .map(|url| neutralise(&url, UrlUse::Link).into_owned());
        view
    }

    /// Pages by tag, tags sorted, pages in reading order.
    pub(crate) fn tags(&self) -> BTreeMap<String, Vec<usize>> {
        let mut tags: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for &i in &self.outline.order {
            for tag in &self.site.pages[i].meta.tags {
                tags.entry(tag.clone()).or_default().push(i);
            }
        }
        tags
    }

    /// The tag index page.
    pub(crate) fn tag_index(&self, tags: &BTreeMap<String, Vec<usize>>) -> PageView {
        let url = "tags/";
        let mut view = PageView::new(
            "tags",
            "Tags",
            format!("All {} tags of {}.", tags.len(), self.settings.title),
        );
        view.canonical = self.canonical(url);
        view.breadcrumbs = self.home_crumb(url);
        view.cards = tags
            .iter()
            .map(|(tag, pages)| CardView {
                title: tag.clone(),
                href: self.href(url, &format!("tags/{}/", tag_slug(tag))),
                description: String::new(),
                difficulty: None,
                count: Some(pages.len()),
            })
            .collect();
        view
    }

    /// The page of one tag.
    pub(crate) fn tag_page(&self, tag: &str, pages: &[usize]) -> PageView {
        let url = format!("tags/{}/", tag_slug(tag));
        let n = pages.len();
        let mut view = PageView::new(
            "tag",
            format!("Tagged “{tag}”"),
            format!("{n} page{} tagged {tag}.", if n == 1 { "" } else { "s" }),
        );
        view.canonical = self.canonical(&url);
        view.breadcrumbs = self.home_crumb(&url);
        view.breadcrumbs.push(LinkView {
            title: "Tags".to_string(),
            href: self.href(&url, "tags/"),
        });
        view.cards = pages.iter().map(|&p| self.card(&url, p)).collect();
        view
    }

    fn home_crumb(&self, from_url: &str) -> Vec<LinkView> {
        self.site
            .home
            .map(|home| LinkView {
                title: self.site.pages[home].title.clone(),
                href: self.href(from_url, &self.site.pages[home].url),
            })
            .into_iter()
            .collect()
    }
}

/// The `{path}` of `edit-url-template`: the page's file (`source` on disk, `file` as shown)
/// relative to the site root, with `/` separators (`content/a.md`, as mdBook gives
/// `src/a.md`), however the root was named on the command line: an absolute `--root` must
/// not end up inside the URL.
fn edit_path(root: &Path, source: &Path, file: &Path) -> String {
    let relative = source
        .strip_prefix(root)
        .map(Path::to_path_buf)
        .ok()
        .or_else(|| {
            let root = root.canonicalize().ok()?;
            let source = source.canonicalize().ok()?;
            source.strip_prefix(root).map(Path::to_path_buf).ok()
        })
        .unwrap_or_else(|| file.to_path_buf());
    relative
        .components()
        .filter(|part| !matches!(part, std::path::Component::CurDir))
        .map(|part| part.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_edit_path_is_relative_to_the_site_root() {
        let absolute = Path::new("/tmp/fx/content/alpha/one.md");
        assert_eq!(
            edit_path(Path::new("/tmp/fx"), absolute, absolute),
            "content/alpha/one.md"
        );
        assert_eq!(
            edit_path(
                Path::new("."),
                Path::new("./content/alpha/one.md"),
                Path::new("content/alpha/one.md")
            ),
            "content/alpha/one.md"
        );
    }
}
