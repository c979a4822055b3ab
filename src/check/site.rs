//! The whole-site check behind `kb check`: everything the build rejects, plus front matter
//! quality, code samples (Go, YAML, JSON, TOML, protobuf) and, on request, external links.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::build::passes::{analyze, BuildOptions};
use crate::build::timings::Timings;
use crate::config::Settings;
use crate::content::tags::read_vocabulary;
use crate::content::{PageKind, Site};
use crate::diagnostic::{Diagnostic, Location};
use crate::diagnostics::Diagnostics;
use crate::markdown::validate::front_matter_location;
use crate::markdown::RenderedPage;

use super::data_blocks::{check_data_block, data_language};
use super::external::{check_external, ExternalLink, ExternalOptions};
use super::go::{check_go, GoOptions, GoReport};
use super::sample::CodeSample;

/// Longest description search engines show in full.
pub(crate) const MAX_DESCRIPTION: usize = 160;

/// What to check beyond the defaults.
#[derive(Debug, Clone, Default)]
pub(crate) struct CheckOptions {
    pub drafts: bool,
    /// Untrusted: Go samples are parsed and formatted, never compiled or vetted.
    pub trust: crate::trust::Trust,
    /// Also request every external http(s) link.
    pub external: Option<ExternalOptions>,
}

/// Everything `kb check` found.
#[derive(Debug, Default)]
pub(crate) struct CheckReport {
    pub diagnostics: Diagnostics,
    pub pages: usize,
    pub go: GoReport,
    pub data_blocks: usize,
    pub external_links: usize,
    pub elapsed: Duration,
}

/// Checks the site in `settings`; never writes output (the snippet cache aside).
pub(crate) fn check_site(settings: &Settings, options: &CheckOptions) -> CheckReport {
    let start = Instant::now();
    let analysis = analyze(
        settings,
        &BuildOptions {
            drafts: options.drafts,
            trust: options.trust,
            ..BuildOptions::default()
        },
        &mut Timings::default(),
    );
    let mut diagnostics = analysis.diagnostics.into_vec();
    diagnostics.extend(front_matter_quality(settings, &analysis.site));

    let samples = code_samples(&analysis.site, &analysis.rendered);
    let data: Vec<&CodeSample> = samples
        .iter()
        .filter(|s| data_language(&s.lang).is_some())
        .collect();
    diagnostics.extend(
        data.iter()
            .flat_map(|s| check_data_block(s, settings.limits.max_nesting)),
    );
    // Go wants absolute GOPATH and GOCACHE; `--root .` would make them relative.
    let cache = settings.root.join(".kb-cache").join("snippets");
    let go_options = GoOptions {
        run_tests: settings.run_go_tests,
        trust: options.trust,
        test_timeout: settings.limits.sample_timeout,
    };
    let go = check_go(
        &samples,
        &std::path::absolute(&cache).unwrap_or(cache),
        &go_options,
    );
    diagnostics.extend(go.diagnostics.iter().cloned());

    let mut external_links = 0;
    if let Some(opts) = &options.external {
        let links: Vec<ExternalLink> = analysis
            .rendered
            .iter()
            .flat_map(|r| r.external_links.iter())
            .map(|(url, location)| ExternalLink {
                url: url.clone(),
                location: location.clone(),
            })
            .collect();
        external_links = links.len();
        diagnostics.extend(check_external(&links, opts));
    }
    CheckReport {
        diagnostics: Diagnostics::new(diagnostics),
        pages: analysis.site.pages.len(),
        data_blocks: data.len(),
        go,
        external_links,
        elapsed: start.elapsed(),
    }
}

/// Every fenced code block of the site as a sample for the checkers.
pub(crate) fn code_samples(site: &Site, rendered: &[RenderedPage]) -> Vec<CodeSample> {
    site.pages
        .iter()
        .zip(rendered)
        .flat_map(|(page, r)| {
            r.code_blocks.iter().map(move |block| {
                let mut flags = block.info.flags.clone();
                if let Some(title) = block.info.title.as_deref() {
                    // The title places Go blocks: `_test.go` makes a test file, and its
                    // directory decides which blocks share a package with it.
                    flags.push(format!("title={title}"));
                    if title.ends_with("_test.go") {
                        flags.push(format!("file={title}"));
                    }
                }
                CodeSample {
                    file: page.file.clone(),
                    fence_line: block.fence_line,
                    lang: block.info.lang.clone(),
                    flags,
                    code: block.code.clone(),
                }
            })
        })
        .collect()
}

/// Description length, tags from the vocabulary, duplicate titles.
fn front_matter_quality(settings: &Settings, site: &Site) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let vocabulary = match read_vocabulary(&settings.tags_file) {
        Ok(v) => v,
        Err(e) => {
            diagnostics.push(e.diagnostic(
                &crate::diagnostic::shown_path(&settings.tags_file),
                "cannot read the tag vocabulary",
            ));
            None
        }
    };
    let tags_file = crate::diagnostic::shown_path(&settings.tags_file);
    let mut titles: HashMap<String, &str> = HashMap::new();
    for page in &site.pages {
        let chars = page.description.chars().count();
        if chars > MAX_DESCRIPTION {
            diagnostics.push(
                Diagnostic::error(
                    front_matter_location(page, "description:"),
                    format!("the description has {chars} characters; at most {MAX_DESCRIPTION} are shown"),
                )
                .with_help("shorten it to one sentence: it is the search result and meta description"),
            );
        }
        if let Some(vocabulary) = &vocabulary {
            for tag in &page.meta.tags {
                if !vocabulary.contains(tag) {
                    diagnostics.push(
                        Diagnostic::error(
                            front_matter_location(page, tag),
                            format!("tag `{tag}` is not in the vocabulary"),
                        )
                        .with_help(format!(
                            "use a tag listed in {}, or add `{tag}` there on a line of its own",
                            tags_file.display()
                        )),
                    );
                }
            }
        }
        if page.kind == PageKind::Article {
            let key = page.title.to_lowercase();
            if let Some(other) = titles.insert(key, &page.rel) {
                // Where the title is written: its front matter key, else the page's first
                // line of Markdown (its heading, or the chapter SUMMARY.md names).
                let at = match page.meta.title {
                    Some(_) => front_matter_location(page, "title:"),
                    None => Location::new(&page.file, page.body_line.max(1), 1),
                };
                diagnostics.push(
                    Diagnostic::warning(
                        at,
                        format!("the title “{}” is also used by `{other}`", page.title),
                    )
                    .with_help(
                        "readers and search results tell pages apart by title; make it specific",
                    ),
                );
            }
        }
    }
    diagnostics
}
