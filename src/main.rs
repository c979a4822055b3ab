//! The `kb` binary: parse arguments, set up logging, run, print a failure with its causes,
//! and exit with the command's exit code.

use std::process::ExitCode;

use clap::Parser;

use kb::commands;
use kb::failure::Failure;

fn main() -> ExitCode {
    let cli = kb::cli::Cli::parse();
    let level = if cli.quiet {
        "error"
    } else if cli.verbose {
        "debug"
    } else {
        "info"
    };
    env_logger::Builder::from_env(env_logger::Env::new().filter_or("KB_LOG", level))
        .format_timestamp(None)
        .format_target(false)
        .init();
    match commands::run(cli) {
        Ok(code) => code,
        Err(Failure::Diagnostics(diagnostics)) => {
            commands::print_diagnostics(&diagnostics);
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
