//! mdBook preprocessor plugins: the `[preprocessor.NAME]` tables of `book.toml` run as
//! mdBook runs them, between loading and the Markdown pass.
//!
//! The protocol (mdBook's "Preprocessors" chapter): for each plugin in [`order`], kb asks
//! `CMD supports html` (exit status 0: yes; a `renderers` list without `html` skips the
//! question and the plugin), then writes `[context, book]` as JSON to its standard input
//! and reads the book back from its standard output. The context carries `root`, `config`
//! (book.toml as JSON), `renderer: "html"` and `mdbook_version` ([`MDBOOK_VERSION`]). The
//! book is written in both of mdBook's formats at once (see [`book`]). Changed chapter
//! content replaces the page's Markdown before it is rendered.
//!
//! Only books with a plugin table pay for the JSON. Running a plugin runs code the book
//! names, so untrusted mode ([`Trust`]) turns it off: each plugin is then one warning.

mod book;
mod command;
pub(crate) mod config;
mod order;
#[cfg(test)]
mod tests;

use std::path::Path;

use serde_json::{json, Value};

use crate::config::Settings;
use crate::content::Site;
use crate::diagnostic::Diagnostic;
use crate::trust::Trust;
use command::Failure;
use config::Preprocessor;

/// The mdBook version the context names. Plugins compare it with the mdBook they were
/// built with; the ones tested (admonish 1.20, built on 0.4; mermaid 0.17, on 0.5) accept
/// any and at most warn on their standard error, which kb does not show when they succeed.
pub(crate) const MDBOOK_VERSION: &str = "0.4.52";

/// The renderer kb is, in mdBook's terms.
const RENDERER: &str = "html";

/// Runs the book's plugins over `site`: the warnings, or the first error. Untrusted, no
/// plugin runs and each is one warning.
pub(crate) fn run(
    settings: &Settings,
    trust: Trust,
    site: &mut Site,
) -> Result<Vec<Diagnostic>, Diagnostic> {
    let plugins = &settings.preprocessors;
    if plugins.is_empty() {
        return Ok(Vec::new());
    }
    if !trust.runs_code() {
        return Ok(plugins
            .iter()
            .map(|p| {
                Diagnostic::warning(
                    p.location.clone(),
                    format!(
                        "the `{}` preprocessor was not run: untrusted mode runs no program the book names",
                        p.name
                    ),
                )
                .with_help("its pages are rendered without it; build without --untrusted (and KB_UNTRUSTED unset) to run it")
            })
            .collect());
    }
    let (order, mut warnings) = order::run_order(plugins)?;
    let context = json!({
        "root": absolute(&settings.root),
        "config": book_toml(settings),
        "renderer": RENDERER,
        "mdbook_version": MDBOOK_VERSION,
    });
    let mut current = book::book_of(site);
    let mut changed = false;
    for plugin in order {
        let ran = match wanted(plugin, &settings.root, &mut warnings)? {
            Some(false) => continue,
            Some(true) => run_one(plugin, &settings.root, &context, &current)?,
            None => None,
        };
        match ran {
            Some(book) => {
                current = book;
                changed = true;
            }
            None => warnings.push(not_installed(plugin)),
        }
    }
    if changed {
        let items = book::chapters_of(&current).cloned().unwrap_or_default();
        for name in book::apply(site, &items) {
            warnings.push(
                Diagnostic::file_error(
                    crate::diagnostic::shown_path(&settings.root.join(crate::config::CONFIG_FILE)),
                    format!("a preprocessor added the chapter `{name}`, which kb does not render"),
                )
                .with_help("kb renders the chapters of SUMMARY.md; add it there to have it"),
            );
        }
    }
    Ok(warnings)
}

