//! End-to-end tests of the Go checks: real samples through the real toolchain, with the
//! positions and messages a user sees. The passes' own tests sit beside them.

use std::fs;
use std::time::Duration;

use super::toolchain::{MIN_GO, PINNED_GO_INSTALL};
use super::*;

/// Tests that need Go fail without a usable one, saying which version they need and how
/// to install it: a test that passes without checking anything would hide that the
/// checks never ran.
fn require_go() {
    let cache = tempfile::tempdir().expect("temporary directory");
    if let Err(reason) = Toolchain::find("go", cache.path()) {
        panic!(
            "these tests need Go {}.{} or later on PATH ({reason}); run `{}` (and put the directory it names first on PATH)",
            MIN_GO.0, MIN_GO.1, PINNED_GO_INSTALL
        );
    }
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
    check_go(samples, cache_dir().path(), &GoOptions::default())
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

const CLEAN: &str = "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hi\")\n}\n";

#[test]
fn clean_standard_library_file_is_type_checked() {
    require_go();
    let report = check(&[sample(10, &[], CLEAN)]);
    assert_eq!(report.diagnostics, vec![]);
    assert_eq!(
        (report.type_checked, report.syntax_only, report.fragments),
        (1, 0, 0)
    );
    assert!(report.unavailable.is_none(), "{report:?}");
}

#[test]
fn type_errors_and_vet_findings_point_into_the_page() {
    require_go();
    let unused =
        "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc main() {\n\tfmt.Println()\n}\n";
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
    require_go();
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
    require_go();
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
    require_go();
    // Would not type-check (undefined), but the module cannot be fetched offline.
    let code = "package main\n\nimport \"github.com/example/lib\"\n\nfunc main() {\n\tlib.Run(undefined)\n}\n";
    let report = check(&[sample(1, &[], code)]);
    assert_eq!(report.diagnostics, vec![]);
    assert_eq!((report.type_checked, report.syntax_only), (0, 1));
}

#[test]
fn fragments_are_wrapped_and_positions_mapped_back() {
    require_go();
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
    require_go();
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
    assert!(report.unavailable.is_none(), "{report:?}");
}

/// Without Go nothing is checked, and that is a warning (so `--deny-warnings` fails)
/// at the first Go block, saying why and what to do, with every block counted unchecked.
#[test]
fn missing_go_skips_compilation_and_says_why() {
    let cache = tempfile::tempdir().expect("temporary directory");
    let samples = [
        sample(1, &[], CLEAN),
        sample(20, &["fragment"], "x := 1\n"),
        sample(30, &["ignore"], "not Go"),
    ];
    let report = check_go_with(
        &samples,
        cache.path(),
        "kb-test-no-such-go",
        &GoOptions::default(),
    );
    assert!(
        matches!(report.unavailable, Some(GoUnavailable::NotFound)),
        "{report:?}"
    );
    assert!(
        report
            .unavailable
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default()
            .contains("no `go` on PATH"),
        "{report:?}"
    );
    assert_eq!(
        (
            report.unchecked,
            report.ignored,
            report.type_checked,
            report.fragments
        ),
        (2, 1, 0, 0)
    );
    let printed: Vec<String> = report.diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(
        printed,
        vec![format!(
            "content/go/sample.md:1:1: warning: this Go block and 1 more were not checked: no `go` on PATH\n  help: install the pinned Go with `{PINNED_GO_INSTALL}` (or put Go {}.{} or later first on PATH), then run kb check again",
            MIN_GO.0, MIN_GO.1
        )]
    );
}

/// A Go older than kb needs is refused with the version found and the version needed.
#[cfg(unix)]
#[test]
fn old_go_is_a_warning_naming_both_versions() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let go = super::toolchain::tests::old_go(dir.path());
    let report = check_go_with(
        &[sample(7, &[], CLEAN)],
        &dir.path().join("cache"),
        &go.to_string_lossy(),
        &GoOptions::default(),
    );
    assert_eq!(report.unchecked, 1);
    assert_eq!(report.diagnostics.len(), 1, "{report:?}");
    let warning = &report.diagnostics[0];
    assert!(!warning.is_error());
    assert_eq!((warning.line, warning.column), (Some(7), Some(1)));
    assert_eq!(
        warning.message,
        "this Go block was not checked: `go` on PATH is go1.19.8, but kb needs Go 1.22 or later"
    );
}

