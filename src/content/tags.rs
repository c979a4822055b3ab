//! Tags: the site's tag vocabulary (one allowed tag a line) and slugs for tag pages.

use std::collections::BTreeSet;
use std::path::Path;

/// The allowed tags, read from the vocabulary file; `None` when the site has none.
pub(crate) fn read_vocabulary(
    path: &Path,
) -> Result<Option<BTreeSet<String>>, crate::text_file::TextError> {
    match crate::text_file::read(path) {
        Ok(text) => Ok(Some(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_string)
                .collect(),
        )),
        Err(crate::text_file::TextError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// URL segment of a tag's page (`tags/<slug>/`).
pub(crate) fn tag_slug(tag: &str) -> String {
    crate::slug::slugify(tag)
}
