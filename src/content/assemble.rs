//! Assembly: loaded pages become a [`Site`]: reading order, areas, the table of contents.
//!
//! Two rules, by the site's layout:
//! - **A kb site** (any folder of Markdown): the folder tree is the structure. A folder's
//!   `_index.md`, `index.md` or `README.md` is its index page; pages sit at any depth,
//!   top-level ones included. Siblings are ordered by their place in `SUMMARY.md` (if the
//!   site has one), then `weight`, then title. Areas are the top-level folders.
//! - **An mdBook book**: `SUMMARY.md` is the structure. Only listed chapters are pages
//!   (others: a warning), a listed file that does not exist is an empty page (a warning),
//!   and a page without a front matter title takes the summary's. Areas are the summary's
//!   parts or, without parts, its top-level numbered chapters.

use std::collections::{BTreeMap, HashMap};

use super::heading::humanize;
use super::load::{Area, Loader, Site};
use super::page::{index_folder, Page};
use super::summary::{Chapter, Item, Summary};
use super::toc::{TocEntry, TocItem};
use crate::config::Layout;
use crate::diagnostic::{Diagnostic, Location, Severity};

/// Builds the site from loaded pages (in any order).
pub(super) fn assemble(
    loader: &Loader,
    pages: Vec<Page>,
    assets: Vec<String>,
    summary: Option<&Summary>,
    errors: &mut Vec<Diagnostic>,
) -> Site {
    let structure = match (loader.layout, summary) {
        (Layout::MdBook, Some(summary)) => from_summary(loader, pages, summary, errors),
        (_, summary) => from_folders(loader, pages, summary, errors),
    };
    finish(structure, assets, errors)
}

/// What either rule produces, with indices into `pages` as given.
struct Structure {
    pages: Vec<Page>,
    order: Vec<usize>,
    home: Option<usize>,
    areas: Vec<Area>,
    toc: Vec<TocItem>,
    /// The book's page for addresses that do not exist, when it has one.
    not_found: Option<usize>,
}

/// Puts pages in reading order (renumbering every index), sets each page's area and
/// checks that no two pages share a URL.
fn finish(structure: Structure, assets: Vec<String>, errors: &mut Vec<Diagnostic>) -> Site {
    let Structure {
        pages,
        order,
        home,
        mut areas,
        mut toc,
        not_found,
    } = structure;
    let mut new_index = vec![usize::MAX; pages.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    let mut slots: Vec<Option<Page>> = pages.into_iter().map(Some).collect();
    let mut pages: Vec<Page> = order.iter().filter_map(|&old| slots[old].take()).collect();
    let not_found = not_found.and_then(|old| slots[old].take());
    let map = |i: usize| new_index[i];
    for area in &mut areas {
        area.index = area.index.map(map);
        for p in &mut area.pages {
            *p = map(*p);
        }
        for &p in area.index.iter().chain(&area.pages) {
            pages[p].area = Some(area.slug.clone());
        }
    }
    fn remap(entry: &mut TocEntry, map: &dyn Fn(usize) -> usize) {
        entry.page = entry.page.map(map);
        for child in &mut entry.children {
            remap(child, map);
        }
    }
    for item in &mut toc {
        if let TocItem::Entry(entry) = item {
            remap(entry, &map);
        }
    }
    let mut by_rel = HashMap::with_capacity(pages.len());
    let mut by_url: HashMap<&str, &Page> = HashMap::with_capacity(pages.len());
    for (i, page) in pages.iter().enumerate() {
        by_rel.insert(page.rel.clone(), i);
        if let Some(first) = by_url.insert(&page.url, page) {
            errors.push(
                Diagnostic::file_error(
                    &page.file,
                    format!(
                        "this page and `{}` both become the page at `{}`",
                        first.file.display(),
                        if page.url.is_empty() { "/" } else { &page.url }
                    ),
                )
                .with_help("a folder has one index page (_index.md, index.md or README.md): rename or remove one of them"),
            );
        }
    }
    Site {
        order: (0..pages.len()).collect(),
        home: home.map(map),
        pages,
        areas,
        assets,
        toc,
        not_found,
        by_rel,
    }
}

/// A folder of the content tree while the structure is read.
#[derive(Default)]
struct Folder {
    index: Option<usize>,
    pages: Vec<usize>,
    subfolders: BTreeMap<String, Folder>,
}

impl Folder {
    fn at(&mut self, path: &str) -> &mut Folder {
        let mut folder = self;
        for part in path.split('/').filter(|p| !p.is_empty()) {
            folder = folder.subfolders.entry(part.to_string()).or_default();
        }
        folder
    }
}

/// A sibling in a folder: a page or a subfolder.
enum Child<'a> {
    Page(usize),
    Folder(&'a str, &'a Folder),
}

