//! Go code samples: every ```` ```go ```` block must parse and be gofmt-formatted, and a
//! block that is a whole file using only the standard library must pass `go vet`.
//!
//! This is `mdbook test` for Go. The work is done by the real Go toolchain (`gofmt`, and
//! `go vet` in a throwaway module), so the verdict is the one a reader gets when they paste
//! the sample; this module prepares the sources, runs the tools and moves their
//! `file.go:line:col: message` positions back to the Markdown page.
//!
//! Kinds of block, by info string:
//! - ```` ```go ```` with a package clause: a whole file. Standard-library-only files are
//!   type-checked with `go vet`; files importing anything else (which cannot be fetched
//!   offline) are checked for syntax and formatting only.
//! - ```` ```go,fragment ````: declarations or statements without a package clause. They
//!   are wrapped (`package p` + declarations, or statements in `func _() { ... }`) to be
//!   parsed and gofmt-checked, never type-checked.
//! - ```` ```go,ignore ````: not checked.
//!
//! Clean results are cached by content hash in the cache directory, so a warm run only
//! looks at blocks that changed or failed last time.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use rayon::prelude::*;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::check::sample::CodeSample;
use crate::diagnostic::{Diagnostic, Location};
use crate::position::char_column;

/// What checking the Go samples found, and how much of it could be checked how deeply.
///
/// Every checked sample counts in exactly one of `type_checked`, `syntax_only` and
/// `fragments`; `cached` says how many of those were answered from the cache.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoReport {
    pub diagnostics: Vec<Diagnostic>,
    /// Whole files importing only the standard library: parsed, formatted, `go vet`.
    pub type_checked: usize,
    /// Whole files importing other modules: parsed and formatted only.
    pub syntax_only: usize,
    /// `go,fragment` blocks (and blocks missing their package clause): parsed and formatted.
    pub fragments: usize,
    /// `go,ignore` blocks.
    pub ignored: usize,
    /// Samples whose clean result was reused from an earlier run.
    pub cached: usize,
    /// Why Go samples were not compiled at all (e.g. no `go` on PATH); `None` if they were.
    pub skipped: Option<String>,
}

/// Checks every Go sample in `samples` (samples in other languages are left alone).
///
/// `cache_dir` holds the result cache and the private Go build cache; it is created if
/// missing. Nothing is printed.
pub fn check_go(samples: &[CodeSample], cache_dir: &Path) -> GoReport {
    check_go_with(samples, cache_dir, "go")
}

/// [`check_go`] with the `go` program to look for, so tests can simulate a missing one.
fn check_go_with(samples: &[CodeSample], cache_dir: &Path, go_program: &str) -> GoReport {
    let mut report = GoReport::default();
    let mut to_check = Vec::new();
    for sample in samples.iter().filter(|s| is_go(&s.lang)) {
        if sample.has_flag("ignore") {
            report.ignored += 1;
        } else {
            to_check.push(sample);
        }
    }
    if to_check.is_empty() {
        return report;
    }
    let toolchain = match Toolchain::find(go_program, cache_dir) {
        Ok(toolchain) => toolchain,
        Err(reason) => {
            report.skipped = Some(reason);
            return report;
        }
    };

    let cache = ResultCache::new(cache_dir, &toolchain.version);
    let planned: Vec<Planned> = to_check
        .iter()
        .enumerate()
        .map(|(id, sample)| Planned::new(id, sample, &toolchain, &cache))
        .collect();

    // Parsing and formatting: one gofmt process per sample, in parallel.
    let mut outcomes: Vec<Outcome> = planned
        .par_iter()
        .map(|plan| {
            if let Some(syntax_only) = plan.cached {
                Outcome {
                    demoted: syntax_only,
                    ..Outcome::default()
                }
            } else {
                format_check(plan, &toolchain)
            }
        })
        .collect();

    // Type checking: all standard-library-only files that parsed, in one module.
    let to_vet: Vec<&Planned> = planned
        .iter()
        .zip(&outcomes)
        .filter(|(plan, outcome)| {
            plan.cached.is_none() && plan.kind == Kind::StdFile && outcome.parsed
        })
        .map(|(plan, _)| plan)
        .collect();
    if !to_vet.is_empty() {
        match vet(&to_vet, &toolchain) {
            Ok(vetted) => {
                for (id, result) in vetted {
                    let outcome = &mut outcomes[id];
                    outcome.diagnostics.extend(result.diagnostics);
                    if result.excluded_by_build_constraints {
                        outcome.demoted = true;
                    }
                }
            }
            Err(reason) => report.skipped = Some(reason),
        }
    }

    for (plan, outcome) in planned.iter().zip(outcomes) {
        match plan.kind {
            Kind::StdFile if outcome.demoted => report.syntax_only += 1,
            Kind::StdFile => report.type_checked += 1,
            Kind::OtherFile => report.syntax_only += 1,
            Kind::Fragment | Kind::MissingPackage => report.fragments += 1,
        }
        if plan.cached.is_some() {
            report.cached += 1;
        } else if outcome.diagnostics.is_empty() && report.skipped.is_none() {
            cache.remember_clean(&plan.cache_key, outcome.demoted);
        }
        report.diagnostics.extend(outcome.diagnostics);
    }
    report.diagnostics.sort_by(|a, b| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then_with(|| a.message.cmp(&b.message))
    });
    report
}

fn is_go(lang: &str) -> bool {
    lang.eq_ignore_ascii_case("go") || lang.eq_ignore_ascii_case("golang")
}

// ---------------------------------------------------------------------------------------
// The toolchain

/// The `go` and `gofmt` programs, and the environment that makes them work offline and
/// without touching the user's own caches.
struct Toolchain {
    go: PathBuf,
    gofmt: PathBuf,
    goroot: PathBuf,
    /// e.g. `go1.27.3`.
    version: String,
    cache_dir: PathBuf,
}

