//! `kb build`: a one-shot build session writing into a staging folder, swapped in only
//! when everything succeeded.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;

use super::{print_diagnostics, with_config_warnings, Verbosity};
use crate::build::changes::Plan;
use crate::build::output::{check_destination, DirSink};
use crate::build::passes::destination;
use crate::build::progress::ProgressStyle;
use crate::build::session::{Mode, Session};
use crate::build::staging::Staging;
use crate::build::BuildOptions;
use crate::cli::BuildArgs;
use crate::config::Settings;
use crate::failure::Failure;
use crate::trust::Trust;

pub(crate) fn run(
    args: BuildArgs,
    verbosity: Verbosity,
    trust: Trust,
) -> Result<ExitCode, Failure> {
    let start = Instant::now();
    let loaded = Settings::load_with_warnings(&args.site.root)?;
    let settings = loaded.settings;
    let dest = destination(&settings, args.dest.clone());
    check_destination(&dest, &settings.root, &settings.content_dir)?;
    let staging = Staging::new(&dest)
        .with_context(|| format!("cannot create a staging folder beside {}", dest.display()))?;
    let sink = DirSink::new(&staging.dir);
    let options = BuildOptions {
        drafts: args.site.drafts,
        progress: ProgressStyle::for_stderr(verbosity == Verbosity::Quiet),
        trust,
    };
    if verbosity == Verbosity::Verbose {
        eprintln!("{}", options.trust.describe());
    }
    let mut session = Session::new(&args.site.root, settings, options, Mode::OneShot);
    let report = session
        .apply(Plan::default(), &sink)
        .map_err(|found| with_config_warnings(&loaded.warnings, found))?;
    let warnings = with_config_warnings(&loaded.warnings, report.warnings);
    if args.deny_warnings && !warnings.is_empty() {
        print_diagnostics(&warnings);
        eprintln!(
            "error: the build has warnings and --deny-warnings is set ({})",
            warnings.summary()
        );
        return Ok(ExitCode::FAILURE);
    }
    let mut timings = session.timings().clone();
    timings
        .time("swap", || staging.commit())
        .with_context(|| format!("cannot move the new site into {}", dest.display()))?;
    if verbosity != Verbosity::Quiet {
        print_diagnostics(&warnings);
        eprintln!(
            "Built {} pages ({} files) into {} in {:.2} s{}",
            report.pages,
            report.changed_files,
            dest.display(),
            start.elapsed().as_secs_f64(),
            if warnings.is_empty() {
                String::new()
            } else {
                format!(" with {}", warnings.summary())
            }
        );
    }
    if args.timings || verbosity == Verbosity::Verbose {
        eprint!("{}", timings.report());
    }
    Ok(ExitCode::SUCCESS)
}
