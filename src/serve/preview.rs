//! Pages served while `kb serve`'s first build runs: at 100,000 pages that build takes
//! minutes, and a writer who starts the server wants to read a page now. The preview loads
//! the site without its Markdown (the way a streamed `kb build` does, a fraction of the
//! build's work) and renders a page, with the site's sidebar and theme, when a tab asks for
//! it. Once the build is done the server serves what the build made and drops the preview:
//! from then on what is served is what `kb build` writes.
//!
//! The preview renders from the loaded content with no plugins run and no link checks, so
//! a page may differ from the built one (a preprocessor's rewrite, a tag page, the search
//! files, all of which wait for the build); it is a preview, replaced as soon as it can be.
//!
//! It is one thread that owns the loaded site and renders one page at a time, asked over a
//! channel: a preview is for the few pages open in tabs, and owning the site on one thread
//! lets the renderer borrow it for the thread's whole life.

use std::collections::{HashMap, HashSet};
use std::sync::mpsc;

use crate::build::BuildOptions;
use crate::config::Settings;
use crate::content::page::output_file;
use crate::content::{Loader, Site};
use crate::markdown;
use crate::render::renderer::{self, Presentation, SiteRenderer};

/// A file asked of the preview, and where its bytes go (`None`: the preview has no such
/// file).
type Ask = (String, mpsc::SyncSender<Option<Vec<u8>>>);

/// The preview of a site whose first build is running; dropping every handle stops its
/// thread and frees the loaded site.
#[derive(Clone)]
pub(crate) struct Preview {
    ask: mpsc::Sender<Ask>,
}

impl Preview {
    /// Loads the site `settings` describe, without its Markdown, and starts the thread that
    /// renders its pages on request. Returns once the site is loaded, so the build that
    /// follows does not compete with the load for the cores.
    pub(crate) fn start(settings: &Settings, options: &BuildOptions) -> std::io::Result<Preview> {
        let (ask, asked) = mpsc::channel::<Ask>();
        let (loaded, ready) = mpsc::sync_channel::<()>(1);
        let settings = settings.clone();
        let options = options.clone();
        std::thread::Builder::new()
            .name("kb-preview".into())
            .spawn(move || {
                let loader = Loader::new(&settings, options.drafts).leaving_bodies_on_disk();
                let (site, _) = loader.load_site();
                let _ = loaded.send(());
                // A theme that does not load is the build's error to report; no preview.
                let Ok(presentation) = Presentation::load(&settings) else {
                    return;
                };
                let pages = PreviewPages::new(&settings, &site, &presentation, &loader, &options);
                for (path, reply) in asked {
                    let _ = reply.send(pages.file(&path));
                }
            })?;
        // A thread that stopped before saying so has nothing to show; the build goes on.
        let _ = ready.recv();
        Ok(Preview { ask })
    }

    /// The file at `path` (relative to the site root) as the preview makes it: a content
    /// page, a theme file or a content asset; `None` for anything else.
    pub(crate) fn file(&self, path: &str) -> Option<Vec<u8>> {
        let (reply, answer) = mpsc::sync_channel(1);
        self.ask.send((path.to_string(), reply)).ok()?;
        answer.recv().ok().flatten()
    }
}

/// What the preview thread answers from: the loaded site and its renderer.
struct PreviewPages<'a> {
    renderer: SiteRenderer<'a>,
    loader: &'a Loader,
    render_options: markdown::RenderOptions<'a>,
    /// Content pages by output file (`guide/intro/index.html`).
    pages: HashMap<String, usize>,
    theme: HashMap<String, Vec<u8>>,
    assets: HashSet<&'a str>,
}

impl<'a> PreviewPages<'a> {
    fn new(
        settings: &'a Settings,
        site: &'a Site,
        presentation: &'a Presentation,
        loader: &'a Loader,
        options: &BuildOptions,
    ) -> PreviewPages<'a> {
        let renderer = SiteRenderer::new(settings, site, presentation);
        let theme = renderer.theme_files().into_iter().collect();
        PreviewPages {
            renderer,
            loader,
            render_options: markdown::RenderOptions::of(settings, options.trust),
            pages: (site.pages.iter().enumerate())
                .map(|(i, page)| (output_file(&page.url), i))
                .collect(),
            theme,
            assets: site.assets.iter().map(String::as_str).collect(),
        }
    }

    fn file(&self, path: &str) -> Option<Vec<u8>> {
        if let Some(&i) = self.pages.get(path) {
            return self.page(i);
        }
        if let Some(bytes) = self.theme.get(path) {
            return Some(bytes.clone());
        }
        if self.assets.contains(path) {
            return renderer::read_asset(self.renderer.settings, path).ok();
        }
        None
    }

    /// Content page `i`, its Markdown read now: an edit saved during the build shows.
    fn page(&self, i: usize) -> Option<Vec<u8>> {
        let page = &self.renderer.site.pages[i];
        let source = self.loader.reload_body(page).ok()?;
        let mut rendered = markdown::render_source(page, &source, &self.render_options);
        let html = std::mem::take(&mut rendered.html);
        let file = self.renderer.page(i, &rendered, html);
        self.renderer.render(&file).ok().map(String::into_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::changes::Plan;
    use crate::build::output::MemorySink;
    use crate::build::session::fixture::copy_fixture;
    use crate::build::session::{Mode, Session};

    /// Without plugins, the preview's page is the page the build makes, byte for byte:
    /// same loader, same Markdown pass, same templates.
    #[test]
    fn a_previewed_page_is_the_built_page_and_shows_an_edit_at_once() {
        let (_dir, root) = copy_fixture("basic");
        let settings = Settings::load(&root).expect("fixture loads");
        let options = BuildOptions::default();
        let preview = Preview::start(&settings, &options).expect("starts");
        let built = MemorySink::default();
        let mut session = Session::new(&root, settings.clone(), options, Mode::OneShot);
        session.apply(Plan::default(), &built).expect("builds");
        let built = built.into_files();
        let page = "alpha/one/index.html";
        let previewed = preview.file(page).expect("a page of the site");
        assert_eq!(
            String::from_utf8_lossy(&previewed),
            String::from_utf8_lossy(&built[page])
        );
        let (style, _) = built
            .iter()
            .find(|(path, _)| path.starts_with("style.") && path.ends_with(".css"))
            .expect("a stylesheet");
        assert_eq!(preview.file(style).as_ref(), Some(&built[style]));
        assert_eq!(preview.file("no/such/index.html"), None);

        let file = root.join("content/alpha/one.md");
        let text = std::fs::read_to_string(&file).expect("reads");
        std::fs::write(&file, format!("{text}\nSaved while building.\n")).expect("writes");
        let previewed = String::from_utf8(preview.file(page).expect("still there")).expect("UTF-8");
        assert!(previewed.contains("Saved while building."));
    }
}
