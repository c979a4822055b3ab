//! Search during `kb serve`: a live index, in files of a private temporary folder
//! ([`kb_search::LiveIndex`]), kept up to date on its own thread.
//!
//! Re-indexing is what makes other generators' rebuilds slow, so here it never delays a
//! reload: after each rebuild the indexer gets a snapshot of every page's packed sections
//! (cheap, they are shared with the session), replaces the pages whose sections changed,
//! unpacking only those, and removes the pages that are gone. Snapshots that arrive while
//! it works are folded into the newest one. It keeps the snapshot it indexed last, to tell
//! what changed: pointers to the session's own documents, no copy of them.
//!
//! Queries never wait: the indexer owns the index and, after each update, publishes a
//! read-only view of it ([`kb_search::LiveSnapshot`]) with one atomic pointer swap.
//! Queries answer from whichever view they loaded; none of them blocks another or the
//! indexer.

use std::collections::HashMap;
use std::sync::mpsc;
use std::sync::Arc;

use arc_swap::ArcSwapOption;

use crate::build::session::{PageDocs, PageUrl, SearchSnapshot as Snapshot};

/// The view the `/__kb/search` endpoint answers from; `None` until the index is built, or
/// when search is off.
pub(crate) type SharedIndex = Arc<ArcSwapOption<kb_search::LiveSnapshot>>;

/// Feeds snapshots to the indexing thread.
pub(crate) struct Indexer {
    sender: mpsc::Sender<Option<Snapshot>>,
}

impl Indexer {
    /// Starts the indexing thread, which updates `index`.
    pub(crate) fn start(index: SharedIndex) -> Indexer {
        let (sender, receiver) = mpsc::channel::<Option<Snapshot>>();
        std::thread::Builder::new()
            .name("kb-search-index".into())
            .spawn(move || {
                let mut live = None;
                let mut indexed: Vec<(PageUrl, PageDocs)> = Vec::new();
                let mut settings = None;
                while let Ok(mut next) = receiver.recv() {
                    // Only the newest snapshot matters.
                    while let Ok(newer) = receiver.try_recv() {
                        next = newer;
                    }
                    let anew = live.is_none();
                    apply(&mut live, &mut indexed, &mut settings, next);
                    index.store(live.as_ref().map(|l| Arc::new(l.snapshot())));
                    // A new index allocates and frees as it goes; an update, little.
                    if anew && live.is_some() {
                        crate::serve::memory::release_free_memory();
                    }
                }
            })
            .map(|_| ())
            .unwrap_or_else(|e| log::error!("cannot start the search indexer: {e}"));
        Indexer { sender }
    }

    /// Asks for the index to match `snapshot` (`None`: search is off).
    pub(crate) fn update(&self, snapshot: Option<Snapshot>) {
        // The thread is gone only if it panicked; search then answers "not ready".
        let _ = self.sender.send(snapshot);
    }
}

/// Brings the indexer's own index (`index`) up to `snapshot`.
fn apply(
    index: &mut Option<kb_search::LiveIndex>,
    indexed: &mut Vec<(PageUrl, PageDocs)>,
    settings: &mut Option<kb_search::SearchSettings>,
    snapshot: Option<Snapshot>,
) {
    let Some(snapshot) = snapshot else {
        *index = None;
        indexed.clear();
        return;
    };
    let result = match index
        .as_mut()
        .filter(|_| settings.as_ref() == Some(&snapshot.settings))
    {
        None => kb_search::LiveIndex::from_pages(
            snapshot.pages.iter().map(|(url, d)| (url, d.docs())),
            &snapshot.settings,
        )
        .map(|live| *index = Some(live)),
        Some(live) => update(live, indexed, &snapshot),
    };
    match result {
        Ok(()) => {
            *indexed = snapshot.pages;
            *settings = Some(snapshot.settings);
        }
        Err(e) => {
            log::error!("cannot update the search index: {e}");
            *index = None;
            indexed.clear();
            *settings = None;
        }
    }
}

fn update(
    live: &mut kb_search::LiveIndex,
    indexed: &[(PageUrl, PageDocs)],
    snapshot: &Snapshot,
) -> Result<(), kb_search::SearchError> {
    let changed = |old: &PageDocs, new: &PageDocs| !Arc::ptr_eq(old, new) && old != new;
    // After a body edit: the same pages in the same order, one page's sections new. At
    // 100,000 pages, walking both lists side by side costs a fraction of hashing them.
    let same_pages = indexed.len() == snapshot.pages.len()
        && indexed
            .iter()
            .zip(&snapshot.pages)
            .all(|((old, _), (new, _))| Arc::ptr_eq(old, new) || old == new);
    if same_pages {
        for ((_, old), (url, docs)) in indexed.iter().zip(&snapshot.pages) {
            if changed(old, docs) {
                live.replace_page(url, &docs.docs())?;
            }
        }
        return Ok(());
    }
    let current: std::collections::HashSet<&str> =
        snapshot.pages.iter().map(|(url, _)| url.as_ref()).collect();
    for (url, _) in indexed
        .iter()
        .filter(|(url, _)| !current.contains(url.as_ref()))
    {
        live.remove_page(url)?;
    }
    let before: HashMap<&str, &PageDocs> =
        indexed.iter().map(|(url, d)| (url.as_ref(), d)).collect();
    for (url, docs) in &snapshot.pages {
        if before
            .get(url.as_ref())
            .is_none_or(|old| changed(old, docs))
        {
            live.replace_page(url, &docs.docs())?;
        }
    }
    Ok(())
}
