//! The folder a build writes into beside its destination, and the swap that publishes it.
//!
//! `kb build` writes the whole site into `.NAME.kb-staging-ID` beside the destination
//! `NAME` and swaps it in only after everything succeeded, so a failed or killed build
//! never touches the previous site:
//! - on Linux the swap is one `renameat2(RENAME_EXCHANGE)`: at every instant `NAME` is
//!   either the whole old site or the whole new one; the old one, now at the staging
//!   path, is then removed. The first build, with nothing to exchange, is one rename.
//! - elsewhere (and on file systems without exchange) it takes two renames, the old site
//!   to `.NAME.kb-old-ID`, then the new one into place. A build killed between them leaves
//!   no `NAME`; the next build moves the old site back before it starts.
//!
//! Every build holds an advisory lock on `.NAME.kb-ID.lock` for its whole life (the
//! standard library's `File::try_lock`: `flock` on Unix, `LockFileEx` on Windows, released
//! by the system when the process dies, however it dies). The next build removes the
//! staging and old folders whose lock nobody holds, and those lock files. Between
//! creating its lock file and locking it a build's lock can be taken by another's sweep,
//! which then removes the file: so a build that has locked its file checks the file is
//! still there, and starts over with a new one if not. Process ids decide nothing: they
//! repeat, in containers especially.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Lock files a build creates before one is still there once locked (see the module's
/// docs): each retry means a sweep ran in that moment, so a few are plenty.
const LOCK_TRIES: usize = 8;

/// The staging folder of one build, removed when dropped unless it was swapped in.
pub(crate) struct Staging {
    /// Where the build writes the site.
    pub dir: PathBuf,
    dest: PathBuf,
    /// Where the two-rename fallback parks the previous site.
    old: PathBuf,
    lock_path: PathBuf,
    /// `None` when the file system has no locks: then nothing is swept.
    lock: Option<File>,
}

/// The names of one build's files beside `NAME`.
struct Names {
    parent: PathBuf,
    /// `.NAME.kb-`: what every file of every build into `NAME` starts with.
    prefix: String,
}

impl Names {
    fn of(dest: &Path) -> Names {
        let parent = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "site".to_string());
        Names {
            parent,
            prefix: format!(".{name}.kb-"),
        }
    }

    fn staging(&self, id: &str) -> PathBuf {
        self.parent.join(format!("{}staging-{id}", self.prefix))
    }

    fn old(&self, id: &str) -> PathBuf {
        self.parent.join(format!("{}old-{id}", self.prefix))
    }

    fn lock(&self, id: &str) -> PathBuf {
        self.parent.join(format!("{}{id}.lock", self.prefix))
    }
}

/// What one of the files beside `NAME` is, by its name.
#[derive(Debug, PartialEq)]
enum Debris<'a> {
    Staging(&'a str),
    Old(&'a str),
    Lock(&'a str),
}

fn classify<'a>(prefix: &str, file_name: &'a str) -> Option<Debris<'a>> {
    let rest = file_name.strip_prefix(prefix)?;
    if let Some(id) = rest.strip_prefix("staging-") {
        Some(Debris::Staging(id))
    } else if let Some(id) = rest.strip_prefix("old-") {
        Some(Debris::Old(id))
    } else {
        rest.strip_suffix(".lock").map(Debris::Lock)
    }
}

impl Staging {
    /// Takes this build's lock, removes what dead builds into `dest` left, and creates the
    /// staging folder.
    pub(crate) fn new(dest: &Path) -> io::Result<Staging> {
        let names = Names::of(dest);
        fs::create_dir_all(&names.parent)?;
        let (id, lock_path, lock) = lock(&names)?;
        if lock.is_some() {
            sweep(&names, dest, &id);
        }
        let dir = names.staging(&id);
        fs::create_dir(&dir)?;
        Ok(Staging {
            dir,
            dest: dest.to_path_buf(),
            old: names.old(&id),
            lock_path,
            lock,
        })
    }

