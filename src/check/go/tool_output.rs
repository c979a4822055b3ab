//! Reading what the Go tools print: `file.go:line:col: message` positions, gofmt's
//! syntax errors and `go vet`'s findings, and which sample a path in the temporary module
//! belongs to.

use std::path::Path;
use std::process::Output;

/// A position and message reported by a Go tool, in the source the tool saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ToolError {
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) message: String,
}

/// A finding of `go vet`, in a sample's own coordinates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VetFinding {
    /// The package (see `package_dir`) and file name the finding is in.
    pub(crate) package: usize,
    pub(crate) file: String,
    pub(crate) error: ToolError,
    /// A type error (the package does not compile) rather than a vet analyzer's report.
    pub(crate) type_error: bool,
}

/// `go vet`'s findings in the samples (type errors, and analyzers' reports), each with
/// the continuation lines of its message joined on.
pub(crate) fn parse_vet_output(output: &Output) -> Vec<VetFinding> {
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    );
    let mut findings: Vec<VetFinding> = Vec::new();
    for line in text.lines() {
        // Type errors continue on indented lines ("have (int, int)" / "want (int)").
        if line.starts_with('\t') || line.starts_with("    ") {
            if let Some(last) = findings.last_mut() {
                last.error.message.push_str("; ");
                last.error.message.push_str(line.trim());
            }
            continue;
        }
        // The vet driver prefixes type errors with "vet: "; analyzers' findings have none.
        let (type_error, rest) = match line.strip_prefix("vet: ") {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let Some((path, line_number, column)) = parse_position(rest) else {
            continue;
        };
        let Some((package, file)) = sample_file(path) else {
            continue;
        };
        let message = rest
            .split_once(": ")
            .map_or("", |(_, message)| message)
            .trim()
            .to_string();
        findings.push(VetFinding {
            package,
            file: file.to_string(),
            error: ToolError {
                line: line_number,
                column: column.unwrap_or(1),
                message,
            },
            type_error,
        });
    }
    findings.dedup();
    findings
}

/// The directory (and package) a sample gets in the temporary module.
pub(crate) fn package_dir(id: usize) -> String {
    format!("s{id:04}")
}

/// The package and file name a tool's file path names: `s0003/sample.go` (or
/// `./s0003/...`, or an absolute path ending so) is `sample.go` of package 3.
fn sample_file(path: &str) -> Option<(usize, &str)> {
    let path = Path::new(path);
    let file = path.file_name()?.to_str()?;
    Some((package_id(path.parent()?.file_name()?.to_str()?)?, file))
}

/// The package a directory of the temporary module holds: `s0003` is package 3.
pub(crate) fn package_id(dir: &str) -> Option<usize> {
    let digits = dir.strip_prefix('s')?;
    if digits.len() >= 4 && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()
    } else {
        None
    }
}

/// Splits `path.go:line:col: message` (column optional) into its parts.
pub(crate) fn parse_position(text: &str) -> Option<(&str, usize, Option<usize>)> {
    let end = text.find(".go:")? + 3;
    let path = text[..end].trim_start_matches("./");
    let mut rest = text[end + 1..].splitn(3, ':');
    let line = rest.next()?.trim().parse().ok()?;
    let column = rest.next().and_then(|c| c.trim().parse().ok());
    Some((path, line, column))
}

/// Parses gofmt's `<standard input>:L:C: message` lines.
pub(crate) fn parse_gofmt_errors(stderr: &str) -> Vec<ToolError> {
    stderr
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("<standard input>:")?;
            let mut parts = rest.splitn(3, ':');
            let line_number = parts.next()?.trim().parse().ok()?;
            let column = parts.next()?.trim().parse().ok()?;
            let message = parts.next()?.trim().to_string();
            Some(ToolError {
                line: line_number,
                column,
                message,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tool_positions() {
        assert_eq!(
            parse_position("./s0012/x_test.go:7:3: msg"),
            Some(("s0012/x_test.go", 7, Some(3)))
        );
        assert_eq!(
            parse_position("s0001/sample.go:4: msg"),
            Some(("s0001/sample.go", 4, None))
        );
        assert_eq!(parse_position("no position here"), None);
        assert_eq!(
            sample_file("/tmp/run/s0012/sample.go"),
            Some((12, "sample.go"))
        );
        assert_eq!(sample_file("s12/sample.go"), None);
        assert_eq!(
            parse_gofmt_errors("<standard input>:4:1: expected operand, found '}'\n"),
            vec![ToolError {
                line: 4,
                column: 1,
                message: "expected operand, found '}'".into()
            }]
        );
    }
}