#[test]
fn clean_results_are_cached_and_failures_rechecked() {
    require_go();
    let cache = cache_dir();
    let failing = "package main\n\nfunc main() {\n\tx := 1\n}\n";
    let windows_only = "//go:build windows\n\npackage main\n\nfunc main() {}\n";
    let samples = [
        sample(1, &[], CLEAN),
        sample(20, &[], failing),
        sample(40, &[], windows_only),
    ];
    let first = check_go(&samples, cache.path(), &GoOptions::default());
    assert_eq!((first.cached, first.diagnostics.len()), (0, 1));
    let second = check_go(&samples, cache.path(), &GoOptions::default());
    assert_eq!(second.cached, 2);
    assert_eq!(second.diagnostics, first.diagnostics);
    assert_eq!((second.type_checked, second.syntax_only), (2, 1));
}

#[test]
fn test_file_title_makes_a_test_file() {
    require_go();
    // vet's `tests` analyzer looks only at _test.go files, so its finding proves the
    // sample was written as one.
    let code = "package store_test\n\nimport \"testing\"\n\nfunc Testget(t *testing.T) {}\n";
    // The title may carry a directory, as in ```go title="store/store_test.go"```.
    let as_test = check(&[sample(1, &["file=store/store_test.go"], code)]);
    assert_eq!(
        positions(&as_test),
        vec![(
            6,
            6,
            "go vet: Testget has malformed name: first letter after 'Test' must not be lowercase"
                .to_string()
        )]
    );
    let as_plain_file = check(&[sample(1, &[], code)]);
    assert_eq!(as_plain_file.diagnostics, vec![]);
}

