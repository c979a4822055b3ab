//! What `kb mcp` answers about pages, as plain functions of the built site: finding a page
//! from what an agent names it, its twin whole or one section, the table of contents, and
//! the page resources, a page of them at a time. No protocol here (see [`super::server`]).

use serde_json::json;

use crate::agents::twin::{self, twin_file};
use crate::config::Settings;
use crate::content::page::output_file;
use crate::content::toc::{TocEntry, TocItem};
use crate::content::Site;
use crate::markdown::RenderedPage;

/// The scheme and prefix of a page resource: `kb://page/caching/stampedes.md`.
pub(crate) const PAGE_URI: &str = "kb://page/";

/// Page resources listed per `resources/list` call.
pub(crate) const RESOURCES_PER_LIST: usize = 500;

/// The built site, as the tools read it.
pub(crate) struct SiteView<'a> {
    pub settings: &'a Settings,
    pub site: &'a Site,
    pub rendered: &'a [RenderedPage],
}

impl SiteView<'_> {
    /// The page an agent means by `given`: its source path (`caching/stampedes.md`), its
    /// URL (`caching/stampedes/`, with or without a leading `/`), its HTML or Markdown
    /// twin's file, its address under `site-url`, or its `kb://page/` URI. Confined like every path from outside: a path
    /// that climbs out is refused, not looked up.
    pub(crate) fn find_page(&self, given: &str) -> Result<usize, String> {
        let bare = given.trim();
        let bare = bare.strip_prefix(PAGE_URI).unwrap_or(bare);
        let site_url = self.settings.site_url.as_deref().unwrap_or("\0");
        let bare = bare.strip_prefix(site_url).unwrap_or(bare);
        let bare = bare
            .strip_prefix(self.settings.base_path.as_str())
            .unwrap_or(bare);
        let bare = bare.split('#').next().unwrap_or("");
        let bare = bare.trim_start_matches('/');
        let normal = crate::confine::relative(bare)
            .map_err(|e| format!("`{given}` is not a page path: {e}"))?;
        let site = self.site;
        let found = site.page_by_rel(&normal).or_else(|| {
            site.pages.iter().position(|p| {
                p.url == normal
                    || output_file(&p.url) == normal
                    || twin_file(&p.url) == normal
                    || (!normal.is_empty() && p.url == format!("{normal}/"))
            })
        });
        found.ok_or_else(|| self.no_such_page(given, &normal))
    }

    /// The error for an unknown page, with the closest page paths.
    fn no_such_page(&self, given: &str, normal: &str) -> String {
        let mut near: Vec<(f64, &str)> = self
            .site
            .pages
            .iter()
            .map(|p| (strsim::jaro_winkler(normal, &p.rel), p.rel.as_str()))
            .filter(|(score, _)| *score > 0.7)
            .collect();
        near.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut why = format!(
            "no page `{given}` in this site; name a page by its source path such as `{}` (list_pages lists them)",
            self.site.pages.first().map_or("index.md", |p| p.rel.as_str())
        );
        if !near.is_empty() {
            let names: Vec<String> = near.iter().take(3).map(|(_, r)| format!("`{r}`")).collect();
            why.push_str(&format!("; did you mean {}?", names.join(" or ")));
        }
        why
    }

    /// The Markdown twin of page `i`, or only its section with heading id `section`.
    pub(crate) fn read_page(&self, i: usize, section: Option<&str>) -> Result<String, String> {
        let page = &self.site.pages[i];
        let twin = twin::twin(
            self.settings,
            self.site,
            page,
            &self.rendered[i].source_links,
        );
        let Some(id) = section.map(|s| s.trim().trim_start_matches('#')) else {
            return Ok(twin.text);
        };
        let ids: Vec<(u8, &str)> = self.rendered[i]
            .headings
            .iter()
            .map(|h| (h.level, h.id.as_str()))
            .collect();
        twin::section(&twin, &ids, id)
            .map(str::to_string)
            .ok_or_else(|| {
                let known: Vec<String> = ids.iter().map(|(_, id)| format!("`{id}`")).collect();
                format!(
                    "page `{}` has no section `{id}`; its sections are {}",
                    page.rel,
                    if known.is_empty() {
                        "none (it has no headings)".to_string()
                    } else {
                        known.join(", ")
                    }
                )
            })
    }

    /// The table of contents as JSON, every page once (pages the sidebar does not show,
    /// such as the home page, first), optionally only the pages of area `area`.
    pub(crate) fn list_pages(&self, area: Option<&str>) -> Result<String, String> {
        let site = self.site;
        let areas: Vec<serde_json::Value> = site
            .areas
            .iter()
            .map(|a| json!({ "area": a.slug, "title": a.title }))
            .collect();
        if let Some(area) = area {
            if !site.areas.iter().any(|a| a.slug == area) {
                let slugs: Vec<&str> = site.areas.iter().map(|a| a.slug.as_str()).collect();
                return Err(format!(
                    "no area `{area}`; the areas are: {}",
                    slugs.join(", ")
                ));
            }
        }
        let mut rows: Vec<(usize, Option<String>, usize)> = Vec::new();
        fn walk(entry: &TocEntry, depth: usize, rows: &mut Vec<(usize, Option<String>, usize)>) {
            if let Some(i) = entry.page {
                rows.push((i, entry.number.clone(), depth));
            }
            for child in &entry.children {
                walk(child, depth + 1, rows);
            }
        }
        for item in &site.toc {
            if let TocItem::Entry(entry) = item {
                walk(entry, 0, &mut rows);
            }
        }
        let mut seen = vec![false; site.pages.len()];
        for (i, _, _) in &rows {
            seen[*i] = true;
        }
        let missing: Vec<(usize, Option<String>, usize)> = site
            .reading_order()
            .into_iter()
            .filter(|&i| !seen[i])
            .map(|i| (i, None, 0))
            .collect();
        let pages: Vec<serde_json::Value> = missing
            .into_iter()
            .chain(rows)
            .filter(|(i, _, _)| area.is_none() || site.pages[*i].area.as_deref() == area)
            .map(|(i, number, depth)| {
                let page = &site.pages[i];
                json!({
                    "path": page.rel,
                    "title": page.title,
                    "description": page.description,
                    "url": twin::page_address(self.settings, &page.url),
                    "markdown": twin_file(&page.url),
                    "area": page.area,
                    "number": number,
                    "depth": depth,
                })
            })
            .collect();
        Ok(json!({ "pages": pages, "areas": areas }).to_string())
    }

    /// The page resources from `cursor` (an offset, as the previous list returned it), and
    /// the cursor of the next list when there are more.
    pub(crate) fn resources(
        &self,
        cursor: Option<&str>,
    ) -> Result<(Vec<PageResource>, Option<String>), String> {
        let start = match cursor {
            None => 0,
            Some(c) => c
                .parse::<usize>()
                .ok()
                .filter(|&n| n <= self.site.pages.len())
                .ok_or_else(|| format!("`{c}` is not a cursor this server gave"))?,
        };
        let order = self.site.reading_order();
        let end = (start + RESOURCES_PER_LIST).min(order.len());
        let list = order[start..end]
            .iter()
            .map(|&i| {
                let page = &self.site.pages[i];
                PageResource {
                    uri: format!("{PAGE_URI}{}", page.rel),
                    name: page.rel.clone(),
                    title: page.title.clone(),
                    description: page.description.clone(),
                }
            })
            .collect();
        let next = (end < order.len()).then(|| end.to_string());
        Ok((list, next))
    }
}

