//! `kb mcp`: serves the site to a coding agent over the Model Context Protocol on stdin and
//! stdout; everything it prints for people goes to stderr.

use std::process::ExitCode;

use super::{print_diagnostics, Verbosity};
use crate::cli::McpArgs;
use crate::config::Settings;
use crate::diagnostics::Diagnostics;
use crate::failure::Failure;
use crate::mcp::{self, McpOptions};
use crate::trust::Trust;

pub(crate) fn run(args: McpArgs, verbosity: Verbosity, trust: Trust) -> Result<ExitCode, Failure> {
    let loaded = Settings::load_with_warnings(&args.site.root)?;
    if verbosity != Verbosity::Quiet {
        print_diagnostics(&Diagnostics::new(loaded.warnings));
    }
    let options = McpOptions {
        root: args.site.root,
        drafts: args.site.drafts,
        trust,
    };
    mcp::run(options, loaded.settings)?;
    Ok(ExitCode::SUCCESS)
}
