//! Watching the site's files: notify's raw events, gathered into quiet batches.
//!
//! Editors save in bursts (write a temporary file, rename it over the page, touch a backup)
//! and tools such as `git checkout` change hundreds of files at once. The [`Debouncer`]
//! waits until no event came for [`QUIET`] (tens of milliseconds, so a save still feels
//! instant) but never longer than [`MAX_WAIT`] after the first event, so a steady stream of
//! changes cannot starve the rebuild. It takes the time as an argument: its tests do not
//! sleep.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use notify::{RecursiveMode, Watcher as _};

use crate::build::changes::Layout;

/// How long the files must stay unchanged before a batch is built.
pub(crate) const QUIET: Duration = Duration::from_millis(30);
/// The longest a batch waits after its first event.
pub(crate) const MAX_WAIT: Duration = Duration::from_millis(400);

/// Gathers changed paths until they have been quiet for a while.
#[derive(Debug, Default)]
pub(crate) struct Debouncer {
    pending: BTreeSet<PathBuf>,
    first: Option<Instant>,
    last: Option<Instant>,
}

impl Debouncer {
    /// Records paths that changed at `now`.
    pub(crate) fn add(&mut self, paths: impl IntoIterator<Item = PathBuf>, now: Instant) {
        self.pending.extend(paths);
        self.first.get_or_insert(now);
        self.last = Some(now);
    }

    /// When the pending batch is due, if there is one.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        Some((self.last? + QUIET).min(self.first? + MAX_WAIT))
    }

    /// The batch, if it is due at `now`.
    pub(crate) fn take_due(&mut self, now: Instant) -> Option<Vec<PathBuf>> {
        if self.deadline()? > now {
            return None;
        }
        self.first = None;
        self.last = None;
        Some(std::mem::take(&mut self.pending).into_iter().collect())
    }
}

/// Watches the configuration file, the content folder, the theme folder, the files pages
/// include from outside the content folder and the folders `build.extra-watch-dirs` names.
pub(crate) struct FileWatcher {
    watcher: notify::RecommendedWatcher,
    events: mpsc::Receiver<Vec<PathBuf>>,
    watched: Vec<Watch>,
}

/// A folder and how it is watched.
type Watch = (PathBuf, RecursiveMode);

/// What to stop and start watching to go from `watched` to `wanted`: the folders in both
/// are left alone.
fn rewatch(watched: &[Watch], wanted: &[Watch]) -> (Vec<Watch>, Vec<Watch>) {
    let stop = watched.iter().filter(|w| !wanted.contains(w)).cloned();
    let start = wanted.iter().filter(|w| !watched.contains(w)).cloned();
    (stop.collect(), start.collect())
}

/// A path the watcher reports when it lost events and everything must be looked at again.
pub(crate) const RESCAN: &str = "\0rescan";

