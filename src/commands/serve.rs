//! `kb serve`: turns the command line into server options, runs the server, and prints
//! what it reports.

use std::io::Write as _;
use std::process::ExitCode;

use super::{print_diagnostics, Verbosity};
use crate::build::progress::ProgressStyle;
use crate::cli::ServeArgs;
use crate::config::Settings;
use crate::diagnostics::Diagnostics;
use crate::failure::Failure;
use crate::serve::{self, Event, ServeOptions};
use crate::trust::Trust;

pub(crate) fn run(
    args: ServeArgs,
    verbosity: Verbosity,
    trust: Trust,
) -> Result<ExitCode, Failure> {
    // The configuration's warnings once, before the first build; a reload of book.toml
    // while serving does not repeat them.
    let loaded = Settings::load_with_warnings(&args.site.root)?;
    if verbosity != Verbosity::Quiet {
        print_diagnostics(&Diagnostics::new(loaded.warnings));
    }
    let options = ServeOptions {
        root: args.site.root,
        bind: args.bind,
        port: args.port,
        open: args.open,
        drafts: args.site.drafts,
        allowed_hosts: args.allowed_hosts,
        trust,
        progress: ProgressStyle::for_stderr(verbosity == Verbosity::Quiet),
    };
    if verbosity == Verbosity::Verbose {
        eprintln!("{}", options.trust.describe());
    }
    serve::run(
        options,
        loaded.settings,
        Box::new(move |event| print(event, verbosity)),
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Prints one event of the server: errors always, the rest unless `-q`.
fn print(event: Event<'_>, verbosity: Verbosity) {
    let quiet = verbosity == Verbosity::Quiet;
    match event {
        Event::Exposed(address) => eprintln!(
            "warning: serving on {address}: other machines on the network can read the site (and drafts, with --drafts)"
        ),
        Event::Built { .. } | Event::Rebuilt { .. } | Event::Stopped if quiet => {}
        Event::Built {
            pages,
            elapsed,
            warnings,
        } => {
            print_diagnostics(warnings);
            eprintln!(
                "Built {pages} pages in {} ms",
                elapsed.as_millis()
            );
        }
        Event::Serving { title, url } => {
            println!("Serving {title} at {url}");
            let _ = std::io::stdout().flush();
        }
        Event::Rebuilt {
            elapsed,
            changed_files,
            new_warnings,
        } => {
            print_diagnostics(new_warnings);
            eprintln!(
                "Rebuilt in {} ms: {changed_files} file{} changed",
                elapsed.as_millis(),
                if changed_files == 1 { "" } else { "s" }
            );
        }
        Event::Failed { diagnostics, first } => {
            print_diagnostics(diagnostics);
            if first {
                eprintln!(
                    "error: the site has {}; serving what there is, fix the files and it rebuilds",
                    diagnostics.summary()
                );
            } else {
                eprintln!(
                    "error: the site has {}; still serving the last good version",
                    diagnostics.summary()
                );
            }
        }
        Event::Warning(why) => eprintln!("warning: {why}"),
        Event::Stopped => eprintln!("Stopped."),
    }
}
