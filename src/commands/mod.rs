//! The commands: each turns parsed arguments into settings, runs the library, and reports.

pub(crate) mod build;
pub(crate) mod check;
pub(crate) mod init;
pub(crate) mod mcp;
pub(crate) mod search;
pub(crate) mod serve;

use std::io::IsTerminal;

use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::diagnostic::Diagnostic;
use crate::diagnostics::Diagnostics;
use crate::failure::Failure;
use crate::trust::{self, Trust};

/// How much to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

/// Runs the command line. `Ok` with the exit code when the command ran to its end and
/// reported (1 when it found problems it printed itself, as `kb check` does); `Err` for a
/// failure `main` reports.
fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let verbosity = if cli.quiet {
        Verbosity::Quiet
    } else if cli.verbose {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    };
    let trust = Trust::decide(cli.untrusted, std::env::var_os(trust::ENV_VAR).as_deref());
    match cli.command {
        Command::Build(args) => build::run(args, verbosity, trust),
        Command::Init(args) => init::run(&args),
        Command::Search(args) => search::run(args, verbosity),
        Command::Check(args) => check::run(args, verbosity, trust),
        Command::Serve(args) => serve::run(args, verbosity, trust),
        Command::Mcp(args) => mcp::run(args, verbosity, trust),
    }
}

/// Runs the command line and reports a failure with its causes: the process's exit code.
pub fn main(cli: Cli) -> ExitCode {
    match run(cli) {
        Ok(code) => code,
        Err(Failure::Diagnostics(diagnostics)) => {
            print_diagnostics(&diagnostics);
            eprintln!("error: stopped with {}", diagnostics.summary());
            ExitCode::FAILURE
        }
        Err(Failure::Other(error)) => {
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

/// Whether stderr shows colour: a terminal, and `NO_COLOR` unset.
pub(crate) fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Prints diagnostics to stderr, in colour on a terminal.
/// `found` with the configuration's warnings added, so a run shows and counts them once.
pub(crate) fn with_config_warnings(config: &[Diagnostic], found: Diagnostics) -> Diagnostics {
    let mut all = config.to_vec();
    all.extend(found.into_vec());
    Diagnostics::new(all)
}

pub(crate) fn print_diagnostics(diagnostics: &Diagnostics) {
    eprint!("{}", diagnostics.render(stderr_color()));
}