impl FileWatcher {
    pub(crate) fn new(layout: &Layout) -> anyhow::Result<FileWatcher> {
        let (tx, events) = mpsc::channel();
        let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            let paths = match event {
                Ok(event) if event.need_rescan() => vec![PathBuf::from(RESCAN)],
                Ok(event) if event.kind.is_access() => return,
                Ok(event) => event.paths,
                Err(e) => {
                    log::warn!("file watcher: {e}");
                    vec![PathBuf::from(RESCAN)]
                }
            };
            // The receiver is gone only while the server shuts down.
            let _ = tx.send(paths);
        })
        .context("cannot start the file watcher")?;
        let mut watcher = FileWatcher {
            watcher,
            events,
            watched: Vec::new(),
        };
        watcher.watch(layout)?;
        Ok(watcher)
    }

    /// Watches the folders of `layout` (again, after the configuration moved them or the
    /// first build found included files outside the content folder). Folders watched
    /// already stay watched: unwatching and watching them again would lose a change saved
    /// in between.
    pub(crate) fn watch(&mut self, layout: &Layout) -> anyhow::Result<()> {
        // The site root non-recursively: it sees book.toml (even when an editor replaces
        // it) without descending into the output folder or `target/`.
        let mut wanted = Vec::new();
        if let Some(root) = layout.config.parent() {
            wanted.push((root.to_path_buf(), RecursiveMode::NonRecursive));
        }
        wanted.push((layout.content.clone(), RecursiveMode::Recursive));
        if let Some(theme) = &layout.theme {
            wanted.push((theme.clone(), RecursiveMode::Recursive));
        }
        for folder in &layout.extra {
            wanted.push((folder.clone(), RecursiveMode::Recursive));
        }
        // Included files outside the content folder: their folders, not the files, so an
        // editor's save-by-rename is seen too.
        for (file, _) in &layout.includes {
            if let Some(folder) = file.parent() {
                let entry = (folder.to_path_buf(), RecursiveMode::NonRecursive);
                if !folder.starts_with(&layout.content) && !wanted.contains(&entry) {
                    wanted.push(entry);
                }
            }
        }
        wanted.retain(|(path, _)| path.exists());
        let (stop, start) = rewatch(&self.watched, &wanted);
        for (path, _) in &stop {
            let _ = self.watcher.unwatch(path);
        }
        self.watched.retain(|w| !stop.contains(w));
        for (path, mode) in start {
            self.watcher
                .watch(&path, mode)
                .with_context(|| format!("cannot watch {}", path.display()))?;
            self.watched.push((path, mode));
        }
        Ok(())
    }

    /// Waits for the next quiet batch of changed paths; `None` once the watcher stopped.
    pub(crate) fn next_batch(&self, debouncer: &mut Debouncer) -> Option<Vec<PathBuf>> {
        loop {
            let now = Instant::now();
            if let Some(batch) = debouncer.take_due(now) {
                return Some(batch);
            }
            let received = match debouncer.deadline() {
                Some(deadline) => self
                    .events
                    .recv_timeout(deadline.saturating_duration_since(now)),
                None => self
                    .events
                    .recv()
                    .map_err(|_| mpsc::RecvTimeoutError::Disconnected),
            };
            match received {
                Ok(paths) => debouncer.add(paths, Instant::now()),
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(names: &[&str]) -> Vec<PathBuf> {
        names.iter().map(PathBuf::from).collect()
    }

    #[test]
    fn a_batch_is_due_once_quiet() {
        let t0 = Instant::now();
        let mut d = Debouncer::default();
        assert_eq!(d.deadline(), None);
        assert_eq!(d.take_due(t0), None);
        d.add(paths(&["a.md"]), t0);
        assert_eq!(d.deadline(), Some(t0 + QUIET));
        assert_eq!(d.take_due(t0 + QUIET / 2), None);
        assert_eq!(d.take_due(t0 + QUIET), Some(paths(&["a.md"])));
        assert_eq!(d.deadline(), None, "taking the batch empties it");
    }

    #[test]
    fn a_burst_is_one_batch() {
        // An atomic save: temporary file written, renamed over the page, backup removed.
        let t0 = Instant::now();
        let mut d = Debouncer::default();
        d.add(paths(&[".a.md.swp"]), t0);
        d.add(paths(&[".a.md.swp", "a.md"]), t0 + Duration::from_millis(5));
        d.add(paths(&["a.md~"]), t0 + Duration::from_millis(10));
        assert_eq!(
            d.take_due(t0 + QUIET),
            None,
            "the last event restarts the quiet time"
        );
        let batch = d
            .take_due(t0 + Duration::from_millis(10) + QUIET)
            .expect("due");
        assert_eq!(batch, paths(&[".a.md.swp", "a.md", "a.md~"]));
    }

    #[test]
    fn a_steady_stream_is_cut_at_the_maximum_wait() {
        let t0 = Instant::now();
        let mut d = Debouncer::default();
        let step = QUIET / 2;
        let mut t = t0;
        while t < t0 + MAX_WAIT {
            d.add(paths(&["a.md"]), t);
            t += step;
        }
        assert_eq!(d.deadline(), Some(t0 + MAX_WAIT));
        assert!(d.take_due(t0 + MAX_WAIT).is_some());
    }

    /// Watching a layout again (the first build found includes outside the content
    /// folder) keeps the folders already watched, so no change saved meanwhile is lost,
    /// and stops watching only those no longer wanted.
    #[test]
    fn watching_again_keeps_the_folders_already_watched() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        for folder in ["src", "listings"] {
            std::fs::create_dir(root.join(folder)).unwrap();
        }
        std::fs::write(root.join("book.toml"), "").unwrap();
        let layout = Layout {
            config: root.join("book.toml"),
            content: root.join("src"),
            theme: None,
            includes: Vec::new(),
            extra: Vec::new(),
        };
        let with_includes = Layout {
            includes: vec![(root.join("listings/x.rs"), "../listings/x.rs".into())],
            ..layout.clone()
        };
        let mut watcher = FileWatcher::new(&layout).unwrap();
        let before = watcher.watched.clone();
        let listings = (root.join("listings"), RecursiveMode::NonRecursive);
        let mut wanted = before.clone();
        wanted.push(listings.clone());
        assert_eq!(rewatch(&before, &wanted), (vec![], vec![listings.clone()]));
        assert_eq!(rewatch(&wanted, &before), (vec![listings.clone()], vec![]));
        watcher.watch(&with_includes).unwrap();
        assert_eq!(watcher.watched, wanted);

        // Both folders report changes.
        let seen = |watcher: &FileWatcher, file: &std::path::Path| {
            std::fs::write(file, "x").unwrap();
            let deadline = Instant::now() + Duration::from_secs(10);
            while let Some(left) = deadline.checked_duration_since(Instant::now()) {
                match watcher.events.recv_timeout(left) {
                    Ok(paths) if paths.iter().any(|p| p == file) => return true,
                    Ok(_) => {}
                    Err(_) => return false,
                }
            }
            false
        };
        assert!(seen(&watcher, &root.join("src/a.md")));
        assert!(seen(&watcher, &root.join("listings/x.rs")));

        watcher.watch(&layout).unwrap();
        assert_eq!(watcher.watched, before);
        assert!(seen(&watcher, &root.join("src/b.md")));
    }
}
