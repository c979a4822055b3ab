//! `kb serve`: serves at once (pages previewed, [`preview`], while the first build runs),
//! builds the site into its store of served files, serves it, watches its files, rebuilds what a
//! change reaches and tells open tabs to reload.
//!
//! Serve only watches, serves and reloads: the build is the same [`Session`] `kb build`
//! runs, kept between changes and writing into [`files::LiveFiles`], on disk. Three
//! threads of work: the HTTP server (tokio, [`http`]), the rebuild loop (one thread that
//! owns the session, fed by [`watch`] and [`changes`]), and the search indexer
//! ([`search`]). They share only the served files, the live search index and the
//! [`livereload::Hub`]. What the server has to say goes to a [`Reporter`] as [`Event`]s;
//! printing them is `commands::serve`'s job.

#[cfg(test)]
mod convergence_tests;
pub(crate) mod files;
pub(crate) mod host;
pub(crate) mod http;
pub(crate) mod listen;
pub(crate) mod livereload;
pub(crate) mod memory;
pub(crate) mod path;
pub(crate) mod preview;
pub(crate) mod search;
pub(crate) mod stored;
pub(crate) mod watch;

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::build::bodies::Bodies;
use crate::build::changes::{self, Layout, Plan};
use crate::build::session::{Mode, Session};
use crate::build::BuildOptions;
use crate::config::Settings;
use crate::diagnostics::Diagnostics;
use crate::failure::Failure;
use files::LiveFiles;
use livereload::{Hub, Message};

/// What the user asked of the server.
#[derive(Debug, Clone)]
pub(crate) struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    pub open: bool,
    pub drafts: bool,
    /// `--allowed-host` values: more names the server answers for (see [`host`]).
    pub allowed_hosts: Vec<String>,
    pub trust: crate::trust::Trust,
    /// How the first build shows its progress (loading and rendering take minutes at
    /// 100,000 pages); the rebuilds after it show none.
    pub progress: crate::build::progress::ProgressStyle,
}

/// What the server has to tell its user; `commands::serve` prints it.
pub(crate) enum Event<'a> {
    /// Serving on an address other machines can reach.
    Exposed(IpAddr),
    /// The first build succeeded.
    Built {
        pages: usize,
        elapsed: Duration,
        warnings: &'a Diagnostics,
    },
    /// The server is listening at `url`.
    Serving { title: &'a str, url: &'a str },
    /// A rebuild succeeded.
    Rebuilt {
        elapsed: Duration,
        changed_files: usize,
        new_warnings: &'a Diagnostics,
    },
    /// A build failed; `first` when it was the first one (nothing good to serve yet).
    Failed {
        diagnostics: &'a Diagnostics,
        first: bool,
    },
    /// Something went wrong that does not stop the server.
    Warning(String),
    /// Ctrl-C: the server stopped.
    Stopped,
}