impl Toolchain {
    fn find(go_program: &str, cache_dir: &Path) -> Result<Toolchain, String> {
        let mut probe = Command::new(go_program);
        probe.args(["env", "GOROOT", "GOVERSION"]);
        isolate(&mut probe, cache_dir);
        let output = match probe.output() {
            Ok(output) => output,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err("no `go` on PATH; install Go 1.22 or later (scripts/install-go.sh) to compile Go samples".to_string());
            }
            Err(e) => return Err(format!("cannot run `go`: {e}")),
        };
        if !output.status.success() {
            return Err(format!(
                "`go env` failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let mut lines = stdout.lines();
        let goroot = PathBuf::from(lines.next().unwrap_or_default().trim());
        let version = lines.next().unwrap_or_default().trim().to_string();
        // `go` on PATH may be a wrapper script (pyenv shims are); calling the real binary
        // saves its start-up cost on every invocation.
        let real_go = goroot.join("bin").join(exe("go"));
        let go = if real_go.is_file() {
            real_go
        } else {
            PathBuf::from(go_program)
        };
        // gofmt ships in GOROOT/bin but is not necessarily on PATH.
        let gofmt = goroot.join("bin").join(exe("gofmt"));
        let gofmt = if gofmt.is_file() {
            gofmt
        } else {
            PathBuf::from("gofmt")
        };
        if let Some((1, minor)) = release(&version) {
            if minor < 22 {
                return Err(format!(
                    "Go samples need Go 1.22 or later, but `go` on PATH is {version}"
                ));
            }
        }
        if fs::create_dir_all(cache_dir).is_err() {
            return Err(format!(
                "cannot create the cache directory {}",
                cache_dir.display()
            ));
        }
        Ok(Toolchain {
            go,
            gofmt,
            goroot,
            version,
            cache_dir: cache_dir.to_path_buf(),
        })
    }

    fn go(&self, module_dir: &Path) -> Command {
        let mut command = Command::new(&self.go);
        command.current_dir(module_dir);
        isolate(&mut command, &self.cache_dir);
        command
    }

    /// The `go 1.N` language version for the temporary module: the toolchain's own, so
    /// samples may use every feature the installed Go supports (at least 1.22's loop
    /// variable semantics).
    fn language_version(&self) -> String {
        match release(&self.version) {
            Some((1, minor)) if minor >= 22 => format!("1.{minor}"),
            _ => "1.22".to_string(),
        }
    }

    /// Whether an import path names a standard-library package of this toolchain.
    fn is_std(&self, import: &str) -> bool {
        let first = import.split('/').next().unwrap_or_default();
        // Module paths start with a domain; the standard library's never contain a dot.
        !first.is_empty()
            && !first.contains('.')
            && first != "cmd"
            && first != "vendor"
            && self.goroot.join("src").join(import).is_dir()
    }
}

/// (major, minor) of a release version such as `go1.27.3`; `None` for development builds.
fn release(version: &str) -> Option<(u32, u32)> {
    let mut numbers = version.strip_prefix("go")?.split(['.', 'r', 'b', '-', ' ']);
    let major = numbers.next()?.parse().ok()?;
    let minor = numbers.next()?.parse().ok()?;
    Some((major, minor))
}

fn exe(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}

/// Points Go at private caches under `cache_dir` and forbids network access, so checks
/// are offline, reproducible, independent of the user's Go settings and safe to run in
/// parallel (the Go build cache handles concurrent use).
fn isolate(command: &mut Command, cache_dir: &Path) {
    command
        .env("GOCACHE", cache_dir.join("go-build"))
        .env("GOPATH", cache_dir.join("gopath"))
        .env(
            "GOMODCACHE",
            cache_dir.join("gopath").join("pkg").join("mod"),
        )
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .env("GOSUMDB", "off")
        .env("GOTOOLCHAIN", "local")
        .env("GOWORK", "off")
        .env("GO111MODULE", "on")
        .env("GOENV", "off")
        .env("GOTELEMETRY", "off")
        // cgo would need a C compiler and make every check slower; samples using cgo
        // import "C", which is not the standard library, so they are never vetted anyway.
        .env("CGO_ENABLED", "0");
}

// ---------------------------------------------------------------------------------------
// Planning: what kind of sample, and what source the tools see

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A whole file importing only the standard library.
    StdFile,
    /// A whole file importing other modules.
    OtherFile,
    Fragment,
    /// Not flagged as a fragment, but without a package clause: reported, then checked as
    /// a fragment so syntax errors are found in the same run.
    MissingPackage,
}

struct Planned<'a> {
    /// Index among the samples being checked; also names the package directory.
    id: usize,
    sample: &'a CodeSample,
    kind: Kind,
    /// The code with `\r\n` line ends made `\n`, as gofmt writes them.
    code: String,
    cache_key: String,
    /// `Some` if an earlier run found the sample clean; `Some(true)` if that run could
    /// only check its syntax (build constraints left nothing to vet).
    cached: Option<bool>,
}

impl<'a> Planned<'a> {
    fn new(id: usize, sample: &'a CodeSample, toolchain: &Toolchain, cache: &ResultCache) -> Self {
        let code = sample.code.replace("\r\n", "\n");
        let header = read_header(&code);
        let kind = match header {
            Some(_) if sample.has_flag("fragment") => Kind::Fragment,
            Some(imports) if imports.iter().all(|i| toolchain.is_std(i)) => Kind::StdFile,
            Some(_) => Kind::OtherFile,
            None if sample.has_flag("fragment") => Kind::Fragment,
            None => Kind::MissingPackage,
        };
        let cache_key = cache.key(sample);
        let cached = cache.clean(&cache_key);
        Planned {
            id,
            sample,
            kind,
            code,
            cache_key,
            cached,
        }
    }

    /// The file name the sample gets in the temporary module: a `title` ending in
    /// `_test.go` makes it a test file, anything else is `sample.go`. Only the title's
    /// last path element is used (`store/store_test.go` is `store_test.go`), and only if
    /// it is a plain file name, since it becomes a path on disk.
    fn file_name(&self) -> String {
        let name = self
            .sample
            .flag_value("file")
            .and_then(|title| title.rsplit(['/', '\\']).next())
            .unwrap_or_default();
        let plain = name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
        if plain && name.ends_with(".go") && !name.starts_with('.') {
            name.to_string()
        } else {
            "sample.go".to_string()
        }
    }

    fn at(&self, code_line: usize, column: usize) -> Location {
        Location::new(
            &self.sample.file,
            self.sample.markdown_line(code_line),
            column.max(1),
        )
    }
}

