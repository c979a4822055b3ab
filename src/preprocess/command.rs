//! Running one plugin as mdBook does: its command line split as a shell would, a relative
//! program path taken from the book's root, run in the root; `supports RENDERER` first,
//! then the payload on standard input and the book on standard output.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Why a plugin gave no book.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The program does not exist (or cannot be started).
    NotFound(std::io::Error),
    /// It ran and failed: its exit status and standard error.
    Failed(String),
}

/// The plugin's command line as a [`Command`] run in `root`.
fn command(line: &str, root: &Path) -> Result<Command, Failure> {
    let mut words = shlex::split(line)
        .filter(|w| !w.is_empty())
        .ok_or_else(|| Failure::Failed(format!("cannot split the command line `{line}`")))?
        .into_iter();
    let program = PathBuf::from(
        words
            .next()
            .ok_or_else(|| Failure::Failed("the command line is empty".to_string()))?,
    );
    // One word: looked up on PATH; a path: relative to the book, as mdBook does.
    let program = if program.components().count() == 1 {
        program
    } else {
        root.join(program)
    };
    let mut cmd = Command::new(program);
    cmd.args(words).current_dir(root);
    Ok(cmd)
}

/// Whether the plugin says it supports `renderer` (exit status 0).
pub(crate) fn supports(line: &str, root: &Path, renderer: &str) -> Result<bool, Failure> {
    let status = command(line, root)?
        .args(["supports", renderer])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(Failure::NotFound)?;
    Ok(status.success())
}

/// Runs the plugin with `input` on standard input; its standard output.
pub(crate) fn run(line: &str, root: &Path, input: &[u8]) -> Result<Vec<u8>, Failure> {
    let mut child = command(line, root)?
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(Failure::NotFound)?;
    let stdin = child.stdin.take();
    // Written from a thread: a plugin that answers while still reading would otherwise
    // block on a full pipe while kb blocks writing.
    let output = std::thread::scope(|scope| {
        scope.spawn(move || {
            if let Some(mut stdin) = stdin {
                // A plugin that stops reading early reports its own error.
                let _ = stdin.write_all(input);
            }
        });
        child.wait_with_output()
    })
    .map_err(|e| Failure::Failed(format!("cannot wait for it: {e}")))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(Failure::Failed(format!(
            "it exited with {}; its error output:\n{}",
            output.status,
            stderr.trim_end()
        )))
    }
}
