//! `MDBOOK_*` environment variables: configuration set from the command line, as mdBook
//! defines it.
//!
//! The key is the variable's name without `MDBOOK_`, lower-cased, with `__` separating
//! tables and `_` becoming `-`: `MDBOOK_OUTPUT__HTML__SITE_URL` sets
//! `output.html.site-url`. The value is read as JSON, else as a TOML value, else taken as
//! a string. Like mdBook, only keys under `book`, `build`, `rust`, `output` and
//! `preprocessor` apply, so variables such as `MDBOOK_VERSION` that scripts set for
//! themselves change nothing. A variable naming a whole table (`MDBOOK_BOOK='{"title":
//! "T"}'`) replaces it.

use std::borrow::Cow;
use std::ops::Range;

use toml::de::{DeArray, DeTable, DeValue};
use toml::Spanned;

use super::origin::Origin;
use crate::diagnostic::Diagnostic;

/// The tables mdBook lets the environment set.
const TABLES: &[&str] = &["book", "build", "rust", "output", "preprocessor"];

/// One variable that applies.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Override {
    /// The variable's name, for diagnostics.
    pub variable: String,
    /// The dotted key it sets, split: `["output", "html", "site-url"]`.
    pub key: Vec<String>,
    /// A TOML document `v = <the value>`.
    document: String,
}

/// The variables among `vars` that apply, sorted by key so that a whole table
/// (`MDBOOK_BOOK`) is set before a key inside it (`MDBOOK_BOOK__TITLE`).
pub(crate) fn overrides(vars: &[(String, String)]) -> Vec<Override> {
    let mut found: Vec<Override> = vars
        .iter()
        .filter_map(|(name, value)| {
            let key = key_of(name)?;
            Some(Override {
                variable: name.clone(),
                key,
                document: document_of(value),
            })
        })
        .collect();
    found.sort_by(|a, b| a.key.cmp(&b.key).then(a.variable.cmp(&b.variable)));
    found
}

/// `MDBOOK_BOOK__TEXT_DIRECTION` to `["book", "text-direction"]`; `None` for other
/// variables and for keys outside mdBook's tables.
fn key_of(name: &str) -> Option<Vec<String>> {
    let rest = name.strip_prefix("MDBOOK_")?;
    let dotted = rest.to_lowercase().replace("__", ".").replace('_', "-");
    let key: Vec<String> = dotted.split('.').map(str::to_string).collect();
    (TABLES.contains(&key[0].as_str()) && key.iter().all(|part| !part.is_empty())).then_some(key)
}

/// The value as a one-key TOML document: JSON first (as mdBook), then a TOML value, then
/// the text as a string (also for JSON `null`, which TOML cannot hold).
fn document_of(value: &str) -> String {
    let parsed = serde_json::from_str::<serde_json::Value>(value)
        .ok()
        .and_then(|json| toml::Value::try_from(json).ok())
        .or_else(|| {
            toml::from_str::<toml::Table>(&format!("v = {value}"))
                .ok()
                .and_then(|mut table| table.remove("v"))
        })
        .unwrap_or_else(|| toml::Value::String(value.to_string()));
    let mut table = toml::Table::new();
    table.insert("v".to_string(), parsed);
    toml::to_string(&table).unwrap_or_default()
}

/// The configuration `text` (of the file `path`) as a plain TOML table with the
/// variables among `vars` applied, as mdBook hands it to its plugins; `None` when `text`
/// is not TOML. A variable whose value kb cannot read is left out here: loading the
/// configuration reports it.
pub(crate) fn table_with(
    path: &std::path::Path,
    text: &str,
    vars: &[(String, String)],
) -> Option<toml::Table> {
    use serde::Deserialize;
    let overrides = overrides(vars);
    let names = overrides.iter().map(|o| o.variable.clone()).collect();
    let origin = Origin::new(path, text, names);
    let mut doc = DeTable::parse(text).ok()?.into_inner();
    let _ = apply(&mut doc, &overrides, &origin);
    let span = 0..text.len();
    toml::Table::deserialize(toml::de::Deserializer::from(Spanned::new(span, doc))).ok()
}

/// The process's environment as `(name, value)` pairs, without the variables whose name
/// or value is not Unicode (those cannot be mdBook's).
pub(crate) fn process_vars() -> Vec<(String, String)> {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect()
}

/// Sets every override in `doc`, creating tables on the way and replacing what is in the
/// way, as mdBook does. Values get their variable's span (see [`Origin`]).
pub(crate) fn apply<'a>(
    doc: &mut DeTable<'a>,
    overrides: &'a [Override],
    origin: &Origin<'_>,
) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    for (index, item) in overrides.iter().enumerate() {
        let span = origin.variable_span(index);
        let value = DeTable::parse(&item.document)
            .ok()
            .and_then(|mut table| table.get_mut().remove("v"));
        let Some(value) = value else {
            errors.push(
                Diagnostic::error(
                    origin.location(span),
                    format!("{} has a value kb cannot read", item.variable),
                )
                .with_help("give a JSON or TOML value, or plain text for a string"),
            );
            continue;
        };
        set(doc, &item.key, respan(value.into_inner(), &span), &span);
    }
    errors
}

