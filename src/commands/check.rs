//! `kb check`: checks the site without writing it, compiler-style or as JSON.

use std::time::Duration;

use std::process::ExitCode;

use super::{print_diagnostics, with_config_warnings, Verbosity};
use crate::check::external::ExternalOptions;
use crate::check::site::{check_site, CheckOptions, CheckReport};
use crate::cli::{CheckArgs, CheckFormat, ExternalScope};
use crate::config::Settings;
use crate::failure::Failure;
use crate::trust::Trust;

pub(crate) fn run(
    args: CheckArgs,
    verbosity: Verbosity,
    trust: Trust,
) -> Result<ExitCode, Failure> {
    let external = match args.external {
        None => None,
        Some(ExternalScope::All) if trust == Trust::Untrusted => {
            return Err(Failure::Other(anyhow::anyhow!(
                "--external would request every link the content names, local and private \
                 addresses included, which untrusted mode (--untrusted or {}) turns off; \
                 pass --external=public to check links to public addresses only",
                crate::trust::ENV_VAR
            )))
        }
        Some(scope) => Some(ExternalOptions {
            timeout: Duration::from_secs(args.timeout),
            public_only: scope == ExternalScope::Public,
            ..ExternalOptions::default()
        }),
    };
    let loaded = Settings::load_with_warnings(&args.site.root)?;
    let settings = loaded.settings;
    let options = CheckOptions {
        drafts: args.site.drafts,
        trust,
        external,
    };
    if verbosity == Verbosity::Verbose {
        eprintln!("{}", options.trust.describe());
    }
    let mut report = check_site(&settings, &options);
    report.diagnostics = with_config_warnings(&loaded.warnings, report.diagnostics);
    let diagnostics = &report.diagnostics;
    let failed = diagnostics.has_errors() || (args.deny_warnings && !diagnostics.is_empty());
    match args.format {
        CheckFormat::Json => {
            let json = serde_json::to_string_pretty(&report.diagnostics)
                .map_err(|e| anyhow::anyhow!("cannot write JSON: {e}"))?;
            println!("{json}");
        }
        CheckFormat::Human => {
            print_diagnostics(diagnostics);
            if verbosity != Verbosity::Quiet {
                eprintln!("{}", summary_line(&report, trust));
            }
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// "Checked 127 pages, 155 Go blocks (85 type-checked with go vet, ...), 60 Go samples run
/// with go test (...), 48 data blocks: 0 errors, 0 warnings in 1.1 s". Go blocks that
/// could not be checked (no usable Go) are counted as unchecked; the warning that says
/// why is among the diagnostics. The go test part appears when the site runs tests.
fn summary_line(report: &CheckReport, trust: Trust) -> String {
    let go = &report.go;
    let unchecked = if go.unchecked > 0 {
        format!(", {} unchecked (no usable Go)", go.unchecked)
    } else {
        String::new()
    };
    let syntax_only_why = match trust {
        Trust::Trusted => "non-standard imports",
        Trust::Untrusted => "untrusted mode compiles nothing",
    };
    let mut line = format!(
        "Checked {} pages, {} Go blocks ({} type-checked with go vet, {} syntax and gofmt only ({syntax_only_why}), {} fragments, {} ignored{unchecked}; {} from cache)",
        report.pages,
        go.type_checked + go.syntax_only + go.fragments + go.ignored + go.unchecked,
        go.type_checked,
        go.syntax_only,
        go.fragments,
        go.ignored,
        go.cached,
    );
    if go.tests_passed + go.tests_failed + go.tests_skipped > 0 {
        line.push_str(&format!(
            ", {} Go samples run with go test ({} failed; {} from cache), {} not run (non-standard imports or no_run)",
            go.tests_passed + go.tests_failed,
            go.tests_failed,
            go.tests_cached,
            go.tests_skipped,
        ));
    }
    line.push_str(&format!(", {} data blocks", report.data_blocks));
    if report.external_links > 0 {
        line.push_str(&format!(", {} external links", report.external_links));
    }
    line.push_str(&format!(
        ": {} in {:.1} s",
        report.diagnostics.summary(),
        report.elapsed.as_secs_f64()
    ));
    line
}
