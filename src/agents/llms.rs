//! `llms.txt` and `llms-full.txt`, in the format of <https://llmstxt.org>: the site's title
//! as an H1, its description as a quote, then one H2 section per area (an mdBook book's
//! SUMMARY.md part, or top-level chapter when it has no parts) listing each page once as
//! `- [title](link): description`. Links are absolute under `site-url`, else relative to
//! the site root (where `llms.txt` is). `llms-full.txt` is every listed page's twin in
//! reading order, up to a size cap.

use crate::config::Settings;
use crate::content::Site;

/// The section of pages that belong to no area (the home page, top-level pages).
const NO_AREA: &str = "Overview";

/// `llms.txt` for `site`; `link` gives each page's link (its twin, or its HTML page when
/// twins are off), relative to the site root.
pub(crate) fn llms_txt(settings: &Settings, site: &Site, link: &dyn Fn(usize) -> String) -> String {
    let mut out = header(settings);
    let listed: Vec<usize> = listed_pages(settings, site);
    out.push_str(&format!(
        "This site has {} pages. Each link below is a page's Markdown; `llms-full.txt` holds them all in reading order.\n",
        listed.len()
    ));
    // Sections in the order their first page is read.
    let mut sections: Vec<(Option<&str>, Vec<usize>)> = Vec::new();
    for i in listed {
        let area = site.pages[i].area.as_deref();
        match sections.iter_mut().find(|(a, _)| *a == area) {
            Some((_, pages)) => pages.push(i),
            None => sections.push((area, vec![i])),
        }
    }
    for (area, pages) in sections {
        let title = area
            .and_then(|slug| site.areas.iter().find(|a| a.slug == slug))
            .map_or(NO_AREA, |a| a.title.as_str());
        out.push_str(&format!("\n## {}\n\n", one_line(title)));
        for i in pages {
            let page = &site.pages[i];
            out.push_str(&format!(
                "- [{}]({})",
                escape_link_text(&one_line(&page.title)),
                address(settings, &link(i))
            ));
            if !page.description.is_empty() {
                out.push_str(": ");
                out.push_str(&one_line(&page.description));
            }
            out.push('\n');
        }
    }
    out
}

/// `llms-full.txt`: the header of `llms.txt`, then each listed page's twin (`twin(i)`)
/// in reading order, stopping before the first that would pass the configured size.
/// `twin(i)` may be `None` for a page known not to fit (see [`super::FullTextKeeper`]).
pub(crate) fn llms_full_txt<'t>(
    settings: &Settings,
    site: &Site,
    twin: &dyn Fn(usize) -> Option<&'t str>,
) -> String {
    let mut out = header(settings);
    let listed = listed_pages(settings, site);
    let cap = settings.agents.llms_full_max_bytes;
    for (k, &i) in listed.iter().enumerate() {
        let twin = twin(i).filter(|twin| out.len() + twin.len() < cap);
        let Some(twin) = twin else {
            out.push_str(&format!(
                "\n<!-- llms-full.txt stops here, at its size limit: the {} pages left are listed in llms.txt -->\n",
                listed.len() - k
            ));
            break;
        };
        out.push('\n');
        out.push_str(twin);
    }
    out
}

/// The pages the llms files list: every page in reading order, less `[kb.agents] exclude`.
pub(crate) fn listed_pages(settings: &Settings, site: &Site) -> Vec<usize> {
    site.reading_order()
        .into_iter()
        .filter(|&i| settings.agents.lists(&site.pages[i].rel))
        .collect()
}

/// `# Title` and `> description`.
pub(crate) fn header(settings: &Settings) -> String {
    let mut out = format!("# {}\n\n", one_line(&settings.title));
    if !settings.description.is_empty() {
        out.push_str(&format!("> {}\n\n", one_line(&settings.description)));
    }
    out
}

/// A site-relative link made absolute under `site-url`.
fn address(settings: &Settings, link: &str) -> String {
    match &settings.site_url {
        Some(site_url) => format!("{site_url}{link}"),
        None => link.to_string(),
    }
}

/// Text from content kept on one line, so it cannot start a heading or a list item.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Link text with the brackets that would end it escaped.
fn escape_link_text(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('[', "\\[")
        .replace(']', "\\]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_cannot_break_the_format() {
        assert_eq!(one_line("a\n## b"), "a ## b");
        assert_eq!(escape_link_text("x] (y)["), "x\\] (y)\\[");
    }
}
