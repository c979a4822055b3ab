//! Running samples with `go test`: the packages that have a test block (tests, and
//! examples with `// Output:` comments) are written into one temporary module and run by
//! a single `go test -json` call, which builds and runs them in parallel, each test
//! binary under its own timeout. A failing test or example, or one still running when
//! the timeout struck, is an error at its `func` line in the page, with what it printed.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use serde::Deserialize;

use super::cache::ResultCache;
use super::error::ToolFailure;
use super::module::TempModule;
use super::test_budget::TestClock;
use super::tool_output::package_id;
use super::toolchain::Toolchain;
use super::vet::package_args;
use super::{GoOptions, GoReport, Kind, Outcome, Planned};
use crate::check::budget::run_watched;
use crate::diagnostic::Diagnostic;

/// At most this many lines of a test's output go into its error.
const MAX_OUTPUT_LINES: usize = 30;

/// What to do about a test that ran over its time budget.
const OVERDUE_HELP: &str = "a sample's test must finish quickly: use testing/synctest for time (its clock advances when every goroutine is blocked), make sure every goroutine and process the test starts can exit, or, if it really needs longer, raise `sample-timeout` under [kb] in book.toml";

/// Runs the packages that have a test block and nothing wrong so far with `go test`,
/// unless an earlier run found them passing, and counts them in `report`.
pub(crate) fn test_packages(
    planned: &[Planned],
    outcomes: &mut [Outcome],
    toolchain: &Toolchain,
    cache: &ResultCache,
    options: &GoOptions,
    report: &mut GoReport,
) {
    let mut to_run: Vec<&Planned> = Vec::new();
    let mut keys: Vec<(usize, String)> = Vec::new();
    let tested: BTreeSet<usize> = planned
        .iter()
        .filter(|p| p.file_name.ends_with("_test.go") && p.kind != Kind::Fragment)
        .map(|p| p.package)
        .collect();
    for package in tested {
        let members: Vec<(&Planned, &Outcome)> = planned
            .iter()
            .zip(outcomes.iter())
            .filter(|(p, _)| p.package == package)
            .collect();
        // A test needing what kb cannot provide (a module, a testdata file) is still
        // type-checked but not run: `no_run` says so, as in rustdoc.
        if members
            .iter()
            .any(|(p, _)| p.kind == Kind::OtherFile || p.sample.has_flag("no_run"))
        {
            report.tests_skipped += 1;
            continue;
        }
        if members
            .iter()
            .any(|(p, o)| p.kind != Kind::StdFile || o.demoted || !o.diagnostics.is_empty())
        {
            // Already reported, or excluded by build constraints: nothing to run.
            continue;
        }
        let key = cache.test_key(
            members
                .iter()
                .map(|(p, _)| (p.file_name.as_str(), p.code.as_str())),
        );
        if cache.passed(&key) {
            report.tests_passed += 1;
            report.tests_cached += 1;
            continue;
        }
        to_run.extend(members.iter().map(|(p, _)| *p));
        keys.push((package, key));
    }
    if to_run.is_empty() {
        return;
    }
    match go_test(&to_run, toolchain, options.test_timeout) {
        Ok(errors) => {
            for (package, key) in keys {
                let failed = to_run
                    .iter()
                    .any(|p| p.package == package && errors.contains_key(&p.id));
                if failed {
                    report.tests_failed += 1;
                } else {
                    report.tests_passed += 1;
                    cache.remember_clean(&key, false);
                }
            }
            for (id, diagnostics) in errors {
                outcomes[id].diagnostics.extend(diagnostics);
            }
        }
        Err(failure) => report.diagnostics.push(
            Diagnostic::warning(
                to_run[0].at(1, 1),
                format!("the Go samples' tests could not be run: go test failed: {failure}"),
            )
            .with_help("check that the Go toolchain works (`go version`) and that the .kb-cache directory is writable, then run kb check again"),
        ),
    }
}

