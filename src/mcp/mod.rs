//! `kb mcp`: the site as a Model Context Protocol server over stdio, so that a coding
//! agent can search it, read its pages as Markdown and list its table of contents.
//!
//! The site is built and kept up to date by the same incremental [`Session`] `kb serve`
//! drives (its files go nowhere: the tools read the session's pages), fed by the same file
//! watcher. Searches go through `kb search`'s own index refresh and query, so an agent gets
//! exactly the hits `kb search --json` prints.

mod pages;
mod server;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};

use anyhow::Context as _;

use crate::build::changes::{self, Layout, Plan};
use crate::build::output::Sink;
use crate::build::passes::BuildOptions;
use crate::build::session::{Mode, Session};
use crate::config::Settings;
use crate::diagnostics::Diagnostics;
use crate::failure::Failure;
use crate::serve::watch;

/// What `kb mcp` serves.
pub(crate) struct McpOptions {
    pub root: PathBuf,
    pub drafts: bool,
    pub trust: crate::trust::Trust,
}

/// The site as last built, and the errors of the last apply (`None`: it succeeded).
pub(crate) struct Live {
    pub session: Session,
    pub problem: Option<Diagnostics>,
}

/// The live site, empty until the first build is done; tools wait for it.
#[derive(Default)]
pub(crate) struct Shared {
    live: Mutex<Option<Live>>,
    ready: Condvar,
}

impl Shared {
    /// Runs `f` on the live site, once the first build is done.
    pub(crate) fn with<T>(&self, f: impl FnOnce(&Live) -> T) -> T {
        let mut guard = self.live.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(live) = guard.as_ref() {
                return f(live);
            }
            guard = self.ready.wait(guard).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// A sink that keeps nothing: the tools read pages from the session, not its files.
struct Discard;

impl Sink for Discard {
    fn write(&self, _path: &str, _bytes: &[u8]) -> std::io::Result<()> {
        Ok(())
    }

    fn remove(&self, _path: &str) -> std::io::Result<()> {
        Ok(())
    }
}

/// Serves the site on stdin and stdout until the client closes them.
pub(crate) fn run(options: McpOptions, settings: Settings) -> Result<(), Failure> {
    let build_options = BuildOptions {
        drafts: options.drafts,
        trust: options.trust,
        ..BuildOptions::default()
    };
    let layout = Layout::of(&settings);
    let watcher = watch::FileWatcher::new(&layout).map_err(Failure::Other)?;
    let session = Session::new(&options.root, settings, build_options, Mode::Incremental);
    let shared = Arc::new(Shared::default());
    let follower = shared.clone();
    std::thread::Builder::new()
        .name("kb-mcp-build".into())
        .spawn(move || follow_edits(session, &follower, watcher, layout))
        .context("cannot start the build thread")?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime
        .block_on(server::serve(shared, options.drafts))
        .context("the MCP server stopped")?;
    Ok(())
}

/// Builds the site, then folds every batch of changed files into it, as `kb serve` does.
fn follow_edits(
    mut session: Session,
    shared: &Shared,
    watcher: watch::FileWatcher,
    mut layout: Layout,
) {
    let first = session.apply(Plan::default(), &Discard);
    report(first.as_ref().err());
    {
        let mut live = shared.live.lock().unwrap_or_else(|e| e.into_inner());
        *live = Some(Live {
            session,
            problem: first.err(),
        });
        shared.ready.notify_all();
    }
    let mut watcher = watcher;
    shared.with(|live| rewatch(&live.session, &mut watcher, &mut layout));
    let mut debouncer = watch::Debouncer::default();
    while let Some(batch) = watcher.next_batch(&mut debouncer) {
        let mut plan = changes::plan(&layout, batch.iter().map(PathBuf::as_path));
        if batch.iter().any(|p| p == Path::new(watch::RESCAN)) {
            plan.everything = true;
        }
        if plan.is_empty() {
            continue;
        }
        let mut guard = shared.live.lock().unwrap_or_else(|e| e.into_inner());
        let Some(live) = guard.as_mut() else { continue };
        let applied = live.session.apply(plan, &Discard);
        report(applied.as_ref().err());
        live.problem = applied.err();
        rewatch(&live.session, &mut watcher, &mut layout);
    }
}

/// Watches what the site is built from now: the configuration may have moved the folders,
/// and pages may include files outside the content folder.
fn rewatch(session: &Session, watcher: &mut watch::FileWatcher, layout: &mut Layout) {
    let moved = Layout::of(session.settings()).with_includes(session.included_outside());
    if moved != *layout {
        if let Err(e) = watcher.watch(&moved) {
            eprintln!("warning: {e:#}");
        }
        *layout = moved;
    }
}

/// Errors of a build go to stderr (stdout is the protocol's).
fn report(problem: Option<&Diagnostics>) {
    if let Some(diagnostics) = problem {
        crate::commands::print_diagnostics(diagnostics);
        eprintln!(
            "error: the site has {}; answering from the last good build",
            diagnostics.summary()
        );
    }
}