/// The kb-site rule: the folder tree.
fn from_folders(
    loader: &Loader,
    pages: Vec<Page>,
    summary: Option<&Summary>,
    errors: &mut Vec<Diagnostic>,
) -> Structure {
    let rank: HashMap<&str, usize> = summary
        .map(|s| {
            s.chapters()
                .into_iter()
                .enumerate()
                .filter_map(|(i, c)| Some((c.path.as_deref()?, i)))
                .collect()
        })
        .unwrap_or_default();
    if let Some(summary) = summary {
        for chapter in summary.chapters() {
            let Some(path) = chapter.path.as_deref() else {
                continue;
            };
            if !pages.iter().any(|p| p.rel == path) && !refused(loader, path, errors) {
                errors.push(
                    Diagnostic::warning(
                        chapter.location.clone(),
                        format!("SUMMARY.md lists `{path}`, which does not exist"),
                    )
                    .with_help("fix the path (relative to the content folder) or remove the line"),
                );
            }
        }
    }
    let mut root = Folder::default();
    for (i, page) in pages.iter().enumerate() {
        match index_folder(&page.rel) {
            Some(folder) => {
                let folder = root.at(folder);
                match folder.index {
                    // A second index of the same folder: kept as a page, so the URL check
                    // reports the clash.
                    Some(_) => folder.pages.push(i),
                    None => folder.index = Some(i),
                }
            }
            None => {
                let parent = page.rel.rsplit_once('/').map_or("", |(dir, _)| dir);
                root.at(parent).pages.push(i);
            }
        }
    }
    type Key = (usize, i64, String, String);
    let page_key = |i: usize| -> Key {
        let p = &pages[i];
        (
            rank.get(p.rel.as_str()).copied().unwrap_or(usize::MAX),
            p.meta.weight.unwrap_or(i64::MAX),
            p.title.to_lowercase(),
            p.rel.clone(),
        )
    };

    fn sorted<'a>(folder: &'a Folder, key: &dyn Fn(usize) -> Key, path: &str) -> Vec<Child<'a>> {
        let mut children: Vec<(Key, Child<'a>)> = folder
            .pages
            .iter()
            .map(|&i| (key(i), Child::Page(i)))
            .collect();
        for (name, sub) in &folder.subfolders {
            let sub_path = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}/{name}")
            };
            let k = match sub.index {
                Some(i) => key(i),
                None => (
                    usize::MAX,
                    i64::MAX,
                    humanize(name).to_lowercase(),
                    sub_path,
                ),
            };
            children.push((k, Child::Folder(name, sub)));
        }
        children.sort_by(|a, b| a.0.cmp(&b.0));
        children.into_iter().map(|(_, c)| c).collect()
    }

    fn walk(
        folder: &Folder,
        path: &str,
        pages: &[Page],
        key: &dyn Fn(usize) -> Key,
        order: &mut Vec<usize>,
    ) -> Vec<TocEntry> {
        let mut entries = Vec::new();
        for child in sorted(folder, key, path) {
            match child {
                Child::Page(i) => {
                    order.push(i);
                    entries.push(TocEntry {
                        page: Some(i),
                        title: pages[i].title.clone(),
                        number: None,
                        children: Vec::new(),
                    });
                }
                Child::Folder(name, sub) => {
                    let sub_path = if path.is_empty() {
                        name.to_string()
                    } else {
                        format!("{path}/{name}")
                    };
                    order.extend(sub.index);
                    let children = walk(sub, &sub_path, pages, key, order);
                    entries.push(TocEntry {
                        page: sub.index,
                        title: sub
                            .index
                            .map_or_else(|| humanize(name), |i| pages[i].title.clone()),
                        number: None,
                        children,
                    });
                }
            }
        }
        entries
    }

    let mut order = Vec::with_capacity(pages.len());
    order.extend(root.index);
    let entries = walk(&root, "", &pages, &page_key, &mut order);
    let mut areas = Vec::new();
    for (entry, child) in entries.iter().zip(sorted(&root, &page_key, "")) {
        if let Child::Folder(name, _) = child {
            let mut members = Vec::new();
            entry.pages(&mut members);
            members.retain(|&p| Some(p) != entry.page);
            areas.push(Area {
                slug: name.to_string(),
                title: entry.title.clone(),
                index: entry.page,
                pages: members,
            });
        }
    }
    Structure {
        home: root.index,
        pages,
        order,
        areas,
        toc: entries.into_iter().map(TocItem::Entry).collect(),
        not_found: None,
    }
}

/// Whether the page at `rel` exists but loading it failed with an error (too large, not
/// UTF-8, ...): SUMMARY.md lists it, and saying it does not exist as well would send the
/// reader looking for the wrong problem.
fn refused(loader: &Loader, rel: &str, errors: &[Diagnostic]) -> bool {
    let file = loader.shown_content.join(rel);
    errors
        .iter()
        .any(|e| e.severity == Severity::Error && e.file == file)
}

