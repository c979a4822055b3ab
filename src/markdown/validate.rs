//! Validation: links and anchors between pages, `related` paths and `aliases`, checked once
//! every page is rendered and so every heading id is known.

use std::collections::{HashMap, HashSet};

use crate::config::{self, Settings, UrlStyle};
use crate::content::Site;
use crate::diagnostic::{Diagnostic, Location};
use crate::markdown::links::{self, LinkTarget};
use crate::markdown::RenderedPage;

/// Ids that every page has besides its headings (template landmarks).
const TEMPLATE_IDS: &[&str] = &["content", "top"];

/// The settings link checks follow.
#[derive(Debug, Clone, Copy)]
struct LinkRules {
    /// What a link to a missing anchor is (`[kb] broken-anchors`).
    broken_anchors: config::Severity,
    url_style: UrlStyle,
    layout: config::Layout,
}

impl LinkRules {
    fn new(settings: &Settings) -> LinkRules {
        LinkRules {
            broken_anchors: settings.broken_anchors,
            url_style: settings.url_style,
            layout: settings.layout,
        }
    }
}

/// All broken links, anchors and references of the site.
pub(crate) fn validate(
    site: &Site,
    rendered: &[RenderedPage],
    settings: &Settings,
) -> Vec<Diagnostic> {
    let rules = LinkRules::new(settings);
    let ids: Vec<HashSet<&str>> = rendered.iter().map(ids_of).collect();
    let assets: HashSet<&str> = site.assets.iter().map(String::as_str).collect();
    let mut diagnostics = Vec::new();
    for i in 0..site.pages.len() {
        diagnostics.extend(check_page(site, rendered, &assets, rules, i, &|j, id| {
            ids[j].contains(id)
        }));
    }
    diagnostics.extend(alias_conflicts(site));
    diagnostics
}

/// The broken links and references of page `i` alone: what `kb serve` checks again after
/// an edit, without hashing the headings of every page.
pub(crate) fn validate_page(
    site: &Site,
    rendered: &[RenderedPage],
    i: usize,
    settings: &Settings,
) -> Vec<Diagnostic> {
    let assets: HashSet<&str> = site.assets.iter().map(String::as_str).collect();
    check_page(
        site,
        rendered,
        &assets,
        LinkRules::new(settings),
        i,
        &|j, id| {
            TEMPLATE_IDS.contains(&id)
                || rendered[j].headings.iter().any(|h| h.id == id)
                || rendered[j].anchors.iter().any(|a| a == id)
        },
    )
}

/// Ids a page can be linked to: its headings', its other elements' and the template's.
fn ids_of(rendered: &RenderedPage) -> HashSet<&str> {
    rendered
        .headings
        .iter()
        .map(|h| h.id.as_str())
        .chain(rendered.anchors.iter().map(String::as_str))
        .chain(TEMPLATE_IDS.iter().copied())
        .collect()
}

/// The page a link to `rel` reaches: the file itself or, for a folder's index, whichever
/// index file the folder has (all of them get the folder's URL).
fn find_page(site: &Site, rel: &str) -> Option<usize> {
    site.page_by_rel(rel).or_else(|| {
        links::index_aliases(rel)
            .iter()
            .find_map(|alias| site.page_by_rel(alias))
    })
}

fn check_page(
    site: &Site,
    rendered: &[RenderedPage],
    assets: &HashSet<&str>,
    rules: LinkRules,
    i: usize,
    has_id: &dyn Fn(usize, &str) -> bool,
) -> Vec<Diagnostic> {
    let page = &site.pages[i];
    let mut diagnostics = Vec::new();
    let context = LinkContext {
        site,
        rendered,
        has_id,
        assets,
        rules,
        from: i,
    };
    for link in &rendered[i].links {
        if let Some(d) = context.check(&link.target, &link.written, &link.location) {
            diagnostics.push(d);
        }
    }
    for related in &page.meta.related {
        if site.page_by_rel(related.trim_start_matches('/')).is_none() {
            diagnostics.push(
                Diagnostic::error(
                    front_matter_location(page, related),
                    format!("related page `{related}` does not exist"),
                )
                .with_help(
                    "write the path relative to the content folder, e.g. `caching/stampedes.md`",
                ),
            );
        }
    }
    diagnostics
}

/// What checking one page's links needs.
struct LinkContext<'a> {
    site: &'a Site,
    rendered: &'a [RenderedPage],
    has_id: &'a dyn Fn(usize, &str) -> bool,
    assets: &'a HashSet<&'a str>,
    rules: LinkRules,
    /// The linking page.
    from: usize,
}

