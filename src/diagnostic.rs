//! Diagnostics: what is wrong (or looks wrong) in a user's site, exactly where, and what to do.
//!
//! Every user-facing problem in content or configuration becomes a [`Diagnostic`]. Passes
//! collect them instead of stopping at the first one, so a run reports all problems together,
//! in the compiler-style `file:line:column: severity: message` form that editors and CI parse.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// `path` without a leading `./`, for messages.
pub(crate) fn shown_path(path: &Path) -> PathBuf {
    path.strip_prefix(".")
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

/// `path` as text for a message, exactly as it is on disk: UTF-8 as it is, every other
/// byte as `\xNN` (`docs/caf\xE9.md`), where `Path::display` would show `�`.
pub(crate) fn path_as_written(path: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut shown = String::new();
        for chunk in path.as_os_str().as_bytes().utf8_chunks() {
            shown.push_str(chunk.valid());
            for byte in chunk.invalid() {
                shown.push_str(&format!("\\x{byte:02X}"));
            }
        }
        shown
    }
    #[cfg(not(unix))]
    {
        path.to_string_lossy().into_owned()
    }
}

/// How bad a diagnostic is. Errors fail a build; warnings fail it only with `--deny-warnings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// A position in a file. Lines and columns are 1-based; column counts characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl Location {
    pub fn new(file: impl Into<PathBuf>, line: usize, column: usize) -> Self {
        Location {
            file: file.into(),
            line,
            column,
        }
    }
}

/// One problem found in the site: where, what, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: PathBuf,
    /// 1-based; `None` when the problem concerns the whole file.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    /// What the user can do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(location: Location, message: impl Into<String>) -> Self {
        Self::at(Severity::Error, location, message)
    }

    pub fn warning(location: Location, message: impl Into<String>) -> Self {
        Self::at(Severity::Warning, location, message)
    }

    /// A problem with a whole file (unreadable, missing, ...), without a position.
    pub fn file_error(file: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.as_ref().to_path_buf(),
            line: None,
            column: None,
            message: message.into(),
            help: None,
        }
    }

    fn at(severity: Severity, location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            file: location.file,
            line: Some(location.line),
            column: Some(location.column),
            message: message.into(),
            help: None,
        }
    }

    /// Adds the advice shown under the message.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Sort key: file, then position, so reports read top to bottom.
    pub fn sort_key(&self) -> (&Path, usize, usize) {
        (&self.file, self.line.unwrap_or(0), self.column.unwrap_or(0))
    }
}

impl Diagnostic {
    /// `file:line:column`, as far as it is known.
    pub(crate) fn position(&self) -> String {
        match (self.line, self.column) {
            (Some(line), Some(column)) => format!("{}:{line}:{column}", self.file.display()),
            (Some(line), None) => format!("{}:{line}", self.file.display()),
            _ => self.file.display().to_string(),
        }
    }

    /// The help line under the message, with its line break, or nothing.
    pub(crate) fn help_text(&self) -> String {
        self.help
            .as_ref()
            .map(|help| format!("\n  help: {help}"))
            .unwrap_or_default()
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: {}{}",
            self.position(),
            self.severity.word(),
            self.message,
            self.help_text()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_a_compiler() {
        let d = Diagnostic::error(Location::new("content/db/pooling.md", 42, 5), "broken link")
            .with_help("check the path");
        assert_eq!(
            d.to_string(),
            "content/db/pooling.md:42:5: error: broken link\n  help: check the path"
        );
    }
}