/// The mdBook rule: SUMMARY.md.
fn from_summary(
    loader: &Loader,
    mut pages: Vec<Page>,
    summary: &Summary,
    errors: &mut Vec<Diagnostic>,
) -> Structure {
    let mut by_rel: HashMap<String, usize> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.rel.clone(), i))
        .collect();
    let mut listed = vec![false; pages.len()];
    let mut order = Vec::new();

    struct Walk<'a> {
        loader: &'a Loader,
        pages: &'a mut Vec<Page>,
        by_rel: &'a mut HashMap<String, usize>,
        listed: &'a mut Vec<bool>,
        order: &'a mut Vec<usize>,
        errors: &'a mut Vec<Diagnostic>,
    }

    impl Walk<'_> {
        fn chapter(&mut self, chapter: &Chapter) -> TocEntry {
            let page = chapter.path.as_deref().map(|path| self.page(path, chapter));
            let children = chapter.children.iter().map(|c| self.chapter(c)).collect();
            TocEntry {
                page,
                title: chapter.title.clone(),
                number: chapter.number_label(),
                children,
            }
        }

        fn page(&mut self, path: &str, chapter: &Chapter) -> usize {
            let i = match self.by_rel.get(path) {
                Some(&i) => i,
                None => {
                    if !refused(self.loader, path, self.errors) {
                        self.errors.push(
                        Diagnostic::warning(
                            chapter.location.clone(),
                            format!("SUMMARY.md lists `{path}`, which does not exist; kb shows an empty page"),
                        )
                        .with_help("create the file (kb never writes into the source folder, so mdBook's create-missing does not apply) or fix the path"),
                        );
                    }
                    self.pages
                        .push(self.loader.missing_page(path, &chapter.title));
                    self.listed.push(false);
                    let i = self.pages.len() - 1;
                    self.by_rel.insert(path.to_string(), i);
                    i
                }
            };
            if self.listed[i] {
                self.errors.push(Diagnostic::warning(
                    chapter.location.clone(),
                    format!(
                        "SUMMARY.md lists `{path}` a second time; the page keeps its first place"
                    ),
                ));
                return i;
            }
            self.listed[i] = true;
            self.order.push(i);
            let page = &mut self.pages[i];
            if page.meta.title.is_none() && !chapter.title.is_empty() {
                page.title = chapter.title.clone();
            }
            i
        }
    }

    let mut walk = Walk {
        loader,
        pages: &mut pages,
        by_rel: &mut by_rel,
        listed: &mut listed,
        order: &mut order,
        errors,
    };
    let mut toc = Vec::new();
    let has_parts = summary
        .items
        .iter()
        .any(|item| matches!(item, Item::PartTitle(_)));
    let mut areas: Vec<Area> = Vec::new();
    let mut slugs = SlugSet::default();
    for item in &summary.items {
        match item {
            Item::PartTitle(title) => {
                toc.push(TocItem::Part(title.clone()));
                areas.push(Area {
                    slug: slugs.unique(title),
                    title: title.clone(),
                    index: None,
                    pages: Vec::new(),
                });
            }
            Item::Separator => toc.push(TocItem::Separator),
            Item::Chapter(chapter) => {
                let entry = walk.chapter(chapter);
                // Prefix and suffix chapters (unnumbered) belong to no area.
                if chapter.number.is_empty() {
                    toc.push(TocItem::Entry(entry));
                    continue;
                }
                let mut members = Vec::new();
                entry.pages(&mut members);
                if has_parts {
                    if let Some(area) = areas.last_mut() {
                        area.pages.extend(members);
                    }
                } else if entry.page.is_some() {
                    members.retain(|&p| Some(p) != entry.page);
                    areas.push(Area {
                        slug: slugs.unique(&entry.title),
                        title: entry.title.clone(),
                        index: entry.page,
                        pages: members,
                    });
                }
                toc.push(TocItem::Entry(entry));
            }
        }
    }
    areas.retain(|a| a.index.is_some() || !a.pages.is_empty());
    // Markdown files that chapters include are parts of those chapters, not pages.
    let included: std::collections::HashSet<&str> = pages
        .iter()
        .flat_map(|p| p.included.files.iter().map(String::as_str))
        .collect();
    // mdBook's `input-404`: the book's page for addresses that do not exist.
    let not_found = loader.not_found_page.as_deref().and_then(|rel| {
        by_rel
            .get(rel)
            .copied()
            .filter(|&i| !listed[i] && !included.contains(rel))
    });
    for (i, page) in pages.iter().enumerate() {
        if !listed[i] && !included.contains(page.rel.as_str()) && Some(i) != not_found {
            errors.push(
                Diagnostic::warning(
                    Location::new(&page.file, 1, 1),
                    "this page is not listed in SUMMARY.md, so it is not part of the book",
                )
                .with_help("add it to SUMMARY.md, or move it out of the source folder"),
            );
        }
    }
    // Unlisted pages stay out of the site, as in mdBook.
    let home = order
        .iter()
        .copied()
        .find(|&i| index_folder(&pages[i].rel) == Some(""));
    Structure {
        pages,
        order,
        home,
        areas,
        toc,
        not_found,
    }
}

/// Area slugs made from titles, kept unique.
#[derive(Default)]
struct SlugSet(std::collections::HashSet<String>);

impl SlugSet {
    fn unique(&mut self, title: &str) -> String {
        let base = crate::slug::slugify(title);
        let base = if base.is_empty() {
            "part".to_string()
        } else {
            base
        };
        let mut slug = base.clone();
        let mut n = 2;
        while !self.0.insert(slug.clone()) {
            slug = format!("{base}-{n}");
            n += 1;
        }
        slug
    }
}
