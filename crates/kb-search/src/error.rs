//! The one error type of kb search. Only index building and blob loading can fail;
//! searching never does (bad query syntax degrades to plain words).

use std::fmt;

/// Why an index could not be built or loaded.
#[derive(Debug)]
pub enum SearchError {
    /// tantivy refused an operation; the message says which.
    Index(tantivy::TantivyError),
    /// The blob is not a kb search index, or is truncated.
    CorruptBlob(String),
    /// The blob was written by another version of kb; rebuild the site.
    UnsupportedVersion {
        /// Version found in the blob.
        found: u32,
        /// Version this build reads.
        expected: u32,
    },
}

impl fmt::Display for SearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SearchError::Index(e) => write!(f, "search index error: {e}"),
            SearchError::CorruptBlob(why) => {
                write!(f, "search index blob is corrupt ({why}); rebuild the site")
            }
            SearchError::UnsupportedVersion { found, expected } => write!(
                f,
                "search index blob has format version {found}, this kb reads version {expected}; rebuild the site"
            ),
        }
    }
}

impl std::error::Error for SearchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SearchError::Index(e) => Some(e),
            _ => None,
        }
    }
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(e: tantivy::TantivyError) -> Self {
        SearchError::Index(e)
    }
}
