//! mdBook's `book.toml` keys and what kb does with each.
//!
//! A book written for mdBook (0.4 or 0.5) must load unmodified, so every key mdBook
//! documents, and the 0.4-era ones public books still carry, is known here. Keys kb reads
//! stay in the document for the typed tables of [`super::raw`]; the others are taken out
//! before deserializing, each with one warning naming the key and where it is. Keys in
//! neither list stay too, so the typed tables reject them as typos.

use toml::de::{DeTable, DeValue};

use super::origin::Origin;
use crate::diagnostic::Diagnostic;

/// What kb does with one of mdBook's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Support {
    /// kb reads it; for a table, its listed keys are looked at one by one.
    Read,
    /// kb always behaves as `value` asks: that value is accepted silently, the other is
    /// ignored with a warning saying why; anything but a boolean is an error.
    Fixed { value: bool, why: &'static str },
    /// kb already does what the key (or table) asks: accepted silently.
    Honoured,
    /// kb does not use the key (or the whole table): one warning, with why.
    Ignored(&'static str),
}

/// One key of mdBook's, as a dotted path; `*` stands for any one name.
#[derive(Debug)]
pub(crate) struct MdBookKey {
    pub path: &'static str,
    pub support: Support,
}

const fn key(path: &'static str, support: Support) -> MdBookKey {
    MdBookKey { path, support }
}

const RUST: &str = "kb does not compile or run Rust samples";
const SMART: &str = "kb always turns quotes and dashes into typographic ones";
const PLAYGROUND: &str = "kb does not run Rust samples on the Rust Playground";
const LIVE_RELOAD: &str = "`kb serve` reloads pages by itself";
const THEME: &str =
    "kb's pages come from its own templates; see \"Moving an mdBook theme to kb\" in README.md";

use Support::{Fixed, Honoured, Ignored, Read};

/// Every key mdBook documents (0.5, with 0.4's), most specific first: the first match wins.
pub(crate) const MDBOOK_KEYS: &[MdBookKey] = &[
    key("book", Read),
    key("book.title", Read),
    key("book.authors", Read),
    key("book.description", Read),
    key("book.src", Read),
    key("book.language", Read),
    key("book.author", Ignored("mdBook's key is `authors`, a list: authors = [\"...\"]; mdBook 0.4 ignored `author` too")),
    key("book.multilingual", Ignored("kb builds one language per book (mdBook never used this key either)")),
    key("book.text-direction", Ignored("kb writes pages left to right")),
    key("build", Read),
    key("build.build-dir", Read),
    key("build.create-missing", Ignored("kb never writes into the source folder; a chapter whose file is missing is an empty page with a warning")),
    key("build.use-default-preprocessors", Ignored("kb always does the work of mdBook's default preprocessors itself: it expands {{#include}} and treats README.md as its folder's index")),
    key("build.extra-watch-dirs", Read),
    key("rust", Ignored(RUST)),
    key("output", Read),
    key("output.html", Read),
    key("output.html.theme", Ignored(THEME)),
    key("output.html.default-theme", Read),
    key("output.html.preferred-dark-theme", Read),
    key("output.html.smart-punctuation", Fixed { value: true, why: SMART }),
    key("output.html.curly-quotes", Fixed { value: true, why: SMART }),
    key("output.html.definition-lists", Fixed { value: true, why: "kb always renders definition lists" }),
    key("output.html.admonitions", Fixed { value: true, why: "kb always renders `> [!NOTE]` alerts as callouts" }),
    key("output.html.mathjax-support", Read),
    key("output.html.copy-fonts", Ignored("kb's theme brings its own fonts")),
    key("output.html.google-analytics", Ignored("add the analytics script with additional-js (mdBook 0.5 dropped this key too)")),
    key("output.html.additional-css", Read),
    key("output.html.additional-js", Read),
    key("output.html.fold", Read),
    key("output.html.fold.enable", Read),
    key("output.html.fold.level", Read),
    key("output.html.playground", Ignored(PLAYGROUND)),
    key("output.html.playpen", Ignored(PLAYGROUND)),
    key("output.html.code", Read),
    key("output.html.code.hidelines", Read),
    key("output.html.print", Read),
    key("output.html.print.enable", Read),
    key("output.html.print.page-break", Read),
    key("output.html.no-section-label", Read),
    key("output.html.search", Read),
    key("output.html.search.enable", Read),
    key("output.html.search.limit-results", Read),
    key("output.html.search.use-boolean-and", Read),
    key("output.html.search.synonyms", Read),
    key("output.html.search.boost-title", Read),
    key("output.html.search.boost-hierarchy", Read),
    key("output.html.search.boost-paragraph", Read),
    key("output.html.search.heading-split-level", Read),
    key("output.html.search.teaser-word-count", Ignored("kb's results show the words around each match")),
    key("output.html.search.expand", Fixed { value: true, why: "kb's search always matches the last word typed as a prefix" }),
    key("output.html.search.copy-js", Fixed { value: true, why: "kb always ships its search script" }),
    key("output.html.search.chapter", Ignored("kb indexes every chapter")),
    key("output.html.git-repository-url", Read),
    key("output.html.git-repository-icon", Ignored("kb's theme draws its own repository link")),
    key("output.html.edit-url-template", Read),
    key("output.html.input-404", Read),
    key("output.html.site-url", Read),
    key("output.html.cname", Ignored("kb does not write a CNAME file; add one to the published folder")),
    key("output.html.live-reload-endpoint", Ignored(LIVE_RELOAD)),
    key("output.html.livereload-url", Ignored(LIVE_RELOAD)),
    key("output.html.redirect", Read),
    key("output.html.hash-files", Fixed { value: true, why: "kb always puts a fingerprint in its stylesheet's and scripts' names" }),
    key("output.html.sidebar-header-nav", Ignored("kb's sidebar lists chapters, not the current page's headings")),
    key("output.linkcheck", Ignored("kb checks links itself: `kb build` and `kb check` report broken ones")),
    key("output.*", Ignored("kb renders HTML only and runs no other mdBook renderer")),
    key("preprocessor", Read),
    key("preprocessor.index", Honoured),
    key("preprocessor.links", Honoured),
    key("preprocessor.*", Read),
];

/// The top-level tables of `book.toml`: mdBook's and `[kb]`.
const TABLES: &[&str] = &["book", "build", "rust", "output", "preprocessor", "kb"];

/// What an unknown top-level table is. mdBook 0.4 kept tables it did not know for plugins
/// and forks (`[language.*]` of the translation fork), so books still carry them: kb
/// ignores them with a warning that suggests the nearest known name. A name one edit (or
/// one swap of neighbours) from a known table is a typo and stays for the typed tables to
/// reject.
fn unknown_table(name: &str) -> Option<(String, String)> {
    let nearest = TABLES
        .iter()
        .map(|known| (strsim::osa_distance(name, known), *known))
        .min()?;
    if nearest.0 <= 1 {
        return None;
    }
    let suggestion = if nearest.0 <= 3 || nearest.1.starts_with(name) {
        format!("; did you mean `{}`?", nearest.1)
    } else {
        String::new()
    };
    Some((
        format!("kb does not use `{name}`; ignored"),
        format!(
            "mdBook 0.4 kept tables it did not know for plugins (0.5 rejects them){suggestion}"
        ),
    ))
}

/// The entry for the key at `path`.
pub(crate) fn lookup(path: &[&str]) -> Option<&'static MdBookKey> {
    MDBOOK_KEYS.iter().find(|entry| {
        let pattern: Vec<&str> = entry.path.split('.').collect();
        pattern.len() == path.len()
            && pattern
                .iter()
                .zip(path)
                .all(|(want, got)| *want == "*" || want == got)
    })
}

