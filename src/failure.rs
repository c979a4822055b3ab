//! Why a command failed: problems in the user's site, reported as diagnostics, or anything
//! else (I/O, a port in use), reported with its causes.

use crate::diagnostic::Diagnostic;
use crate::diagnostics::Diagnostics;

/// Why a command failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Problems in the user's site, collected; printed as diagnostics.
    Diagnostics(Diagnostics),
    /// Anything else: printed with its causes.
    Other(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

impl From<Diagnostics> for Failure {
    fn from(d: Diagnostics) -> Self {
        Failure::Diagnostics(d)
    }
}

impl From<Vec<Diagnostic>> for Failure {
    fn from(d: Vec<Diagnostic>) -> Self {
        Failure::Diagnostics(d.into())
    }
}

impl From<Diagnostic> for Failure {
    fn from(d: Diagnostic) -> Self {
        Failure::Diagnostics(d.into())
    }
}
