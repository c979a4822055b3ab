//! `kb check` on fixture sites: each kind of failure with its expected diagnostic, the JSON
//! format, a passing site, and a Go that cannot check (too old, or missing) as a warning.
//! Needs Go on PATH (scripts/install-go.sh installs it); the no-Go tests bring their own PATH.

use crate::site::TestSite;
use crate::snapshot;

/// The diagnostics `kb check` must print for the `check-bad` fixture, one a line.
const CHECK_BAD: &str = "check/check-bad.diagnostics";

#[test]
fn every_kind_of_failure_is_reported_with_its_position() {
    let site = TestSite::fixture("check-bad");
    let out = site.kb(&["check"]).code(1);
    snapshot::assert(CHECK_BAD, out.diagnostics().join("\n") + "\n");
    out.stderr_has("2 type-checked with go vet, 1 syntax and gofmt only (non-standard imports), 1 fragments, 1 ignored")
        .stderr_has(": 10 errors, 1 warning in ");
}

#[test]
fn json_format_lists_the_same_diagnostics() {
    let site = TestSite::fixture("check-bad");
    let out = site.kb(&["check", "--format", "json"]).code(1);
    let json: serde_json::Value = serde_json::from_str(&out.stdout_text()).expect("valid JSON");
    let items = json.as_array().expect("an array");
    let expected = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("tests/snapshots/{CHECK_BAD}")),
    )
    .expect("the check-bad snapshot");
    assert_eq!(items.len(), expected.lines().count());
    let first = &items[0];
    assert_eq!(first["file"], "content/area/page.md");
    assert!(first["line"].as_u64().is_some() && first["column"].as_u64().is_some());
    assert!(items.iter().any(|d| d["severity"] == "warning"));
    assert!(items
        .iter()
        .all(|d| d["message"].as_str().is_some_and(|m| !m.is_empty())));
}

#[test]
fn a_clean_site_passes_and_caches_its_snippets() {
    let site = TestSite::fixture("basic");
    site.kb(&["check"]).success().stderr_has("0 errors");
    site.kb(&["check"]).success().stderr_has("1 from cache");
    // Checking writes no site.
    assert!(!site.path("book").exists());
}

#[test]
fn build_errors_are_all_reported_by_check_too() {
    let site = TestSite::fixture_in_folder("bad/broken-anchor");
    site.kb(&["check", "--root", "broken-anchor"])
        .code(1)
        .stderr_has("no heading or element on this page has that id")
        .stderr_has("`index.md` has no heading or element with id `nope`");
}

/// A local server standing in for the web: `/ok` answers 200, anything else 404.
fn local_web() -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a local port");
    let port = listener.local_addr().expect("local address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(64) {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 2048];
            let n = stream.read(&mut buf).unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]);
            let status = if request.split_whitespace().nth(1) == Some("/ok") {
                "200 OK"
            } else {
                "404 Not Found"
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    port
}

#[test]
fn external_links_are_checked_only_when_asked() {
    let site = TestSite::fixture("basic");
    let port = local_web();
    site.write(
        "content/beta/links.md",
        &format!("---\ntitle: Links\ndescription: Links out.\n---\nSee [fine](http://127.0.0.1:{port}/ok) and\n[gone](http://127.0.0.1:{port}/gone).\n"),
    );
    site.kb(&["check"]).success();
    let out = site
        .kb(&["check", "--external", "--timeout", "5"])
        .code(1)
        .stderr_has("content/beta/links.md:6:1: error:")
        .stderr_has(&format!("http://127.0.0.1:{port}/gone"))
        .stderr_has("404")
        .stderr_has("2 external links");
    let text = out.stderr_text();
    assert!(!text.contains("/ok"), "{text}");
}

/// Runs `kb <args>` in `site` with `path` as the whole PATH, so the `go` it finds (or
/// does not find) is the test's.
fn kb_with_path(site: &TestSite, path: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_kb"))
        .args(args)
        .current_dir(site.root())
        .env("NO_COLOR", "1")
        .env("PATH", path)
        .output()
        .expect("run kb")
}

/// The `basic` fixture without its one other warning (an unknown code language), so the
/// only warning left is about Go and `--deny-warnings` fails because of it alone.
fn site_whose_only_warning_can_be_go() -> TestSite {
    let site = TestSite::fixture("basic");
    let page = site
        .read("content/alpha/one.md")
        .replace("```klingon", "```text");
    site.write("content/alpha/one.md", &page);
    site
}

