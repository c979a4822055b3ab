//! The guarantee of `kb serve`, in process: after any sequence of edits, the files an
//! incremental [`Session`] has written into serve's sink (its store on disk) (and the search files
//! made from its sections) are byte for byte the files a one-shot build of the final
//! folder writes. The same edit sequences as the HTTP test (`tests/support/edits.rs`), with
//! no server, no watcher and no waiting, so it covers many more edits: ten seeds of sixty
//! steps each, half of them with pages kept as `kb serve` keeps them (HTML compressed,
//! Markdown left on disk). `KB_SESSION_SEEDS=<n>` runs more.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::files::LiveFiles;
use super::stored::FileStore;
use crate::build::bodies::Bodies;
use crate::build::changes::{self, Layout, Plan};
use crate::build::output::MemorySink;
use crate::build::session::fixture::copy_fixture;
use crate::build::session::{Mode, Session};
use crate::build::BuildOptions;
use crate::config::Settings;

#[path = "../../tests/support/edits.rs"]
mod edits;

/// What `kb build` writes from the files in `root` now.
fn one_shot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let settings = Settings::load(root).expect("the final files load");
    let sink = MemorySink::default();
    let mut session = Session::new(root, settings, BuildOptions::default(), Mode::OneShot);
    if let Err(diagnostics) = session.apply(Plan::default(), &sink) {
        panic!(
            "the final files do not build:\n{}",
            diagnostics.render(false)
        );
    }
    sink.into_files()
}

/// Every difference between what `served` holds and what a build of `root` writes.
fn differences(served: &LiveFiles, root: &Path) -> Vec<String> {
    let built = one_shot(root);
    let files = served.0.read().expect("lock");
    let mut diffs: Vec<String> = Vec::new();
    for (path, bytes) in &built {
        match files.get(path) {
            None => diffs.push(format!("{path}: built, not served")),
            Some(Err(e)) => diffs.push(format!("{path}: cannot read what is served: {e}")),
            Some(Ok(served)) if served.as_ref() != bytes.as_slice() => {
                diffs.push(format!("{path}: served bytes differ from the build"))
            }
            Some(_) => {}
        }
    }
    for path in files.paths() {
        if !built.contains_key(&path) {
            diffs.push(format!("{path}: served, but the build has no such file"));
        }
    }
    diffs
}

/// How a session keeps its pages between applies.
#[derive(Clone, Copy)]
enum Kept {
    /// HTML as rendered, Markdown in the pages (`kb mcp`'s session).
    Everything,
    /// As `kb serve` keeps them: HTML compressed, Markdown left on disk.
    AsServeDoes,
}

/// One seeded sequence: edits applied one at a time or in bursts, compared with a fresh
/// build every few steps and at the end. `kept` says how the session keeps its pages.
fn converge(seed: u64, steps: usize, kept: Kept) {
    let (_dir, root) = copy_fixture("basic");
    let mut edits = edits::Edits::new(&root, seed);
    let settings = Settings::load(&root).expect("fixture loads");
    let mut layout = Layout::of(&settings);
    let session = Session::new(&root, settings, BuildOptions::default(), Mode::Incremental);
    let mut session = match kept {
        Kept::Everything => session,
        Kept::AsServeDoes => session
            .with_bodies(Bodies::spilled)
            .leaving_markdown_on_disk(),
    };
    let served = LiveFiles::new(FileStore::new().expect("a store"));
    let mut log: Vec<String> = Vec::new();
    let apply = |session: &mut Session, layout: &mut Layout, touched: &[PathBuf]| {
        let plan = changes::plan(layout, touched.iter().map(PathBuf::as_path));
        if session.apply(plan, &served).is_ok() {
            *layout = Layout::of(session.settings());
            served
                .0
                .write()
                .expect("lock")
                .set_search(session.search_snapshot());
        }
    };
    apply(&mut session, &mut layout, &[]);
    let mut waiting: Vec<PathBuf> = Vec::new();
    for step in 0..steps {
        let edit = edits.next();
        log.push(format!("step {step}: {}", edit.description));
        waiting.extend(edit.touched);
        // Mostly one edit at a time; sometimes a burst that shares a batch.
        if edits.rng.below(3) != 0 {
            apply(&mut session, &mut layout, &waiting);
            waiting.clear();
        }
        if step % 4 == 3 && waiting.is_empty() && !edits.broken() {
            let diffs = differences(&served, &root);
            assert!(
                diffs.is_empty(),
                "seed {seed}: served site differs from the build:\n{}\n\nedits:\n{}",
                diffs.join("\n"),
                log.join("\n")
            );
        }
    }
    waiting.extend(edits.fix_all());
    apply(&mut session, &mut layout, &waiting);
    let diffs = differences(&served, &root);
    assert!(
        diffs.is_empty(),
        "seed {seed}: served site differs from the build at the end:\n{}\n\nedits:\n{}",
        diffs.join("\n"),
        log.join("\n")
    );
}

#[test]
fn incremental_session_converges_to_a_one_shot_build() {
    let seeds: u64 = std::env::var("KB_SESSION_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    for seed in 0..seeds {
        // Every other seed keeps pages as `kb serve` does: both must give the same site.
        let kept = match seed % 2 {
            0 => Kept::Everything,
            _ => Kept::AsServeDoes,
        };
        converge(
            0x6b62_7365_7276_6531 ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15),
            60,
            kept,
        );
    }
}