/// Receives the server's events.
pub(crate) type Reporter = Box<dyn Fn(Event<'_>) + Send + Sync>;

/// Runs the server on the site `settings` describe until Ctrl-C.
pub(crate) fn run(
    options: ServeOptions,
    settings: Settings,
    report: Reporter,
) -> Result<(), Failure> {
    let hosts = host::HostRules::new(options.bind, &options.allowed_hosts)
        .map_err(|why| Failure::Other(anyhow::anyhow!(why)))?;
    if !options.bind.is_loopback() {
        report(Event::Exposed(options.bind));
    }
    // Bind before building, so a port in use is reported at once.
    let listener = std::net::TcpListener::bind(SocketAddr::new(options.bind, options.port)).map_err(|e| {
        let why = if e.kind() == std::io::ErrorKind::AddrInUse {
            format!("port {} is already in use; choose another with --port, or --port 0 for any free port", options.port)
        } else {
            format!("cannot listen on {}:{}: {e}", options.bind, options.port)
        };
        Failure::Other(anyhow::anyhow!(why))
    })?;
    listener
        .set_nonblocking(true)
        .context("cannot configure the listening socket")?;
    let address = listener
        .local_addr()
        .context("cannot read the listening address")?;

    let start = Instant::now();
    let layout = Layout::of(&settings);
    let title = settings.title.clone();
    let build_options = BuildOptions {
        drafts: options.drafts,
        trust: options.trust,
        progress: options.progress,
    };
    let session = Session::new(&options.root, settings, build_options, Mode::Incremental)
        .with_bodies(Bodies::spilled)
        .leaving_markdown_on_disk();
    // The served files' bytes go to a folder of the server's own, removed when `run`
    // returns (the rebuild thread is not waited for, and would keep the store alive).
    let store = stored::FileStore::new().map_err(|e| Failure::Other(e.into()))?;
    let _remove_store = RemoveOnDrop(store.clone());
    let files = LiveFiles::new(store);
    files
        .0
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .start_building(None);
    let hub = Hub::default();

    // Listening before the first build: at 100,000 pages that build takes minutes, and
    // meanwhile the preview answers for the pages it has not made.
    let url = match address.ip() {
        IpAddr::V6(ip) => format!("http://[{ip}]:{}/", address.port()),
        IpAddr::V4(ip) => format!("http://{ip}:{}/", address.port()),
    };
    report(Event::Serving {
        title: &title,
        url: &url,
    });
    if options.open {
        if let Err(why) = open_browser(&url) {
            report(Event::Warning(why));
        }
    }

    let index = search::SharedIndex::default();
    let indexer = search::Indexer::start(index.clone());
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let app = http::router(http::AppState {
        files: files.0.clone(),
        hub: hub.clone(),
        search: index,
        hosts: std::sync::Arc::new(hosts),
        search_slots: std::sync::Arc::new(tokio::sync::Semaphore::new(
            std::thread::available_parallelism().map_or(2, usize::from),
        )),
        shutdown,
    });
    // Watching before the first build, so an edit saved while it runs is not lost.
    let mut watcher = watch::FileWatcher::new(&layout).map_err(Failure::Other)?;
    let report = std::sync::Arc::new(report);
    let loop_report = report.clone();
    std::thread::Builder::new()
        .name("kb-rebuild".into())
        .spawn(move || {
            let live = Live {
                session,
                files,
                hub,
                indexer,
            };
            let (live, failing) = first_build(live, start, &**loop_report);
            // The pages may include files outside the content folder: watch them too.
            let layout = match layout
                .clone()
                .with_includes(live.session.included_outside())
            {
                with_includes if with_includes == layout => layout,
                with_includes => {
                    if let Err(e) = watcher.watch(&with_includes) {
                        loop_report(Event::Warning(format!("{e:#}")));
                    }
                    with_includes
                }
            };
            rebuild_loop(live, watcher, layout, failing, &**loop_report)
        })
        .context("cannot start the rebuild thread")?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime
        .block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            listen::serve(listener, app, async move {
                stop_signal().await;
                // Open WebSockets would keep the server waiting: close them.
                let _ = stop.send(true);
            })
            .await;
            Ok::<(), std::io::Error>(())
        })
        .context("the server stopped")?;
    report(Event::Stopped);
    Ok(())
}

/// Removes the store's folder when the server stops, however `run` returns.
struct RemoveOnDrop(std::sync::Arc<stored::FileStore>);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        self.0.remove();
    }
}

/// Hands the session's search sections to the served files and the live index.
fn publish_search(session: &Session, files: &LiveFiles, indexer: &search::Indexer) {
    let snapshot = session.search_snapshot();
    files
        .0
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .set_search(snapshot.clone());
    indexer.update(snapshot);
}

/// Ctrl-C, or SIGTERM on Unix.
async fn stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term => {}
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await;
}

/// The served site and what follows it: the rebuild thread owns it.
struct Live {
    session: Session,
    files: LiveFiles,
    hub: Hub,
    indexer: search::Indexer,
}

