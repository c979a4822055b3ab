//! `kb build`: builds into a staging folder and swaps it in only when everything succeeded.

use std::io::IsTerminal;
use std::time::Instant;

use anyhow::Context as _;

use super::{print_diagnostics, summary, Failure, Verbosity};
use crate::build::output::{check_destination, DirSink, Staging};
use crate::build::timings::Timings;
use crate::build::{self, BuildOptions};
use crate::cli::BuildArgs;
use crate::config::Settings;

pub fn run(args: BuildArgs, verbosity: Verbosity) -> Result<(), Failure> {
    let start = Instant::now();
    let settings = Settings::load(&args.site.root)?;
    let dest = build::destination(&settings, args.dest.clone());
    check_destination(&dest, &settings.root, &settings.content_dir).map_err(|d| vec![d])?;
    let staging = Staging::new(&dest)
        .with_context(|| format!("cannot create a staging folder beside {}", dest.display()))?;
    let sink = DirSink::new(&staging.dir);
    let options = BuildOptions {
        drafts: args.site.drafts,
        progress: verbosity != Verbosity::Quiet && std::io::stderr().is_terminal(),
    };
    let mut timings = Timings::default();
    let report = build::build(&settings, &options, &sink, &mut timings)?;
    if args.deny_warnings && !report.warnings.is_empty() {
        print_diagnostics(&report.warnings);
        eprintln!(
            "error: the build has warnings and --deny-warnings is set ({})",
            summary(&report.warnings)
        );
        return Err(Failure::Diagnostics(Vec::new()));
    }
    timings
        .time("swap", || staging.commit())
        .with_context(|| format!("cannot move the new site into {}", dest.display()))?;
    if verbosity != Verbosity::Quiet {
        print_diagnostics(&report.warnings);
        eprintln!(
            "Built {} pages ({} files) into {} in {:.2} s{}",
            report.pages,
            report.files,
            dest.display(),
            start.elapsed().as_secs_f64(),
            if report.warnings.is_empty() {
                String::new()
            } else {
                format!(" with {}", summary(&report.warnings))
            }
        );
    }
    if args.timings || verbosity == Verbosity::Verbose {
        eprint!("{}", timings.report());
    }
    Ok(())
}
