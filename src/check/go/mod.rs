//! Go code samples: every ```` ```go ```` block must parse and be gofmt-formatted, a
//! block that is a whole file using only the standard library must pass `go vet`, and,
//! when the site turns it on (`[kb] run-go-tests`), a package with a test block must pass
//! `go test`.
//!
//! This is `mdbook test` for Go. The work is done by the real Go toolchain (`gofmt`, and
//! `go vet` in a throwaway module), so the verdict is the one a reader gets when they paste
//! the sample; this module plans what each sample is, runs the passes in order and moves
//! the tools' `file.go:line:col: message` positions back to the Markdown page.
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
//! Without a usable Go (none on PATH, or older than `toolchain::MIN_GO`) no block can be
//! checked: that is one warning saying why and what to do, and the blocks count as
//! unchecked, so `kb check --deny-warnings` fails.
//!
//! A block titled `..._test.go` is a test file; a page's program block and its test
//! block with the same package clause form one package (`packages`), so the test
//! exercises the code the page shows. Running them executes code from the content, so it
//! happens only when the site's configuration asks for it.
//!
//! Clean results are cached by content hash in the cache directory, so a warm run only
//! looks at blocks that changed or failed last time.
//!
//! The passes, one file each: `toolchain` (finding Go), `header` (whole file or fragment,
//! which imports), `packages` (which blocks share a package), `wrapping` (fragments into
//! files), `gofmt` (syntax and formatting, with the `diff`), `vet` (type checking, with
//! `advice`), `gotest` (running tests and examples), `module` (the temporary module they
//! run in), `test_budget` (the time a package's tests may take), `tool_output` (reading
//! what the tools print) and `cache`; `error` holds why a
//! check could not run.

mod advice;
mod cache;
mod diff;
mod error;
mod gofmt;
mod gotest;
mod header;
mod module;
mod packages;
mod test_budget;
mod tool_output;
mod toolchain;
mod vet;
mod wrapping;

#[cfg(test)]
mod tests;

use std::path::Path;
use std::time::Duration;

use rayon::prelude::*;

use self::cache::ResultCache;
use self::error::ToolFailure;
use self::header::{package_name, read_header};
use self::packages::{place, Block};
use self::toolchain::Toolchain;
use crate::check::sample::CodeSample;
use crate::diagnostic::{Diagnostic, Location};
use crate::diagnostics::Diagnostics;
use crate::position::char_column;
use crate::trust::Trust;

pub(crate) use self::error::GoUnavailable;

/// What checking the Go samples found, and how much of it could be checked how deeply.
///
/// Every Go sample counts in exactly one of `type_checked`, `syntax_only`, `fragments`,
/// `ignored` and `unchecked`; `cached` says how many of the checked ones were answered
/// from the cache.
#[derive(Debug, Default)]
pub(crate) struct GoReport {
    pub diagnostics: Vec<Diagnostic>,
    /// Whole files importing only the standard library: parsed, formatted, `go vet`.
    pub type_checked: usize,
    /// Whole files importing other modules: parsed and formatted only.
    pub syntax_only: usize,
    /// `go,fragment` blocks (and blocks missing their package clause): parsed and formatted.
    pub fragments: usize,
    /// `go,ignore` blocks.
    pub ignored: usize,
    /// Blocks that could not be checked at all, because there is no usable Go.
    pub unchecked: usize,
    /// Samples whose clean result was reused from an earlier run.
    pub cached: usize,
    /// Why no Go sample could be checked (e.g. no `go` on PATH); `None` if they were.
    pub unavailable: Option<GoUnavailable>,
    /// Packages with a test block that passed `go test` (run now or earlier, see
    /// `tests_cached`); zero unless tests are run.
    pub tests_passed: usize,
    /// Packages with a test block that failed `go test`.
    pub tests_failed: usize,
    /// Packages with a test block that were not run because a block imports a module
    /// outside the standard library, which cannot be fetched offline, or is marked
    /// `no_run` (it needs files kb cannot provide).
    pub tests_skipped: usize,
    /// Of `tests_passed`, those whose passing run was remembered from an earlier check.
    pub tests_cached: usize,
}

/// How the Go samples are checked.
#[derive(Debug, Clone)]
pub(crate) struct GoOptions {
    /// Run packages that have a test block with `go test` (only when `trust` runs code).
    pub run_tests: bool,
    /// Untrusted content: nothing is compiled or run.
    pub trust: Trust,
    /// How long one package's tests may run (`[kb] sample-timeout`); compiling is not
    /// counted. kb kills what is still running a moment after it (`test_budget`).
    pub test_timeout: Duration,
}

impl Default for GoOptions {
    fn default() -> Self {
        GoOptions {
            run_tests: false,
            trust: Trust::Trusted,
            test_timeout: crate::limits::Limits::default().sample_timeout,
        }
    }
}

