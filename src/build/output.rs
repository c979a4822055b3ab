//! Where a build's files go, and the safe swap that makes a failed build harmless.
//!
//! Pages are written as they are rendered (in parallel) through a [`Sink`]. `kb build`
//! writes into a fresh folder beside the destination and swaps it in only after the whole
//! build succeeded ([`super::staging`]), so the previous site stays untouched when anything
//! fails; [`check_destination`] refuses destinations whose replacement would destroy work.

#[cfg(test)]
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
#[cfg(test)]
use std::sync::Mutex;

use crate::diagnostic::Diagnostic;
use crate::render::extras::OUTPUT_MARKER;

/// Receives the files of the site, by path relative to the site root.
pub(crate) trait Sink: Sync {
    fn write(&self, path: &str, bytes: &[u8]) -> io::Result<()>;

    /// Removes a file an earlier apply of an incremental session wrote.
    fn remove(&self, path: &str) -> io::Result<()>;

    /// Applies the whole change of an incremental apply, writes and removals in order. A
    /// sink that others read while it changes (`kb serve`'s) applies it at once.
    fn apply(&self, batch: Batch) -> io::Result<()> {
        for (path, bytes) in batch.files {
            match bytes {
                Some(FileBytes::Plain(bytes)) => self.write(&path, &bytes)?,
                Some(FileBytes::Packed(_)) => {
                    return Err(io::Error::other(format!(
                        "{path} was packed for another kind of output"
                    )))
                }
                None => self.remove(&path)?,
            }
        }
        Ok(())
    }

    /// `bytes` (of the file at `path`) in the form this sink keeps files, made now on the
    /// caller's thread, for a [`Batch`] to hold until [`Sink::apply`]: a batch of a whole
    /// site is then held in that form while it is made (`kb serve` writes files to its
    /// store, and the first build of 100,000 pages held every file in memory before
    /// storing any). By default the bytes as they are.
    fn pack(&self, _path: &str, bytes: Vec<u8>) -> FileBytes {
        FileBytes::Plain(bytes)
    }
}

/// A file of a [`Batch`]: its bytes, or those bytes as the sink keeps them.
pub(crate) enum FileBytes {
    Plain(Vec<u8>),
    /// Made by [`Sink::pack`] of the sink the batch is for; only that sink reads it.
    Packed(Box<dyn std::any::Any + Send>),
}

/// The files an incremental apply changes: new bytes, or `None` for a removed file.
#[derive(Default)]
pub(crate) struct Batch {
    pub files: Vec<(String, Option<FileBytes>)>,
}

impl Batch {
    pub(crate) fn write(&mut self, path: String, bytes: Vec<u8>) {
        self.write_file(path, FileBytes::Plain(bytes));
    }

    /// Writes a file made by [`Sink::pack`].
    pub(crate) fn write_file(&mut self, path: String, file: FileBytes) {
        self.files.push((path, Some(file)));
    }

    pub(crate) fn remove(&mut self, path: String) {
        self.files.push((path, None));
    }
}

/// Writes files below a folder.
pub(crate) struct DirSink {
    root: PathBuf,
}

impl DirSink {
    pub(crate) fn new(root: impl Into<PathBuf>) -> Self {
        DirSink { root: root.into() }
    }
}

impl DirSink {
    /// The place of `path` in the output folder. Every path from content or configuration
    /// was confined where it was read; this is the last line of defence, so that no bug
    /// upstream can make a build write or delete outside its folder.
    fn place(&self, path: &str) -> io::Result<PathBuf> {
        crate::confine::output(&self.root, path).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("refusing to write outside the output folder: {e}"),
            )
        })
    }
}