/// Puts `value` at `key` below `table`.
fn set<'a>(
    table: &mut DeTable<'a>,
    key: &'a [String],
    value: Spanned<DeValue<'a>>,
    span: &Range<usize>,
) {
    let Some((last, parents)) = key.split_last() else {
        return;
    };
    let mut table = table;
    for part in parents {
        let slot = table
            .entry(Spanned::new(span.clone(), Cow::Borrowed(part.as_str())))
            .or_insert_with(|| Spanned::new(span.clone(), DeValue::Table(DeTable::new())));
        if !slot.get_ref().is_table() {
            *slot = Spanned::new(span.clone(), DeValue::Table(DeTable::new()));
        }
        let DeValue::Table(inner) = slot.get_mut() else {
            return;
        };
        table = inner;
    }
    table.remove(last.as_str());
    table.insert(
        Spanned::new(span.clone(), Cow::Borrowed(last.as_str())),
        value,
    );
}

/// `value` with every span inside it set to `span`.
fn respan<'a>(value: DeValue<'a>, span: &Range<usize>) -> Spanned<DeValue<'a>> {
    let value = match value {
        DeValue::Table(table) => DeValue::Table(
            table
                .into_iter()
                .map(|(k, v)| {
                    (
                        Spanned::new(span.clone(), k.into_inner()),
                        respan(v.into_inner(), span),
                    )
                })
                .collect(),
        ),
        DeValue::Array(array) => DeValue::Array(
            array
                .into_iter()
                .map(|v| respan(v.into_inner(), span))
                .collect::<DeArray<'a>>(),
        ),
        other => other,
    };
    Spanned::new(span.clone(), value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn names_become_dotted_kebab_keys() {
        let cases = [
            ("MDBOOK_BOOK__TITLE", Some("book.title")),
            ("MDBOOK_book", Some("book")),
            ("MDBOOK_BOOK__TEXT_DIRECTION", Some("book.text-direction")),
            (
                "MDBOOK_OUTPUT__HTML__SITE_URL",
                Some("output.html.site-url"),
            ),
            (
                "MDBOOK_OUTPUT__HTML__SEARCH__LIMIT_RESULTS",
                Some("output.html.search.limit-results"),
            ),
            ("MDBOOK_PREPROCESSOR__LINKS", Some("preprocessor.links")),
            ("MDBOOK_VERSION", None),
            ("MDBOOK_KB__LAYOUT", None),
            ("MDBOOK_BOOK____TITLE", None),
            ("CARGO_HOME", None),
        ];
        for (name, expected) in cases {
            assert_eq!(
                key_of(name).map(|k| k.join(".")),
                expected.map(str::to_string),
                "{name}"
            );
        }
    }

    #[test]
    fn values_are_json_then_toml_then_text() {
        let cases = [
            ("\"quoted\"", "v = \"quoted\"\n"),
            ("plain text", "v = \"plain text\"\n"),
            ("42", "v = 42\n"),
            ("true", "v = true\n"),
            ("[\"a\", \"b\"]", "v = [\"a\", \"b\"]\n"),
            ("'single'", "v = \"single\"\n"),
            ("{ x = 1 }", "[v]\nx = 1\n"),
            ("null", "v = \"null\"\n"),
            ("/book/", "v = \"/book/\"\n"),
        ];
        for (value, expected) in cases {
            assert_eq!(document_of(value), expected, "{value}");
        }
    }

    #[test]
    fn whole_tables_come_before_their_keys() {
        let found = overrides(&vars(&[
            ("MDBOOK_BOOK__TITLE", "T"),
            ("MDBOOK_BOOK", "{\"title\": \"Whole\"}"),
            ("HOME", "/root"),
        ]));
        let keys: Vec<String> = found.iter().map(|o| o.key.join(".")).collect();
        assert_eq!(keys, ["book", "book.title"]);
    }

    #[test]
    fn apply_sets_nested_keys_and_replaces_what_is_in_the_way() {
        let text = "[book]\ntitle = \"File\"\n[output.html]\nsite-url = 3\n";
        let found = overrides(&vars(&[
            ("MDBOOK_BOOK__TITLE", "From env"),
            ("MDBOOK_OUTPUT__HTML__SITE_URL__X", "1"),
            ("MDBOOK_BUILD__BUILD_DIR", "out"),
        ]));
        let names = found.iter().map(|o| o.variable.clone()).collect();
        let origin = Origin::new(std::path::Path::new("book.toml"), text, names);
        let mut doc = DeTable::parse(text).unwrap().into_inner();
        assert!(apply(&mut doc, &found, &origin).is_empty());
        let book = doc["book"].get_ref().as_table().unwrap();
        assert_eq!(book["title"].get_ref().as_str(), Some("From env"));
        let location = origin.location(book["title"].span());
        assert_eq!(location.file, std::path::Path::new("MDBOOK_BOOK__TITLE"));
        let html = doc["output"].get_ref().as_table().unwrap()["html"]
            .get_ref()
            .as_table()
            .unwrap();
        assert!(html["site-url"].get_ref().is_table());
        let build = doc["build"].get_ref().as_table().unwrap();
        assert_eq!(build["build-dir"].get_ref().as_str(), Some("out"));
    }
}