/// Runs the packages whose blocks are `plans` (each package's blocks all present) with
/// `go test`. Returns the errors by the id of the sample each belongs to.
fn go_test(
    plans: &[&Planned],
    toolchain: &Toolchain,
    timeout: Duration,
) -> Result<HashMap<usize, Vec<Diagnostic>>, ToolFailure> {
    let module = TempModule::create(toolchain, plans)?;
    let mut command = toolchain.go(&module.dir);
    command
        .arg("test")
        .arg("-json")
        // The packages were vetted just before; the same compiler flags as vet reuse
        // the standard library it compiled.
        .args(["-vet=off", "-gcflags=all=-N -l"])
        // Go's own timeout names the test still running; kb's clock stops what it
        // cannot (a loop in `init`, a process the test started), a little later.
        .arg(format!("-timeout={}s", timeout.as_secs().max(1)))
        .args(package_args(plans));
    let mut clock = TestClock::new(timeout);
    let watched = run_watched(&mut command, &mut clock).map_err(|error| ToolFailure::Run {
        program: command.get_program().to_string_lossy().into_owned(),
        error,
    })?;
    let output = watched.output;
    let overdue = clock.overdue_packages();
    let runs = read_events(&String::from_utf8_lossy(&output.stdout));
    let mut errors: HashMap<usize, Vec<Diagnostic>> = HashMap::new();
    let packages: BTreeSet<usize> = plans.iter().map(|p| p.package).collect();
    for package in packages {
        let members: Vec<&Planned> = plans
            .iter()
            .copied()
            .filter(|p| p.package == package)
            .collect();
        let diagnostics = match runs.get(&package) {
            _ if overdue.contains(&package) => {
                let empty = PackageRun::default();
                let run = runs.get(&package).unwrap_or(&empty);
                run.overdue(&members, timeout)
            }
            // kb stopped go test for another package before this one ended.
            _ if watched.stopped => interrupted(&members).into_iter().collect(),
            Some(run) => run.diagnostics(&members, timeout),
            // No event at all: go test stopped before this package (it says why on
            // standard error).
            None if !output.status.success() => {
                package_failure(&members, &String::from_utf8_lossy(&output.stderr))
                    .into_iter()
                    .collect()
            }
            None => Vec::new(),
        };
        for (id, diagnostic) in diagnostics {
            errors.entry(id).or_default().push(diagnostic);
        }
    }
    Ok(errors)
}

/// One line of `go test -json` output (the fields kb reads).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Event {
    pub(super) action: String,
    #[serde(default)]
    package: String,
    /// Set on build output events instead of `Package`: `kbsamples/s0003 [kbsamples/s0003.test]`.
    #[serde(default)]
    import_path: String,
    #[serde(default)]
    pub(super) test: String,
    #[serde(default)]
    output: String,
}

impl Event {
    /// The id of the sample package the event is about.
    pub(super) fn package(&self) -> Option<usize> {
        let path = if self.package.is_empty() {
            &self.import_path
        } else {
            &self.package
        };
        let dir = path
            .split(' ')
            .next()
            .and_then(|p| p.rsplit('/').next())
            .unwrap_or_default();
        package_id(dir)
    }
}

/// What `go test` reported for one package.
#[derive(Debug, Default)]
struct PackageRun {
    failed: bool,
    /// Top-level tests and examples in the order they started.
    tests: Vec<TestRun>,
    /// Output not attributed to a test: build errors, a crash before any test ran.
    output: String,
}

#[derive(Debug, Default)]
struct TestRun {
    name: String,
    /// `Some(true)` passed or skipped, `Some(false)` failed, `None` never finished.
    passed: Option<bool>,
    output: String,
}

/// The runs of the packages in `go test -json` output, by package id.
fn read_events(json: &str) -> HashMap<usize, PackageRun> {
    let mut runs: HashMap<usize, PackageRun> = HashMap::new();
    for event in serde_json::Deserializer::from_str(json)
        .into_iter::<Event>()
        .map_while(Result::ok)
    {
        let Some(package) = event.package() else {
            continue;
        };
        let run = runs.entry(package).or_default();
        // Subtests belong to their top-level test, whose `func` is on the page.
        let top = event.test.split('/').next().unwrap_or_default();
        if top.is_empty() {
            match event.action.as_str() {
                "fail" | "build-fail" => run.failed = true,
                "output" | "build-output" => run.output.push_str(&event.output),
                _ => {}
            }
            continue;
        }
        let test = match run.tests.iter().position(|t| t.name == top) {
            Some(index) => &mut run.tests[index],
            None => {
                run.tests.push(TestRun {
                    name: top.to_string(),
                    ..TestRun::default()
                });
                let last = run.tests.len() - 1;
                &mut run.tests[last]
            }
        };
        let own = event.test == top;
        match event.action.as_str() {
            "output" => test.output.push_str(&event.output),
            "pass" | "skip" if own => test.passed = Some(true),
            "fail" if own => test.passed = Some(false),
            _ => {}
        }
    }
    runs
}

impl PackageRun {
    /// The errors of a run kb stopped because it was still going after `budget`: at each
    /// test or example still running, or at the package's first test block when none had
    /// started (a loop in `init` or in a package-level variable, where Go's own timeout
    /// never starts).
    fn overdue(&self, members: &[&Planned], budget: Duration) -> Vec<(usize, Diagnostic)> {
        let unfinished: Vec<&TestRun> = self.tests.iter().filter(|t| t.passed.is_none()).collect();
        let error = |plan: &Planned, line: usize, what: &str, output: &str| {
            let message = format!(
                "go test: {what} did not finish within the {} s time budget; kb stopped it and every process it started",
                budget.as_secs()
            );
            let diagnostic = Diagnostic::error(plan.at(line, 1), message).with_help(format!(
                "{OVERDUE_HELP}; it printed:\n{}",
                shown_output(output)
            ));
            (plan.id, diagnostic)
        };
        if unfinished.is_empty() {
            return test_block(members)
                .map(|plan| {
                    error(
                        plan,
                        1,
                        "this package (before any test started)",
                        &self.output,
                    )
                })
                .into_iter()
                .collect();
        }
        unfinished
            .iter()
            .filter_map(|test| {
                let (plan, line) =
                    func_line(members, &test.name).or_else(|| Some((test_block(members)?, 1)))?;
                Some(error(plan, line, &test.name, &test.output))
            })
            .collect()
    }

