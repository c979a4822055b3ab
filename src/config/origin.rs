//! Where a configuration value came from: a position in `book.toml`, or an `MDBOOK_*`
//! environment variable.
//!
//! The TOML parser gives every key and value a byte span in the file. Values set from the
//! environment get spans past the end of the file, one per variable, so one span type
//! locates both and the deserializer's errors point at the right source.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use toml::de::{DeTable, DeValue};

use crate::diagnostic::{Diagnostic, Location};
use crate::position::line_col;

/// The sources of one configuration: the file's text and the variables applied over it.
pub(crate) struct Origin<'a> {
    path: &'a Path,
    text: &'a str,
    /// Names of the `MDBOOK_*` variables, in the order their spans were given out.
    variables: Vec<String>,
}

impl<'a> Origin<'a> {
    pub(crate) fn new(path: &'a Path, text: &'a str, variables: Vec<String>) -> Self {
        Origin {
            path,
            text,
            variables,
        }
    }

    /// The configuration file, as shown in diagnostics.
    pub(crate) fn path(&self) -> &'a Path {
        self.path
    }

    /// The configuration file's text.
    pub(crate) fn text(&self) -> &'a str {
        self.text
    }

    /// The span standing for the `index`th environment variable.
    pub(crate) fn variable_span(&self, index: usize) -> Range<usize> {
        let start = self.text.len() + 1 + index;
        start..start + 1
    }

    /// Where `span` is: a line and column of the file, or the variable (line 0, which
    /// [`tidy`] turns into "no line").
    pub(crate) fn location(&self, span: Range<usize>) -> Location {
        match span.start.checked_sub(self.text.len() + 1) {
            Some(index) => Location::new(
                self.variables
                    .get(index)
                    .map(String::as_str)
                    .unwrap_or("MDBOOK_*"),
                0,
                0,
            ),
            None => {
                let (line, column) = line_col(self.text, span.start);
                Location::new(self.path, line, column)
            }
        }
    }

    /// The start of the file, for problems with no better place.
    pub(crate) fn start(&self) -> Location {
        Location::new(self.path, 1, 1)
    }
}

/// A diagnostic about an environment variable has no line or column.
pub(crate) fn tidy(mut diagnostic: Diagnostic) -> Diagnostic {
    if diagnostic.line == Some(0) {
        diagnostic.line = None;
        diagnostic.column = None;
    }
    diagnostic
}

/// The span of every key in the document by its dotted path (`output.html.site-url`), so
/// a check made after deserializing can point at the key it is about.
#[derive(Debug, Default)]
pub(crate) struct KeySpans(BTreeMap<String, Range<usize>>);

impl KeySpans {
    pub(crate) fn of(table: &DeTable<'_>) -> KeySpans {
        let mut spans = KeySpans::default();
        spans.add(table, "");
        spans
    }

    fn add(&mut self, table: &DeTable<'_>, prefix: &str) {
        for (key, value) in table.iter() {
            let path = format!("{prefix}{}", key.get_ref());
            if let DeValue::Table(inner) = value.get_ref() {
                self.add(inner, &format!("{path}."));
            }
            self.0.insert(path, key.span());
        }
    }

    /// Where the key `path` is written; the file's start when it is not.
    pub(crate) fn at(&self, origin: &Origin<'_>, path: &str) -> Location {
        self.0
            .get(path)
            .map_or_else(|| origin.start(), |span| origin.location(span.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_past_the_text_name_their_variable() {
        let text = "[book]\ntitle = \"x\"\n";
        let origin = Origin::new(Path::new("book.toml"), text, vec!["MDBOOK_BOOK".into()]);
        let location = origin.location(origin.variable_span(0));
        assert_eq!(location.file, Path::new("MDBOOK_BOOK"));
        assert_eq!(location.line, 0);
        let location = origin.location(15..18);
        assert_eq!((location.line, location.column), (2, 9));
    }

    #[test]
    fn key_spans_locate_nested_keys() {
        let text = "[output.html]\nsite-url = \"/b/\"\n";
        let doc = DeTable::parse(text).unwrap();
        let origin = Origin::new(Path::new("book.toml"), text, Vec::new());
        let spans = KeySpans::of(doc.get_ref());
        let location = spans.at(&origin, "output.html.site-url");
        assert_eq!((location.line, location.column), (2, 1));
        assert_eq!(spans.at(&origin, "missing").line, 1);
    }
}
