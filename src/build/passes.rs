//! The build passes: load → markdown → validate, over data. Each pass takes plain data and
//! returns plain data; `kb build` streams them into its output ([`super::stream`]), `kb
//! serve` keeps what they made ([`Prepared`]). All diagnostics of a pass are collected
//! before the build stops, so one run reports every problem.

use std::path::PathBuf;

use indicatif::ParallelProgressIterator;
use rayon::prelude::*;

use super::bodies::{Bodies, PackedBody};
use super::progress::{Progress, ProgressStyle};
use super::timings::Timings;
use crate::config::Settings;
use crate::content::{Loader, Site};
use crate::diagnostic::Diagnostic;
use crate::diagnostics::Diagnostics;
use crate::markdown::{self, RenderedPage};

/// What the user asked of this build.
#[derive(Debug, Clone, Default)]
pub(crate) struct BuildOptions {
    /// Include pages marked `draft: true`.
    pub drafts: bool,
    /// How to show the progress of the per-page steps (for large sites).
    pub progress: ProgressStyle,
    /// Whether steps may run code the site names (mdBook preprocessors consult it).
    pub trust: crate::trust::Trust,
}

/// A loaded and rendered site, before templates: what `kb serve` keeps between applies.
pub(crate) struct Prepared {
    pub site: Site,
    /// Each page's rendering, in page order, without its HTML: that is in `bodies`.
    pub rendered: Vec<RenderedPage>,
    /// Each page's rendered HTML.
    pub bodies: Bodies,
    /// Warnings found so far (errors stop preparation).
    pub warnings: Diagnostics,
}

/// The result of a successful build.
#[derive(Debug, Default)]
pub(crate) struct BuildReport {
    pub pages: usize,
    pub files: usize,
    pub warnings: Diagnostics,
}

/// Everything the content passes found: the pages that loaded, their rendering, and all
/// diagnostics. `kb check` reports from this even when there are errors.
pub(crate) struct Analysis {
    pub site: Site,
    pub rendered: Vec<RenderedPage>,
    pub diagnostics: Diagnostics,
    /// Each page's HTML, packed as it was rendered when rendering had a store for it
    /// (`rendered` then holds none); otherwise empty.
    pub packed: Vec<PackedBody>,
}

/// Loads, renders and validates the content, collecting every diagnostic.
pub(crate) fn analyze(
    settings: &Settings,
    options: &BuildOptions,
    timings: &mut Timings,
) -> Analysis {
    analyze_with(
        settings,
        &Loader::new(settings, options.drafts),
        &Rendering {
            options,
            bodies: None,
            pack_sections: false,
        },
        timings,
    )
}

/// [`analyze`] with `loader`, which may leave pages' Markdown on disk (see [`loader`]).
fn analyze_with(
    settings: &Settings,
    loader: &Loader,
    rendering: &Rendering<'_>,
    timings: &mut Timings,
) -> Analysis {
    let (site, diagnostics) = load(settings, loader, rendering.options, timings);
    render_site(settings, loader, rendering, site, diagnostics, timings)
}

/// How [`render_site`] renders pages.
struct Rendering<'a> {
    options: &'a BuildOptions,
    /// Where each page's HTML is packed (see [`Bodies::pack`]) on the thread that
    /// rendered it, so a large site's is never all held as rendered; `None`: the HTML
    /// stays in the rendering.
    bodies: Option<&'a Bodies>,
    /// Pack each page's sections as soon as it is rendered (see
    /// [`crate::markdown::PackedSections`]): a site kept between applies (`kb serve`).
    pack_sections: bool,
}

/// The loader of a build: with `markdown_on_disk`, one that leaves each page's Markdown
/// on disk until it is needed, unless plugins rewrite it (they see the whole book at once).
pub(super) fn loader(
    settings: &Settings,
    options: &BuildOptions,
    markdown_on_disk: bool,
) -> Loader {
    let loader = Loader::new(settings, options.drafts);
    match markdown_on_disk && settings.preprocessors.is_empty() {
        true => loader.leaving_bodies_on_disk(),
        false => loader,
    }
}

