//! The `kb` binary: parse arguments, run, print errors, exit non-zero on failure.

use clap::Parser;

use kb::commands::{self, Failure};

fn main() {
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
        Ok(()) => {}
        Err(Failure::Diagnostics(diagnostics)) => {
            commands::print_diagnostics(&diagnostics);
            if !diagnostics.is_empty() {
                eprintln!("error: stopped with {}", commands::summary(&diagnostics));
            }
            std::process::exit(1);
        }
        Err(Failure::Other(error)) => {
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            std::process::exit(1);
        }
    }
}
