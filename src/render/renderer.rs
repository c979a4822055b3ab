//! Rendering the site's files one at a time, so that `kb build` (every file) and `kb serve`
//! (only the files an edit reaches) produce them with the same code and the same bytes.
//!
//! [`Presentation`] is what depends on the theme and the configuration only (compiled
//! templates, hashed assets, the site-wide view); [`SiteRenderer`] adds a prepared site and
//! turns each output file into a [`TemplatePage`] (the data a template receives) before
//! rendering it, so a caller can compare the data and skip what did not change.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::assets::{self, HashedAssets};
use super::extras;
use super::pages::{Outline, ViewBuilder};
use super::print;
use crate::config::Layout;
use crate::config::Settings;
use crate::content::page::{output_file, root_prefix, url_depth};
use crate::content::tags::tag_slug;
use crate::content::{Page, PageKind, Site};
use crate::diagnostic::Diagnostic;
use crate::markdown::validate;
use crate::markdown::{self, RenderOptions, RenderedPage};
use crate::render::nav::Sidebar;
use crate::render::theme::Theme;
use crate::render::view::{Context, PageView, SiteView};
use crate::render::Templates;
use crate::safe_url::{neutralise, UrlUse};

/// The theme, compiled, and everything else that does not depend on the content.
pub(crate) struct Presentation {
    pub theme: Theme,
    pub templates: Templates,
    pub hashed: HashedAssets,
    pub site_view: SiteView,
}

impl Presentation {
    /// Loads the theme and compiles its templates; errors name the template file.
    pub(crate) fn load(settings: &Settings) -> Result<Presentation, Vec<Diagnostic>> {
        let theme = Theme::load(settings.theme_dir.as_deref()).map_err(|e| vec![e])?;
        let templates = Templates::compile(&theme, settings.theme_dir.as_deref())?;
        let hashed = assets::hashed_assets(&theme);
        let site_view = SiteView {
            title: settings.title.clone(),
            authors: settings.authors.clone(),
            description: settings.description.clone(),
            language: settings.language.clone(),
            default_theme: settings.default_theme,
            // book.toml may come with the content: a `javascript:` URL must not reach a page.
            repository_url: settings
                .git_repository_url
                .as_deref()
                .map(|url| neutralise(url, UrlUse::Link).into_owned()),
            search: settings.search.enable,
            css: hashed.css.0.clone(),
            js: hashed.js.0.clone(),
            additional_css: settings
                .additional_css
                .iter()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .collect(),
            additional_js: settings
                .additional_js
                .iter()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .collect(),
        };
        Ok(Presentation {
            theme,
            templates,
            hashed,
            site_view,
        })
    }
}

/// One output file made by a template, before rendering: everything its bytes depend on
/// besides the [`Presentation`] and the sidebar.
#[derive(Debug, Clone, PartialEq, Hash)]
pub(crate) struct TemplatePage {
    /// Output path under the site root (`alpha/one/index.html`).
    pub path: String,
    pub template: &'static str,
    pub view: PageView,
    /// The page's URL, which sets its relative root and its mark in the sidebar.
    pub url: String,
    /// Number of the area whose sidebar the page shows.
    pub area: Option<usize>,
    /// `<base href>`, for the 404 page that is served at any path.
    pub base: Option<String>,
}

/// Renders the files of one prepared site.
pub(crate) struct SiteRenderer<'a> {
    pub settings: &'a Settings,
    pub site: &'a Site,
    pub presentation: &'a Presentation,
    pub views: ViewBuilder<'a>,
    /// Pages by tag, tags sorted, pages in reading order.
    pub tags: Arc<BTreeMap<String, Vec<usize>>>,
    pub sidebar: Arc<Sidebar>,
}

/// What a [`SiteRenderer`] derives from the whole site: where pages stand, the pages by
/// tag and the sidebars. None of it depends on pages' bodies, so `kb serve` makes it once
/// per change of the site's shape and keeps it across body edits (at 100,000 pages,
/// making it again took a good part of an edit). Cloning shares it.
#[derive(Clone)]
pub(crate) struct SiteShape {
    outline: Arc<Outline>,
    tags: Arc<BTreeMap<String, Vec<usize>>>,
    sidebar: Arc<Sidebar>,
}