#[test]
fn a_package_that_cannot_load_does_not_stop_the_others() {
    require_go();
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

/// [`check`] with the samples' tests run, each package under `timeout`.
fn check_running_tests(samples: &[CodeSample], timeout: Duration) -> GoReport {
    let options = GoOptions {
        run_tests: true,
        test_timeout: timeout,
        ..GoOptions::default()
    };
    check_go(samples, cache_dir().path(), &options)
}

fn test_sample(fence_line: usize, title: &str, code: &str) -> CodeSample {
    sample(fence_line, &[&format!("file={title}")], code)
}

const LIMITER: &str = "package limit\n\n// Allow admits the first n calls.\nfunc Allow(used, n int) bool {\n\treturn used < n\n}\n";

#[test]
fn a_program_and_its_passing_test_run_as_one_package() {
    require_go();
    let test = "package limit\n\nimport \"testing\"\n\nfunc TestAllow(t *testing.T) {\n\tif !Allow(0, 1) || Allow(1, 1) {\n\t\tt.Fatal(\"wrong\")\n\t}\n}\n";
    let samples = [
        sample(10, &[], LIMITER),
        test_sample(30, "limit_test.go", test),
    ];
    let cache = cache_dir();
    let options = GoOptions {
        run_tests: true,
        ..GoOptions::default()
    };
    let first = check_go(&samples, cache.path(), &options);
    assert_eq!(first.diagnostics, vec![]);
    assert_eq!((first.tests_passed, first.tests_cached), (1, 0));
    assert_eq!(first.type_checked, 2);
    let second = check_go(&samples, cache.path(), &options);
    assert_eq!((second.tests_passed, second.tests_cached), (1, 1));
    // Without the option nothing runs, and the test still type-checks with its program.
    let unrun = check(&samples);
    assert_eq!((unrun.diagnostics.len(), unrun.tests_passed), (0, 0));
}

#[test]
fn a_failing_test_is_an_error_at_its_func_line_with_its_output() {
    require_go();
    let test = "package limit\n\nimport \"testing\"\n\nfunc TestOK(t *testing.T) {}\n\nfunc TestAllowTwo(t *testing.T) {\n\tt.Run(\"second\", func(t *testing.T) {\n\t\tif !Allow(1, 1) {\n\t\t\tt.Errorf(\"call %d refused, want admitted\", 2)\n\t\t}\n\t})\n}\n";
    let report = check_running_tests(
        &[
            sample(10, &[], LIMITER),
            test_sample(30, "limit_test.go", test),
        ],
        Duration::from_secs(60),
    );
    assert_eq!(
        positions(&report),
        vec![(37, 1, "go test: TestAllowTwo failed".to_string())]
    );
    let help = report.diagnostics[0].help.as_deref().unwrap_or_default();
    assert!(
        help.ends_with("the test printed:\n    limit_test.go:10: call 2 refused, want admitted"),
        "{help}"
    );
    assert_eq!((report.tests_passed, report.tests_failed), (0, 1));
}

#[test]
fn a_wrong_output_comment_fails_the_example() {
    require_go();
    let example = "package limit\n\nimport \"fmt\"\n\nfunc ExampleAllow() {\n\tfmt.Println(Allow(0, 1))\n\t// Output: false\n}\n";
    let report = check_running_tests(
        &[
            test_sample(1, "example_test.go", example),
            sample(20, &[], LIMITER),
        ],
        Duration::from_secs(60),
    );
    assert_eq!(
        positions(&report),
        vec![(6, 1, "go test: ExampleAllow failed".to_string())]
    );
    let help = report.diagnostics[0].help.as_deref().unwrap_or_default();
    assert!(
        help.ends_with("printed:\n    got:\n    true\n    want:\n    false"),
        "{help}"
    );
}

#[test]
fn a_test_still_running_at_the_timeout_is_an_error() {
    require_go();
    let test = "package slow\n\nimport (\n\t\"testing\"\n\t\"time\"\n)\n\nfunc TestSlow(t *testing.T) {\n\tt.Log(\"waiting\")\n\ttime.Sleep(time.Hour)\n}\n";
    let report = check_running_tests(
        &[test_sample(50, "slow_test.go", test)],
        Duration::from_secs(1),
    );
    assert_eq!(
        positions(&report),
        vec![(
            58,
            1,
            "go test: TestSlow did not finish within the 1 s time budget".to_string()
        )]
    );
    let help = report.diagnostics[0].help.as_deref().unwrap_or_default();
    assert!(help.contains("testing/synctest"), "{help}");
    assert!(
        help.contains("    slow_test.go:9: waiting\n    panic: test timed out after 1s"),
        "{help}"
    );
    // The goroutine dump after the panic is left out.
    assert!(!help.contains("[running]"), "{help}");
}

/// A sample that never reaches its tests (a loop in `init`, where Go's own timeout has not
/// started) is stopped by kb after its budget, with the process it started, and the error
/// names the page, the test block's line and the budget. A test looping in `for {}` is
/// stopped too, and named.
#[cfg(any(target_os = "linux", target_os = "android"))]
#[test]
fn a_sample_that_never_ends_is_killed_after_its_budget_with_what_it_started() {
    require_go();
    let scratch = tempfile::tempdir().expect("temporary directory");
    let pid_file = scratch.path().join("child.pid");
    let hangs = format!(
        "package hang\n\nimport (\n\t\"os\"\n\t\"os/exec\"\n\t\"strconv\"\n\t\"testing\"\n)\n\nfunc init() {{\n\tchild := exec.Command(\"sleep\", \"300\")\n\tif child.Start() == nil {{\n\t\tos.WriteFile({:?}, []byte(strconv.Itoa(child.Process.Pid)), 0o600)\n\t}}\n\tfor {{\n\t}}\n}}\n\nfunc TestNever(t *testing.T) {{}}\n",
        pid_file.display().to_string()
    );
    let spins =
        "package spin\n\nimport \"testing\"\n\nfunc TestSpin(t *testing.T) {\n\tfor {\n\t}\n}\n";
    let started = std::time::Instant::now();
    let report = check_running_tests(
        &[test_sample(10, "hang_test.go", &hangs)],
        Duration::from_secs(1),
    );
    assert_eq!(
        positions(&report),
        [(11, 1, "go test: this package (before any test started) did not finish within the 1 s time budget; kb stopped it and every process it started".to_string())]
    );
    let help = report.diagnostics[0].help.as_deref().unwrap_or_default();
    assert!(help.contains("raise `sample-timeout` under [kb]"), "{help}");
    assert_eq!(
        report.diagnostics[0].file.display().to_string(),
        "content/go/sample.md"
    );
    let pid = fs::read_to_string(&pid_file).expect("the sample started its child");
    // Gone, or a zombie nobody reaped (it runs nothing), within a few seconds: a killed
    // process closes its files a moment before it is gone.
    let dead = || {
        let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        stat.is_empty()
            || stat
                .rsplit_once(')')
                .is_some_and(|(_, s)| s.trim_start().starts_with('Z'))
    };
    let gone = (0..100).any(|_| {
        dead() || {
            std::thread::sleep(Duration::from_millis(50));
            false
        }
    });
    assert!(gone, "the sample's child {pid} outlived the check");
    // Compiling is not counted; the run itself ends a few seconds after the budget.
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "{:?}",
        started.elapsed()
    );

    // Run alone: with another package overdue, kb stops every package still running.
    let report = check_running_tests(
        &[test_sample(40, "spin_test.go", spins)],
        Duration::from_secs(1),
    );
    let found = positions(&report);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0]
            .2
            .starts_with("go test: TestSpin did not finish within the 1 s time budget"),
        "{found:?}"
    );
    assert_eq!((found[0].0, report.tests_failed), (45, 1));
}

