//! The `kb` binary: parse arguments, set up logging, run, and exit with the command's exit
//! code (the library prints what went wrong).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = kb::Cli::parse();
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
        // The sanitizer's parser reports markup it repairs (foster parenting) as warnings
        // meant for its developers, not for the author of the page.
        .filter_module("html5ever", log::LevelFilter::Error)
        .init();
    kb::run(cli)
}