/// Checks every Go sample in `samples` (samples in other languages are left alone).
///
/// `cache_dir` holds the result cache and the private Go build cache; it is created if
/// missing. Nothing is printed.
/// Untrusted, nothing is compiled: `go vet` builds the sample (and cgo would run a C
/// compiler with the flags the sample names), so whole files get the gofmt pass only, and
/// no test runs.
pub(crate) fn check_go(samples: &[CodeSample], cache_dir: &Path, options: &GoOptions) -> GoReport {
    check_go_with(samples, cache_dir, "go", options)
}

/// [`check_go`] with the `go` program to look for, so tests can simulate a missing one.
fn check_go_with(
    samples: &[CodeSample],
    cache_dir: &Path,
    go_program: &str,
    options: &GoOptions,
) -> GoReport {
    let mut report = GoReport::default();
    let mut to_check = Vec::new();
    for sample in samples.iter().filter(|s| is_go(&s.lang)) {
        if sample.has_flag("ignore") {
            report.ignored += 1;
        } else {
            to_check.push(sample);
        }
    }
    let Some(first) = to_check.first() else {
        return report;
    };
    let toolchain = match Toolchain::find(go_program, cache_dir) {
        Ok(toolchain) => toolchain,
        Err(reason) => {
            report.unchecked = to_check.len();
            report
                .diagnostics
                .push(unavailable_warning(&reason, first, to_check.len()));
            report.unavailable = Some(reason);
            return report;
        }
    };

    let cache = ResultCache::new(cache_dir, &toolchain.version);
    let planned = plan(&to_check, &toolchain, &cache);

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
                gofmt::format_check(plan, &toolchain)
            }
        })
        .collect();

    // Type checking: all standard-library-only files whose packages parsed, in one module.
    let parsed = |package: usize| {
        planned
            .iter()
            .zip(&outcomes)
            .all(|(plan, outcome)| plan.package != package || outcome.parsed)
    };
    let to_vet: Vec<&Planned> = planned
        .iter()
        .filter(|plan| plan.cached.is_none() && plan.kind == Kind::StdFile && parsed(plan.package))
        .collect();
    let trust = options.trust;
    let (to_vet, not_vetted) = if trust.runs_code() {
        (to_vet, Vec::new())
    } else {
        (Vec::new(), to_vet)
    };
    for plan in &not_vetted {
        outcomes[plan.id].demoted = true;
    }
    let mut vet_failed = false;
    if !to_vet.is_empty() {
        match vet::vet(&to_vet, &toolchain) {
            Ok(vetted) => {
                for (id, result) in vetted {
                    let outcome = &mut outcomes[id];
                    outcome.diagnostics.extend(result.diagnostics);
                    if result.excluded_by_build_constraints {
                        outcome.demoted = true;
                    }
                }
            }
            Err(failure) => {
                // The files were parsed and formatted, not type-checked: count them so
                // and say why, without caching a verdict that lacks the vet step.
                vet_failed = true;
                for plan in &to_vet {
                    outcomes[plan.id].demoted = true;
                }
                report
                    .diagnostics
                    .push(vet_failure_warning(&failure, to_vet[0], to_vet.len()));
            }
        }
    }

    if options.run_tests && trust.runs_code() && !vet_failed {
        gotest::test_packages(
            &planned,
            &mut outcomes,
            &toolchain,
            &cache,
            options,
            &mut report,
        );
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
        } else if outcome.diagnostics.is_empty()
            && !vet_failed
            // Unvetted files are not cached: a trusted run later must still vet them.
            && !not_vetted.iter().any(|p| p.id == plan.id)
        {
            cache.remember_clean(&plan.cache_key, outcome.demoted);
        }
        report.diagnostics.extend(outcome.diagnostics);
    }
    report.diagnostics = Diagnostics::new(std::mem::take(&mut report.diagnostics)).into_vec();
    report
}

fn is_go(lang: &str) -> bool {
    lang.eq_ignore_ascii_case("go") || lang.eq_ignore_ascii_case("golang")
}

/// The one warning for a run whose Go blocks could not be checked, at the first of them.
fn unavailable_warning(reason: &GoUnavailable, first: &CodeSample, blocks: usize) -> Diagnostic {
    let which = match blocks {
        1 => "this Go block was not checked".to_string(),
        n => format!("this Go block and {} more were not checked", n - 1),
    };
    Diagnostic::warning(
        Location::new(&first.file, first.fence_line, 1),
        format!("{which}: {reason}"),
    )
    .with_help(reason.help())
}

/// The warning for standard-library files that `go vet` could not be run on.
fn vet_failure_warning(failure: &ToolFailure, first: &Planned, files: usize) -> Diagnostic {
    let which = match files {
        1 => "this Go block was".to_string(),
        n => format!("this Go block and {} more were", n - 1),
    };
    Diagnostic::warning(
        Location::new(&first.sample.file, first.sample.fence_line, 1),
        format!("{which} only checked for syntax and formatting: go vet could not run: {failure}"),
    )
    .with_help("check that the Go toolchain works (`go version`) and that the .kb-cache directory is writable, then run kb check again")
}

/// What kind of sample, which decides the checks it gets.
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

