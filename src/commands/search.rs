//! `kb search`: queries the site's index from the terminal, rebuilding it first when the
//! content changed since it was written.

use std::io::IsTerminal;

use std::process::ExitCode;

use super::{print_diagnostics, Verbosity};
use crate::build::bodies::Bodies;
use crate::build::passes::{prepare, BuildOptions};
use crate::build::search::{self as site_search, INDEX_BLOB, STAMP_FILE};
use crate::build::timings::Timings;
use crate::cli::SearchArgs;
use crate::config::Settings;
use crate::failure::Failure;

pub(crate) fn run(args: SearchArgs, verbosity: Verbosity) -> Result<ExitCode, Failure> {
    let loaded = Settings::load_with_warnings(&args.site.root)?;
    if verbosity != Verbosity::Quiet {
        print_diagnostics(&crate::diagnostics::Diagnostics::new(loaded.warnings));
    }
    let settings = loaded.settings;
    let blob = fresh_index(&settings, args.site.drafts, verbosity)?;
    let index = kb_search::SearchIndex::from_blob(&blob).map_err(|e| {
        anyhow::anyhow!(
            "the search index in {} cannot be read: {e}",
            settings.search_index_dir.display()
        )
    })?;
    let results = index.search(
        &args.query,
        &query_options(&settings, args.limit, args.area),
    );
    if args.json {
        println!("{}", results.to_json());
        return Ok(ExitCode::SUCCESS);
    }
    print!(
        "{}",
        format_results(&results, std::io::stdout().is_terminal())
    );
    Ok(ExitCode::SUCCESS)
}

/// The index blob from `search-index/`, rebuilt from the content when missing or stale
/// (`kb mcp` answers its searches from it too, so both give the same hits).
pub(crate) fn fresh_index(
    settings: &Settings,
    drafts: bool,
    verbosity: Verbosity,
) -> Result<Vec<u8>, Failure> {
    let dir = &settings.search_index_dir;
    let stamp = site_search::input_stamp(settings, drafts);
    let saved = std::fs::read_to_string(dir.join(STAMP_FILE)).unwrap_or_default();
    if saved == stamp {
        if let Ok(blob) = std::fs::read(dir.join(INDEX_BLOB)) {
            return Ok(blob);
        }
    }
    if verbosity != Verbosity::Quiet {
        eprintln!(
            "Indexing {} (the index is missing or older than the content)…",
            settings.content_dir.display()
        );
    }
    let prepared = prepare(
        settings,
        &BuildOptions {
            drafts,
            ..BuildOptions::default()
        },
        Bodies::in_memory(),
        // Only the sections are indexed: the Markdown is not needed once rendered.
        true,
        &mut Timings::default(),
    )?;
    let blob = site_search::index_blob(settings, &prepared.site, &prepared.rendered)?;
    site_search::save_native(settings, &blob, &stamp)?;
    Ok(blob.to_vec())
}

/// The options of a query: `limit` results (default: `limit-results`), from `area` only.
pub(crate) fn query_options(
    settings: &Settings,
    limit: Option<usize>,
    area: Option<String>,
) -> kb_search::QueryOptions {
    kb_search::QueryOptions {
        limit: limit.unwrap_or(settings.search.limit_results),
        area,
    }
}

/// The line that names the words no page has with the others, and what was searched.
fn left_out(results: &kb_search::SearchResults) -> String {
    let quote = |words: &[String]| {
        let quoted: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
        quoted.join(", ")
    };
    let mut kept = results.query.clone();
    for word in &results.dropped {
        kept = kept.replacen(word.as_str(), "", 1);
    }
    format!(
        "No page has all the words: left out {}; showing results for `{}`.\n",
        quote(&results.dropped),
        kept.split_whitespace().collect::<Vec<_>>().join(" ")
    )
}

/// Ranked hits as text: title and section, URL, and an excerpt with matched words marked
/// (bold on a terminal, `[word]` elsewhere).
pub(crate) fn format_results(results: &kb_search::SearchResults, color: bool) -> String {
    let mut out = String::new();
    if !results.dropped.is_empty() && !results.hits.is_empty() {
        out.push_str(&left_out(results));
    }
    if results.hits.is_empty() {
        out.push_str(&format!("No results for “{}”.\n", results.query));
        if !results.suggestions.is_empty() {
            out.push_str(&format!("Try: {}\n", results.suggestions.join(", ")));
        }
        return out;
    }
    for (i, hit) in results.hits.iter().enumerate() {
        let title = if hit.heading.is_empty() {
            hit.page_title.clone()
        } else {
            format!("{} > {}", hit.page_title, hit.heading)
        };
        let area = if hit.area_title.is_empty() {
            String::new()
        } else {
            format!("  ({})", hit.area_title)
        };
        if color {
            out.push_str(&format!("{:>2}. \x1b[1m{title}\x1b[0m{area}\n", i + 1));
        } else {
            out.push_str(&format!("{:>2}. {title}{area}\n", i + 1));
        }
        out.push_str(&format!("    {}\n", hit.url));
        let mut excerpt = String::new();
        for part in &hit.excerpt {
            match (part.mark, color) {
                (true, true) => excerpt.push_str(&format!("\x1b[1;33m{}\x1b[0m", part.text)),
                (true, false) => excerpt.push_str(&format!("[{}]", part.text)),
                (false, _) => excerpt.push_str(&part.text),
            }
        }
        let excerpt = excerpt.split_whitespace().collect::<Vec<_>>().join(" ");
        if !excerpt.is_empty() {
            out.push_str(&format!("    {excerpt}\n"));
        }
    }
    let mut pages: Vec<&str> = results.hits.iter().map(|h| h.page_url.as_str()).collect();
    pages.dedup();
    if results.total > pages.len() {
        out.push_str(&format!(
            "{} of {} matching pages shown; use --limit for more.\n",
            pages.len(),
            results.total
        ));
    }
    if results.fuzzy {
        out.push_str("(no exact matches for every word; showing close spellings)\n");
    }
    out
}
