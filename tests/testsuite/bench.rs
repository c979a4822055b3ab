//! The benchmark behind `scripts/bench-serve.sh` (ignored by `cargo test`): on a large
//! corpus, edits one page at a time and measures the time from the file write to the
//! reload message on the WebSocket, and to the new HTML being served; before that, the time
//! to the first served page (while the first build runs) and to the end of that build, and
//! the server's resident memory.
//!
//! KB_BENCH_ROOT=<site> cargo test --release --test testsuite -- --ignored --nocapture bench::

use std::path::Path;
use std::time::{Duration, Instant};

use crate::server::{atomic_write, Server};

#[test]
#[ignore = "a benchmark: run scripts/bench-serve.sh"]
fn page_edit_latency() {
    let root = std::env::var("KB_BENCH_ROOT").expect("KB_BENCH_ROOT names the corpus");
    let edits: usize = std::env::var("KB_BENCH_EDITS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    let root = Path::new(&root);
    // Pages to edit: spread over the corpus.
    let mut pages: Vec<std::path::PathBuf> = walkdir::WalkDir::new(root.join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "md")
                && !p.ends_with("_index.md")
                && !p.ends_with("index.md")
        })
        .collect();
    pages.sort();
    // At 100,000 pages the first build takes minutes.
    let patience = Duration::from_secs(3600);
    let started = Instant::now();
    // KB_BENCH_BIN: another build of kb to measure (another branch's, to interleave runs).
    let binary = std::env::var("KB_BENCH_BIN")
        .ok()
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| crate::site::KB.to_string());
    println!("serve: {binary}");
    let server = Server::launch_binary(&binary, root, &["--quiet"]);
    println!(
        "serve: address printed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // The first page a writer opens, deep in the site, while the first build runs.
    let first = url_of(root, &pages[pages.len() / 2]);
    server.wait_for_within(&first, "the first page", patience, |r| r.status == 200);
    println!(
        "serve: first page served in {:.1} s (while building: {})",
        started.elapsed().as_secs_f64(),
        server
            .get("/__kb/status")
            .text()
            .contains("\"building\":true")
    );
    server.wait_until_built_within(patience);
    println!(
        "serve: first build done in {:.1} s, resident {}",
        started.elapsed().as_secs_f64(),
        server.resident()
    );
    let (mut socket, _) = server.livereload();
    let step = (pages.len() / edits.max(1)).max(1);
    let mut to_reload = Vec::new();
    let mut to_html = Vec::new();
    for (n, page) in pages.iter().step_by(step).take(edits + 1).enumerate() {
        let url = url_of(root, page);
        let marker = format!("benchmarker{n}");
        let text = std::fs::read_to_string(page).unwrap();
        // Drain anything pending so the next message is this edit's.
        while socket.next(Duration::from_millis(1)).is_some() {}
        let start = Instant::now();
        atomic_write(
            page,
            &format!("{text}\nEdited by the benchmark: {marker}.\n"),
        );
        let message = socket.expect("reload");
        let reload = start.elapsed();
        assert_eq!(message["type"], "reload");
        server.wait_for(&url, "the edit", |r| r.text().contains(&marker));
        let html = start.elapsed();
        if n == 0 {
            continue; // warm-up: caches, the search indexer's first run
        }
        to_reload.push(reload);
        to_html.push(html);
    }
    let report = |name: &str, mut times: Vec<Duration>| {
        times.sort();
        let at =
            |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
        println!(
            "{name}: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms ({} edits)",
            at(0.50).as_secs_f64() * 1e3,
            at(0.95).as_secs_f64() * 1e3,
            times.last().unwrap().as_secs_f64() * 1e3,
            times.len()
        );
    };
    report("write -> reload message", to_reload);
    report("write -> new HTML served", to_html);
    println!("serve: resident after the edits {}", server.resident());
}

/// The URL of the content page at `page`.
fn url_of(root: &Path, page: &Path) -> String {
    let rel = page
        .strip_prefix(root.join("content"))
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/");
    format!("/{}/", rel.trim_end_matches(".md"))
}
