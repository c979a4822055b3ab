//! The packed blob of a large site, mapped from its file, with a way to hand the pages
//! already read back to the kernel.
//!
//! Making the browser's files reads the whole blob several times (its id, the layout
//! probe, the page files, the native copy). Each page of a memory map, once read, stays in
//! the process's resident memory while the map lives: at 100,000 pages the whole 0.7 GB
//! blob. Past [`RELEASE_EVERY`] bytes read, the map is told that its pages are not needed
//! (`MADV_DONTNEED`): they leave the process and stay in the page cache, and a later read
//! of them faults them back in from there. The file is the writer's own, in its temporary
//! folder, and never changes while mapped, so a page read again is the page read before.

use std::fs::File;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use memmap2::Mmap;
use tantivy::directory::OwnedBytes;

/// Bytes read between two releases: a bound on what reading the blob keeps resident.
const RELEASE_EVERY: usize = 64 << 20;

/// A read-only shared map of a file the writer made and no one changes.
pub(crate) struct MappedFile {
    path: PathBuf,
    map: Arc<Mmap>,
    /// Bytes read since the last release.
    read: AtomicUsize,
}

/// The map as the owner of [`OwnedBytes`].
struct MapBytes(Arc<Mmap>);

impl Deref for MapBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0[..]
    }
}

// SAFETY: the bytes are those of the map, which the `Arc` keeps at one address for as
// long as any clone lives; moving `MapBytes` moves only the `Arc`.
unsafe impl stable_deref_trait::StableDeref for MapBytes {}

impl MappedFile {
    /// Maps `path`, a file its caller made and will not change while it is mapped.
    pub(crate) fn open(path: &Path) -> std::io::Result<MappedFile> {
        let file = File::open(path)?;
        // SAFETY: the file is the writer's own, in its temporary folder; nothing writes to
        // or truncates it while the map lives (see the module docs).
        let map = unsafe { Mmap::map(&file)? };
        Ok(MappedFile {
            path: path.to_path_buf(),
            map: Arc::new(map),
            read: AtomicUsize::new(0),
        })
    }

    /// The file mapped.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The mapped bytes, shared.
    pub(crate) fn bytes(&self) -> OwnedBytes {
        OwnedBytes::new(MapBytes(self.map.clone()))
    }

    /// Notes that `n` more bytes were read; past [`RELEASE_EVERY`], releases every page.
    pub(crate) fn note_read(&self, n: usize) {
        if self.read.fetch_add(n, Ordering::Relaxed) + n >= RELEASE_EVERY {
            self.read.store(0, Ordering::Relaxed);
            self.release();
        }
    }

    /// Hands every resident page of the map back to the kernel. Reads still see the same
    /// bytes: a shared map of an unchanged file faults them in again from the page cache.
    pub(crate) fn release(&self) {
        #[cfg(unix)]
        {
            use memmap2::UncheckedAdvice;
            // SAFETY: `DontNeed` on a shared, read-only map of an unchanged file drops
            // only the process's copies of its pages; no byte a reader sees changes.
            let _ = unsafe { self.map.unchecked_advise(UncheckedAdvice::DontNeed) };
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_after_a_release_are_the_same() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("blob");
        let data: Vec<u8> = (0..3 * 4096 + 17).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let mapped = MappedFile::open(&path).unwrap();
        let bytes = mapped.bytes();
        assert_eq!(bytes.as_slice(), &data[..]);
        mapped.release();
        assert_eq!(bytes.as_slice(), &data[..]);
        mapped.note_read(RELEASE_EVERY);
        assert_eq!(
            mapped.read.load(Ordering::Relaxed),
            0,
            "a release restarts the count"
        );
        assert_eq!(bytes.slice(4096..4100).as_slice(), &data[4096..4100]);
    }

    /// The kilobytes of the map at `address` resident in this process, from
    /// `/proc/self/smaps`.
    #[cfg(target_os = "linux")]
    fn resident_kb(address: usize) -> usize {
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let mut inside = false;
        for line in smaps.lines() {
            let range = line.split_whitespace().next().unwrap_or_default();
            if let Some((from, to)) = range.split_once('-') {
                if let (Ok(from), Ok(to)) = (
                    usize::from_str_radix(from, 16),
                    usize::from_str_radix(to, 16),
                ) {
                    inside = (from..to).contains(&address);
                    continue;
                }
            }
            if let Some(kb) = line.strip_prefix("Rss:").filter(|_| inside) {
                return kb.trim().trim_end_matches("kB").trim().parse().unwrap();
            }
        }
        panic!("no map at {address:#x}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_release_hands_the_pages_read_back() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("blob");
        let data = vec![7u8; 4 << 20];
        std::fs::write(&path, &data).unwrap();
        let mapped = MappedFile::open(&path).unwrap();
        let bytes = mapped.bytes();
        let sum: usize = bytes.as_slice().iter().map(|&b| b as usize).sum();
        assert_eq!(sum, 7 * data.len());
        let address = bytes.as_slice().as_ptr() as usize;
        assert!(resident_kb(address) >= 4096, "{} kB", resident_kb(address));
        mapped.release();
        assert_eq!(resident_kb(address), 0);
        assert_eq!(bytes.as_slice()[123], 7);
        assert!(resident_kb(address) > 0, "read again, faulted back in");
    }
}