/// How a sample's code sits inside the source handed to gofmt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wrapping {
    /// The code is the file.
    None,
    /// `package p` and a blank line precede the code.
    Declarations,
    /// The code, indented one tab, is the body of `func _()`.
    Statements,
}

const DECLARATIONS_PREFIX: &str = "package p\n\n";
const STATEMENTS_PREFIX: &str = "package p\n\nfunc _() {\n";

impl Wrapping {
    fn wrap(self, code: &str) -> String {
        match self {
            Wrapping::None => code.to_string(),
            Wrapping::Declarations => format!("{DECLARATIONS_PREFIX}{code}"),
            Wrapping::Statements => {
                // Indenting every line by one tab (as gofmt would) keeps gofmt's output
                // of the body equal to the input when the input is formatted, and lets
                // `unwrap` take exactly that tab off again, even inside raw strings.
                let mut source = STATEMENTS_PREFIX.to_string();
                for line in code.lines() {
                    if !line.is_empty() {
                        source.push('\t');
                    }
                    source.push_str(line);
                    source.push('\n');
                }
                source.push_str("}\n");
                source
            }
        }
    }

    fn added_lines(self) -> usize {
        match self {
            Wrapping::None => 0,
            Wrapping::Declarations => DECLARATIONS_PREFIX.matches('\n').count(),
            Wrapping::Statements => STATEMENTS_PREFIX.matches('\n').count(),
        }
    }

    /// Takes gofmt's output of a wrapped source back to the shape of the sample's code.
    fn unwrap(self, formatted: &str) -> String {
        let lines: Vec<&str> = formatted.lines().collect();
        let skip = self.added_lines().min(lines.len());
        match self {
            Wrapping::None => formatted.to_string(),
            Wrapping::Declarations => join_lines(lines[skip..].iter().copied()),
            Wrapping::Statements => {
                let end = lines.len().saturating_sub(1).max(skip);
                join_lines(
                    lines[skip..end]
                        .iter()
                        .map(|l| l.strip_prefix('\t').unwrap_or(l)),
                )
            }
        }
    }

    /// Maps a gofmt position in the wrapped source to (line, byte column) in the code.
    /// Positions on the wrapper's own lines (an unclosed block is noticed at the closing
    /// brace of `func _()`) go to the nearest line of the code.
    fn map(self, line: usize, column: usize, code: &str) -> (usize, usize) {
        let last_line = code.lines().count().max(1);
        let code_line = line.saturating_sub(self.added_lines()).clamp(1, last_line);
        let beyond = line.saturating_sub(self.added_lines()) > last_line;
        let text = code.lines().nth(code_line - 1).unwrap_or_default();
        if beyond {
            return (code_line, text.chars().count() + 1);
        }
        let column = if self == Wrapping::Statements && !text.is_empty() {
            column.saturating_sub(1)
        } else {
            column
        };
        (code_line, char_column(text, column))
    }
}

fn join_lines<'s>(lines: impl Iterator<Item = &'s str>) -> String {
    let mut text = String::new();
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    text
}

// ---------------------------------------------------------------------------------------
// Parsing and formatting with gofmt

/// What checking one sample found.
#[derive(Debug, Default)]
struct Outcome {
    diagnostics: Vec<Diagnostic>,
    /// gofmt could parse the sample (so `go vet` will not just repeat a syntax error).
    parsed: bool,
    /// `go vet` had nothing to check (build constraints exclude the file on this
    /// platform), so the sample only had its syntax checked.
    demoted: bool,
}

/// A position and message reported by a Go tool, in the source the tool saw.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ToolError {
    line: usize,
    column: usize,
    message: String,
}