impl LinkContext<'_> {
    fn check(&self, target: &LinkTarget, written: &str, location: &Location) -> Option<Diagnostic> {
        match target {
            LinkTarget::SamePage { fragment } => {
                if fragment.is_empty() || (self.has_id)(self.from, fragment) {
                    return None;
                }
                Some(
                    self.broken_anchor(
                        location,
                        format!(
                            "link to `#{fragment}`: no heading or element on this page has that id"
                        ),
                    )
                    .with_help(
                        self.anchor_help(suggest(&ids_of(&self.rendered[self.from]), fragment)),
                    ),
                )
            }
            LinkTarget::Page { rel, fragment } => {
                let Some(target) = find_page(self.site, rel) else {
                    return self.missing_page(rel, written, location);
                };
                match fragment {
                    Some(f) if !f.is_empty() && !(self.has_id)(target, f) => Some(
                        self.broken_anchor(
                            location,
                            format!(
                                "broken anchor `{written}`: `{}` has no heading or element with id `{f}`",
                                self.site.pages[target].rel
                            ),
                        )
                        .with_help(self.anchor_help(suggest(&ids_of(&self.rendered[target]), f))),
                    ),
                    _ => None,
                }
            }
            LinkTarget::Asset { rel } => {
                if self.assets.contains(rel.as_str()) {
                    None
                } else {
                    Some(
                        Diagnostic::error(location.clone(), format!("broken link `{written}`: file `{rel}` does not exist in the content folder"))
                            .with_help("link pages by their .md file; put images and downloads inside the content folder"),
                    )
                }
            }
            LinkTarget::External | LinkTarget::OutsideContent => None,
        }
    }

    /// What to do about a broken anchor: `fix` it, or, when it stops the build, say how to
    /// build anyway. mdBook does not check anchors, so a book it builds may have stale
    /// ones; and a `[kb]` table alone would make an mdBook book a kb site (see `Layout`),
    /// so for a book the key that keeps it one is named too.
    fn anchor_help(&self, fix: String) -> String {
        match (self.rules.broken_anchors, self.rules.layout) {
            (config::Severity::Warning, _) => fix,
            (config::Severity::Error, config::Layout::Site) => {
                format!("{fix} (to build anyway, set `broken-anchors = \"warn\"` under `[kb]` in book.toml)")
            }
            (config::Severity::Error, config::Layout::MdBook) => format!(
                "{fix} (to build anyway, add to book.toml `[kb]` with `layout = \"mdbook\"` and `broken-anchors = \"warn\"`)"
            ),
        }
    }

    /// A link to an anchor that does not exist, as serious as `[kb] broken-anchors` says.
    fn broken_anchor(&self, location: &Location, message: String) -> Diagnostic {
        match self.rules.broken_anchors {
            config::Severity::Error => Diagnostic::error(location.clone(), message),
            config::Severity::Warning => Diagnostic::warning(location.clone(), message),
        }
    }

    /// A link to a page that does not exist, unless it is an `.html` file of the content
    /// folder that the link still reaches (html URLs leave its path as written).
    fn missing_page(&self, rel: &str, written: &str, location: &Location) -> Option<Diagnostic> {
        let path = written.split(['#', '?']).next().unwrap_or("");
        if path.ends_with(".html") {
            let html_rel = format!("{}.html", rel.strip_suffix(".md").unwrap_or(rel));
            if self.assets.contains(html_rel.as_str()) {
                return match self.rules.url_style {
                    UrlStyle::Html => None,
                    UrlStyle::Pretty => Some(
                        Diagnostic::error(
                            location.clone(),
                            format!("link `{written}`: a page link, but `{html_rel}` is a file and `{rel}` does not exist"),
                        )
                        .with_help("with pretty URLs an `.html` link names a page; link the file by an URL that does not end in .html, or use `[kb] urls = \"html\"`"),
                    ),
                };
            }
        }
        Some(
            Diagnostic::error(
                location.clone(),
                format!("broken link `{written}`: page `{rel}` does not exist"),
            )
            .with_help("link the .md file (or the .html file mdBook writes for it) by its path relative to this page"),
        )
    }
}