    /// The errors of this run, each with the id of the sample it belongs to.
    fn diagnostics(&self, members: &[&Planned], timeout: Duration) -> Vec<(usize, Diagnostic)> {
        let Some(first) = members.first() else {
            return Vec::new();
        };
        if !self.failed {
            return Vec::new();
        }
        let timed_out = self
            .tests
            .iter()
            .any(|t| t.output.contains("panic: test timed out after"));
        let mut found: Vec<(usize, Diagnostic)> =
            self.tests
                .iter()
                .filter_map(|test| {
                    let message = match test.passed {
                        Some(true) => return None,
                        Some(false) => format!("go test: {} failed", test.name),
                        None if timed_out => format!(
                            "go test: {} did not finish within the {} s time budget",
                            test.name,
                            timeout.as_secs()
                        ),
                        None => format!(
                            "go test: {} did not finish (the test binary crashed)",
                            test.name
                        ),
                    };
                    let (plan, line) = func_line(members, &test.name).unwrap_or((first, 1));
                    let help = match test.passed {
                        None if timed_out => OVERDUE_HELP,
                        _ => "fix the sample or its test so that `go test` passes",
                    };
                    let diagnostic = Diagnostic::error(plan.at(line, 1), message).with_help(
                        format!("{help}; the test printed:\n{}", shown_output(&test.output)),
                    );
                    Some((plan.id, diagnostic))
                })
                .collect();
        if found.is_empty() {
            found.extend(package_failure(members, &self.output));
        }
        found
    }
}

/// The package's first test block (its first block if it has none).
fn test_block<'p, 'a>(members: &[&'p Planned<'a>]) -> Option<&'p Planned<'a>> {
    members
        .iter()
        .find(|p| p.file_name.ends_with("_test.go"))
        .or(members.first())
        .copied()
}

/// The warning for a package whose tests kb stopped, with the rest of `go test`, because
/// another package ran over its time budget: not a verdict on this one.
fn interrupted(members: &[&Planned]) -> Option<(usize, Diagnostic)> {
    let plan = test_block(members)?;
    let diagnostic = Diagnostic::warning(
        plan.at(1, 1),
        "go test: these tests were stopped before they finished, because another sample's tests ran over their time budget",
    )
    .with_help("fix the sample named in the time budget error, then run kb check again");
    Some((plan.id, diagnostic))
}

/// The error for a package that failed outside any test (it did not build, or crashed
/// before its tests ran), at its first test block.
fn package_failure(members: &[&Planned], output: &str) -> Option<(usize, Diagnostic)> {
    let plan = test_block(members)?;
    let diagnostic = Diagnostic::error(plan.at(1, 1), "go test failed before running the tests")
        .with_help(format!(
            "run `go test` on this package to see the full output; it printed:\n{}",
            shown_output(output)
        ));
    Some((plan.id, diagnostic))
}

/// The block and code line of `func NAME(` among the package's blocks.
fn func_line<'p, 'a>(members: &[&'p Planned<'a>], name: &str) -> Option<(&'p Planned<'a>, usize)> {
    let declaration = format!("func {name}(");
    members.iter().find_map(|plan| {
        let index = plan
            .code
            .lines()
            .position(|l| l.starts_with(&declaration))?;
        Some((*plan, index + 1))
    })
}

/// A test's output as it goes into a message: the framing lines (`=== RUN`, `--- FAIL`)
/// and a timeout's goroutine dump left out, indented, at most [`MAX_OUTPUT_LINES`].
fn shown_output(output: &str) -> String {
    let mut lines: Vec<&str> = output
        .lines()
        .take_while(|l| !l.starts_with("goroutine "))
        .filter(|l| {
            ![
                "=== RUN",
                "=== PAUSE",
                "=== CONT",
                "--- FAIL",
                "--- PASS",
                "--- SKIP",
            ]
            .iter()
            .any(|frame| l.trim_start().starts_with(frame))
                && !l.trim().is_empty()
        })
        .collect();
    if lines.len() > MAX_OUTPUT_LINES {
        lines.truncate(MAX_OUTPUT_LINES);
        lines.push("…");
    }
    if lines.is_empty() {
        return "    (nothing)".to_string();
    }
    lines
        .iter()
        // `t.Log` output comes indented by four spaces a level of subtests; the message
        // indents it anew.
        .map(|l| format!("    {}", l.trim_start_matches(' ').trim_end()))
        .collect::<Vec<_>>()
        .join("\n")
}