/// The load pass: every page that could be read, and the problems found.
pub(super) fn load(
    settings: &Settings,
    loader: &Loader,
    options: &BuildOptions,
    timings: &mut Timings,
) -> (Site, Vec<Diagnostic>) {
    let (mut site, mut diagnostics) =
        timings.time("load", || loader.load_site_showing(options.progress));
    if !settings.preprocessors.is_empty() {
        // Plugins see the whole book, so they run once every page is loaded.
        match timings.time("plugins", || {
            crate::preprocess::run(settings, options.trust, &mut site)
        }) {
            Ok(warnings) => diagnostics.extend(warnings),
            Err(error) => diagnostics.push(error),
        }
    }
    // The book's own 404 page is rendered with the listing pages, from its `body`: it
    // keeps its Markdown.
    if let Some(page) = site.not_found.as_mut().filter(|page| page.body_on_disk) {
        match loader.reload_body(page) {
            Ok(body) => {
                page.body = body;
                page.body_on_disk = false;
            }
            Err(e) => diagnostics.push(e),
        }
    }
    (site, diagnostics)
}

/// The Markdown and validation passes over a loaded site, keeping every page's rendering
/// (`kb check`, `kb serve`, `kb search`; `kb build` streams, see [`super::stream`]).
fn render_site(
    settings: &Settings,
    loader: &Loader,
    rendering: &Rendering<'_>,
    site: Site,
    mut diagnostics: Vec<Diagnostic>,
    timings: &mut Timings,
) -> Analysis {
    let Rendering {
        options,
        bodies,
        pack_sections,
    } = *rendering;
    let progress = Progress::new(options.progress, site.pages.len(), "rendering");
    let bar = progress.bar();
    let render_options = markdown::RenderOptions::of(settings, options.trust);
    // A page whose Markdown was left on disk is read for its rendering and dropped again.
    let render = |page: &crate::content::Page| match page.body_on_disk {
        false => markdown::render_with(page, &render_options),
        true => match loader.reload_body(page) {
            Ok(source) => markdown::render_source(page, &source, &render_options),
            Err(e) => {
                let mut failed = RenderedPage::default();
                failed.diagnostics.push(e);
                failed
            }
        },
    };
    let (rendered, packed): (Vec<RenderedPage>, Vec<Option<(PackedBody, usize)>>) =
        timings.time("markdown", || {
            site.pages
                .par_iter()
                .progress_with(bar)
                .map(|page| {
                    let mut rendered = render(page);
                    if pack_sections {
                        rendered.pack_sections();
                    }
                    let packed = bodies.map(|bodies| {
                        let html = std::mem::take(&mut rendered.html);
                        let len = html.len();
                        (bodies.pack(html), len)
                    });
                    progress.report();
                    (rendered, packed)
                })
                .unzip()
        });
    progress.finish();
    diagnostics.extend(timings.time("validate", || page_diagnostics(&site, &rendered, settings)));
    let html_bytes = rendered.iter().map(|r| r.html.len()).sum::<usize>()
        + packed.iter().flatten().map(|(_, len)| len).sum::<usize>();
    diagnostics.extend(print_page_left_out(settings, rendered.len(), html_bytes));
    Analysis {
        site,
        rendered,
        diagnostics: Diagnostics::new(diagnostics),
        packed: packed.into_iter().flatten().map(|(body, _)| body).collect(),
    }
}

/// The warning that a book of `pages` chapters and `html_bytes` of chapter HTML, too large
/// for a print page, gets none (see [`crate::render::print::too_large`]).
pub(super) fn print_page_left_out(
    settings: &Settings,
    pages: usize,
    html_bytes: usize,
) -> Option<Diagnostic> {
    if !settings.print.enable {
        return None;
    }
    let why = crate::render::print::too_large(pages, html_bytes)?;
    Some(
        Diagnostic::warning(
            crate::config::config_value_location(&settings.root, "output.html.print"),
            format!("print.html is not written: {why}"),
        )
        .with_help("readers print chapters one by one; set `[output.html.print] enable = false` to say so and silence this"),
    )
}

/// The diagnostics of the rendered pages and of the links between them.
pub(crate) fn page_diagnostics(
    site: &Site,
    rendered: &[RenderedPage],
    settings: &Settings,
) -> Vec<Diagnostic> {
    let mut diagnostics: Vec<Diagnostic> = rendered
        .iter()
        .flat_map(|r| r.diagnostics.iter().cloned())
        .collect();
    diagnostics.extend(crate::markdown::validate::validate(
        site, rendered, settings,
    ));
    diagnostics
}