/// One page as a resource.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PageResource {
    pub uri: String,
    pub name: String,
    pub title: String,
    pub description: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::passes::{analyze, BuildOptions};
    use crate::build::session::fixture::copy_fixture;
    use crate::build::timings::Timings;

    #[test]
    fn pages_are_found_by_any_name_and_never_outside_the_site() {
        let (_dir, root) = copy_fixture("basic");
        let settings = Settings::load(&root).expect("settings");
        let analysis = analyze(&settings, &BuildOptions::default(), &mut Timings::default());
        let view = SiteView {
            settings: &settings,
            site: &analysis.site,
            rendered: &analysis.rendered,
        };
        let one = view.find_page("alpha/one.md").expect("by source path");
        for name in [
            "alpha/one/",
            "/alpha/one/",
            "alpha/one",
            "alpha/one/index.html",
            "alpha/one/index.md",
            "kb://page/alpha/one.md",
            "https://example.org/guide/alpha/one/#in-go",
        ] {
            assert_eq!(view.find_page(name), Ok(one), "{name}");
        }
        let missing = view.find_page("alpha/onw.md").unwrap_err();
        assert!(missing.contains("did you mean `alpha/one.md`"), "{missing}");
        let escape = view.find_page("../../etc/passwd").unwrap_err();
        assert!(escape.contains("is not a page path"), "{escape}");

        let section = view.read_page(one, Some("in-go")).expect("a section");
        assert!(section.starts_with("## In Go\n"), "{section}");
        let unknown = view.read_page(one, Some("nope")).unwrap_err();
        assert!(unknown.contains("`what-to-consider`"), "{unknown}");

        let all: serde_json::Value =
            serde_json::from_str(&view.list_pages(None).expect("toc")).expect("json");
        let n = all["pages"].as_array().expect("pages").len();
        assert_eq!(n, analysis.site.pages.len(), "every page once");
        let alpha: serde_json::Value =
            serde_json::from_str(&view.list_pages(Some("alpha")).expect("area")).expect("json");
        assert!(alpha["pages"]
            .as_array()
            .expect("pages")
            .iter()
            .all(|p| p["area"] == "alpha"));
        assert!(view.list_pages(Some("gamma")).is_err());

        let (first, next) = view.resources(None).expect("resources");
        assert_eq!(first.len(), n.min(RESOURCES_PER_LIST));
        assert_eq!(next, None);
        assert!(view.resources(Some("x")).is_err());
    }
}
