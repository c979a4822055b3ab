//! Parsing and formatting with gofmt: each sample (wrapped if it is a fragment) goes
//! through `gofmt` on standard input; a syntax error is reported at its place in the page,
//! and a difference from gofmt's output as "not gofmt-formatted" with the diff.

use std::io::Write;
use std::process::{Command, Stdio};

use super::diff::{line_diff, render_hunks};
use super::error::ToolFailure;
use super::header::read_header;
use super::tool_output::{parse_gofmt_errors, ToolError};
use super::toolchain::Toolchain;
use super::wrapping::Wrapping;
use super::{Kind, Outcome, Planned};
use crate::diagnostic::Diagnostic;

/// Parses and format-checks one sample.
pub(crate) fn format_check(plan: &Planned, toolchain: &Toolchain) -> Outcome {
    let mut outcome = Outcome::default();
    if plan.code.trim().is_empty() {
        outcome.parsed = true;
        return outcome;
    }
    if plan.kind == Kind::MissingPackage {
        outcome.diagnostics.push(
            Diagnostic::error(plan.at(1, 1), "Go block has no package clause, so it cannot be compiled")
                .with_help("start the block with `package main` (or the package it belongs to), or mark it ```go,fragment if it shows only part of a file"),
        );
    }
    let attempts: &[Wrapping] = match plan.kind {
        Kind::StdFile | Kind::OtherFile => &[Wrapping::None],
        Kind::Fragment if read_header(&plan.code).is_some() => &[Wrapping::None],
        Kind::Fragment | Kind::MissingPackage => &[Wrapping::Declarations, Wrapping::Statements],
    };

    // Try each wrapping; the first one gofmt parses decides the formatting check. If none
    // parses, report the errors of the attempt that got furthest into the code, which is
    // the one that guessed the fragment's shape right.
    let mut best_failure: Option<(Wrapping, Vec<ToolError>)> = None;
    for &wrapping in attempts {
        match gofmt(toolchain, &wrapping.wrap(&plan.code)) {
            Ok(formatted) => {
                outcome.parsed = true;
                let formatted = wrapping.unwrap(&formatted);
                outcome
                    .diagnostics
                    .extend(format_diagnostic(plan, &formatted));
                return outcome;
            }
            Err(GofmtFailure::Syntax(errors)) => {
                let reach = |errors: &[ToolError]| {
                    errors
                        .first()
                        .map_or(0, |e| wrapping.map(e.line, e.column, &plan.code).0)
                };
                let better = match &best_failure {
                    None => true,
                    Some((w, previous)) => {
                        let previous_reach = previous
                            .first()
                            .map_or(0, |e| w.map(e.line, e.column, &plan.code).0);
                        reach(&errors) > previous_reach
                    }
                };
                if better {
                    best_failure = Some((wrapping, errors));
                }
            }
            Err(GofmtFailure::Tool(failure)) => {
                outcome.diagnostics.push(
                    Diagnostic::error(
                        plan.at(1, 1),
                        format!("could not run gofmt on this Go block: {failure}"),
                    )
                    .with_help("check that the Go toolchain is installed correctly (`go version`)"),
                );
                return outcome;
            }
        }
    }
    // Only the first syntax error is reported: the parser's later ones are mostly
    // consequences of the first (and, for fragments, can land on the wrapper's lines).
    if let Some((wrapping, errors)) = best_failure {
        let fragment = wrapping != Wrapping::None;
        if let Some(error) = errors.into_iter().next() {
            let (line, column) = wrapping.map(error.line, error.column, &plan.code);
            let help = if fragment {
                "a fragment must be complete declarations or complete statements; elide code with a comment (`// ...`), or mark the block ```go,ignore"
            } else {
                "fix the syntax; if the block is deliberately partial, mark it ```go,fragment (or ```go,ignore)"
            };
            outcome.diagnostics.push(
                Diagnostic::error(
                    plan.at(line, column),
                    format!("Go syntax error: {}", error.message),
                )
                .with_help(help),
            );
        }
    }
    outcome
}

/// Why gofmt gave no formatted text.
enum GofmtFailure {
    /// gofmt ran and rejected the source.
    Syntax(Vec<ToolError>),
    /// gofmt could not be run, or failed without saying where.
    Tool(ToolFailure),
}

/// Formats `source` with gofmt, returning the formatted text.
fn gofmt(toolchain: &Toolchain, source: &str) -> Result<String, GofmtFailure> {
    let program = || toolchain.gofmt.display().to_string();
    let mut child = Command::new(&toolchain.gofmt)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| {
            GofmtFailure::Tool(ToolFailure::Run {
                program: program(),
                error,
            })
        })?;
    // gofmt reads all of its input before writing anything, so writing the whole source
    // before reading the output cannot deadlock on full pipes.
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(source.as_bytes()).map_err(|error| {
            GofmtFailure::Tool(ToolFailure::Input {
                program: program(),
                error,
            })
        })?;
    }
    let output = child.wait_with_output().map_err(|error| {
        GofmtFailure::Tool(ToolFailure::Run {
            program: program(),
            error,
        })
    })?;
    if output.status.success() {
        return Ok(String::from_utf8_lossy(&output.stdout).into_owned());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let errors = parse_gofmt_errors(&stderr);
    if errors.is_empty() {
        Err(GofmtFailure::Tool(ToolFailure::Failed {
            program: program(),
            stderr: stderr.trim().to_string(),
        }))
    } else {
        Err(GofmtFailure::Syntax(errors))
    }
}

/// The "not gofmt-formatted" diagnostic, at the first line gofmt would change.
fn format_diagnostic(plan: &Planned, formatted: &str) -> Option<Diagnostic> {
    // Trailing blank lines are how the block ends in Markdown, not part of the Go code.
    let original: Vec<&str> = trim_trailing_blank(plan.code.lines().collect());
    let formatted: Vec<&str> = trim_trailing_blank(formatted.lines().collect());
    if original == formatted {
        return None;
    }
    let hunks = line_diff(&original, &formatted);
    let first_line = hunks.first().map_or(1, |h| h.old_start + 1);
    let whitespace_only = original.len() == formatted.len()
        && original
            .iter()
            .zip(&formatted)
            .all(|(a, b)| a.split_whitespace().eq(b.split_whitespace()));
    let message = if whitespace_only {
        "Go code is not gofmt-formatted (indentation or spacing differs; gofmt indents with tabs)"
    } else {
        "Go code is not gofmt-formatted"
    };
    Some(
        Diagnostic::error(plan.at(first_line, 1), message).with_help(format!(
            "run gofmt on this block; it would change:\n{}",
            render_hunks(&hunks, plan.sample.fence_line)
        )),
    )
}

fn trim_trailing_blank(mut lines: Vec<&str>) -> Vec<&str> {
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    lines
}