impl Prepared {
    /// The prepared site, or its diagnostics (sorted) when any is an error. `rendered`
    /// comes without its HTML: `bodies` holds every page's. The code blocks are dropped:
    /// only `kb check` reads them, and it does not keep a prepared site.
    pub(crate) fn checked(
        site: Site,
        mut rendered: Vec<RenderedPage>,
        bodies: Bodies,
        diagnostics: impl Into<Diagnostics>,
    ) -> Result<Prepared, Diagnostics> {
        let diagnostics = diagnostics.into();
        if diagnostics.has_errors() {
            return Err(diagnostics);
        }
        for page in &mut rendered {
            page.forget_code_blocks();
        }
        Ok(Prepared {
            site,
            rendered,
            bodies,
            warnings: diagnostics,
        })
    }

    /// The rendered HTML of page `i` (every page has one: [`Prepared::checked`] keeps them).
    pub(crate) fn body(&self, i: usize) -> String {
        self.bodies.get(&self.site.pages[i].rel).unwrap_or_default()
    }
}

/// Loads, renders and validates the content: every error of these passes, or the data,
/// its pages' HTML kept in `bodies`. With `markdown_on_disk` the pages keep no Markdown
/// (see [`crate::content::Page::body_on_disk`]).
pub(crate) fn prepare(
    settings: &Settings,
    options: &BuildOptions,
    bodies: Bodies,
    markdown_on_disk: bool,
    timings: &mut Timings,
) -> Result<Prepared, Diagnostics> {
    let loader = loader(settings, options, markdown_on_disk);
    let rendering = Rendering {
        options,
        bodies: Some(&bodies),
        pack_sections: markdown_on_disk,
    };
    let analysis = analyze_with(settings, &loader, &rendering, timings);
    prepared(analysis, bodies)
}

/// [`Prepared::checked`] for rendered pages, whose HTML was packed into `bodies` as they
/// were rendered.
fn prepared(analysis: Analysis, mut bodies: Bodies) -> Result<Prepared, Diagnostics> {
    let Analysis {
        site,
        rendered,
        diagnostics,
        packed,
    } = analysis;
    for (page, body) in site.pages.iter().zip(packed) {
        bodies.put_packed(page.rel.clone(), body);
    }
    Prepared::checked(site, rendered, bodies, diagnostics)
}

/// The default destination, or the one given on the command line.
pub(crate) fn destination(settings: &Settings, dest: Option<PathBuf>) -> PathBuf {
    dest.unwrap_or_else(|| settings.build_dir.clone())
}

#[cfg(test)]
mod pack_tests {
    use super::*;
    use crate::build::session::fixture::copy_fixture;

    /// A prepared site has each page's HTML packed into its store as the page is
    /// rendered, so a large site's is never all held as rendered; a kept site (`kb
    /// serve`) has its sections packed too, others keep them as rendered.
    #[test]
    fn html_and_sections_are_packed_as_pages_are_rendered_for_a_kept_site() {
        let (_dir, root) = copy_fixture("basic");
        let settings = Settings::load(&root).expect("fixture loads");
        let options = BuildOptions::default();
        let prepare = |kept: bool| {
            let bodies = Bodies::spilled();
            let mut timings = Timings::default();
            prepare(&settings, &options, bodies, kept, &mut timings).expect("builds")
        };
        let kept = prepare(true);
        let plain = prepare(false);
        assert!(!kept.site.pages.is_empty());
        for i in 0..kept.site.pages.len() {
            assert_eq!(kept.site.pages[i].rel, plain.site.pages[i].rel);
            assert!(kept.rendered[i].html.is_empty());
            assert_eq!(kept.body(i), plain.body(i));
        }
        assert!(plain.body(0).contains('<'), "{}", plain.body(0));
        assert!(plain.rendered.iter().any(|r| !r.sections.is_empty()));
        for (kept, plain) in kept.rendered.iter().zip(&plain.rendered) {
            assert!(kept.sections.is_empty());
            assert!(plain.packed_sections.is_none());
            let packed = kept.packed_sections.as_ref().expect("packed");
            assert_eq!(packed.unpack(), plain.sections);
        }
    }
}
