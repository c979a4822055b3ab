//! Where pages' rendered HTML bodies are kept: from the Markdown pass to the templates in
//! `kb build`, and between applies in `kb serve`. The bodies are most of what a session
//! holds (a few kilobytes a page), so they sit behind this one store: keeping them
//! compressed, in a file on disk or rendering them on demand changes this file and no other.

use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::sync::{Arc, Mutex, OnceLock};

use crate::content::Page;

/// Rendered HTML bodies by page (the page's `rel`, its path in the content folder).
/// Cloning is cheap: bodies are shared, not copied.
#[derive(Clone, Default)]
pub(crate) struct Bodies {
    encoding: Encoding,
    bodies: HashMap<String, Body>,
    /// Where [`Encoding::Spilled`] bodies are written, made on the first write and shared
    /// by every clone of the store.
    spill: Arc<OnceLock<Option<Spill>>>,
}

/// How bodies are stored; chosen when the store is made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Encoding {
    /// As rendered: no work to read or write, all the memory.
    #[default]
    Plain,
    /// LZ4-compressed (HTML shrinks about fourfold; a read pays a decompression at about
    /// a gigabyte a second) and written to a file of the system's temporary folder, so a
    /// large site's bodies (0.45 GB compressed at 100,000 pages) are not in the process's
    /// memory; a read is one positioned read of the file, most often from the kernel's
    /// page cache.
    Spilled,
}

#[derive(Clone)]
enum Body {
    Plain(Arc<String>),
    Lz4(Arc<[u8]>),
    /// `len` compressed bytes at `offset` in the store's [`Spill`].
    Spilled {
        offset: u64,
        len: u32,
    },
}

/// A page's HTML packed by [`Bodies::pack`], waiting to be put into the store.
pub(crate) struct PackedBody(Body);

/// An append-only file of compressed bodies. Nothing written is ever overwritten, so every
/// clone of a store (a staged change is made in a clone) reads what it wrote. The file has
/// no name (`tempfile::tempfile`): the system removes it when kb lets go of it, even
/// after a crash. A replaced body's bytes stay in it until then, a few kilobytes an edit.
struct Spill {
    file: File,
    /// How many bytes have been written: where the next body goes.
    end: Mutex<u64>,
}

impl Spill {
    /// The file, or `None` (said once) when the temporary folder cannot take one: the
    /// bodies are then kept compressed in memory.
    fn open() -> Option<Spill> {
        match tempfile::tempfile() {
            Ok(file) => Some(Spill {
                file,
                end: Mutex::new(0),
            }),
            Err(e) => {
                log::warn!(
                    "cannot make a file for pages' HTML in the temporary folder {} ({e}); \
                     keeping it in memory",
                    std::env::temp_dir().display()
                );
                None
            }
        }
    }

    /// Appends `bytes`; returns where they are.
    fn write(&self, bytes: &[u8]) -> std::io::Result<Body> {
        let len = u32::try_from(bytes.len())
            .map_err(|_| std::io::Error::other("a page's HTML is over 4 GB compressed"))?;
        let mut end = self.end.lock().unwrap_or_else(|e| e.into_inner());
        self.file.write_all_at(bytes, *end)?;
        let body = Body::Spilled { offset: *end, len };
        *end += u64::from(len);
        Ok(body)
    }

    fn read(&self, offset: u64, len: u32) -> std::io::Result<Vec<u8>> {
        let mut bytes = vec![0; len as usize];
        self.file.read_exact_at(&mut bytes, offset)?;
        Ok(bytes)
    }
}

impl Bodies {
    /// A store that keeps bodies as they are (`kb build`, and `kb serve` by default).
    pub(crate) fn in_memory() -> Bodies {
        Bodies::default()
    }

    /// A store that keeps bodies compressed in a file of the system's temporary folder
    /// (`kb serve`), or in memory where no such file can be made.
    pub(crate) fn spilled() -> Bodies {
        Bodies {
            encoding: Encoding::Spilled,
            ..Bodies::default()
        }
    }

    /// The spill file, made on first use.
    fn spill(&self) -> Option<&Spill> {
        self.spill.get_or_init(Spill::open).as_ref()
    }

    /// The body of page `rel`.
    pub(crate) fn get(&self, rel: &str) -> Option<String> {
        self.read(self.bodies.get(rel)?, rel)
    }

    /// The HTML of `body` (a body of this store or a clone), for page `rel`.
    fn read(&self, body: &Body, rel: &str) -> Option<String> {
        match body {
            Body::Plain(html) => Some(html.as_ref().clone()),
            Body::Lz4(bytes) => unpack(bytes),
            &Body::Spilled { offset, len } => {
                let spill = self.spill()?;
                match spill.read(offset, len) {
                    Ok(bytes) => unpack(&bytes),
                    Err(e) => {
                        log::error!(
                            "cannot read the HTML of {rel} back from kb's temporary file: {e}"
                        );
                        None
                    }
                }
            }
        }
    }

    /// Keeps `html` as the body of page `rel`; returns the body it replaces, packed (it
    /// is not read back: [`Bodies::put_packed`] puts it back as it was).
    pub(crate) fn put(&mut self, rel: String, html: String) -> Option<PackedBody> {
        let body = self.pack(html);
        self.put_packed(rel, body)
    }