/// A directory holding only a `go` that says it is Debian's Go 1.19.
#[cfg(unix)]
fn old_go_on_path() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let go = dir.path().join("go");
    std::fs::write(&go, "#!/bin/sh\necho 'go version go1.19.8 linux/amd64'\n").expect("fake go");
    std::fs::set_permissions(&go, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    dir
}

/// With a Go older than kb needs, the Go block is not checked: a warning says which Go was
/// found, which is needed and how to install it; the summary counts the block as unchecked
/// (not "0 Go blocks"); and `--deny-warnings` makes that a failure.
#[cfg(unix)]
#[test]
fn an_old_go_is_a_warning_and_its_blocks_unchecked() {
    let site = site_whose_only_warning_can_be_go();
    let path = old_go_on_path();
    let out = kb_with_path(&site, path.path(), &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", lossy(&out.stderr));
    let text = lossy(&out.stderr);
    assert!(
        text.contains("content/alpha/one.md:27:1: warning: this Go block was not checked: `go` on PATH is go1.19.8, but kb needs Go 1.22 or later\n  help: install the pinned Go with `bash scripts/install-go.sh`"),
        "{text}"
    );
    assert!(
        text.contains(", 1 Go blocks (0 type-checked with go vet, 0 syntax and gofmt only (non-standard imports), 0 fragments, 0 ignored, 1 unchecked (no usable Go); 0 from cache)"),
        "{text}"
    );
    assert!(text.contains(": 0 errors, 1 warning in "), "{text}");

    let denied = kb_with_path(&site, path.path(), &["check", "--deny-warnings"]);
    assert_eq!(denied.status.code(), Some(1), "{}", lossy(&denied.stderr));

    let json = kb_with_path(&site, path.path(), &["check", "--format", "json"]);
    let items: serde_json::Value = serde_json::from_str(&lossy(&json.stdout)).expect("valid JSON");
    let warnings: Vec<&serde_json::Value> = items
        .as_array()
        .expect("an array")
        .iter()
        .filter(|d| d["severity"] == "warning")
        .collect();
    assert_eq!(warnings.len(), 1, "{items}");
    assert!(
        warnings[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("go1.19.8")),
        "{items}"
    );
}

/// With no `go` at all, the same: a warning naming the install script, the block counted
/// as unchecked, and `--deny-warnings` fails.
#[test]
fn no_go_is_a_warning_and_its_blocks_unchecked() {
    let site = site_whose_only_warning_can_be_go();
    let empty = tempfile::tempdir().expect("temp dir");
    let out = kb_with_path(&site, empty.path(), &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", lossy(&out.stderr));
    let text = lossy(&out.stderr);
    assert!(
        text.contains("content/alpha/one.md:27:1: warning: this Go block was not checked: no `go` on PATH\n  help: install the pinned Go with `bash scripts/install-go.sh`"),
        "{text}"
    );
    assert!(text.contains("1 unchecked (no usable Go)"), "{text}");
    assert!(text.contains(": 0 errors, 1 warning in "), "{text}");
    let denied = kb_with_path(&site, empty.path(), &["check", "--deny-warnings"]);
    assert_eq!(denied.status.code(), Some(1), "{}", lossy(&denied.stderr));
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The `basic` fixture with `[kb] run-go-tests` set as `on` says, and a page whose program
/// block is exercised by its test block; `passing` decides whether the test passes.
fn site_with_a_sample_test(on: bool, passing: bool) -> TestSite {
    let site = site_whose_only_warning_can_be_go();
    let config = site.read("book.toml");
    site.write(
        "book.toml",
        &format!("{config}\n[kb]\nrun-go-tests = {on}\n"),
    );
    let want = if passing { 3 } else { 4 };
    site.write(
        "content/alpha/tested.md",
        &format!(
            "---\ntitle: Tested\ndescription: A page whose sample has a test.\n---\n\n```go title=\"sum.go\"\npackage sum\n\n// Add adds.\nfunc Add(a, b int) int {{ return a + b }}\n```\n\n```go title=\"sum_test.go\"\npackage sum\n\nimport \"testing\"\n\nfunc TestAdd(t *testing.T) {{\n\tif got := Add(1, 2); got != {want} {{\n\t\tt.Errorf(\"Add(1, 2) = %d, want {want}\", got)\n\t}}\n}}\n```\n"
        ),
    );
    site
}

/// With `run-go-tests`, a page's test block runs against its program block: a failing test
/// is an error at its `func` line with what it printed, and the summary counts the run.
#[test]
fn a_site_that_runs_go_tests_reports_a_failing_sample_test() {
    let site = site_with_a_sample_test(true, false);
    site.kb(&["check"])
        .code(1)
        .stderr_has("content/alpha/tested.md:18:1: error: go test: TestAdd failed\n  help: fix the sample or its test so that `go test` passes; the test printed:\n    sum_test.go:7: Add(1, 2) = 3, want 4")
        .stderr_has(", 1 Go samples run with go test (1 failed; 0 from cache), 0 not run (non-standard imports or no_run), ");
    let fixed = site_with_a_sample_test(true, true);
    fixed
        .kb(&["check"])
        .success()
        .stderr_has(", 1 Go samples run with go test (0 failed; 0 from cache)");
}

/// Without `run-go-tests` nothing from the content runs; the test block is still
/// type-checked with the program it tests.
#[test]
fn a_site_that_does_not_run_go_tests_only_vets_them() {
    let site = site_with_a_sample_test(false, false);
    let out = site.kb(&["check"]).success();
    let text = out.stderr_text();
    assert!(!text.contains("run with go test"), "{text}");
}

#[test]
fn untrusted_mode_compiles_no_sample() {
    let site = TestSite::fixture("check-bad");
    // Untrusted first: the trusted run caches what go vet passed, and a cached verdict
    // counts as type-checked in either mode.
    let untrusted = site.kb(&["--untrusted", "check"]).code(1).stderr_has(
        "0 type-checked with go vet, 3 syntax and gofmt only (untrusted mode compiles nothing)",
    );
    let trusted = site.kb(&["check"]).code(1);
    // What only go vet finds is not found; everything else still is.
    let vet_only: Vec<String> = trusted
        .diagnostics()
        .into_iter()
        .filter(|d| !untrusted.diagnostics().contains(d))
        .collect();
    assert!(!vet_only.is_empty(), "go vet found nothing in check-bad");
    assert!(
        untrusted
            .diagnostics()
            .iter()
            .all(|d| trusted.diagnostics().contains(d)),
        "{:?}",
        untrusted.diagnostics()
    );
}

#[test]
fn untrusted_mode_requests_no_local_address() {
    let site = TestSite::fixture("basic");
    let port = local_web();
    site.write(
        "content/beta/links.md",
        &format!("---\ntitle: Links\ndescription: Links out.\n---\nSee [metadata](http://169.254.169.254/latest/) and\n[local](http://127.0.0.1:{port}/gone).\n"),
    );
    site.kb(&["--untrusted", "check", "--external"])
        .code(1)
        .stderr_has("untrusted mode")
        .stderr_has("pass --external=public");
    // The environment variable CI sets does the same.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kb"))
        .args(["check", "--external"])
        .current_dir(site.root())
        .env("KB_UNTRUSTED", "1")
        .output()
        .expect("run kb");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        lossy(&out.stderr).contains("pass --external=public"),
        "{}",
        lossy(&out.stderr)
    );
    let out = site
        .kb(&["--untrusted", "check", "--external=public", "--timeout", "5"])
        .code(1)
        .stderr_has("external link http://169.254.169.254/latest/ was not requested: 169.254.169.254 is not a public address")
        .stderr_has(&format!("external link http://127.0.0.1:{port}/gone was not requested"));
    // Had it been requested, the local server would have answered 404.
    let text = out.stderr_text();
    assert!(!text.contains("404"), "{text}");
}

#[test]
fn a_duplicate_title_is_reported_where_it_is_written() {
    // A plain folder: titles from the pages' first `# heading` or their front matter (the
    // warning pointed at line 2 of every page, which a one-line page does not have).
    let site = TestSite::empty();
    site.write("a.md", "# Same\n\nOne.\n")
        .write("b.md", "# Same\n")
        .write("c.md", "---\ntags: []\ntitle: Same\n---\nThree.\n");
    let out = site.kb(&["check"]);
    out.stderr_has("b.md:1:1: warning: the title “Same” is also used by `a.md`")
        .stderr_has("c.md:3:1: warning: the title “Same” is also used by");
}
