//! Why Go samples could not be checked: the toolchain is unusable ([`GoUnavailable`]), or
//! one of the Go tools could not be run ([`ToolFailure`]).
//!
//! Neither is a problem in the page, so neither becomes an error diagnostic: the
//! orchestration turns them into one warning that says why and what to do, so that
//! `kb check --deny-warnings` fails when the samples went unchecked.

use std::io;
use std::path::PathBuf;

use super::toolchain::{MIN_GO, PINNED_GO_INSTALL};

/// Why the Go toolchain cannot check any sample.
#[derive(Debug, thiserror::Error)]
pub(crate) enum GoUnavailable {
    #[error("no `go` on PATH")]
    NotFound,
    #[error("cannot run `go`: {0}")]
    CannotRun(#[source] io::Error),
    /// `go version` or `go env` failed, or printed something that is not what Go prints.
    #[error("`{command}` {problem}")]
    Probe {
        command: &'static str,
        problem: String,
    },
    #[error("`go` on PATH is {found}, but kb needs Go {}.{} or later", MIN_GO.0, MIN_GO.1)]
    TooOld { found: String },
    #[error("cannot create the cache directory {}: {error}", path.display())]
    CacheDir {
        path: PathBuf,
        #[source]
        error: io::Error,
    },
}

impl GoUnavailable {
    /// What the user can do about it.
    pub(crate) fn help(&self) -> String {
        match self {
            GoUnavailable::CacheDir { path, .. } => format!(
                "make {} writable, or run kb check from a directory you can write to",
                path.display()
            ),
            _ => format!(
                "install the pinned Go with `{PINNED_GO_INSTALL}` (or put Go {}.{} or later first on PATH), then run kb check again",
                MIN_GO.0, MIN_GO.1
            ),
        }
    }
}

/// A Go tool (`gofmt`, `go list`, `go vet`) that could not be run, or failed without
/// saying where in a sample.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ToolFailure {
    #[error("cannot run {program}: {error}")]
    Run {
        program: String,
        #[source]
        error: io::Error,
    },
    #[error("cannot write the sample to {program}: {error}")]
    Input {
        program: String,
        #[source]
        error: io::Error,
    },
    #[error("cannot write {}: {error}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        error: io::Error,
    },
    #[error("cannot read `go list` output: {0}")]
    ListOutput(#[source] serde_json::Error),
    #[error("{program} failed: {stderr}")]
    Failed { program: String, stderr: String },
}
