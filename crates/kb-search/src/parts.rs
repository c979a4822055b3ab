//! A stream of documents written in parts: every so many documents ([`PART_DOCS`] for
//! sections) start a new segment, the parts are indexed by several threads at once and
//! merged, in order, into one segment. A built index is two such streams, its sections and
//! its page documents (see `index.rs`). The parts and the merged segment live in memory,
//! or in a folder on disk for sites whose index would not fit comfortably on the heap
//! (`kb build`).
//!
//! Where the part boundaries fall depends only on the number of documents, never on the
//! number of threads or on their timing, so the same sections always give the same bytes.
//! A stream of one part needs no merge: it is byte for byte what one single-segment writer
//! makes.

use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

use tantivy::directory::RamDirectory;
use tantivy::{Directory, Index, IndexBuilder, SingleSegmentIndexWriter, TantivyDocument};

use crate::disk::ReadDirectory;
use crate::error::SearchError;

/// Sections per part. A part's postings sit in its writer's memory until it is written, so
/// this bounds the memory of each indexing thread (a few hundred megabytes at most); it is
/// large enough that the merge has few parts to read.
pub(crate) const PART_DOCS: usize = 60_000;
/// A part of page documents holds this many times fewer documents than a part of
/// sections: a page document has all the words of its sections (the guide has about nine
/// sections a page, the generated corpus six), so both kinds of part hold about as much text.
pub(crate) const PAGE_PART_SHARE: usize = 6;
/// Sections waiting for each indexing thread: enough to keep it busy while the caller
/// prepares more, few enough that a slow indexer holds the caller back instead of
/// letting sections pile up in memory.
const QUEUE: usize = 4_096;
/// Memory a part's writer may use. The single-segment writer never flushes early; its
/// arena grows on demand, so this is a ceiling, not an allocation.
const WRITER_MEMORY: usize = 2_000_000_000;

/// Where the parts and the merged segment are kept.
#[derive(Debug, Clone)]
pub(crate) enum Location {
    Memory,
    /// A folder the writer may fill (it makes sub-folders `part-<n>` and `merged`).
    Disk(PathBuf),
}

impl Location {
    /// The same kind of place, for a stream of parts of its own: a sub-folder on disk.
    pub(crate) fn within(&self, name: &str) -> Location {
        match self {
            Location::Memory => Location::Memory,
            Location::Disk(dir) => Location::Disk(dir.join(name)),
        }
    }

    fn directory(&self, name: &str) -> Result<Box<dyn Directory>, SearchError> {
        Ok(match self {
            Location::Memory => Box::new(RamDirectory::create()),
            Location::Disk(dir) => {
                let dir = dir.join(name);
                std::fs::create_dir_all(&dir).map_err(tantivy::TantivyError::from)?;
                Box::new(ReadDirectory::open(&dir)?)
            }
        })
    }
}

/// What an indexing thread is sent.
enum Message {
    /// Start part `n`: the sections that follow belong to it.
    Part(usize),
    Doc(TantivyDocument),
    /// The part is full: write it now, while the other threads index the next ones,
    /// rather than when this thread's next part begins (after the last section, that
    /// would leave up to one full part per thread to write once the pages are done).
    End,
}

/// A finished part: its number, the index, and the directory it is in as written, for
/// reading its files whole (the index's own view strips their footers).
type Part = (usize, Index, Box<dyn Directory>);

type Worker = (
    SyncSender<Message>,
    JoinHandle<Result<Vec<Part>, SearchError>>,
);

/// Sections handed out to indexing threads, a part at a time.
pub(crate) struct Parts {
    location: Location,
    workers: Vec<Worker>,
    part_docs: usize,
    /// The part being filled and its sections so far.
    part: usize,
    docs_in_part: usize,
    docs: usize,
}

impl Parts {
    /// Parts of `part_docs` sections (see [`PART_DOCS`]) indexed by `threads` threads
    /// (at least one), each making its writers with `builder`.
    pub(crate) fn new(
        location: Location,
        threads: usize,
        part_docs: usize,
        builder: impl Fn() -> IndexBuilder + Send + Clone + 'static,
    ) -> Result<Parts, SearchError> {
        let workers = (0..threads.max(1))
            .map(|n| {
                let (send, receive) = sync_channel(QUEUE);
                let (location, builder) = (location.clone(), builder.clone());
                std::thread::Builder::new()
                    .name(format!("kb-index-{n}"))
                    .spawn(move || index_parts(receive, &location, &builder))
                    .map(|handle| (send, handle))
                    .map_err(|e| SearchError::Index(e.into()))
            })
            .collect::<Result<_, _>>()?;
        Ok(Parts {
            location,
            workers,
            part_docs: part_docs.max(1),
            part: 0,
            docs_in_part: 0,
            docs: 0,
        })
    }

