//! The commands: each turns parsed arguments into settings, runs the library, and reports.

pub mod build;
pub mod check;
pub mod search;
pub mod serve;

use std::io::IsTerminal;

use crate::cli::{Cli, Command};
use crate::diagnostic::Diagnostic;

/// How much to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// Problems in the user's site, already collected; printed as diagnostics.
    Diagnostics(Vec<Diagnostic>),
    /// Anything else (I/O, a port in use): printed with its causes.
    Other(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

impl From<Vec<Diagnostic>> for Failure {
    fn from(d: Vec<Diagnostic>) -> Self {
        Failure::Diagnostics(d)
    }
}

/// Runs the command line; the exit code is 0 on success, 1 on failure.
pub fn run(cli: Cli) -> Result<(), Failure> {
    let verbosity = if cli.quiet {
        Verbosity::Quiet
    } else if cli.verbose {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    };
    match cli.command {
        Command::Build(args) => build::run(args, verbosity),
        Command::Search(args) => search::run(args, verbosity),
        Command::Check(args) => check::run(args, verbosity),
        Command::Serve(args) => serve::run(args, verbosity),
    }
}

/// Prints diagnostics to stderr, in colour on a terminal, with a closing count.
pub fn print_diagnostics(diagnostics: &[Diagnostic]) {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    for d in diagnostics {
        let text = d.to_string();
        if color {
            let (code, word) = if d.is_error() {
                ("31", "error")
            } else {
                ("33", "warning")
            };
            eprintln!(
                "{}",
                text.replacen(
                    &format!(": {word}: "),
                    &format!(": \x1b[1;{code}m{word}\x1b[0m: "),
                    1
                )
            );
        } else {
            eprintln!("{text}");
        }
    }
}

/// "2 errors, 1 warning".
pub fn summary(diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}