    /// Keeps `body` (made by [`Bodies::pack`] of this store or a clone) as the body of
    /// page `rel`; returns the body it replaces.
    pub(crate) fn put_packed(&mut self, rel: String, body: PackedBody) -> Option<PackedBody> {
        self.bodies.insert(rel, body.0).map(PackedBody)
    }

    /// `html` in the store's form (compressed, written to its file), not yet any page's
    /// body. Takes `&self`, so the threads rendering pages can each pack their own: a
    /// large site's HTML is then never all held as rendered (about four times its 0.45 GB
    /// compressed at 100,000 pages).
    pub(crate) fn pack(&self, html: String) -> PackedBody {
        let body = match self.encoding {
            Encoding::Plain => Body::Plain(Arc::new(html)),
            Encoding::Spilled => {
                let bytes = lz4_flex::compress_prepend_size(html.as_bytes());
                match self.spill().map(|spill| spill.write(&bytes)) {
                    Some(Ok(body)) => body,
                    Some(Err(e)) => {
                        log::warn!(
                            "cannot write a page's HTML to kb's temporary file ({e}); \
                             keeping it in memory"
                        );
                        Body::Lz4(bytes.into())
                    }
                    None => Body::Lz4(bytes.into()),
                }
            }
        };
        PackedBody(body)
    }

    /// Forgets the body of page `rel`; returns it.
    pub(crate) fn remove(&mut self, rel: &str) -> Option<PackedBody> {
        self.bodies.remove(rel).map(PackedBody)
    }

    /// Keeps only the bodies of `pages`.
    pub(crate) fn retain(&mut self, pages: &[Page]) {
        let rels: std::collections::HashSet<&str> = pages.iter().map(|p| p.rel.as_str()).collect();
        self.bodies.retain(|rel, _| rels.contains(rel.as_str()));
    }

    /// How many bytes the bodies take (their HTML, or its compressed form).
    #[cfg(test)]
    pub(crate) fn stored_bytes(&self) -> usize {
        self.bodies
            .values()
            .map(|body| match body {
                Body::Plain(html) => html.len(),
                Body::Lz4(bytes) => bytes.len(),
                Body::Spilled { .. } => 0,
            })
            .sum()
    }
}

/// A body's HTML from its LZ4 form.
fn unpack(bytes: &[u8]) -> Option<String> {
    lz4_flex::decompress_size_prepended(bytes)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_store_gives_back_what_it_was_given() {
        let html = "<p>Pools</p>".repeat(200);
        for mut store in [Bodies::in_memory(), Bodies::spilled(), kept_in_memory()] {
            assert!(store.put("a.md".into(), html.clone()).is_none());
            assert_eq!(store.get("a.md").as_deref(), Some(html.as_str()));
            let old = store.put("a.md".into(), "<p>new</p>".into());
            assert_eq!(
                old.map(|b| store.read(&b.0, "a.md")),
                Some(Some(html.clone()))
            );
            let copy = store.clone();
            let removed = store.remove("a.md").expect("a body");
            assert_eq!(
                store.read(&removed.0, "a.md").as_deref(),
                Some("<p>new</p>")
            );
            assert_eq!(store.get("a.md"), None);
            assert_eq!(copy.get("a.md").as_deref(), Some("<p>new</p>"));
        }
    }

    /// A staged change is made in a clone of the store: what the clone writes must not
    /// change what the original reads, and both must read their own bodies.
    #[test]
    fn clones_of_a_spilled_store_keep_their_own_bodies() {
        let mut store = Bodies::spilled();
        store.put("a.md".into(), "<p>one</p>".repeat(300));
        store.put("b.md".into(), "<p>b</p>".into());
        let mut staged = store.clone();
        staged.put("a.md".into(), "<p>two</p>".into());
        staged.put("c.md".into(), "<p>c</p>".into());
        assert_eq!(store.get("a.md"), Some("<p>one</p>".repeat(300)));
        assert_eq!(store.get("c.md"), None);
        assert_eq!(staged.get("a.md").as_deref(), Some("<p>two</p>"));
        assert_eq!(staged.get("b.md").as_deref(), Some("<p>b</p>"));
        assert_eq!(staged.get("c.md").as_deref(), Some("<p>c</p>"));
        // Nothing of it is held in memory.
        assert_eq!(staged.stored_bytes(), 0);
    }

    /// A spilled store where no temporary file could be made.
    fn kept_in_memory() -> Bodies {
        Bodies {
            encoding: Encoding::Spilled,
            spill: Arc::new(OnceLock::from(None)),
            ..Bodies::default()
        }
    }

    #[test]
    fn without_a_temporary_file_bodies_are_kept_compressed_in_memory() {
        let html = "<p>Connection pools in Go</p>\n".repeat(100);
        let (mut plain, mut small) = (Bodies::in_memory(), kept_in_memory());
        plain.put("a.md".into(), html.clone());
        small.put("a.md".into(), html.clone());
        assert_eq!(plain.stored_bytes(), html.len());
        assert!(small.stored_bytes() > 0);
        assert!(
            small.stored_bytes() * 4 < html.len(),
            "{}",
            small.stored_bytes()
        );
        assert_eq!(small.get("a.md"), Some(html));
    }
}