#[test]
fn a_package_importing_another_module_or_marked_no_run_is_not_run_and_is_counted() {
    require_go();
    let program = "package shop\n\nimport \"github.com/google/uuid\"\n\nfunc ID() string { return uuid.NewString() }\n";
    let test = "package shop\n\nimport \"testing\"\n\nfunc TestID(t *testing.T) {\n\tif ID() == \"\" {\n\t\tt.Fatal(\"empty\")\n\t}\n}\n";
    let report = check_running_tests(
        &[
            sample(1, &[], program),
            test_sample(20, "shop_test.go", test),
        ],
        Duration::from_secs(60),
    );
    assert_eq!(report.diagnostics, vec![]);
    assert_eq!(
        (
            report.tests_passed,
            report.tests_skipped,
            report.syntax_only
        ),
        (0, 1, 2)
    );
}

/// Untrusted, whole files are parsed and formatted but never vetted (nothing of theirs is
/// compiled), and the unvetted verdict is not cached for a trusted run.
#[test]
fn untrusted_mode_never_runs_go_vet() {
    require_go();
    let cache = cache_dir();
    // Formatted and parses; only go vet (type checking) finds the unused variable.
    let unused = "package main\n\nfunc main() {\n\tx := 1\n}\n";
    let samples = [sample(1, &[], CLEAN), sample(20, &[], unused)];
    let untrusted = check_go(
        &samples,
        cache.path(),
        &GoOptions {
            trust: Trust::Untrusted,
            ..GoOptions::default()
        },
    );
    assert_eq!(
        (untrusted.type_checked, untrusted.syntax_only),
        (0, 2),
        "{untrusted:?}"
    );
    assert_eq!(untrusted.diagnostics, Vec::new());
    let trusted = check_go(&samples, cache.path(), &GoOptions::default());
    assert_eq!(
        (trusted.cached, trusted.type_checked),
        (0, 2),
        "{trusted:?}"
    );
    assert_eq!(trusted.diagnostics.len(), 1, "{trusted:?}");
}
