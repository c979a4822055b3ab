//! kb's one integration test binary: the real `kb` binary driven on fixture sites.
//!
//! Every test copies a fixture from `tests/fixtures/` into its own temporary folder with
//! [`TestSite`](site::TestSite), runs `kb` there and checks what it printed and wrote.
//! Rendered HTML is compared by part (`<main>`, the sidebar, `<head>`) and diagnostics in
//! full, against snapshots under `tests/snapshots/` (snapbox; `SNAPSHOTS=overwrite cargo
//! test --test testsuite` rewrites them, then review the diff before committing).
//!
//! One binary, not one per file: cargo links each test binary separately, and one binary
//! shares one harness instead of a copy per file.

mod agents;
mod bad_input;
mod bench;
mod books;
mod build;
mod check;
mod confine;
mod convergence;
#[path = "../support/edits.rs"]
mod edits;
mod hardening;
mod linkcheck;
mod links;
mod math;
mod mdbook_config;
mod plugins;
mod print;
mod run;
mod serve;
mod server;
mod site;
mod snapshot;
