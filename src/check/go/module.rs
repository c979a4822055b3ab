//! The temporary module the Go tools run in: every sample written into its package's
//! directory of a fresh module under the cache directory, removed when done.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use super::error::ToolFailure;
use super::tool_output::package_dir;
use super::toolchain::Toolchain;
use super::Planned;

/// A module in a fresh directory under the cache directory, removed when dropped.
pub(crate) struct TempModule {
    pub(crate) dir: PathBuf,
}

impl TempModule {
    /// Writes `plans` into a fresh module, each in its package's directory.
    pub(crate) fn create(
        toolchain: &Toolchain,
        plans: &[&Planned],
    ) -> Result<TempModule, ToolFailure> {
        // A directory per run (process id and time) so concurrent runs sharing a cache
        // directory cannot see each other's files.
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = toolchain
            .cache_dir
            .join("go-work")
            .join(format!("run-{}-{nanos}", std::process::id()));
        let module = TempModule { dir };
        let write = |path: &Path, text: &str| {
            fs::write(path, text).map_err(|error| ToolFailure::Write {
                path: path.to_path_buf(),
                error,
            })
        };
        let create = |dir: &Path| {
            fs::create_dir_all(dir).map_err(|error| ToolFailure::Write {
                path: dir.to_path_buf(),
                error,
            })
        };
        create(&module.dir)?;
        write(
            &module.dir.join("go.mod"),
            &format!("module kbsamples\n\ngo {}\n", toolchain.language_version()),
        )?;
        for plan in plans {
            let dir = module.dir.join(package_dir(plan.package));
            create(&dir)?;
            write(&dir.join(&plan.file_name), &plan.code)?;
        }
        Ok(module)
    }
}

impl Drop for TempModule {
    fn drop(&mut self) {
        // Best effort: a leftover directory only costs disk space in the cache directory.
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Runs `command` to completion with no input and returns what it printed.
pub(crate) fn run(command: &mut Command) -> Result<Output, ToolFailure> {
    command
        .stdin(Stdio::null())
        .output()
        .map_err(|error| ToolFailure::Run {
            program: command.get_program().to_string_lossy().into_owned(),
            error,
        })
}