fn format_check(plan: &Planned, toolchain: &Toolchain) -> Outcome {
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
            Err(GofmtFailure::Tool(message)) => {
                outcome.diagnostics.push(
                    Diagnostic::error(
                        plan.at(1, 1),
                        format!("could not run gofmt on this Go block: {message}"),
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

enum GofmtFailure {
    /// gofmt ran and rejected the source.
    Syntax(Vec<ToolError>),
    /// gofmt could not be run, or failed without saying where.
    Tool(String),
}

/// Formats `source` with gofmt, returning the formatted text.
fn gofmt(toolchain: &Toolchain, source: &str) -> Result<String, GofmtFailure> {
    let mut child = Command::new(&toolchain.gofmt)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| GofmtFailure::Tool(format!("{}: {e}", toolchain.gofmt.display())))?;
    // gofmt reads all of its input before writing anything, so writing the whole source
    // before reading the output cannot deadlock on full pipes.
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(source.as_bytes())
            .map_err(|e| GofmtFailure::Tool(format!("writing to gofmt: {e}")))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|e| GofmtFailure::Tool(format!("waiting for gofmt: {e}")))?;
    if output.status.success() {
        return Ok(String::from_utf8_lossy(&output.stdout).into_owned());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let errors = parse_gofmt_errors(&stderr);
    if errors.is_empty() {
        Err(GofmtFailure::Tool(stderr.trim().to_string()))
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

/// A run of changed lines: `old[old_start..old_start + removed.len()]` becomes `added`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Hunk {
    old_start: usize,
    removed: Vec<String>,
    added: Vec<String>,
}

/// Line diff by longest common subsequence. Samples are small; very long ones fall back
/// to one hunk between the common prefix and suffix, which bounds time and memory.
fn line_diff(old: &[&str], new: &[&str]) -> Vec<Hunk> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let old_mid = &old[prefix..old.len() - suffix];
    let new_mid = &new[prefix..new.len() - suffix];
    const MAX_CELLS: usize = 4_000_000;
    if old_mid.len().saturating_mul(new_mid.len()) > MAX_CELLS {
        return vec![Hunk {
            old_start: prefix,
            removed: old_mid.iter().map(|s| s.to_string()).collect(),
            added: new_mid.iter().map(|s| s.to_string()).collect(),
        }];
    }
    // lcs[i][j]: length of the LCS of old_mid[i..] and new_mid[j..].
    let (n, m) = (old_mid.len(), new_mid.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if old_mid[i] == new_mid[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut hunks: Vec<Hunk> = Vec::new();
    let mut current: Option<Hunk> = None;
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && old_mid[i] == new_mid[j] {
            hunks.extend(current.take());
            i += 1;
            j += 1;
            continue;
        }
        let hunk = current.get_or_insert_with(|| Hunk {
            old_start: prefix + i,
            removed: Vec::new(),
            added: Vec::new(),
        });
        if j == m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1]) {
            hunk.removed.push(old_mid[i].to_string());
            i += 1;
        } else {
            hunk.added.push(new_mid[j].to_string());
            j += 1;
        }
    }
    hunks.extend(current);
    hunks
}

/// Renders hunks like a unified diff with Markdown line numbers, capped so one badly
/// formatted block does not flood the report.
fn render_hunks(hunks: &[Hunk], fence_line: usize) -> String {
    const MAX_LINES: usize = 12;
    let mut out = String::new();
    let mut shown = 0;
    for hunk in hunks {
        if shown >= MAX_LINES {
            break;
        }
        out.push_str(&format!(
            "    @@ line {} @@\n",
            fence_line + hunk.old_start + 1
        ));
        for (sign, line) in hunk
            .removed
            .iter()
            .map(|l| ('-', l))
            .chain(hunk.added.iter().map(|l| ('+', l)))
        {
            if shown >= MAX_LINES {
                break;
            }
            out.push_str(&format!("    {sign}{line}\n"));
            shown += 1;
        }
    }
    let total: usize = hunks.iter().map(|h| h.removed.len() + h.added.len()).sum();
    if total > shown {
        out.push_str(&format!(
            "    ... and {} more changed lines\n",
            total - shown
        ));
    }
    out.truncate(out.trim_end().len());
    out
}

// ---------------------------------------------------------------------------------------
// Type checking with go vet

#[derive(Debug, Default)]
struct VetResult {
    diagnostics: Vec<Diagnostic>,
    excluded_by_build_constraints: bool,
}

/// `go vet` compiles every dependency (a cold cache means much of the standard library)
/// only to read its type information, so optimisation and inlining are switched off:
/// that cuts the compile work of a cold run by about a quarter and does not change what
/// vet sees.
const VET: [&str; 2] = ["vet", "-gcflags=all=-N -l"];

/// Vets `plans` as packages of one temporary module with a single `go vet` call: one Go
/// process loads the standard library once and schedules the work over all cores,
/// instead of paying that start-up for every sample.
fn vet(plans: &[&Planned], toolchain: &Toolchain) -> Result<HashMap<usize, VetResult>, String> {
    let module = TempModule::create(toolchain, plans)?;
    let mut results: HashMap<usize, VetResult> = HashMap::new();

    // `go vet` stops before vetting anything if one package cannot even be loaded (an
    // internal import, a missing //go:embed file), so such packages are found first with
    // `go list -e`, which reports load errors per package, and left out.
    let packages: Vec<String> = plans
        .iter()
        .map(|p| format!("./{}", package_dir(p.id)))
        .collect();
    let output = run(toolchain
        .go(&module.dir)
        .args(["list", "-e", "-json=ImportPath,Dir,Error,EmbedFiles"])
        .args(&packages))?;
    let mut loadable = Vec::new();
    let listed = String::from_utf8_lossy(&output.stdout);
    let mut load_errors: HashMap<String, ListError> = HashMap::new();
    for package in serde_json::Deserializer::from_str(&listed).into_iter::<ListedPackage>() {
        let package = package.map_err(|e| format!("cannot read `go list` output: {e}"))?;
        if let Some(error) = package.error {
            let dir = Path::new(&package.dir)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            load_errors.insert(dir, error);
        }
    }
    for plan in plans {
        let Some(error) = load_errors.remove(&package_dir(plan.id)) else {
            loadable.push(*plan);
            continue;
        };
        let result = results.entry(plan.id).or_default();
        if error.err.contains("build constraints exclude all Go files") {
            result.excluded_by_build_constraints = true;
            continue;
        }
        let (line, column) = parse_position(&error.pos)
            .map_or((1, 1), |(_, line, column)| (line, column.unwrap_or(1)));
        result.diagnostics.push(
            Diagnostic::error(
                plan.at(line, char_column(code_line(&plan.code, line), column)),
                format!("Go sample does not build: {}", error.err),
            )
            .with_help(load_error_help(&error.err)),
        );
    }
    if loadable.is_empty() {
        return Ok(results);
    }

    let packages: Vec<String> = loadable
        .iter()
        .map(|p| format!("./{}", package_dir(p.id)))
        .collect();
    let output = run(toolchain.go(&module.dir).args(VET).args(&packages))?;
    let findings = parse_vet_output(&output);
    if !output.status.success() && findings.is_empty() {
        // go vet failed without saying where; vet each package alone so the failure
        // lands on the sample that caused it.
        let single: Vec<(usize, Result<Output, String>)> = loadable
            .par_iter()
            .map(|plan| {
                let dir = format!("./{}", package_dir(plan.id));
                (plan.id, run(toolchain.go(&module.dir).args(VET).arg(&dir)))
            })
            .collect();
        for ((id, output), plan) in single.into_iter().zip(&loadable) {
            let output = output?;
            let findings = parse_vet_output(&output);
            let result = results.entry(id).or_default();
            if findings.is_empty() && !output.status.success() {
                let text = String::from_utf8_lossy(&output.stderr);
                let first: Vec<&str> = text
                    .lines()
                    .filter(|l| !l.starts_with('#'))
                    .take(5)
                    .collect();
                result.diagnostics.push(
                    Diagnostic::error(
                        plan.at(1, 1),
                        format!("go vet failed: {}", first.join("; ")),
                    )
                    .with_help("run `go vet` on this sample to see the full output"),
                );
            }
            for (_, diagnostic) in findings_to_diagnostics(&findings, &loadable) {
                result.diagnostics.push(diagnostic);
            }
        }
    } else {
        for (id, diagnostic) in findings_to_diagnostics(&findings, &loadable) {
            results.entry(id).or_default().diagnostics.push(diagnostic);
        }
    }
    Ok(results)
}

/// A finding of `go vet`, in a sample's own coordinates.
#[derive(Debug, Clone, PartialEq, Eq)]
struct VetFinding {
    id: usize,
    error: ToolError,
    /// A type error (the package does not compile) rather than a vet analyzer's report.
    type_error: bool,
}

fn parse_vet_output(output: &Output) -> Vec<VetFinding> {
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
        let Some(id) = package_id(path) else {
            continue;
        };
        let message = rest
            .split_once(": ")
            .map_or("", |(_, message)| message)
            .trim()
            .to_string();
        findings.push(VetFinding {
            id,
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

/// Diagnostics for vet findings, each with the id of the sample it belongs to.
fn findings_to_diagnostics(
    findings: &[VetFinding],
    plans: &[&Planned],
) -> Vec<(usize, Diagnostic)> {
    findings
        .iter()
        .filter_map(|finding| {
            let plan = plans.iter().find(|p| p.id == finding.id)?;
            let error = &finding.error;
            let column = char_column(code_line(&plan.code, error.line), error.column);
            let message = if finding.type_error {
                format!("Go sample does not compile: {}", error.message)
            } else {
                format!("go vet: {}", error.message)
            };
            let diagnostic = Diagnostic::error(plan.at(error.line, column), message)
                .with_help(compile_help(&error.message));
            Some((finding.id, diagnostic))
        })
        .collect()
}

/// Advice for the compiler and vet messages samples most often trip over.
fn compile_help(message: &str) -> String {
    if let Some(name) = message.strip_prefix("undefined: ") {
        let paths: Vec<String> = std_packages_named(name)
            .map(|p| format!("\"{p}\""))
            .collect();
        return match paths.len() {
            0 => format!("declare `{name}` in the sample or add the missing import; if the sample relies on code shown elsewhere on the page, mark it ```go,fragment"),
            _ => format!("add the missing import: import {}", paths.join(" or ")),
        };
    }
    if message.contains("imported and not used") {
        return "remove the unused import, or use it".to_string();
    }
    if message.starts_with("declared and not used") {
        return "use the variable, remove it, or assign it to `_`".to_string();
    }
    if message.contains("format %")
        || message.contains("call has arguments but no formatting directives")
        || message.contains("call needs")
    {
        return "make the format verbs match the arguments".to_string();
    }
    "fix the sample so it compiles and passes `go vet`; if it deliberately shows broken code, mark it ```go,ignore".to_string()
}

/// Standard-library import paths whose package is called `name`, for a sample that forgot
/// the import (`rand` is both `math/rand/v2` and `crypto/rand`).
fn std_packages_named(name: &str) -> impl Iterator<Item = &'static str> + '_ {
    // The packages samples use most; a name missing here just gets the general advice.
    const PACKAGES: &[&str] = &[
        "bufio",
        "bytes",
        "cmp",
        "compress/gzip",
        "container/heap",
        "container/list",
        "context",
        "crypto/hmac",
        "crypto/sha256",
        "crypto/tls",
        "database/sql",
        "embed",
        "encoding/base64",
        "encoding/binary",
        "encoding/csv",
        "encoding/hex",
        "encoding/json",
        "encoding/xml",
        "errors",
        "expvar",
        "flag",
        "fmt",
        "hash/crc32",
        "hash/fnv",
        "io",
        "io/fs",
        "iter",
        "log",
        "log/slog",
        "maps",
        "math",
        "math/big",
        "math/rand/v2",
        "crypto/rand",
        "net",
        "net/http",
        "net/http/httptest",
        "net/http/httputil",
        "net/netip",
        "net/url",
        "os",
        "os/exec",
        "os/signal",
        "path/filepath",
        "reflect",
        "regexp",
        "runtime",
        "runtime/debug",
        "runtime/pprof",
        "runtime/trace",
        "slices",
        "sort",
        "strconv",
        "strings",
        "sync",
        "sync/atomic",
        "syscall",
        "testing",
        "text/template",
        "time",
        "unicode",
        "unicode/utf8",
    ];
    // A package is referred to by its last path element, except for a major version
    // suffix: `math/rand/v2` is `rand`.
    PACKAGES.iter().copied().filter(move |path| {
        let base = path.trim_end_matches("/v2");
        base.rsplit('/').next() == Some(name)
    })
}

fn load_error_help(message: &str) -> String {
    if message.contains("use of internal package") {
        "samples can only import exported standard-library packages; mark the block ```go,ignore if it shows Go's own source".to_string()
    } else if message.contains("pattern") && message.contains("no matching files") {
        "files embedded with //go:embed are not available to sample checks; mark the block ```go,fragment or ```go,ignore".to_string()
    } else {
        "fix the package so `go build` can load it, or mark the block ```go,ignore".to_string()
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListedPackage {
    #[serde(default)]
    dir: String,
    error: Option<ListError>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListError {
    #[serde(default)]
    pos: String,
    #[serde(default)]
    err: String,
}

/// The directory (and package) a sample gets in the temporary module.
fn package_dir(id: usize) -> String {
    format!("s{id:04}")
}

/// The sample a tool's file path belongs to: `s0003/sample.go` (or `./s0003/...`, or an
/// absolute path ending so) is sample 3.
fn package_id(path: &str) -> Option<usize> {
    let dir = Path::new(path).parent()?.file_name()?.to_str()?;
    let digits = dir.strip_prefix('s')?;
    if digits.len() >= 4 && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()
    } else {
        None
    }
}

/// A module in a fresh directory under the cache directory, removed when dropped.
struct TempModule {
    dir: PathBuf,
}

impl TempModule {
    fn create(toolchain: &Toolchain, plans: &[&Planned]) -> Result<TempModule, String> {
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
            fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
        };
        fs::create_dir_all(&module.dir)
            .map_err(|e| format!("cannot create {}: {e}", module.dir.display()))?;
        write(
            &module.dir.join("go.mod"),
            &format!("module kbsamples\n\ngo {}\n", toolchain.language_version()),
        )?;
        for plan in plans {
            let dir = module.dir.join(package_dir(plan.id));
            fs::create_dir_all(&dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            write(&dir.join(plan.file_name()), &plan.code)?;
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

fn run(command: &mut Command) -> Result<Output, String> {
    command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {:?}: {e}", command.get_program()))
}

// ---------------------------------------------------------------------------------------
// Reading Go tool output and source headers

/// Splits `path.go:line:col: message` (column optional) into its parts.
fn parse_position(text: &str) -> Option<(&str, usize, Option<usize>)> {
    let end = text.find(".go:")? + 3;
    let path = text[..end].trim_start_matches("./");
    let mut rest = text[end + 1..].splitn(3, ':');
    let line = rest.next()?.trim().parse().ok()?;
    let column = rest.next().and_then(|c| c.trim().parse().ok());
    Some((path, line, column))
}

/// Parses gofmt's `<standard input>:L:C: message` lines.
fn parse_gofmt_errors(stderr: &str) -> Vec<ToolError> {
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

fn code_line(code: &str, line: usize) -> &str {
    code.lines().nth(line.saturating_sub(1)).unwrap_or_default()
}

/// The import paths of a Go file, or `None` if it has no package clause (a fragment).
///
/// A small scanner over the file's header (comments, `package`, `import` declarations) is
/// enough: full parsing is gofmt's job.
fn read_header(code: &str) -> Option<Vec<String>> {
    let mut tokens = Tokens { rest: code };
    if tokens.next()? != Token::Word("package") {
        return None;
    }
    let Some(Token::Word(_)) = tokens.next() else {
        return None;
    };
    let mut imports = Vec::new();
    let mut token = tokens.next();
    while token == Some(Token::Punct(';')) {
        token = tokens.next();
    }
    while token == Some(Token::Word("import")) {
        match tokens.next() {
            Some(Token::Punct('(')) => loop {
                match tokens.next() {
                    Some(Token::Str(path)) => imports.push(path.to_string()),
                    Some(Token::Punct(')')) | None => break,
                    _ => {}
                }
            },
            Some(Token::Str(path)) => imports.push(path.to_string()),
            // `import name "path"` or `import . "path"`
            Some(_) => {
                if let Some(Token::Str(path)) = tokens.next() {
                    imports.push(path.to_string());
                }
            }
            None => break,
        }
        token = tokens.next();
        while token == Some(Token::Punct(';')) {
            token = tokens.next();
        }
    }
    Some(imports)
}

#[derive(Debug, PartialEq, Eq)]
enum Token<'s> {
    Word(&'s str),
    /// The contents of a string literal (escapes are not interpreted: import paths have none).
    Str(&'s str),
    Punct(char),
}

struct Tokens<'s> {
    rest: &'s str,
}

impl<'s> Iterator for Tokens<'s> {
    type Item = Token<'s>;

    fn next(&mut self) -> Option<Token<'s>> {
        loop {
            self.rest = self.rest.trim_start();
            if let Some(after) = self.rest.strip_prefix("//") {
                self.rest = after.find('\n').map_or("", |i| &after[i..]);
            } else if let Some(after) = self.rest.strip_prefix("/*") {
                self.rest = after.find("*/").map_or("", |i| &after[i + 2..]);
            } else {
                break;
            }
        }
        let first = self.rest.chars().next()?;
        if first == '"' || first == '`' {
            let body = &self.rest[1..];
            let end = body.find(first)?;
            self.rest = &body[end + 1..];
            return Some(Token::Str(&body[..end]));
        }
        if first.is_alphanumeric() || first == '_' {
            let end = self
                .rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(self.rest.len());
            let word = &self.rest[..end];
            self.rest = &self.rest[end..];
            return Some(Token::Word(word));
        }
        self.rest = &self.rest[first.len_utf8()..];
        Some(Token::Punct(first))
    }
}

// ---------------------------------------------------------------------------------------
// The result cache

const SYNTAX_ONLY_MARKER: &[u8] = b"syntax-only";

/// Remembers samples that were clean, by a hash of everything that decides the verdict.
/// Only clean results are kept: a failing sample is checked again next time, so its
/// diagnostics are always fresh.
struct ResultCache {
    dir: PathBuf,
    go_version: String,
}

impl ResultCache {
    fn new(cache_dir: &Path, go_version: &str) -> Self {
        ResultCache {
            dir: cache_dir.join("go-samples"),
            go_version: go_version.to_string(),
        }
    }

    fn key(&self, sample: &CodeSample) -> String {
        let mut hasher = Sha256::new();
        // Bump the tag when the checks change, so old verdicts are not reused.
        for part in [
            "kb go check 1",
            &self.go_version,
            &sample.lang,
            &sample.flags.join(","),
            &sample.code,
        ] {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        format!("{:x}", hasher.finalize())
    }

    /// `None` if the sample is not known to be clean; otherwise whether it was only
    /// syntax-checked for lack of anything to vet (so the counts stay the same).
    fn clean(&self, key: &str) -> Option<bool> {
        let marker = fs::read(self.dir.join(key)).ok()?;
        Some(marker == SYNTAX_ONLY_MARKER)
    }

    fn remember_clean(&self, key: &str, syntax_only: bool) {
        // Failing to write the cache only makes the next run slower, so it is not an
        // error worth reporting.
        if fs::create_dir_all(&self.dir).is_ok() {
            let marker: &[u8] = if syntax_only { SYNTAX_ONLY_MARKER } else { b"" };
            let _ = fs::write(self.dir.join(key), marker);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tests that need Go fail without it, unless KB_ALLOW_NO_GO=1 says this machine
    /// deliberately has none (then they are skipped).
    fn go_available() -> bool {
        let found = Command::new("go")
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !found && std::env::var("KB_ALLOW_NO_GO").as_deref() != Ok("1") {
            panic!("these tests need `go` on PATH (run scripts/install-go.sh), or set KB_ALLOW_NO_GO=1 to skip them");
        }
        found
    }

    fn sample(fence_line: usize, flags: &[&str], code: &str) -> CodeSample {
        CodeSample {
            file: "content/go/sample.md".into(),
            fence_line,
            lang: "go".into(),
            flags: flags.iter().map(|f| f.to_string()).collect(),
            code: code.into(),
        }
    }

    /// A fresh cache directory whose Go build cache is shared by all tests: each test
    /// then sees its own result cache, but the standard library is compiled once, not
    /// once per test.
    fn cache_dir() -> tempfile::TempDir {
        let cache = tempfile::tempdir().expect("temporary directory");
        #[cfg(unix)]
        {
            let shared = std::env::temp_dir().join("kb-test-go-build-cache");
            fs::create_dir_all(&shared).expect("shared Go build cache");
            std::os::unix::fs::symlink(&shared, cache.path().join("go-build")).expect("symlink");
        }
        cache
    }

    fn check(samples: &[CodeSample]) -> GoReport {
        check_go(samples, cache_dir().path())
    }

    /// (line, column, message) of each diagnostic, for compact assertions.
    fn positions(report: &GoReport) -> Vec<(usize, usize, String)> {
        report
            .diagnostics
            .iter()
            .map(|d| {
                (
                    d.line.unwrap_or(0),
                    d.column.unwrap_or(0),
                    d.message.clone(),
                )
            })
            .collect()
    }

    const CLEAN: &str =
        "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hi\")\n}\n";

    #[test]
    fn clean_standard_library_file_is_type_checked() {
        if !go_available() {
            return;
        }
        let report = check(&[sample(10, &[], CLEAN)]);
        assert_eq!(report.diagnostics, vec![]);
        assert_eq!(
            (report.type_checked, report.syntax_only, report.fragments),
            (1, 0, 0)
        );
        assert_eq!(report.skipped, None);
    }

    #[test]
    fn type_errors_and_vet_findings_point_into_the_page() {
        if !go_available() {
            return;
        }
        let unused = "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc main() {\n\tfmt.Println()\n}\n";
        let undefined = "package main\n\nfunc main() {\n\tfmt.Println(\"é\", x)\n}\n";
        let printf =
            "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Printf(\"%d\\n\", \"x\")\n}\n";
        let report = check(&[
            sample(10, &[], unused),
            sample(30, &[], CLEAN),
            sample(50, &[], undefined),
            sample(70, &[], printf),
        ]);
        assert_eq!(
            positions(&report),
            vec![
                (
                    15,
                    2,
                    "Go sample does not compile: \"os\" imported and not used".to_string()
                ),
                (
                    54,
                    2,
                    "Go sample does not compile: undefined: fmt".to_string()
                ),
                // go vet stops at a package's first type error, so `x` is not reported.
                (
                    76,
                    14,
                    "go vet: fmt.Printf format %d has arg \"x\" of wrong type string".to_string()
                ),
            ]
        );
        assert_eq!(
            report.diagnostics[1].help.as_deref(),
            Some("add the missing import: import \"fmt\"")
        );
        assert_eq!(report.type_checked, 4);
    }

    #[test]
    fn syntax_error_in_a_whole_file() {
        if !go_available() {
            return;
        }
        let code = "package main\n\nfunc main() {\n\tx := \n}\n";
        let report = check(&[sample(3, &[], code)]);
        assert_eq!(
            positions(&report),
            vec![(
                8,
                1,
                "Go syntax error: expected operand, found '}'".to_string()
            )]
        );
        assert!(report.diagnostics[0]
            .help
            .as_deref()
            .unwrap_or("")
            .contains("go,fragment"));
    }

    #[test]
    fn unformatted_code_reports_first_changed_line_and_diff() {
        if !go_available() {
            return;
        }
        let code = "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(1+2)\n    fmt.Println(3)\n}\n";
        let report = check(&[sample(20, &[], code)]);
        assert_eq!(
            positions(&report),
            vec![(26, 1, "Go code is not gofmt-formatted".to_string())]
        );
        assert_eq!(
            report.diagnostics[0].help.as_deref(),
            Some("run gofmt on this block; it would change:\n    @@ line 26 @@\n    -\tfmt.Println(1+2)\n    -    fmt.Println(3)\n    +\tfmt.Println(1 + 2)\n    +\tfmt.Println(3)")
        );
    }

    #[test]
    fn other_modules_are_checked_for_syntax_and_format_only() {
        if !go_available() {
            return;
        }
        // Would not type-check (undefined), but the module cannot be fetched offline.
        let code = "package main\n\nimport \"github.com/example/lib\"\n\nfunc main() {\n\tlib.Run(undefined)\n}\n";
        let report = check(&[sample(1, &[], code)]);
        assert_eq!(report.diagnostics, vec![]);
        assert_eq!((report.type_checked, report.syntax_only), (0, 1));
    }

    #[test]
    fn fragments_are_wrapped_and_positions_mapped_back() {
        if !go_available() {
            return;
        }
        let declarations = "type Store struct {\n\tdb *sql.DB\n}\n\nfunc (s *Store) Close() error { return s.db.Close() }\n";
        let statements = "ctx, cancel := context.WithTimeout(ctx, time.Second)\ndefer cancel()\nif err := run(ctx); err != nil {\n\treturn err\n}\n";
        let bad_statements = "x := 1\nif x > 0 {\n\tfmt.Println(x +)\n}\n";
        let unformatted = "for i := 0; i < 3; i++ {\n    fmt.Println(i)\n}\n";
        let report = check(&[
            sample(10, &["fragment"], declarations),
            sample(20, &["fragment"], statements),
            sample(30, &["fragment"], bad_statements),
            sample(40, &["fragment"], unformatted),
        ]);
        assert_eq!(
            positions(&report),
            vec![
                (33, 17, "Go syntax error: expected operand, found ')'".to_string()),
                (42, 1, "Go code is not gofmt-formatted (indentation or spacing differs; gofmt indents with tabs)".to_string()),
            ]
        );
        assert_eq!(report.fragments, 4);
    }

    #[test]
    fn block_without_package_clause_needs_the_fragment_flag() {
        if !go_available() {
            return;
        }
        let report = check(&[sample(5, &[], "fmt.Println(\"hi\")\n")]);
        assert_eq!(
            positions(&report),
            vec![(
                6,
                1,
                "Go block has no package clause, so it cannot be compiled".to_string()
            )]
        );
        assert!(report.diagnostics[0]
            .help
            .as_deref()
            .unwrap_or("")
            .contains("```go,fragment"));
    }

    #[test]
    fn ignored_and_other_language_blocks_are_not_checked() {
        let mut rust = sample(1, &[], "fn main() {}");
        rust.lang = "rust".into();
        let report = check(&[sample(1, &["ignore"], "this is not Go"), rust]);
        assert_eq!(report.diagnostics, vec![]);
        assert_eq!(report.ignored, 1);
        assert_eq!(report.skipped, None);
    }

    #[test]
    fn missing_go_skips_compilation_and_says_why() {
        let cache = tempfile::tempdir().expect("temporary directory");
        let report = check_go_with(&[sample(1, &[], CLEAN)], cache.path(), "kb-test-no-such-go");
        assert_eq!(report.diagnostics, vec![]);
        assert!(
            report
                .skipped
                .as_deref()
                .unwrap_or("")
                .contains("no `go` on PATH"),
            "{report:?}"
        );
    }

    #[test]
    fn clean_results_are_cached_and_failures_rechecked() {
        if !go_available() {
            return;
        }
        let cache = cache_dir();
        let failing = "package main\n\nfunc main() {\n\tx := 1\n}\n";
        let windows_only = "//go:build windows\n\npackage main\n\nfunc main() {}\n";
        let samples = [
            sample(1, &[], CLEAN),
            sample(20, &[], failing),
            sample(40, &[], windows_only),
        ];
        let first = check_go(&samples, cache.path());
        assert_eq!((first.cached, first.diagnostics.len()), (0, 1));
        let second = check_go(&samples, cache.path());
        assert_eq!(second.cached, 2);
        assert_eq!(second.diagnostics, first.diagnostics);
        assert_eq!((second.type_checked, second.syntax_only), (2, 1));
    }

    #[test]
    fn test_file_title_makes_a_test_file() {
        if !go_available() {
            return;
        }
        // vet's `tests` analyzer looks only at _test.go files, so its finding proves the
        // sample was written as one.
        let code = "package store_test\n\nimport \"testing\"\n\nfunc Testget(t *testing.T) {}\n";
        // The title may carry a directory, as in ```go title="store/store_test.go"```.
        let as_test = check(&[sample(1, &["file=store/store_test.go"], code)]);
        assert_eq!(
            positions(&as_test),
            vec![(6, 6, "go vet: Testget has malformed name: first letter after 'Test' must not be lowercase".to_string())]
        );
        let as_plain_file = check(&[sample(1, &[], code)]);
        assert_eq!(as_plain_file.diagnostics, vec![]);
    }

    #[test]
    fn a_package_that_cannot_load_does_not_stop_the_others() {
        if !go_available() {
            return;
        }
        let internal = "package main\n\nimport \"internal/cpu\"\n\nfunc main() { _ = cpu.X86 }\n";
        let unused = "package main\n\nfunc main() {\n\tx := 1\n}\n";
        let windows_only = "//go:build windows\n\npackage main\n\nfunc main() { undefined() }\n";
        let report = check(&[
            sample(1, &[], internal),
            sample(20, &[], unused),
            sample(40, &[], windows_only),
        ]);
        assert_eq!(
            positions(&report),
            vec![
                (
                    4,
                    8,
                    "Go sample does not build: use of internal package internal/cpu not allowed"
                        .to_string()
                ),
                (
                    24,
                    2,
                    "Go sample does not compile: declared and not used: x".to_string()
                ),
            ]
        );
        assert_eq!((report.type_checked, report.syntax_only), (2, 1));
    }

    #[test]
    fn reads_package_and_imports() {
        let code = "// Command x.\npackage main // trailing\n\nimport \"fmt\"\nimport (\n\tio \"io\"\n\t_ \"embed\"\n\t/* c */ \"github.com/a/b\"\n)\n\nfunc main() {}\n";
        assert_eq!(
            read_header(code),
            Some(vec![
                "fmt".to_string(),
                "io".into(),
                "embed".into(),
                "github.com/a/b".into()
            ])
        );
        assert_eq!(
            read_header("package p; import `os`"),
            Some(vec!["os".to_string()])
        );
        assert_eq!(read_header("x := 1\n"), None);
        assert_eq!(read_header("/* package main */\nfunc f() {}"), None);
    }

    #[test]
    fn statement_wrapping_round_trips_and_maps_positions() {
        let code = "x := `raw\nline`\nif x != \"\" {\n\ty()\n}\n\nouter:\n";
        let wrapped = Wrapping::Statements.wrap(code);
        assert!(wrapped.starts_with(STATEMENTS_PREFIX) && wrapped.ends_with("\n}\n"));
        assert_eq!(Wrapping::Statements.unwrap(&wrapped), code);
        // Line 6 of the wrapped source is line 3 of the code; its tab is not the code's.
        assert_eq!(Wrapping::Statements.map(6, 5, code), (3, 4));
        assert_eq!(Wrapping::Declarations.map(3, 5, code), (1, 5));
    }

    #[test]
    fn diff_finds_separate_hunks() {
        let old = ["a", "b", "c", "d", "e"];
        let new = ["a", "B", "c", "d", "e", "f"];
        let hunks = line_diff(&old, &new);
        assert_eq!(
            hunks,
            vec![
                Hunk {
                    old_start: 1,
                    removed: vec!["b".into()],
                    added: vec!["B".into()]
                },
                Hunk {
                    old_start: 5,
                    removed: vec![],
                    added: vec!["f".into()]
                },
            ]
        );
        assert_eq!(
            render_hunks(&hunks, 10),
            "    @@ line 12 @@\n    -b\n    +B\n    @@ line 16 @@\n    +f"
        );
    }

    #[test]
    fn reads_release_versions() {
        assert_eq!(release("go1.27.3"), Some((1, 27)));
        assert_eq!(release("go1.22rc1"), Some((1, 22)));
        assert_eq!(release("go1.23"), Some((1, 23)));
        assert_eq!(release("devel go1.24-abcdef"), None);
    }

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
        assert_eq!(package_id("/tmp/run/s0012/sample.go"), Some(12));
        assert_eq!(package_id("s12/sample.go"), None);
        assert_eq!(
            parse_gofmt_errors("<standard input>:4:1: expected operand, found '}'\n"),
            vec![ToolError {
                line: 4,
                column: 1,
                message: "expected operand, found '}'".into()
            }]
        );
    }

    #[test]
    fn standard_library_names_for_missing_imports() {
        let named = |name| std_packages_named(name).collect::<Vec<_>>();
        assert_eq!(named("http"), ["net/http"]);
        assert_eq!(named("rand"), ["math/rand/v2", "crypto/rand"]);
        assert_eq!(named("fmt"), ["fmt"]);
        assert_eq!(named("myThing"), Vec::<&str>::new());
        assert_eq!(
            compile_help("undefined: rand"),
            "add the missing import: import \"math/rand/v2\" or \"crypto/rand\""
        );
    }
}