/// Names the closest existing id, so a typo is fixed in one step.
fn suggest(ids: &HashSet<&str>, wanted: &str) -> String {
    let mut best: Option<(usize, &str)> = None;
    for id in ids.iter().filter(|id| !TEMPLATE_IDS.contains(id)) {
        let distance = edit_distance(id, wanted);
        if best.is_none_or(|(d, b)| distance < d || (distance == d && *id < b)) {
            best = Some((distance, id));
        }
    }
    match best {
        Some((d, id)) if d <= wanted.len().max(3) / 2 => format!("did you mean `#{id}`?"),
        _ => "link to one of the page's headings (ids are the heading text in lowercase, spaces as `-`)".to_string(),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for j in 0..b.len() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != b[j]))
                .min(row[j] + 1)
                .min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// Two pages claiming one alias, or an alias that is a real page's URL.
fn alias_conflicts(site: &Site) -> Vec<Diagnostic> {
    let urls: HashSet<&str> = site.pages.iter().map(|p| p.url.as_str()).collect();
    let mut seen: HashMap<String, &str> = HashMap::new();
    let mut diagnostics = Vec::new();
    for page in &site.pages {
        for alias in &page.meta.aliases {
            let normal = normalize_alias(alias);
            if let Err(e) = confined_alias(alias) {
                diagnostics.push(
                    Diagnostic::error(
                        front_matter_exact_location(page, alias),
                        format!(
                            "alias `{alias}` {}, so its redirect page would be written outside the output folder",
                            e.why
                        ),
                    )
                    .with_help(format!(
                        "write the old URL from the site root, e.g. `/old/path/`; {}",
                        crate::confine::HELP
                    )),
                );
            } else if urls.contains(normal.as_str()) {
                diagnostics.push(
                    Diagnostic::error(
                        front_matter_location(page, alias),
                        format!("alias `{alias}` is the URL of an existing page"),
                    )
                    .with_help("remove the alias; a redirect would hide that page"),
                );
            } else if let Some(other) = seen.insert(normal, &page.rel) {
                diagnostics.push(
                    Diagnostic::error(
                        front_matter_location(page, alias),
                        format!("alias `{alias}` is also claimed by `{other}`"),
                    )
                    .with_help("an old URL can redirect to one page only"),
                );
            }
        }
    }
    diagnostics
}

/// Checks that `alias` names a place inside the site: the leading `/` means the site root,
/// as in a URL; anything that climbs above it, or is encoded to, is refused.
pub(crate) fn confined_alias(alias: &str) -> Result<String, crate::confine::Escape> {
    crate::confine::relative(alias.trim().trim_start_matches('/'))
}

/// Site-relative form of an alias: no leading slash, folders end in `/`.
pub(crate) fn normalize_alias(alias: &str) -> String {
    // `a/../b` and `./b` name the same URL as `b`; an escaping alias is reported by
    // `alias_conflicts` and left out of the output by the renderer.
    let confined = confined_alias(alias).ok();
    let trimmed = confined
        .as_deref()
        .unwrap_or_else(|| alias.trim().trim_start_matches('/'));
    if trimmed.is_empty() || trimmed.ends_with('/') || trimmed.ends_with(".html") {
        trimmed.to_string()
    } else {
        format!("{trimmed}/")
    }
}

/// The line of the front matter that mentions `needle`, column 1 (best effort; line 2
/// otherwise).
pub(crate) fn front_matter_location(page: &crate::content::Page, needle: &str) -> Location {
    let line = front_matter_position(page, needle).map_or(2, |(line, _)| line);
    Location::new(&page.file, line, 1)
}

/// The line and column of the front matter where `needle` is written (best effort; line
/// 2, column 1 otherwise).
fn front_matter_exact_location(page: &crate::content::Page, needle: &str) -> Location {
    let (line, column) = front_matter_position(page, needle).unwrap_or((2, 1));
    Location::new(&page.file, line, column)
}

fn front_matter_position(page: &crate::content::Page, needle: &str) -> Option<(usize, usize)> {
    let text = std::fs::read_to_string(&page.source).ok()?;
    text.lines()
        .take(page.body_line)
        .enumerate()
        .find_map(|(i, l)| {
            l.find(needle)
                .map(|at| (i + 1, crate::position::char_column(l, at + 1)))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("in-go", "in-go"), 0);
        assert_eq!(edit_distance("in-go", "in-og"), 2);
        assert_eq!(edit_distance("singleflight", "singlefight"), 1);
    }

    #[test]
    fn aliases_are_normalised() {
        assert_eq!(normalize_alias("/old/path"), "old/path/");
        assert_eq!(normalize_alias("old/page.html"), "old/page.html");
        assert_eq!(normalize_alias("/a/../b"), "b/");
        assert!(confined_alias("/../../../../tmp/x/").is_err());
        assert!(confined_alias("/old/%2e%2e/%2e%2e/x").is_err());
        assert!(confined_alias("/old/path/").is_ok());
    }
}