    /// Replaces the destination with the staged site.
    pub(crate) fn commit(self) -> io::Result<()> {
        match fs::symlink_metadata(&self.dest) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => fs::rename(&self.dir, &self.dest),
            Err(e) => Err(e),
            Ok(_) if exchange(&self.dir, &self.dest)? => {
                // The staging path now holds the previous site; Drop removes it.
                Ok(())
            }
            Ok(_) => {
                fs::rename(&self.dest, &self.old)?;
                if let Err(e) = fs::rename(&self.dir, &self.dest) {
                    // Put the previous site back before reporting.
                    let _ = fs::rename(&self.old, &self.dest);
                    return Err(e);
                }
                Ok(())
            }
        }
    }
}

impl Drop for Staging {
    /// Removes the staging folder (the abandoned build, or the previous site after an
    /// exchange) and the old one, then releases the lock.
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
        let _ = fs::remove_dir_all(&self.old);
        if let Some(lock) = self.lock.take() {
            // Closing releases the lock; Windows cannot remove an open file.
            drop(lock);
            let _ = fs::remove_file(&self.lock_path);
        }
    }
}

/// Creates and locks this build's lock file: its id, path, and the locked file (`None`
/// where the file system has no locks).
fn lock(names: &Names) -> io::Result<(String, PathBuf, Option<File>)> {
    for _ in 0..LOCK_TRIES {
        let id = unique_id();
        let lock_path = names.lock(&id);
        let file = File::options()
            .write(true)
            .create_new(true)
            .open(&lock_path)?;
        // Blocking: another build's sweep may hold this new file's lock for a moment.
        match file.lock() {
            // Still there: no sweep took it before it was locked, and none can now.
            Ok(()) if fs::symlink_metadata(&lock_path).is_ok() => {
                return Ok((id, lock_path, Some(file)));
            }
            Ok(()) => continue,
            // Some network file systems have no locks: build, but sweep nothing.
            Err(e) if e.kind() == io::ErrorKind::Unsupported => return Ok((id, lock_path, None)),
            Err(e) => {
                drop(file);
                let _ = fs::remove_file(&lock_path);
                return Err(e);
            }
        }
    }
    Err(io::Error::other(format!(
        "{}: other builds kept removing this build's lock file",
        names.parent.display()
    )))
}

/// Exchanges two paths atomically; `Ok(false)` when this system or file system cannot.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    use rustix::io::Errno;
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Exchanges two paths atomically; `Ok(false)` when this system or file system cannot.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<bool> {
    Ok(false)
}

/// Removes what dead builds into `dest` left beside it. A build is dead when its lock file
/// can be locked; folders with no lock file at all come from kb versions before the lock.
/// Nothing here is an error: what cannot be removed now is tried again next time.
fn sweep(names: &Names, dest: &Path, own: &str) {
    let Ok(entries) = fs::read_dir(&names.parent) else {
        return;
    };
    let found: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&names.prefix))
        .collect();
    let mut alive: HashSet<&str> = HashSet::from([own]);
    let mut dead_locks = Vec::new();
    let mut folders = Vec::new();
    for name in &found {
        match classify(&names.prefix, name) {
            Some(Debris::Lock(id)) if id != own => {
                let path = names.lock(id);
                match File::options().write(true).open(&path) {
                    Ok(file) => match file.try_lock() {
                        Ok(()) => dead_locks.push((path, file)),
                        Err(_) => {
                            alive.insert(id);
                        }
                    },
                    Err(_) => {
                        alive.insert(id);
                    }
                }
            }
            Some(Debris::Staging(id)) => folders.push((id, false)),
            Some(Debris::Old(id)) => folders.push((id, true)),
            _ => {}
        }
    }
    // Old sites first: with no destination, the newest one goes back in place.
    folders.sort_by_key(|(_, old)| !old);
    for (id, old) in folders.into_iter().filter(|(id, _)| !alive.contains(id)) {
        let path = if old {
            names.old(id)
        } else {
            names.staging(id)
        };
        let missing =
            matches!(fs::symlink_metadata(dest), Err(e) if e.kind() == io::ErrorKind::NotFound);
        if old && missing && fs::rename(&path, dest).is_ok() {
            continue;
        }
        let _ = fs::remove_dir_all(&path);
    }
    for (path, file) in dead_locks {
        // Removed while locked: a build that created it and has not locked it yet finds
        // it gone once it has, and takes another (see `lock`).
        let _ = fs::remove_file(&path);
        drop(file);
    }
}

