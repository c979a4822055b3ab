//! Reading a text file kb parses (pages, `book.toml`, `SUMMARY.md`, the tag vocabulary,
//! included files): UTF-8 only, with the place of the first byte that is not, so the author
//! can find it.
//!
//! A UTF-8 byte order mark (which some Windows editors write) is accepted and dropped.
//! A UTF-16 one is named as such. A NUL byte is an error too: no text file has one, and it
//! usually means a binary file was named by mistake.

use std::fmt;
use std::path::Path;

/// Why a file could not be read as text.
#[derive(Debug)]
pub(crate) enum TextError {
    /// The file could not be read at all.
    Io(std::io::Error),
    /// The bytes are not UTF-8 text; `line` and `column` (1-based, the column counting
    /// characters) point at the first bad byte.
    Encoding {
        line: usize,
        column: usize,
        problem: String,
    },
}

impl TextError {
    /// The position of the problem, when it is in the text.
    pub(crate) fn position(&self) -> Option<(usize, usize)> {
        match self {
            TextError::Io(_) => None,
            TextError::Encoding { line, column, .. } => Some((*line, *column)),
        }
    }

    /// The error as a diagnostic on `file` (as shown to the user), at the bad byte when
    /// there is one; `what` says what was being read ("cannot read the page").
    pub(crate) fn diagnostic(&self, file: &Path, what: &str) -> crate::diagnostic::Diagnostic {
        use crate::diagnostic::{Diagnostic, Location};
        let message = format!("{what}: {self}");
        let diagnostic = match self.position() {
            Some((line, column)) => Diagnostic::error(Location::new(file, line, column), message),
            None => Diagnostic::file_error(file, message),
        };
        diagnostic.with_help(self.help())
    }

    /// What to do about it.
    pub(crate) fn help(&self) -> &'static str {
        match self {
            TextError::Io(_) => "check that the file exists and can be read",
            TextError::Encoding { .. } => {
                "save the file as UTF-8 (most editors have an encoding choice in \"Save as\"), or fix the byte at this place"
            }
        }
    }
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextError::Io(e) => e.fmt(f),
            TextError::Encoding { problem, .. } => f.write_str(problem),
        }
    }
}

impl From<std::io::Error> for TextError {
    fn from(e: std::io::Error) -> TextError {
        TextError::Io(e)
    }
}

/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads `path` as UTF-8 text, without a leading byte order mark.
pub(crate) fn read(path: &Path) -> Result<String, TextError> {
    decode(std::fs::read(path)?)
}

/// `bytes` as UTF-8 text, without a leading byte order mark.
pub(crate) fn decode(mut bytes: Vec<u8>) -> Result<String, TextError> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(TextError::Encoding {
            line: 1,
            column: 1,
            problem:
                "the file is UTF-16 text (it starts with a UTF-16 byte order mark); kb reads UTF-8"
                    .to_string(),
        });
    }
    if bytes.starts_with(BOM) {
        bytes.drain(..BOM.len());
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let bytes = e.as_bytes();
            let at = e.utf8_error().valid_up_to();
            let (line, column) = position(&bytes[..at]);
            return Err(TextError::Encoding {
                line,
                column,
                problem: format!(
                    "the file is not UTF-8 text: byte 0x{:02X} at line {line}, column {column} is not valid UTF-8",
                    bytes[at]
                ),
            });
        }
    };
    if let Some(at) = text.find('\0') {
        let (line, column) = position(&text.as_bytes()[..at]);
        return Err(TextError::Encoding {
            line,
            column,
            problem: format!("the file has a NUL byte at line {line}, column {column}: it looks like a binary file, not text"),
        });
    }
    Ok(text)
}

/// The 1-based line and column just after `before` (valid UTF-8), columns in characters.
fn position(before: &[u8]) -> (usize, usize) {
    let text = String::from_utf8_lossy(before);
    let line = text.matches('\n').count() + 1;
    let last = text.rsplit('\n').next().unwrap_or("");
    (line, last.chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(bytes: &[u8]) -> (usize, usize, String) {
        match decode(bytes.to_vec()) {
            Err(TextError::Encoding {
                line,
                column,
                problem,
            }) => (line, column, problem),
            other => panic!("expected an encoding error, got {other:?}"),
        }
    }

    #[test]
    fn a_utf8_bom_is_dropped() {
        assert_eq!(decode(b"\xEF\xBB\xBF# T\n".to_vec()).unwrap(), "# T\n");
        assert_eq!(decode("é\n".as_bytes().to_vec()).unwrap(), "é\n");
    }

    #[test]
    fn the_first_invalid_byte_is_located() {
        let (line, column, text) = problem(b"# Title\n\nna\xEFve caf\xE9\n");
        assert_eq!((line, column), (3, 3));
        assert!(text.contains("0xEF"), "{text}");
        // Columns count characters, not bytes.
        let (line, column, _) = problem(&["ééé\u{2014}\n\u{e9}x".as_bytes(), b"\xFF"].concat());
        assert_eq!((line, column), (2, 3));
        let (line, column, _) = problem(b"\xEF\xBB\xBFab\xC3");
        assert_eq!((line, column), (1, 3), "after the BOM");
    }

    #[test]
    fn nul_bytes_and_utf16_are_errors() {
        let (line, column, text) = problem(b"a\nbc\0d");
        assert_eq!((line, column), (2, 3));
        assert!(text.contains("NUL"), "{text}");
        assert!(problem(b"\xFF\xFEa\0").2.contains("UTF-16"));
    }
}
