//! `kb serve`: builds the site into memory, serves it, watches its files, rebuilds what a
//! change reaches and tells open tabs to reload.
//!
//! Three threads of work: the HTTP server (tokio, [`http`]), the rebuild loop (one thread
//! that owns the [`state::LiveSite`], fed by [`watch`] and [`change`]), and the search
//! indexer ([`search`]). They share only the served files, the live search index and the
//! [`livereload::Hub`].

pub mod change;
pub mod http;
pub mod livereload;
pub mod path;
pub mod search;
pub mod state;
pub mod watch;

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;

use crate::build::BuildOptions;
use crate::commands::{print_diagnostics, summary, Failure, Verbosity};
use crate::config::Settings;
use crate::diagnostic::Diagnostic;
use change::{Layout, Plan};
use livereload::{Hub, Message};
use state::LiveSite;

/// What the user asked of the server.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    pub open: bool,
    pub drafts: bool,
    pub verbosity: Verbosity,
}

/// Runs the server until Ctrl-C.
pub fn run(options: ServeOptions) -> Result<(), Failure> {
    let settings = Settings::load(&options.root)?;
    if !options.bind.is_loopback() {
        eprintln!(
            "warning: serving on {}: other machines on the network can read the site (and drafts, with --drafts)",
            options.bind
        );
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
    let mut site = LiveSite::new(
        &options.root,
        BuildOptions {
            drafts: options.drafts,
            ..BuildOptions::default()
        },
        settings,
    );
    let hub = Hub::default();
    let first = site.rebuild(Plan {
        everything: true,
        ..Plan::default()
    });
    match &first {
        Ok(_) if options.verbosity != Verbosity::Quiet => {
            print_diagnostics(site.warnings());
            eprintln!(
                "Built {} pages in memory in {} ms",
                site.page_count(),
                start.elapsed().as_millis()
            );
        }
        Ok(_) => {}
        Err(diagnostics) => {
            print_diagnostics(diagnostics);
            eprintln!(
                "error: the site has {}; serving what there is, fix the files and it rebuilds",
                summary(diagnostics)
            );
            hub.send(&Message::Error {
                diagnostics: diagnostics
                    .iter()
                    .filter(|d| d.is_error())
                    .cloned()
                    .collect(),
            });
        }
    }

    let url = match address.ip() {
        IpAddr::V6(ip) => format!("http://[{ip}]:{}/", address.port()),
        IpAddr::V4(ip) => format!("http://{ip}:{}/", address.port()),
    };
    println!("Serving {title} at {url}");
    let _ = std::io::stdout().flush();
    if options.open {
        open_browser(&url);
    }

    let index = search::SharedIndex::default();
    let indexer = search::Indexer::start(index.clone());
    indexer.update(site.search_snapshot());
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let app = http::router(http::AppState {
        files: site.files.clone(),
        hub: hub.clone(),
        search: index,
        shutdown,
    });
    let watcher = watch::FileWatcher::new(&layout).map_err(Failure::Other)?;
    let verbosity = options.verbosity;
    std::thread::Builder::new()
        .name("kb-rebuild".into())
        .spawn(move || {
            rebuild_loop(
                site,
                watcher,
                layout,
                hub,
                indexer,
                first.is_err(),
                verbosity,
            )
        })
        .context("cannot start the rebuild thread")?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime
        .block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    stop_signal().await;
                    // Open WebSockets would keep the server waiting: close them.
                    let _ = stop.send(true);
                })
                .await
        })
        .context("the server stopped")?;
    if verbosity != Verbosity::Quiet {
        eprintln!("Stopped.");
    }
    Ok(())
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

/// Waits for changes and folds each batch into the site, until the watcher stops.
fn rebuild_loop(
    mut site: LiveSite,
    mut watcher: watch::FileWatcher,
    mut layout: Layout,
    hub: Hub,
    indexer: search::Indexer,
    mut failing: bool,
    verbosity: Verbosity,
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
        let mut plan = change::plan(&layout, batch.iter().map(PathBuf::as_path));
        if batch.iter().any(|p| p == Path::new(watch::RESCAN)) {
            plan.everything = true;
        }
        if plan.is_empty() {
            continue;
        }
        match site.rebuild(plan) {
            Ok(outcome) => {
                let message = match outcome.stylesheet {
                    Some(href) if !failing => Message::Css { href },
                    _ if outcome.changed_files > 0 || failing => Message::Reload,
                    _ => Message::Ok,
                };
                hub.send(&message);
                if verbosity != Verbosity::Quiet {
                    print_diagnostics(&outcome.new_warnings);
                    eprintln!(
                        "Rebuilt in {} ms: {} file{} changed",
                        start.elapsed().as_millis(),
                        outcome.changed_files,
                        if outcome.changed_files == 1 { "" } else { "s" }
                    );
                }
                failing = false;
                if outcome.reloaded_settings {
                    let moved = Layout::of(&site.settings);
                    if moved != layout {
                        if let Err(e) = watcher.watch(&moved) {
                            eprintln!("warning: {e:#}");
                        }
                        layout = moved;
                    }
                }
                indexer.update(site.search_snapshot());
            }
            Err(diagnostics) => {
                print_diagnostics(&diagnostics);
                eprintln!(
                    "error: the site has {}; still serving the last good version",
                    summary(&diagnostics)
                );
                hub.send(&Message::Error {
                    diagnostics: diagnostics
                        .into_iter()
                        .filter(Diagnostic::is_error)
                        .collect(),
                });
                failing = true;
            }
        }
    }
}

/// Opens `url` in the default browser; a failure is only a warning.
fn open_browser(url: &str) {
    let command = if cfg!(target_os = "macos") {
        std::process::Command::new("open").arg(url).spawn()
    } else if cfg!(windows) {
        std::process::Command::new("cmd")
            .args(["/C", "start", "", url])
            .spawn()
    } else {
        std::process::Command::new("xdg-open").arg(url).spawn()
    };
    if let Err(e) = command {
        eprintln!("warning: cannot open a browser ({e}); open {url} yourself");
    }
}