/// An id no other build beside the same destination uses at the same time.
fn unique_id() -> String {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{:x}-{nanos:x}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn names_beside_the_destination_are_classified() {
        let p = ".book.kb-";
        assert_eq!(
            classify(p, ".book.kb-staging-1-2"),
            Some(Debris::Staging("1-2"))
        );
        assert_eq!(classify(p, ".book.kb-old-77"), Some(Debris::Old("77")));
        assert_eq!(classify(p, ".book.kb-1-2.lock"), Some(Debris::Lock("1-2")));
        assert_eq!(classify(p, "book"), None);
        assert_eq!(classify(p, ".notes.kb-old-1"), None);
    }

    #[test]
    fn a_swap_replaces_the_site_and_leaves_nothing_beside_it() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("book");
        for version in ["one", "two", "three"] {
            let staging = Staging::new(&dest).unwrap();
            fs::write(staging.dir.join("index.html"), version).unwrap();
            staging.commit().unwrap();
            assert_eq!(
                fs::read_to_string(dest.join("index.html")).unwrap(),
                version
            );
            assert_eq!(entries(tmp.path()), ["book"]);
        }
        // An abandoned build leaves the site alone.
        let staging = Staging::new(&dest).unwrap();
        fs::write(staging.dir.join("index.html"), "four").unwrap();
        drop(staging);
        assert_eq!(
            fs::read_to_string(dest.join("index.html")).unwrap(),
            "three"
        );
        assert_eq!(entries(tmp.path()), ["book"]);
    }

    #[test]
    fn dead_builds_are_swept_and_live_ones_are_not() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("book");
        fs::create_dir(&dest).unwrap();
        let names = Names::of(&dest);
        // A build that is still running: its lock is held.
        let live = File::create(names.lock("live")).unwrap();
        live.lock().unwrap();
        fs::create_dir(names.staging("live")).unwrap();
        // A killed build: lock file left, nobody holds it.
        File::create(names.lock("dead")).unwrap();
        fs::create_dir(names.staging("dead")).unwrap();
        fs::create_dir(names.old("dead")).unwrap();
        // A folder from before the lock existed (a pid).
        fs::create_dir(names.staging("4242")).unwrap();
        // A lock file alone: a build killed before it made its folder.
        File::create(names.lock("stale")).unwrap();
        drop(Staging::new(&dest).unwrap());
        assert_eq!(
            entries(tmp.path()),
            [".book.kb-live.lock", ".book.kb-staging-live", "book"]
        );
        drop(live);
    }

    #[test]
    fn a_build_whose_lock_file_is_swept_before_it_locks_it_takes_another() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("book");
        let names = Names::of(&dest);
        // A build between creating its lock file and locking it: unlocked, so a sweep
        // removes it. Once locked, the build must notice and not keep a lock on a file
        // no other build can see.
        let created = File::create(names.lock("first")).unwrap();
        drop(Staging::new(&dest).unwrap());
        assert!(!names.lock("first").exists());
        created.lock().unwrap();
        assert!(fs::symlink_metadata(names.lock("first")).is_err());
        // What `lock` does then: a new file, locked and there.
        let (id, path, file) = lock(&names).unwrap();
        assert!(file.is_some() && path.exists() && path == names.lock(&id));
    }

    #[test]
    fn an_old_site_without_a_destination_is_put_back() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("book");
        let names = Names::of(&dest);
        // Killed between the two renames of the fallback swap.
        File::create(names.lock("dead")).unwrap();
        fs::create_dir(names.old("dead")).unwrap();
        fs::write(names.old("dead").join("index.html"), "previous").unwrap();
        fs::create_dir(names.staging("dead")).unwrap();
        let staging = Staging::new(&dest).unwrap();
        assert_eq!(
            fs::read_to_string(dest.join("index.html")).unwrap(),
            "previous"
        );
        drop(staging);
        assert_eq!(entries(tmp.path()), ["book"]);
    }
}