/// Builds the whole site once, previewing pages while it runs, then serves only what the
/// build made and tells open tabs to reload; returns whether that build failed.
fn first_build(
    mut live: Live,
    start: Instant,
    report: &(dyn Fn(Event<'_>) + Send + Sync),
) -> (Live, bool) {
    let preview = preview::Preview::start(live.session.settings(), live.session.options());
    match preview {
        Ok(preview) => live.files.write_lock().start_building(Some(preview)),
        Err(e) => report(Event::Warning(format!(
            "cannot preview pages while the site builds: {e}"
        ))),
    }
    let first = live.session.apply(Plan::default(), &live.files);
    live.session.stop_showing_progress();
    live.files.write_lock().finish_building();
    let failing = match &first {
        Ok(outcome) => {
            report(Event::Built {
                pages: outcome.pages,
                elapsed: start.elapsed(),
                warnings: &outcome.warnings,
            });
            // Tabs opened during the build show a preview or a "building" page.
            live.hub.send(&Message::Reload);
            false
        }
        Err(diagnostics) => {
            report(Event::Failed {
                diagnostics,
                first: true,
            });
            live.hub.send(&Message::Error {
                diagnostics: diagnostics.errors().into_vec(),
            });
            true
        }
    };
    publish_search(&live.session, &live.files, &live.indexer);
    memory::release_free_memory();
    (live, failing)
}

/// Waits for changes and folds each batch into the site, until the watcher stops.
fn rebuild_loop(
    mut live: Live,
    mut watcher: watch::FileWatcher,
    mut layout: Layout,
    mut failing: bool,
    report: &(dyn Fn(Event<'_>) + Send + Sync),
) {
    let mut debouncer = watch::Debouncer::default();
    let mut catching_up: Vec<PathBuf> = Vec::new();
    while let Some(batch) = watcher.next_batch(&mut debouncer) {
        let start = Instant::now();
        // Files written into a new folder before the watcher saw the folder raise no
        // event: look at new folders once more, a moment later.
        let new_folders: Vec<PathBuf> = batch
            .iter()
            .filter(|p| p.is_dir() && !catching_up.contains(p))
            .cloned()
            .collect();
        catching_up = new_folders.clone();
        if !new_folders.is_empty() {
            debouncer.add(new_folders, Instant::now());
        }
        let mut plan = changes::plan(&layout, batch.iter().map(PathBuf::as_path));
        if batch.iter().any(|p| p == Path::new(watch::RESCAN)) {
            plan.everything = true;
        }
        if plan.is_empty() {
            continue;
        }
        match live.session.apply(plan, &live.files) {
            Ok(outcome) => {
                live.hub.send(&Message::after(&outcome.changed, failing));
                // After the reload message: copying every page's sections for the search
                // files and the live index would otherwise delay it (~5 ms at 10,000 pages).
                publish_search(&live.session, &live.files, &live.indexer);
                report(Event::Rebuilt {
                    elapsed: start.elapsed(),
                    changed_files: outcome.changed_files,
                    new_warnings: &outcome.new_warnings,
                });
                // A body edit frees a page's worth, and trimming takes 110-140 ms at
                // 100,000 pages, which would hold up the next edit: only after large applies.
                if outcome.changed_files >= memory::TRIM_AFTER_FILES {
                    memory::release_free_memory();
                }
                failing = false;
                // The configuration may have moved the folders, and the pages may include
                // other files outside the content folder now.
                let moved = Layout::of(live.session.settings())
                    .with_includes(live.session.included_outside());
                if moved != layout {
                    if let Err(e) = watcher.watch(&moved) {
                        report(Event::Warning(format!("{e:#}")));
                    }
                    layout = moved;
                }
            }
            Err(diagnostics) => {
                report(Event::Failed {
                    diagnostics: &diagnostics,
                    first: false,
                });
                live.hub.send(&Message::Error {
                    diagnostics: diagnostics.errors().into_vec(),
                });
                failing = true;
            }
        }
    }
}

/// Opens `url` in the default browser; a failure is only a warning.
fn open_browser(url: &str) -> Result<(), String> {
    let command = if cfg!(target_os = "macos") {
        std::process::Command::new("open").arg(url).spawn()
    } else if cfg!(windows) {
        std::process::Command::new("cmd")
            .args(["/C", "start", "", url])
            .spawn()
    } else {
        std::process::Command::new("xdg-open").arg(url).spawn()
    };
    command
        .map(|_| ())
        .map_err(|e| format!("cannot open a browser ({e}); open {url} yourself"))
}
