//! One finished run of the `kb` binary, with chainable checks of its exit status and
//! output that print the whole output when they fail.

use std::ops::Deref;
use std::path::Path;
use std::process::{Command, Output};

use crate::site::KB;
use crate::snapshot;

/// What `kb` printed and how it exited. Derefs to [`Output`] for checks not covered here.
pub(crate) struct Run {
    output: Output,
    /// `kb` and its arguments, for failure messages.
    command: String,
    /// The folder `kb` ran in; replaced by `[ROOT]` in snapshots.
    cwd: std::path::PathBuf,
}

impl Run {
    /// Runs `kb <args>` in `cwd`, without colours.
    pub(crate) fn new(cwd: &Path, args: &[&str]) -> Run {
        Run::with_env(cwd, args, &[])
    }

    /// [`Run::new`] with environment variables set for `kb` (a `PATH` with plugins on it).
    pub(crate) fn with_env(cwd: &Path, args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> Run {
        let output = Command::new(KB)
            .args(args)
            .current_dir(cwd)
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
            .output()
            .expect("run kb");
        Run {
            output,
            command: format!("kb {}", args.join(" ")),
            cwd: cwd.to_path_buf(),
        }
    }

    /// Panics unless `kb` exited with status 0.
    #[track_caller]
    pub(crate) fn success(self) -> Run {
        assert!(
            self.output.status.success(),
            "{} failed:\n{}",
            self.command,
            self.stderr_text()
        );
        self
    }

    /// Panics unless `kb` exited with a status other than 0.
    #[track_caller]
    pub(crate) fn failure(self) -> Run {
        assert!(
            !self.output.status.success(),
            "{} succeeded, but should have failed:\n{}",
            self.command,
            self.stderr_text()
        );
        self
    }

    /// Panics unless `kb` exited with status `code`.
    #[track_caller]
    pub(crate) fn code(self, code: i32) -> Run {
        assert_eq!(
            self.output.status.code(),
            Some(code),
            "{}: exit code; stderr:\n{}",
            self.command,
            self.stderr_text()
        );
        self
    }

    /// Panics unless stderr contains `text`.
    #[track_caller]
    pub(crate) fn stderr_has(self, text: &str) -> Run {
        let stderr = self.stderr_text();
        assert!(
            stderr.contains(text),
            "{}: stderr lacks {text:?}:\n{stderr}",
            self.command
        );
        self
    }

    /// Compares stderr with the snapshot `tests/snapshots/<name>`; the folder `kb` ran in
    /// reads `[ROOT]` there.
    #[track_caller]
    pub(crate) fn stderr_matches(self, name: &str) -> Run {
        snapshot::assert_in(&self.cwd, name, self.stderr_text());
        self
    }

    /// Standard error as text.
    /// The exit code, `None` when a signal ended `kb`.
    pub(crate) fn status_code(&self) -> Option<i32> {
        self.output.status.code()
    }

    pub(crate) fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// Standard output as text.
    pub(crate) fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    /// The diagnostic lines of stderr (`file:line:col: error: ...` and warnings), without
    /// their help lines and the summary.
    pub(crate) fn diagnostics(&self) -> Vec<String> {
        self.stderr_text()
            .lines()
            .filter(|l| l.contains(": error: ") || l.contains(": warning: "))
            .map(str::to_string)
            .collect()
    }
}

impl Deref for Run {
    type Target = Output;

    fn deref(&self) -> &Output {
        &self.output
    }
}