impl SiteShape {
    pub(crate) fn of(settings: &Settings, site: &Site) -> SiteShape {
        let outline = Arc::new(Outline::of(site));
        let tags = ViewBuilder::new(settings, site, outline.clone()).tags();
        let sidebar = Sidebar::new(site, settings.layout, settings.sidebar, !tags.is_empty());
        SiteShape {
            outline,
            tags: Arc::new(tags),
            sidebar: Arc::new(sidebar),
        }
    }
}

impl<'a> SiteRenderer<'a> {
    pub(crate) fn new(
        settings: &'a Settings,
        site: &'a Site,
        presentation: &'a Presentation,
    ) -> SiteRenderer<'a> {
        SiteRenderer::with_shape(settings, site, presentation, SiteShape::of(settings, site))
    }

    /// A renderer of `site` with its shape already made ([`SiteShape::of`] of this very
    /// site, or of one that differs only in pages' bodies).
    pub(crate) fn with_shape(
        settings: &'a Settings,
        site: &'a Site,
        presentation: &'a Presentation,
        shape: SiteShape,
    ) -> SiteRenderer<'a> {
        SiteRenderer {
            settings,
            site,
            presentation,
            views: ViewBuilder::new(settings, site, shape.outline),
            tags: shape.tags,
            sidebar: shape.sidebar,
        }
    }

    /// What this renderer derived from the whole site, to make another one with.
    pub(crate) fn shape(&self) -> SiteShape {
        SiteShape {
            outline: self.views.outline(),
            tags: self.tags.clone(),
            sidebar: self.sidebar.clone(),
        }
    }

    /// Content page `i`, rendered as `rendered`, with its rendered HTML `body`.
    pub(crate) fn page(&self, i: usize, rendered: &RenderedPage, body: String) -> TemplatePage {
        let mut file = self.page_frame(i, rendered);
        file.view.content = body;
        file
    }

    /// Content page `i` without its body (see [`ViewBuilder::page_frame`]).
    pub(crate) fn page_frame(&self, i: usize, rendered: &RenderedPage) -> TemplatePage {
        let page = &self.site.pages[i];
        let template = match page.kind {
            PageKind::Home => "home.html",
            PageKind::Area => "area.html",
            PageKind::Article => "page.html",
        };
        TemplatePage {
            path: crate::content::page::output_file(&page.url),
            template,
            view: self.views.page_frame(i, rendered),
            url: page.url.clone(),
            area: self.area_number(page),
            base: None,
        }
    }

    fn area_number(&self, page: &Page) -> Option<usize> {
        self.site
            .areas
            .iter()
            .position(|a| Some(&a.slug) == page.area.as_ref())
    }

    /// The sidebar `file` shows, before its own link is marked.
    pub(crate) fn sidebar_of(&self, file: &TemplatePage) -> &str {
        self.sidebar.variant(file.area, &file.url)
    }

    /// Applies the template.
    pub(crate) fn render(&self, file: &TemplatePage) -> Result<String, Diagnostic> {
        let root = root_prefix(url_depth(&file.url));
        let bar = self.sidebar.for_page(file.area, &file.url);
        self.presentation.templates.render(
            file.template,
            &Context {
                site: &self.presentation.site_view,
                page: &file.view,
                root: if file.base.is_some() { "" } else { &root },
                sidebar: &bar,
                base: file.base.as_deref(),
            },
        )
    }

    /// The template-made files besides content pages, in the order a build writes them:
    /// the tag index, each tag's page, and the 404 page (the book's own rendered with
    /// `options`, when it has one).
    pub(crate) fn listing_pages(&self, options: &RenderOptions<'_>) -> Vec<TemplatePage> {
        let mut files = Vec::new();
        if !self.tags.is_empty() {
            files.push(TemplatePage {
                path: "tags/index.html".to_string(),
                template: "tags.html",
                view: self.views.tag_index(&self.tags),
                url: "tags/".to_string(),
                area: None,
                base: None,
            });
            for (tag, pages) in self.tags.iter() {
                let url = format!("tags/{}/", tag_slug(tag));
                files.push(TemplatePage {
                    path: format!("{url}index.html"),
                    template: "tag.html",
                    view: self.views.tag_page(tag, pages),
                    url,
                    area: None,
                    base: None,
                });
            }
        }
        // 404: served at any depth, so links resolve against <base href>.
        let base = self.settings.base_path.clone();
        files.push(TemplatePage {
            path: "404.html".to_string(),
            template: "404.html",
            view: self.not_found_view(options),
            url: String::new(),
            area: None,
            base: Some(base),
        });
        files
    }

    /// The 404 page's view: the book's own page (mdBook's `input-404`) when it has one,
    /// kb's otherwise.
    fn not_found_view(&self, options: &RenderOptions<'_>) -> PageView {
        let Some(page) = &self.site.not_found else {
            return PageView::new(
                "404",
                "Page not found",
                "The page you asked for does not exist; it may have moved.",
            );
        };
        let mut view = PageView::new("404", &page.title, &page.description);
        view.title_in_body = page.title_in_body;
        view.content = markdown::render_source(page, &page.body, options).html;
        view
    }

    /// `print.html` (see [`super::print`]) when the book has one: its chapters' `bodies`
    /// (by page number) in reading order. `None` when the print page is turned off or the
    /// book is too large for it (the build warns about that).
    pub(crate) fn print_page(&self, body: &dyn Fn(usize) -> String) -> Option<TemplatePage> {
        if !self.settings.print.enable {
            return None;
        }
        let order = self.site.reading_order();
        let mut bytes = 0;
        let mut chapters = Vec::with_capacity(order.len());
        for i in order {
            let page = &self.site.pages[i];
            let html = body(i);
            bytes += html.len();
            if print::too_large(chapters.len() + 1, bytes).is_some() {
                return None;
            }
            chapters.push(print::Chapter {
                url: &page.url,
                title: &page.title,
                title_in_body: page.title_in_body,
                body: html,
            });
        }
        let mut view = PageView::new("print", &self.settings.title, &self.settings.description);
        view.content = print::print_body(&chapters);
        view.page_break = self.settings.print.page_break;
        Some(TemplatePage {
            path: print::FILE.to_string(),
            template: "print.html",
            view,
            url: print::FILE.to_string(),
            area: None,
            base: None,
        })
    }

    /// The theme's files: its stylesheet and script under their hashed names, then its
    /// static files.
    pub(crate) fn theme_files(&self) -> Vec<(String, Vec<u8>)> {
        let hashed = &self.presentation.hashed;
        let mut files = vec![hashed.css.clone(), hashed.js.clone()];
        for (path, bytes) in self.presentation.theme.static_files() {
            if !assets::HASHED.contains(&path) {
                files.push((path.to_string(), bytes.to_vec()));
            }
        }
        files
    }

    /// The files made without templates, in the order a build writes them: hashed assets,
    /// the theme's static files, the content folder's assets (read with `read_asset`),
    /// redirects, the sitemap, robots.txt, `agents` (the agents' files, see
    /// [`crate::agents`]) and the output marker. Assets that cannot be read are left out
    /// and reported.
    pub(crate) fn plain_files(
        &self,
        read_asset: &dyn Fn(&str) -> Result<Vec<u8>, Diagnostic>,
        agents: Vec<(String, Vec<u8>)>,
    ) -> (Vec<(String, Vec<u8>)>, Vec<Diagnostic>) {
        let (site, settings) = (self.site, self.settings);
        let mut files = self.theme_files();
        let mut errors = Vec::new();
        for rel in &site.assets {
            match read_asset(rel) {
                Ok(bytes) => files.push((rel.clone(), bytes)),
                Err(e) => errors.push(e),
            }
        }
        // `additional-css` and `additional-js` files, from the site root, as mdBook does.
        for (key, extra) in [
            ("additional-css", &settings.additional_css),
            ("additional-js", &settings.additional_js),
        ] {
            for path in extra {
                // Confined to the site root: `..`, absolute paths and symlinks leading out
                // would copy files from elsewhere on the machine into the published site.
                let written = path.to_string_lossy();
                let read = crate::confine::existing(&settings.root, &written)
                    .map_err(|e| e.why.to_string())
                    .and_then(|full| {
                        std::fs::read(full).map_err(|e| format!("cannot be read: {e}"))
                    });
                match read {
                    Ok(bytes) => files.push((written.replace('\\', "/"), bytes)),
                    Err(e) => errors.push(
                        Diagnostic::error(
                            crate::config::config_value_location(&settings.root, &written),
                            format!("{key} lists `{written}`, which {e}"),
                        )
                        .with_help(
                            "give the path of a file inside the folder of book.toml, relative to it",
                        ),
                    ),
                }
            }
        }
        // Redirects.
        let aliases: Vec<(String, String)> = site
            .pages
            .iter()
            .flat_map(|p| {
                p.meta
                    .aliases
                    .iter()
                    // Escaping aliases are reported by validation; never written.
                    .filter(|a| validate::confined_alias(a).is_ok())
                    .map(move |a| (validate::normalize_alias(a), p.url.clone()))
            })
            .collect();
        // Output file → (target as configured, href written in the file).
        let mut redirects: BTreeMap<String, (String, String)> = BTreeMap::new();
        for (old, target) in &settings.redirects {
            let file = extras::redirect_file(old);
            // mdBook resolves a relative target against the old page's folder, which is
            // what an href in that file means; kb's own targets are site-relative.
            let href = if settings.layout == Layout::MdBook
                && !target.starts_with('/')
                && !target.contains("://")
            {
                target.clone()
            } else {
                extras::redirect_href(&file, target)
            };
            redirects.insert(file, (target.clone(), href));
        }
        for (old, url) in &aliases {
            let file = extras::redirect_file(old);
            let href = extras::redirect_href(&file, url);
            redirects.insert(file, (url.clone(), href));
        }
        // A book without a README.md has no front page: `index.html` sends readers to
        // the first page, where mdBook would copy it.
        if !site
            .pages
            .iter()
            .any(|p| output_file(&p.url) == "index.html")
        {
            if let Some(&first) = site.order.first() {
                let url = site.pages[first].url.clone();
                let href = extras::redirect_href("index.html", &url);
                redirects
                    .entry("index.html".to_string())
                    .or_insert((url, href));
            }
        }
        for (file, (target, href)) in redirects {
            let canonical = self.views.canonical(target.trim_start_matches('/'));
            let canonical = if target.contains("://") {
                Some(target.clone())
            } else {
                canonical
            };
            files.push((
                file,
                extras::redirect_page(&href, canonical.as_deref()).into_bytes(),
            ));
        }
        // Sitemap and robots.
        if let Some(site_url) = &settings.site_url {
            let mut urls: Vec<(String, Option<String>)> = site
                .reading_order()
                .into_iter()
                .map(|i| {
                    let page = &site.pages[i];
                    (
                        page.url.clone(),
                        page.meta.updated.map(|d| d.format("%Y-%m-%d").to_string()),
                    )
                })
                .collect();
            if !self.tags.is_empty() {
                urls.push(("tags/".to_string(), None));
                urls.extend(
                    self.tags
                        .keys()
                        .map(|t| (format!("tags/{}/", tag_slug(t)), None)),
                );
            }
            files.extend(
                extras::sitemaps(site_url, &urls)
                    .into_iter()
                    .map(|(path, xml)| (path, xml.into_bytes())),
            );
        }
        files.push((
            "robots.txt".to_string(),
            extras::robots(settings.site_url.as_deref()).into_bytes(),
        ));
        files.extend(agents);
        files.push((
            extras::OUTPUT_MARKER.to_string(),
            extras::OUTPUT_MARKER_TEXT.as_bytes().to_vec(),
        ));
        (files, errors)
    }
}

/// Reads a content asset the way a build does.
pub(crate) fn read_asset(settings: &Settings, rel: &str) -> Result<Vec<u8>, Diagnostic> {
    let path = settings.content_dir.join(rel);
    std::fs::read(&path).map_err(|e| Diagnostic::file_error(path, format!("cannot read: {e}")))
}
