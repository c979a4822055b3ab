//! The guarantee of `kb serve`, end to end over HTTP: after any sequence of edits, what it
//! serves is byte for byte what `kb build` writes from the final files (the injected
//! reload script aside).
//!
//! A seeded, deterministic sequence of edits (pages created, edited, retitled, reordered,
//! drafted, renamed, deleted, broken and fixed; assets; templates; the stylesheet; the
//! configuration) is applied to a copy of the fixture while the server runs, sometimes one
//! at a time, sometimes in bursts. At checkpoints and at the end every built file is
//! fetched and compared. `KB_SERVE_SEED=<n>` replays another sequence.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::edits;
use crate::server::{differences, Server, PATIENCE};
use crate::site::{built_files, TestSite};

#[test]
fn served_site_converges_to_the_built_site() {
    let seed: u64 = std::env::var("KB_SERVE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x6b62_7365_7276_6531);
    let steps: usize = std::env::var("KB_SERVE_STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let site = TestSite::fixture("basic");
    let root = site.root();
    let mut edits = edits::Edits::new(root, seed);
    let server = site.serve(&[]);
    let (mut socket, _) = server.livereload();
    let mut log = Vec::new();
    for step in 0..steps {
        let edit = edits.next();
        log.push(format!("step {step}: {}", edit.description));
        // Mostly wait for the rebuild; sometimes keep typing (bursts that share a batch).
        if edits.rng.below(3) != 0 {
            socket.next(Duration::from_secs(5));
        }
        if step % 4 == 3 && !edits.broken() {
            check(&server, root, &edits.urls_seen, &log);
        }
    }
    // Fix whatever is still broken, then compare.
    edits.fix_all();
    check(&server, root, &edits.urls_seen, &log);
}

/// Waits (bounded) until the served site equals a fresh build, and pages that are gone 404.
fn check(server: &Server, root: &Path, urls_seen: &[String], log: &[String]) {
    let built = built_files(root)
        .unwrap_or_else(|e| panic!("the final files do not build:\n{e}\n{}", log.join("\n")));
    let deadline = Instant::now() + PATIENCE;
    loop {
        let mut diffs = differences(server, &built);
        for url in urls_seen {
            let file = format!("{}index.html", url.trim_start_matches('/'));
            if !built.contains_key(&file) && server.get(url).status != 404 {
                diffs.push(format!(
                    "{url}: still served, but the build has no such page"
                ));
            }
        }
        if diffs.is_empty() {
            return;
        }
        if Instant::now() > deadline {
            panic!(
                "served site differs from the build:\n{}\n\nedits:\n{}\n\nserver:\n{}",
                diffs.join("\n"),
                log.join("\n"),
                server.stderr()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