/// A sample with what the passes need to know about it.
struct Planned<'a> {
    /// Index among the samples being checked; also names the package directory.
    id: usize,
    sample: &'a CodeSample,
    kind: Kind,
    /// The code with `\r\n` line ends made `\n`, as gofmt writes them.
    code: String,
    /// The package the sample is written into, named by the id of its first block; the
    /// sample's own id unless it pairs with a test block (see `packages`).
    package: usize,
    /// The file's name in the package's directory: a test block's title, else `sample.go`.
    file_name: String,
    cache_key: String,
    /// `Some` if an earlier run found the sample clean; `Some(true)` if that run could
    /// only check its syntax (build constraints left nothing to vet).
    cached: Option<bool>,
}

/// The samples with their kinds, packages and cached verdicts.
fn plan<'a>(
    samples: &[&'a CodeSample],
    toolchain: &Toolchain,
    cache: &ResultCache,
) -> Vec<Planned<'a>> {
    let codes: Vec<String> = samples
        .iter()
        .map(|s| s.code.replace("\r\n", "\n"))
        .collect();
    let test_files: Vec<Option<String>> = samples.iter().map(|s| test_file_name(s)).collect();
    let blocks: Vec<Block> = samples
        .iter()
        .zip(&codes)
        .zip(&test_files)
        .map(|((sample, code), test_file)| Block {
            page: &sample.file,
            package: package_name(code).filter(|_| !sample.has_flag("fragment")),
            dir: sample
                .flag_value("title")
                .and_then(|t| t.rsplit_once(['/', '\\']))
                .map_or("", |(dir, _)| dir),
            test_file: test_file.as_deref(),
        })
        .collect();
    let placed = place(&blocks);
    let mut planned: Vec<Planned> = samples
        .iter()
        .zip(codes)
        .zip(placed)
        .enumerate()
        .map(|(id, ((sample, code), (package, file_name)))| {
            let header = read_header(&code);
            let kind = match header {
                Some(_) if sample.has_flag("fragment") => Kind::Fragment,
                Some(imports) if imports.iter().all(|i| toolchain.is_std(i)) => Kind::StdFile,
                Some(_) => Kind::OtherFile,
                None if sample.has_flag("fragment") => Kind::Fragment,
                None => Kind::MissingPackage,
            };
            Planned {
                id,
                sample,
                kind,
                code,
                package,
                file_name,
                cache_key: String::new(),
                cached: None,
            }
        })
        .collect();
    // A package is type-checked whole or not at all: one block importing another module
    // makes all its blocks syntax-only, and one changed block rechecks them all.
    let other_packages: Vec<usize> = planned
        .iter()
        .filter(|p| p.kind == Kind::OtherFile)
        .map(|p| p.package)
        .collect();
    for plan in &mut planned {
        if plan.kind == Kind::StdFile && other_packages.contains(&plan.package) {
            plan.kind = Kind::OtherFile;
        }
    }
    let keys: Vec<String> = planned
        .iter()
        .map(|plan| {
            let others: Vec<&CodeSample> = planned
                .iter()
                .filter(|o| o.package == plan.package && o.id != plan.id)
                .map(|o| o.sample)
                .collect();
            cache.key(plan.sample, &others)
        })
        .collect();
    for (plan, key) in planned.iter_mut().zip(keys) {
        plan.cached = cache.clean(&key);
        plan.cache_key = key;
    }
    let unknown: Vec<usize> = planned
        .iter()
        .filter(|p| p.cached.is_none())
        .map(|p| p.package)
        .collect();
    for plan in &mut planned {
        if unknown.contains(&plan.package) {
            plan.cached = None;
        }
    }
    planned
}

/// The file name a `title` ending in `_test.go` gives the sample: only its last path
/// element (`store/store_test.go` is `store_test.go`), and only if it is a plain file
/// name, since it becomes a path on disk.
fn test_file_name(sample: &CodeSample) -> Option<String> {
    let name = sample
        .flag_value("file")?
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default();
    let plain = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
    (plain && name.ends_with("_test.go") && !name.starts_with('.')).then(|| name.to_string())
}

impl Planned<'_> {
    /// The page position of a line and character column of the code.
    fn at(&self, code_line: usize, column: usize) -> Location {
        Location::new(
            &self.sample.file,
            self.sample.markdown_line(code_line),
            column.max(1),
        )
    }

    /// The page position of a line and byte column of the code, as Go tools report them.
    fn at_byte(&self, code_line: usize, byte_column: usize) -> Location {
        let text = self
            .code
            .lines()
            .nth(code_line.saturating_sub(1))
            .unwrap_or_default();
        self.at(code_line, char_column(text, byte_column))
    }
}

/// What checking one sample found.
#[derive(Debug, Default)]
struct Outcome {
    diagnostics: Vec<Diagnostic>,
    /// gofmt could parse the sample (so `go vet` will not just repeat a syntax error).
    parsed: bool,
    /// `go vet` did not check the sample (build constraints exclude the file on this
    /// platform, or vet could not run), so only its syntax and formatting were checked.
    demoted: bool,
}
