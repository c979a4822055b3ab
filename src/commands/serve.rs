//! `kb serve`: turns the command line into server options and runs the server.

use super::{Failure, Verbosity};
use crate::cli::ServeArgs;
use crate::serve::{self, ServeOptions};

pub fn run(args: ServeArgs, verbosity: Verbosity) -> Result<(), Failure> {
    serve::run(ServeOptions {
        root: args.site.root,
        bind: args.bind,
        port: args.port,
        open: args.open,
        drafts: args.site.drafts,
        verbosity,
    })
}