    /// Indexes the next section.
    pub(crate) fn add(&mut self, doc: TantivyDocument) -> Result<(), SearchError> {
        if self.docs == 0 || self.docs_in_part == self.part_docs {
            if self.docs > 0 {
                self.part += 1;
            }
            self.docs_in_part = 0;
            self.send(Message::Part(self.part))?;
        }
        self.send(Message::Doc(doc))?;
        self.docs_in_part += 1;
        self.docs += 1;
        if self.docs_in_part == self.part_docs {
            self.send(Message::End)?;
        }
        Ok(())
    }

    fn send(&mut self, message: Message) -> Result<(), SearchError> {
        let n = self.part % self.workers.len();
        if self.workers[n].0.send(message).is_ok() {
            return Ok(());
        }
        // The thread stopped: it failed, and says why when joined.
        let (_, handle) = self.workers.swap_remove(n);
        Err(join(handle)
            .err()
            .unwrap_or_else(|| stopped("an indexing thread stopped early")))
    }

    /// Waits for every part and merges them, in order, into one segment (an index of no
    /// section is one empty part): the index and the directory it is in as written.
    pub(crate) fn finish(mut self) -> Result<(Index, Box<dyn Directory>), SearchError> {
        if self.docs == 0 {
            self.send(Message::Part(0))?;
        }
        let Parts {
            location, workers, ..
        } = self;
        let mut parts = Vec::new();
        let mut first_error = None;
        for (send, handle) in workers {
            drop(send);
            match join(handle) {
                Ok(mut done) => parts.append(&mut done),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        if let Some(e) = first_error {
            return Err(e);
        }
        parts.sort_by_key(|(n, _, _)| *n);
        if parts.len() < 2 {
            let (_, index, directory) =
                parts.pop().ok_or_else(|| stopped("no part was indexed"))?;
            return Ok((index, directory));
        }
        let indexes: Vec<Index> = parts.into_iter().map(|(_, index, _)| index).collect();
        let merged = location.directory("merged")?;
        let directory = merged.box_clone();
        Ok((
            tantivy::indexer::merge_indices(&indexes, merged)?,
            directory,
        ))
    }

    /// Parts begun so far.
    pub(crate) fn count(&self) -> usize {
        match self.docs {
            0 => 0,
            _ => self.part + 1,
        }
    }
}

/// One indexing thread: writes each part it is sent into a segment of its own.
fn index_parts(
    receive: Receiver<Message>,
    location: &Location,
    builder: &dyn Fn() -> IndexBuilder,
) -> Result<Vec<Part>, SearchError> {
    type Writing = (
        usize,
        SingleSegmentIndexWriter<TantivyDocument>,
        Box<dyn Directory>,
    );
    let mut done = Vec::new();
    let mut current: Option<Writing> = None;
    // Writes the part being filled, if any, into its segment.
    let close = |current: &mut Option<Writing>, done: &mut Vec<Part>| {
        if let Some((n, writer, directory)) = current.take() {
            done.push((n, writer.finalize()?, directory));
        }
        Ok::<(), SearchError>(())
    };
    for message in receive {
        match message {
            Message::Part(n) => {
                close(&mut current, &mut done)?;
                let directory = location.directory(&format!("part-{n}"))?;
                let raw = directory.box_clone();
                let writer = builder().single_segment_index_writer(directory, WRITER_MEMORY)?;
                current = Some((n, writer, raw));
            }
            Message::Doc(doc) => match current.as_mut() {
                Some((_, writer, _)) => writer.add_document(doc)?,
                None => return Err(stopped("a section came before its part")),
            },
            Message::End => close(&mut current, &mut done)?,
        }
    }
    close(&mut current, &mut done)?;
    Ok(done)
}

fn join(handle: JoinHandle<Result<Vec<Part>, SearchError>>) -> Result<Vec<Part>, SearchError> {
    handle
        .join()
        .unwrap_or_else(|_| Err(stopped("an indexing thread panicked")))
}

fn stopped(why: &str) -> SearchError {
    SearchError::Index(tantivy::TantivyError::InternalError(why.to_string()))
}
