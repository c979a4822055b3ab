//! The site as mdBook's `Book` JSON, and the plugins' answer folded back into the pages.
//!
//! Both book formats are written into one object: mdBook 0.5 names the top-level list
//! `items`, 0.4 names it `sections` (with a `__non_exhaustive: null` its serde needs), and
//! neither refuses the other's key, so a plugin built for either reads the same payload
//! and answers in its own format, which [`chapters_of`] reads whichever it is. Chapters
//! are alike in both: `name`, `content`, `number`, `sub_items`, `path`, `source_path`,
//! `parent_names`.

use serde_json::{json, Map, Value};

use crate::content::heading;
use crate::content::toc::{TocEntry, TocItem};
use crate::content::Site;

/// The book of `site`, in both formats.
pub(crate) fn book_of(site: &Site) -> Value {
    let items: Vec<Value> = site
        .toc
        .iter()
        .map(|item| match item {
            TocItem::Part(title) => json!({ "PartTitle": title }),
            TocItem::Separator => json!("Separator"),
            TocItem::Entry(entry) => chapter(site, entry, &[]),
        })
        .collect();
    with_both_keys(items)
}

/// A book object whose top-level list is `items` under both formats' keys.
pub(crate) fn with_both_keys(items: Vec<Value>) -> Value {
    json!({ "items": items.clone(), "sections": items, "__non_exhaustive": null })
}

fn chapter(site: &Site, entry: &TocEntry, parents: &[String]) -> Value {
    let page = entry.page.map(|i| &site.pages[i]);
    let mut names = parents.to_vec();
    names.push(entry.title.clone());
    let sub_items: Vec<Value> = entry
        .children
        .iter()
        .map(|child| chapter(site, child, &names))
        .collect();
    let number: Option<Vec<u32>> = entry
        .number
        .as_deref()
        .map(|label| label.split('.').filter_map(|n| n.parse().ok()).collect());
    json!({ "Chapter": {
        "name": entry.title,
        "content": page.map_or("", |p| p.body.as_str()),
        "number": number,
        "sub_items": sub_items,
        // mdBook's `index` preprocessor has renamed README.md; the file keeps its name.
        "path": page.map(|p| mdbook_path(&p.rel)),
        "source_path": page.map(|p| p.rel.as_str()),
        "parent_names": parents,
    }})
}

/// A chapter's `path` after mdBook's `index` preprocessor: `README.md` is `index.md`.
fn mdbook_path(rel: &str) -> String {
    match rel.rsplit_once('/') {
        Some((folder, "README.md")) => format!("{folder}/index.md"),
        None if rel == "README.md" => "index.md".to_string(),
        _ => rel.to_string(),
    }
}

/// The top-level list of a plugin's answer, in whichever format it wrote; `None` when it
/// is not a book.
pub(crate) fn chapters_of(book: &Value) -> Option<&Vec<Value>> {
    let book = book.as_object()?;
    book.get("items")
        .or_else(|| book.get("sections"))?
        .as_array()
}

/// Puts each chapter's content back into its page, and its name where a plugin changed it
/// (a translation, as mdBook shows the book's chapters as its plugins leave them: in the
/// sidebar and the page's title); returns the chapters that name no page of the site (a
/// plugin may add chapters; kb does not render them).
pub(crate) fn apply(site: &mut Site, items: &[Value]) -> Vec<String> {
    let mut unknown = Vec::new();
    let mut renamed: Vec<(usize, String)> = Vec::new();
    let mut stack: Vec<&Value> = items.iter().rev().collect();
    while let Some(item) = stack.pop() {
        let Some(chapter) = item.get("Chapter").and_then(Value::as_object) else {
            continue;
        };
        if let Some(Value::Array(children)) = chapter.get("sub_items") {
            stack.extend(children.iter().rev());
        }
        let Some(content) = chapter.get("content").and_then(Value::as_str) else {
            continue;
        };
        match page_of(site, chapter) {
            Some(i) => {
                if let Some(name) = chapter.get("name").and_then(Value::as_str) {
                    renamed.push((i, name.to_string()));
                }
                let page = &mut site.pages[i];
                if page.body != content {
                    page.body = content.to_string();
                    // As loading decides it (see `load.rs`): a page that had its own
                    // heading keeps it if the plugin left an `# heading` anywhere.
                    page.title_in_body = heading::leading_title(&page.body).is_some()
                        || (page.title_in_body && heading::has_h1(&page.body));
                }
            }
            None if chapter.get("path").is_some_and(|p| !p.is_null()) => {
                let name = chapter.get("name").and_then(Value::as_str).unwrap_or("?");
                unknown.push(name.to_string());
            }
            None => {}
        }
    }
    for (page, name) in renamed {
        let mut sent = None;
        rename(&mut site.toc, page, &name, &mut sent);
        // The page's title is its chapter's name unless its front matter names it.
        let page = &mut site.pages[page];
        if sent.is_some_and(|sent| sent == page.title) && page.meta.title.is_none() {
            page.title = name;
        }
    }
    unknown
}

/// Names `name` the chapters of `page` in `items` whose name is not `name` yet; `sent` gets
/// the name kb gave them.
fn rename(items: &mut [TocItem], page: usize, name: &str, sent: &mut Option<String>) {
    fn walk(entry: &mut TocEntry, page: usize, name: &str, sent: &mut Option<String>) {
        if entry.page == Some(page) && entry.title != name && !name.trim().is_empty() {
            sent.get_or_insert_with(|| entry.title.clone());
            entry.title = name.to_string();
        }
        for child in &mut entry.children {
            walk(child, page, name, sent);
        }
    }
    for item in items {
        if let TocItem::Entry(entry) = item {
            walk(entry, page, name, sent);
        }
    }
}

/// The page a returned chapter is, by its source path, else its path.
fn page_of(site: &Site, chapter: &Map<String, Value>) -> Option<usize> {
    let named = |key: &str| chapter.get(key).and_then(Value::as_str);
    if let Some(i) = named("source_path").and_then(|p| site.page_by_rel(p)) {
        return Some(i);
    }
    let path = named("path")?;
    site.page_by_rel(path).or_else(|| {
        let readme = match path.strip_suffix("index.md")? {
            "" => "README.md".to_string(),
            folder => format!("{folder}README.md"),
        };
        site.page_by_rel(&readme)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readme_is_index_as_mdbook_names_it() {
        assert_eq!(mdbook_path("README.md"), "index.md");
        assert_eq!(mdbook_path("guide/README.md"), "guide/index.md");
        assert_eq!(mdbook_path("guide/intro.md"), "guide/intro.md");
    }

    #[test]
    fn either_format_is_read() {
        let v05 = json!({ "items": [ "Separator" ] });
        let v04 = json!({ "sections": [ "Separator", "Separator" ], "__non_exhaustive": null });
        assert_eq!(chapters_of(&v05).map(Vec::len), Some(1));
        assert_eq!(chapters_of(&v04).map(Vec::len), Some(2));
        assert_eq!(chapters_of(&json!([1])), None);
    }
}
