//! kb's offline full-text search, shared by the native indexer (`kb build`, `kb serve`)
//! and the WebAssembly module that runs in the reader's browser, so both sides use one
//! schema, one tokenizer, one query language, one ranking and one excerpt builder.
//!
//! * [`build_index`] turns [`SectionDoc`]s into a deterministic blob (feature `writer`).
//! * [`SearchIndex::from_blob`] opens it; [`SearchIndex::search`] and
//!   [`SearchIndex::search_json`] answer queries.
//! * [`SearchIndex::from_head`] opens only the head of a paged blob (the browser);
//!   [`SearchIndex::answer`] answers or names the pages to load first.
//! * [`LiveIndex`] is the incremental index of `kb serve` (feature `writer`).
//! * [`site_files`] names and produces the generated files under `<site>/search/`.
//!
//! Pure: no file system, no clock, no threads on the read path.

mod blob;
mod collector;
mod directory;
#[cfg(feature = "writer")]
mod disk;
mod doc;
mod error;
mod excerpt;
mod index;
#[cfg(feature = "writer")]
mod live;
#[cfg(feature = "writer")]
mod mapped;
#[cfg(feature = "writer")]
mod page_doc;
mod paged;
mod pairs;
#[cfg(feature = "writer")]
mod parts;
#[cfg(feature = "writer")]
mod prefetch;
mod query;
mod results;
mod schema;
mod search;
mod settings;
mod site_files;
mod sparse;
pub mod tokenizer;
mod words;

#[cfg(feature = "writer")]
pub use blob::SharedBlob;
pub use blob::FORMAT_VERSION;
pub use doc::SectionDoc;
pub use error::SearchError;
#[cfg(feature = "writer")]
pub use index::{build_index, DocPreparer, IndexWriter, PreparedDoc};
pub use index::{Answer, SearchIndex};
#[cfg(feature = "writer")]
pub use live::{LiveIndex, LiveSnapshot};
pub use query::{MAX_CLAUSES, MAX_QUERY_BYTES};
pub use results::{AreaCount, ExcerptPart, SearchHit, SearchResults};
pub use settings::{QueryOptions, SearchSettings, MAX_LIMIT};
pub use site_files::{
    page_of_script, page_script, INDEX_FILE, INDEX_GLOBAL, INDEX_SCRIPT, PAGES_DIR, PAGE_CALLBACK,
    PREFETCH_FILE, SCRIPT_CHARSET, WASM_FILE, WASM_GLOBAL, WASM_SCRIPT,
};
#[cfg(feature = "writer")]
pub use site_files::{site_files, write_site_files, SiteFilesError};