impl Sink for DirSink {
    fn write(&self, path: &str, bytes: &[u8]) -> io::Result<()> {
        let target = self.place(path)?;
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&target, bytes)
    }

    fn remove(&self, path: &str) -> io::Result<()> {
        match std::fs::remove_file(self.place(path)?) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// Keeps files in memory: the one-shot side of the in-process convergence test.
#[cfg(test)]
#[derive(Default)]
pub(crate) struct MemorySink {
    pub files: Mutex<BTreeMap<String, Vec<u8>>>,
}

#[cfg(test)]
impl Sink for MemorySink {
    fn write(&self, path: &str, bytes: &[u8]) -> io::Result<()> {
        self.files
            .lock()
            .map_err(|_| io::Error::other("a writer panicked"))?
            .insert(path.to_string(), bytes.to_vec());
        Ok(())
    }

    fn remove(&self, path: &str) -> io::Result<()> {
        self.files
            .lock()
            .map_err(|_| io::Error::other("a writer panicked"))?
            .remove(path);
        Ok(())
    }
}

#[cfg(test)]
impl MemorySink {
    pub(crate) fn into_files(self) -> BTreeMap<String, Vec<u8>> {
        self.files.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

/// Whether `dir` is a folder a build may replace: empty, marked with [`OUTPUT_MARKER`], or
/// a site built before kb wrote the marker (its `index.html`, `404.html` and `robots.txt`,
/// which every kb build writes, all present).
fn is_replaceable_folder(dir: &Path) -> io::Result<bool> {
    if std::fs::read_dir(dir)?.next().is_none() {
        return Ok(true);
    }
    if dir.join(OUTPUT_MARKER).is_file() {
        return Ok(true);
    }
    Ok(["index.html", "404.html", "robots.txt"]
        .iter()
        .all(|f| dir.join(f).is_file()))
}

/// Refuses destinations whose replacement would destroy the user's work: `/`, the home
/// folder, the site root, the content folder or any folder that contains it, an existing
/// file, and a folder with content that is not a kb output.
pub(crate) fn check_destination(
    dest: &Path,
    root: &Path,
    content_dir: &Path,
) -> Result<(), Diagnostic> {
    let dest_abs = absolute(dest);
    let refuse = |why: &str| {
        Err(Diagnostic::file_error(
            dest,
            format!("refusing to build into {}: {why}", dest.display()),
        )
        .with_help("choose an empty or dedicated output folder, such as `book/`"))
    };
    if dest_abs.parent().is_none() {
        return refuse("it is the file system root");
    }
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from) {
        if absolute(&home) == dest_abs {
            return refuse("it is your home folder");
        }
    }
    let content_abs = absolute(content_dir);
    if content_abs.starts_with(&dest_abs) {
        return refuse("it contains the content folder, which the build would replace");
    }
    // A plain folder of Markdown is its own content folder: its output may sit inside
    // it, since loading skips every folder that holds a kb output's marker file.
    if dest_abs.starts_with(&content_abs) && content_abs != absolute(root) {
        return refuse("it is inside the content folder");
    }
    if absolute(root).starts_with(&dest_abs) {
        return refuse("it contains the site root");
    }
    // `symlink_metadata`: a symlink is replaced, not followed, by the swap.
    match std::fs::symlink_metadata(dest) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return refuse(&format!("it cannot be inspected: {e}")),
        Ok(meta) if !meta.is_dir() => {
            return Err(Diagnostic::file_error(
                dest,
                format!(
                    "refusing to build into {}: it is an existing file, not a folder",
                    dest.display()
                ),
            )
            .with_help("pass a folder to --dest, such as `--dest book`; the file was left as it is"))
        }
        Ok(_) => match is_replaceable_folder(dest) {
            Ok(true) => {}
            Ok(false) => {
                return Err(Diagnostic::file_error(
                    dest,
                    format!(
                        "refusing to build into {}: it has files and is not a kb output folder (no `{OUTPUT_MARKER}` file)",
                        dest.display()
                    ),
                )
                .with_help(format!(
                    "a build replaces its whole --dest folder: pass an empty or new folder to --dest, \
                     or, if this folder really is kb's output, create an empty `{OUTPUT_MARKER}` file in it"
                )))
            }
            Err(e) => return refuse(&format!("it cannot be read: {e}")),
        },
    }
    Ok(())
}

/// An absolute, normalised path, resolving symlinks where the path exists.
fn absolute(path: &Path) -> PathBuf {
    if let Ok(canonical) = path.canonicalize() {
        return canonical;
    }
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for part in joined.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    // The parent may exist even when the folder does not: canonicalise it for symlinks.
    match (out.parent(), out.file_name()) {
        (Some(parent), Some(name)) => parent.canonicalize().map(|p| p.join(name)).unwrap_or(out),
        _ => out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dangerous_destinations_are_refused() {
        let root = Path::new("/tmp/kb-site");
        let content = Path::new("/tmp/kb-site/content");
        assert!(check_destination(Path::new("/"), root, content).is_err());
        assert!(check_destination(root, root, content).is_err());
        assert!(check_destination(content, root, content).is_err());
        assert!(check_destination(Path::new("/tmp"), root, content).is_err());
        assert!(check_destination(Path::new("/tmp/kb-site/content/out"), root, content).is_err());
        assert!(check_destination(Path::new("/tmp/kb-site/book"), root, content).is_ok());
    }

    #[test]
    fn files_and_foreign_folders_are_refused_kb_outputs_are_not() {
        let site = tempfile::tempdir().unwrap();
        let (root, content) = (site.path(), site.path().join("content"));
        let check = |rel: &str| check_destination(&root.join(rel), root, &content);
        std::fs::write(root.join("notes.txt"), "mine").unwrap();
        assert!(check("notes.txt").is_err());
        for (dir, files) in [
            ("empty", &[][..]),
            ("marked", &[OUTPUT_MARKER, "x.html"][..]),
            (
                "legacy",
                &["index.html", "404.html", "robots.txt", "a.css"][..],
            ),
            ("foreign", &["thesis.tex"][..]),
            ("almost", &["index.html", "robots.txt"][..]),
        ] {
            std::fs::create_dir(root.join(dir)).unwrap();
            for f in files {
                std::fs::write(root.join(dir).join(f), "").unwrap();
            }
        }
        assert!(check("new").is_ok());
        assert!(check("empty").is_ok());
        assert!(check("marked").is_ok());
        assert!(check("legacy").is_ok());
        let err = check("foreign").unwrap_err().to_string();
        assert!(err.contains("is not a kb output folder"), "{err}");
        assert!(check("almost").is_err());
        assert_eq!(
            std::fs::read_to_string(root.join("notes.txt")).unwrap(),
            "mine"
        );
    }
}
