//! Docs that coding agents can read: a Markdown twin of every page and its script twin
//! ([`twin`]),
//! `llms.txt` and `llms-full.txt` ([`llms`]). They are files of the site like the sitemap:
//! made from the assembled site, written through the build's sink, and recorded by an
//! incremental session like any other output (so they change and disappear with pages).

pub(crate) mod llms;
pub(crate) mod twin;

use rayon::prelude::*;

use crate::config::Settings;
use crate::content::Site;
use crate::markdown::RenderedPage;

/// The agents' files of `site`, as `[kb.agents]` asks: the twins and their scripts,
/// `llms.txt` and `llms-full.txt`. `rendered` are the pages' renderings, whose source links
/// the twins rewrite.
pub(crate) fn files(
    settings: &Settings,
    site: &Site,
    rendered: &[RenderedPage],
) -> Vec<(String, Vec<u8>)> {
    let agents = &settings.agents;
    if !agents.markdown_twins && !agents.llms_txt {
        return Vec::new();
    }
    let twins: Vec<String> = site
        .pages
        .par_iter()
        .zip(rendered)
        .map(|(page, r)| twin::twin(settings, site, page, &r.source_links).text)
        .collect();
    let mut files = Vec::new();
    if agents.llms_txt {
        let link = |i: usize| match agents.markdown_twins {
            true => twin::twin_file(&site.pages[i].url),
            false if site.pages[i].url.is_empty() => "./".to_string(),
            false => site.pages[i].url.clone(),
        };
        files.push((
            "llms.txt".to_string(),
            llms::llms_txt(settings, site, &link).into_bytes(),
        ));
        files.push((
            "llms-full.txt".to_string(),
            llms::llms_full_txt(settings, site, &twins).into_bytes(),
        ));
    }
    if agents.markdown_twins {
        for (page, text) in site.pages.iter().zip(twins) {
            files.push((
                twin::twin_script_file(&page.url),
                twin::twin_script(&text).into_bytes(),
            ));
            files.push((twin::twin_file(&page.url), text.into_bytes()));
        }
    }
    files
}
