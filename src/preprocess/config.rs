//! `[preprocessor.NAME]` tables of `book.toml`: which mdBook plugins a book runs, read into
//! typed values with the table's position for diagnostics.
//!
//! The keys mdBook reads are typed here; any other key in a table is the plugin's own
//! setting (admonish's `assets_version`, `on_failure`) and reaches it through the context's
//! `config`, so tables are not closed to unknown keys.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::diagnostic::Location;
use crate::position::line_col;

/// A `[preprocessor.NAME]` table as written.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct RawPreprocessor {
    /// The command line; `mdbook-NAME` when absent.
    pub command: Option<String>,
    #[serde(default)]
    pub before: Vec<String>,
    #[serde(default)]
    pub after: Vec<String>,
    /// Renderers the plugin is for; absent: ask the plugin (`supports html`).
    pub renderers: Option<Vec<String>>,
    /// A missing command is a warning, not an error.
    #[serde(default)]
    pub optional: bool,
}

/// A plugin the book asks for, validated.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Preprocessor {
    pub name: String,
    pub command: String,
    pub before: Vec<String>,
    pub after: Vec<String>,
    pub renderers: Option<Vec<String>>,
    pub optional: bool,
    /// The table's header in `book.toml`.
    pub location: Location,
}

/// mdBook's own preprocessors: kb does their work while loading (`{{#include}}`, README
/// as `index`), so a table of that name configures no plugin.
pub(crate) const BUILT_IN: &[&str] = &["links", "index"];

/// The plugins of `tables` (mdBook's built-ins left out), in name order; `path` and `text`
/// are `book.toml`'s, for locations.
pub(crate) fn preprocessors(
    tables: BTreeMap<String, RawPreprocessor>,
    path: &Path,
    text: &str,
) -> Vec<Preprocessor> {
    tables
        .into_iter()
        .filter(|(name, _)| !BUILT_IN.contains(&name.as_str()))
        .map(|(name, raw)| Preprocessor {
            command: raw.command.unwrap_or_else(|| format!("mdbook-{name}")),
            location: table_location(path, text, &name),
            before: raw.before,
            after: raw.after,
            renderers: raw.renderers,
            optional: raw.optional,
            name,
        })
        .collect()
}

/// Where `[preprocessor.NAME]` is written (or, for a dotted or inline table, where
/// `preprocessor.NAME` first appears; else the file's start).
fn table_location(path: &Path, text: &str, name: &str) -> Location {
    let header = format!("[preprocessor.{name}]");
    let offset = text
        .find(&header)
        .or_else(|| text.find(&format!("preprocessor.{name}")))
        .or_else(|| text.find("[preprocessor]"))
        .unwrap_or(0);
    let (line, column) = line_col(text, offset);
    Location::new(path, line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_become_plugins_with_their_line() {
        let text = "[book]\ntitle = \"x\"\n\n[preprocessor.links]\n\n[preprocessor.admonish]\ncommand = \"mdbook-admonish\"\nassets_version = \"3.0.0\"\nafter = [\"links\"]\n\n[preprocessor.mermaid]\noptional = true\nrenderers = [\"html\"]\n";
        #[derive(Deserialize)]
        struct File {
            preprocessor: BTreeMap<String, RawPreprocessor>,
        }
        let file: File = toml::from_str(text).expect("valid TOML");
        let found = preprocessors(file.preprocessor, Path::new("book.toml"), text);
        assert_eq!(found.len(), 2, "links is built in: {found:?}");
        assert_eq!(found[0].name, "admonish");
        assert_eq!(found[0].after, ["links"]);
        assert_eq!(found[0].location.line, 6);
        assert_eq!(found[1].command, "mdbook-mermaid");
        assert!(found[1].optional);
        assert_eq!(
            found[1].renderers.as_deref(),
            Some(&["html".to_string()][..])
        );
        assert_eq!(found[1].location.line, 11);
    }
}
