//! Pages' Markdown once they are rendered, which their Markdown twins (and `llms-full.txt`)
//! are made from: kept in each page, or read again from the page's file when the session
//! leaves it on disk (`kb serve`: at 100,000 pages the Markdown is 684 MB, read only for
//! the few twins an edit makes again).
//!
//! A file read again may have been edited since its page was rendered, a change the
//! session has not been handed yet (the watcher waits for a quiet moment). The page's
//! fingerprint tells: then its twin is made from the file as it is now, with the links
//! found in that text (those found in the old text point at the wrong bytes), and the
//! apply that takes the change makes the page and its twin again.

use crate::agents::twin;
use crate::config::Settings;
use crate::content::{Loader, Page, Site};
use crate::diagnostic::Diagnostic;
use crate::markdown::{self, RenderOptions, RenderedPage};

/// Where a session's pages' Markdown is, and how it renders Markdown.
pub(super) struct PageMarkdown<'a> {
    /// Reads the Markdown of pages that left it on disk.
    pub loader: Loader,
    pub options: RenderOptions<'a>,
}

impl PageMarkdown<'_> {
    /// The Markdown twin of page `i` of `site`, rendered as `rendered`.
    pub(super) fn twin(
        &self,
        settings: &Settings,
        site: &Site,
        rendered: &[RenderedPage],
        i: usize,
    ) -> Result<String, Diagnostic> {
        let page = &site.pages[i];
        let links = &rendered[i].source_links;
        if !page.body_on_disk {
            return Ok(twin::twin(settings, site, page, links).text);
        }
        let body = self.loader.reload_body(page)?;
        if Page::body_fingerprint_of(&body) == page.body_fingerprint {
            return Ok(twin::twin_of_body(settings, site, page, &body, links).text);
        }
        let links = markdown::render_source(page, &body, &self.options).source_links;
        Ok(twin::twin_of_body(settings, site, page, &body, &links).text)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    use crate::build::bodies::Bodies;
    use crate::build::changes::{self, Layout};
    use crate::build::output::MemorySink;
    use crate::build::session::fixture::copy_fixture;
    use crate::build::session::{Mode, Session};
    use crate::build::BuildOptions;
    use crate::config::Settings;

    /// The files a one-shot build of `root` writes.
    fn built(root: &Path) -> BTreeMap<String, Vec<u8>> {
        let settings = Settings::load(root).expect("the site loads");
        let sink = MemorySink::default();
        let mut session = Session::new(root, settings, BuildOptions::default(), Mode::OneShot);
        assert!(session.apply(changes::Plan::default(), &sink).is_ok());
        sink.into_files()
    }

    /// A session keeping pages as `kb serve` does, built once into `sink`.
    fn served(root: &Path, sink: &MemorySink) -> Session {
        let settings = Settings::load(root).expect("fixture loads");
        let mut session = Session::new(root, settings, BuildOptions::default(), Mode::Incremental)
            .with_bodies(Bodies::spilled)
            .leaving_markdown_on_disk();
        assert!(session.apply(changes::Plan::default(), sink).is_ok());
        session
    }

    /// Applies the change of the files at `rels` (from the site root), which must build.
    fn apply(session: &mut Session, root: &Path, rels: &[&str], sink: &MemorySink) {
        let paths: Vec<PathBuf> = rels.iter().map(|rel| root.join(rel)).collect();
        let layout = Layout::of(session.settings());
        let plan = changes::plan(&layout, paths.iter().map(PathBuf::as_path));
        if let Err(d) = session.apply(plan, sink) {
            panic!("the change does not build:\n{}", d.render(false));
        }
    }

    /// Appends `text` to the page at `rel` (from the site root).
    fn append(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        let before = std::fs::read_to_string(&path).expect("page");
        std::fs::write(&path, format!("{before}{text}")).expect("write");
    }

    /// The files at `paths` in `sink` are those of a build of `root` now.
    fn assert_as_built(sink: &MemorySink, root: &Path, paths: &[&str]) {
        let built = built(root);
        let served = sink.files.lock().expect("lock");
        for path in paths {
            assert_eq!(
                served.get(*path).map(|b| String::from_utf8_lossy(b)),
                built.get(*path).map(|b| String::from_utf8_lossy(b)),
                "{path}"
            );
        }
    }

    #[test]
    fn twins_made_after_the_markdown_left_memory_are_those_of_a_build() {
        let (_dir, root) = copy_fixture("basic");
        let sink = MemorySink::default();
        let mut session = served(&root, &sink);
        let (site, _) = session.site().expect("built");
        assert!(site
            .pages
            .iter()
            .all(|p| p.body_on_disk && p.body.is_empty()));
        append(
            &root,
            "content/alpha/one.md",
            "\nZanzibar, see [two](../beta/two.md).\n",
        );
        apply(&mut session, &root, &["content/alpha/one.md"], &sink);
        let (site, _) = session.site().expect("built");
        assert!(site.pages.iter().all(|p| p.body_on_disk));
        let twin = sink.files.lock().expect("lock")["alpha/one/index.md"].clone();
        assert!(String::from_utf8_lossy(&twin).contains("Zanzibar"));
        let paths = [
            "alpha/one/index.md",
            "alpha/one/index.md.js",
            "llms-full.txt",
        ];
        assert_as_built(&sink, &root, &paths);
    }

    /// A page edited on disk whose change the session has not been handed yet: the twin
    /// `llms-full.txt` holds is that of the file now, its links rewritten where they are
    /// now, and once the change is applied the site is the build's.
    #[test]
    fn a_file_edited_before_its_change_is_applied_gives_the_twin_of_the_file_now() {
        let (_dir, root) = copy_fixture("basic");
        let sink = MemorySink::default();
        let mut session = served(&root, &sink);
        // Links the twin rewrites, where the text read when it was rendered had none.
        append(
            &root,
            "content/beta/two.md",
            "\nBack to [pooling](../alpha/one.md#in-go) and [the start](../index.md).\n",
        );
        append(&root, "content/alpha/one.md", "\nZanzibar.\n");
        apply(&mut session, &root, &["content/alpha/one.md"], &sink);
        let full = String::from_utf8_lossy(&sink.files.lock().expect("lock")["llms-full.txt"])
            .into_owned();
        assert!(full.contains("Zanzibar") && full.contains("Back to [pooling]"));
        assert_as_built(&sink, &root, &["llms-full.txt"]);
        apply(&mut session, &root, &["content/beta/two.md"], &sink);
        let paths = [
            "beta/two/index.html",
            "beta/two/index.md",
            "alpha/one/index.md",
            "llms-full.txt",
        ];
        assert_as_built(&sink, &root, &paths);
    }
}