/// What taking mdBook's keys out found.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    pub warnings: Vec<Diagnostic>,
    pub errors: Vec<Diagnostic>,
}

/// Takes every mdBook key kb does not read out of `table`, with a warning each (an error
/// for a [`Support::Fixed`] key that is not a boolean).
pub(crate) fn prune(table: &mut DeTable<'_>, origin: &Origin<'_>) -> Findings {
    let mut findings = Findings::default();
    prune_below(table, &mut Vec::new(), origin, &mut findings);
    findings
}

fn prune_below(
    table: &mut DeTable<'_>,
    path: &mut Vec<String>,
    origin: &Origin<'_>,
    findings: &mut Findings,
) {
    let keys: Vec<String> = table.keys().map(|k| k.get_ref().to_string()).collect();
    for name in keys {
        path.push(name.clone());
        let parts: Vec<&str> = path.iter().map(String::as_str).collect();
        let dotted = parts.join(".");
        let support = lookup(&parts).map(|entry| entry.support);
        let Some((key, value)) = table.get_key_value(name.as_str()) else {
            path.pop();
            continue;
        };
        let at = origin.location(key.span());
        let given = value.get_ref().as_bool();
        let type_name = match value.get_ref().type_str() {
            word @ ("integer" | "array") => format!("an {word}"),
            word => format!("a {word}"),
        };
        let is_table = value.get_ref().is_table();
        let remove = match support {
            None if path.len() == 1 && is_table => match unknown_table(&name) {
                Some((message, help)) => {
                    findings
                        .warnings
                        .push(Diagnostic::warning(at, message).with_help(help));
                    true
                }
                None => false,
            },
            None => false,
            Some(Read) if !is_table => false,
            Some(Read) => {
                if let Some(DeValue::Table(inner)) =
                    table.get_mut(name.as_str()).map(|v| v.get_mut())
                {
                    prune_below(inner, path, origin, findings);
                }
                false
            }
            Some(Fixed { value: wanted, why }) => {
                match given {
                    Some(given) if given == wanted => {}
                    Some(given) => findings.warnings.push(
                        Diagnostic::warning(
                            at,
                            format!("kb does not support `{dotted} = {given}`; ignored"),
                        )
                        .with_help(why),
                    ),
                    None => findings.errors.push(
                        Diagnostic::error(
                            at,
                            format!("`{dotted}` must be true or false, not {type_name}"),
                        )
                        .with_help(format!(
                            "write `{dotted} = {wanted}` (mdBook reads a boolean here too)"
                        )),
                    ),
                }
                true
            }
            Some(Honoured) => true,
            Some(Ignored(why)) => {
                findings.warnings.push(
                    Diagnostic::warning(at, format!("kb does not use `{dotted}`; ignored"))
                        .with_help(why),
                );
                true
            }
        };
        if remove {
            table.remove(name.as_str());
        }
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_prefers_the_specific_entry() {
        let found = |p: &str| lookup(&p.split('.').collect::<Vec<_>>()).map(|e| e.path);
        assert_eq!(found("output.linkcheck"), Some("output.linkcheck"));
        assert_eq!(found("output.epub"), Some("output.*"));
        assert_eq!(found("output.html"), Some("output.html"));
        assert_eq!(found("preprocessor.katex"), Some("preprocessor.*"));
        assert_eq!(found("preprocessor.katex.after"), None);
        assert_eq!(found("book.titel"), None);
        assert_eq!(found("kb"), None);
    }

    #[test]
    fn unknown_top_level_tables_warn_unless_they_look_like_a_typo() {
        assert_eq!(unknown_table("outptu"), None);
        assert_eq!(unknown_table("kbb"), None);
        assert_eq!(unknown_table("bok"), None);
        let (message, help) = unknown_table("preprocess").unwrap();
        assert_eq!(message, "kb does not use `preprocess`; ignored");
        assert!(help.ends_with("did you mean `preprocessor`?"), "{help}");
        let (_, help) = unknown_table("language").unwrap();
        assert!(!help.contains("did you mean"), "{help}");
    }

    #[test]
    fn paths_are_unique_and_specific_ones_come_before_wildcards() {
        for (i, entry) in MDBOOK_KEYS.iter().enumerate() {
            for later in &MDBOOK_KEYS[i + 1..] {
                assert_ne!(entry.path, later.path);
            }
            let parts: Vec<&str> = entry.path.split('.').collect();
            assert_eq!(lookup(&parts).map(|e| e.path), Some(entry.path));
        }
    }
}