/// Whether the plugin runs for kb's renderer: its `renderers` list, else its answer to
/// `supports html`, as mdBook decides. A "no" that came with an error message is a
/// warning with that message (mdBook prints it too): such a plugin usually could not start.
fn wanted(
    plugin: &Preprocessor,
    root: &Path,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Option<bool>, Diagnostic> {
    if let Some(renderers) = &plugin.renderers {
        return Ok(Some(renderers.iter().any(|r| r == RENDERER)));
    }
    match command::supports(&plugin.command, root, RENDERER) {
        Ok((yes, stderr)) => {
            if !yes && !stderr.is_empty() {
                warnings.push(said_no(plugin, &stderr));
            }
            Ok(Some(yes))
        }
        Err(Failure::NotFound(_)) if plugin.optional => Ok(None),
        Err(e) => Err(failed(plugin, e)),
    }
}

/// The warning for a plugin that answered `supports html` with "no" and an error message.
fn said_no(plugin: &Preprocessor, stderr: &str) -> Diagnostic {
    const SHOWN: usize = 5;
    let lines = || stderr.lines().filter(|l| !l.trim().is_empty());
    let mut shown: Vec<&str> = lines().take(SHOWN).collect();
    if lines().count() > SHOWN {
        shown.push("...");
    }
    Diagnostic::warning(
        plugin.location.clone(),
        format!(
            "the `{}` preprocessor was not run: `{} supports {RENDERER}` said no, printing:\n  {}",
            plugin.name,
            plugin.command,
            shown.join("\n  ")
        ),
    )
    .with_help("kb, like mdBook, runs a plugin only when `supports html` exits with 0; if it should run, fix what it printed")
}

/// The warning for an optional plugin that is not installed.
fn not_installed(plugin: &Preprocessor) -> Diagnostic {
    Diagnostic::warning(
        plugin.location.clone(),
        format!(
            "the optional `{}` preprocessor was not run: `{}` cannot be started",
            plugin.name, plugin.command
        ),
    )
    .with_help(format!(
        "install it ({}) to have its output",
        install_command(&plugin.name)
    ))
}

/// How a plugin is usually installed: its crate is `mdbook-<name>`, except for those a
/// crate of another name provides.
fn install_command(name: &str) -> String {
    match name {
        // Google's i18n helpers: `mdbook-gettext` and `mdbook-xgettext` in one crate.
        "gettext" | "xgettext" => "`cargo install mdbook-i18n-helpers`".to_string(),
        _ => format!("for most plugins `cargo install mdbook-{name}`"),
    }
}

/// Runs one plugin over `book`; the book it returns, in both formats again, or `None`
/// when the plugin is optional and not installed.
fn run_one(
    plugin: &Preprocessor,
    root: &Path,
    context: &Value,
    book: &Value,
) -> Result<Option<Value>, Diagnostic> {
    let input = serde_json::to_vec(&(context, book)).map_err(|e| {
        Diagnostic::error(
            plugin.location.clone(),
            format!("cannot write the book as JSON: {e}"),
        )
    })?;
    let output = match command::run(&plugin.command, root, &input) {
        Ok(output) => output,
        Err(Failure::NotFound(_)) if plugin.optional => return Ok(None),
        Err(e) => return Err(failed(plugin, e)),
    };
    let answer: Value = serde_json::from_slice(&output).map_err(|e| {
        Diagnostic::error(
            plugin.location.clone(),
            format!(
                "the `{}` preprocessor did not answer with a book: {e}",
                plugin.name
            ),
        )
        .with_help(
            "a preprocessor must write the book as JSON to its standard output and nothing else",
        )
    })?;
    let items = book::chapters_of(&answer).cloned().ok_or_else(|| {
        Diagnostic::error(
            plugin.location.clone(),
            format!(
                "the `{}` preprocessor answered JSON that is not a book (no `items` or `sections`)",
                plugin.name
            ),
        )
    })?;
    Ok(Some(book::with_both_keys(items)))
}

fn failed(plugin: &Preprocessor, failure: Failure) -> Diagnostic {
    let (message, help) = match failure {
        Failure::NotFound(e) => (
            format!("the `{}` preprocessor cannot be started: `{}`: {e}", plugin.name, plugin.command),
            format!(
                "install it ({}), set `command`, or add `optional = true` to [preprocessor.{}] to build without it",
                install_command(&plugin.name),
                plugin.name
            ),
        ),
        Failure::Failed(why) => (
            format!("the `{}` preprocessor failed: {why}", plugin.name),
            "fix what the plugin reports, or remove its table from book.toml".to_string(),
        ),
    };
    Diagnostic::error(plugin.location.clone(), message).with_help(help)
}

fn absolute(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .to_string_lossy()
        .into_owned()
}

/// `book.toml` as JSON, for the context's `config`, with the `MDBOOK_*` variables applied
/// as mdBook applies them before it runs its plugins (`MDBOOK_BOOK__LANGUAGE=ja` is how a
/// book's translation is built); an empty table without one.
fn book_toml(settings: &Settings) -> Value {
    let path = settings.root.join(crate::config::CONFIG_FILE);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    context_config(&path, &text, &crate::config::env::process_vars())
}

/// The context's `config` of the configuration `text` with the environment `vars`.
fn context_config(path: &std::path::Path, text: &str, vars: &[(String, String)]) -> Value {
    crate::config::env::table_with(path, text, vars)
        .map(mdbook_config)
        .and_then(|table| serde_json::to_value(table).ok())
        .unwrap_or_else(|| json!({}))
}

/// The keys of `book.toml` that mdBook 0.5's `Config` knows, by table (`None`: any key).
/// 0.5 refuses any other key (`deny_unknown_fields`), so a plugin built on it could not
/// read the context of a book with a `[kb]` table or a 0.4-era key such as
/// `book.multilingual`; 0.4 plugins ignore unknown keys, so the same subset suits both.
const MDBOOK_KEYS: &[(&str, Option<&[&str]>)] = &[
    (
        "book",
        Some(&[
            "title",
            "authors",
            "description",
            "src",
            "language",
            "text-direction",
        ]),
    ),
    (
        "build",
        Some(&[
            "build-dir",
            "create-missing",
            "use-default-preprocessors",
            "extra-watch-dirs",
        ]),
    ),
    ("rust", Some(&["edition"])),
    ("output", None),
    ("preprocessor", None),
];

/// `table` without the keys mdBook's `Config` does not know (see [`MDBOOK_KEYS`]).
fn mdbook_config(mut table: toml::Table) -> toml::Table {
    table.retain(|key, value| {
        let Some((_, known)) = MDBOOK_KEYS.iter().find(|(name, _)| *name == key) else {
            return false;
        };
        if let (Some(known), toml::Value::Table(inner)) = (known, value) {
            inner.retain(|k, _| known.contains(&k));
        }
        true
    });
    table
}
