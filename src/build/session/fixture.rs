//! Test fixtures for sessions: a copy of one of `tests/fixtures/` to edit freely.

use std::path::{Path, PathBuf};

/// Copies `tests/fixtures/<name>` into a temporary folder; returns the folder and its path
/// without symlinks (the form the watcher reports).
pub(crate) fn copy_fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry.expect("walk fixture");
        let to = dir
            .path()
            .join(entry.path().strip_prefix(&from).expect("inside"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &to).expect("copy");
        }
    }
    let root = dir.path().canonicalize().expect("canonical");
    (dir, root)
}
