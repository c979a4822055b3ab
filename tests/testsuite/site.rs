//! The harness every test starts from: a fixture site copied into a temporary folder (so no
//! test writes into `tests/`, and no two tests share files), with the real `kb` binary run
//! on it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::run::Run;
use crate::server::Server;
use crate::snapshot;

/// The `kb` binary cargo built for this test run.
pub(crate) const KB: &str = env!("CARGO_BIN_EXE_kb");

/// Files of a built site by relative path (`/`-separated), with their bytes.
pub(crate) type Files = BTreeMap<String, Vec<u8>>;

/// A fixture site in a temporary folder, removed when the test ends.
pub(crate) struct TestSite {
    dir: tempfile::TempDir,
    /// The site's root: the temporary folder itself, or a folder in it named after the
    /// fixture (see [`TestSite::fixture_in_folder`]).
    root: PathBuf,
}

impl TestSite {
    /// A copy of `tests/fixtures/<name>`; `kb` runs in the copy.
    pub(crate) fn fixture(name: &str) -> TestSite {
        let dir = tempfile::tempdir().expect("temp dir");
        copy_dir(&fixture_path(name), dir.path());
        let root = dir.path().to_path_buf();
        TestSite { dir, root }
    }

    /// A copy of `tests/fixtures/<name>` at `<temp>/<last part of name>`, with `kb` run
    /// from `<temp>` with `--root <last part>`: the paths it prints then start with the
    /// fixture's name, as the bad-input fixtures' expected diagnostics do.
    pub(crate) fn fixture_in_folder(name: &str) -> TestSite {
        let dir = tempfile::tempdir().expect("temp dir");
        let folder = Path::new(name).file_name().expect("fixture name");
        let root = dir.path().join(folder);
        copy_dir(&fixture_path(name), &root);
        TestSite { dir, root }
    }

    /// An empty temporary folder.
    pub(crate) fn empty() -> TestSite {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().to_path_buf();
        TestSite { dir, root }
    }

    /// The site's root folder.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// A path inside the site.
    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Writes a file of the site, creating its folders.
    pub(crate) fn write(&self, rel: &str, text: &str) -> &Self {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().expect("a file in the site"))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        self
    }

    /// Reads a file of the site (or of its output) as text.
    pub(crate) fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// Runs `kb <args>`: in the site's folder, or for [`TestSite::fixture_in_folder`]
    /// in the folder above it.
    pub(crate) fn kb(&self, args: &[&str]) -> Run {
        Run::new(self.dir.path(), args)
    }

    /// Runs `kb build <args>` and panics with its output if it failed.
    pub(crate) fn build_ok(&self, args: &[&str]) -> Run {
        let mut all = vec!["build"];
        all.extend_from_slice(args);
        self.kb(&all).success()
    }

    /// Builds the site into a fresh folder outside it and returns every file written, or
    /// what `kb build` printed when it failed.
    pub(crate) fn built_files(&self) -> Result<Files, String> {
        built_files(self.root())
    }

    /// Starts `kb serve` on the site on a free port.
    pub(crate) fn serve(&self, extra: &[&str]) -> Server {
        Server::start(self.root(), extra)
    }

    /// The part of an output page that starts with `open` (e.g. `<main`, `<nav
    /// class="sidebar"`), up to its closing tag.
    pub(crate) fn part(&self, page: &str, open: &str) -> String {
        snapshot::element(&self.read(page), open).to_string()
    }
}

/// Where fixture `name` lives in the repository.
pub(crate) fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Copies the folder `src` into `dst` (created if missing).
pub(crate) fn copy_dir(src: &Path, dst: &Path) {
    for entry in walkdir::WalkDir::new(src) {
        let entry = entry.unwrap_or_else(|e| panic!("walking {}: {e}", src.display()));
        let rel = entry.path().strip_prefix(src).expect("inside the fixture");
        let target = dst.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target)
                .unwrap_or_else(|e| panic!("{}: {e}", target.display()));
        } else {
            std::fs::copy(entry.path(), &target)
                .unwrap_or_else(|e| panic!("{}: {e}", entry.path().display()));
        }
    }
}

/// Every file below `dir` with its bytes, by relative `/`-separated path.
pub(crate) fn files_under(dir: &Path) -> Files {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap_or_else(|e| panic!("walking {}: {e}", dir.display())))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .expect("inside")
                .to_string_lossy()
                .replace('\\', "/");
            let bytes = std::fs::read(e.path()).unwrap_or_else(|err| panic!("{rel}: {err}"));
            (rel, bytes)
        })
        .collect()
}

/// Runs `kb build` on `root` into a new temporary folder; its files by path, or what
/// `kb build` printed when it failed.
pub(crate) fn built_files(root: &Path) -> Result<Files, String> {
    let dest = tempfile::tempdir().expect("temp dir");
    let site = dest.path().join("site");
    let out = Command::new(KB)
        .args(["build", "--root"])
        .arg(root)
        .arg("--dest")
        .arg(&site)
        .output()
        .expect("run kb build");
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(files_under(&site))
}
