//! Sites with one kind of mistake each (`tests/fixtures/bad/<name>`): `kb build` must fail
//! with exit code 1 and print exactly the diagnostics in `tests/snapshots/bad/<name>.stderr`,
//! each error with a help line saying what to do.
//!
//! One test per fixture, each in its own temporary folder, so one failure does not hide
//! the next; a fixture folder without a test here fails
//! [`every_bad_fixture_has_a_test`].

use crate::site::{fixture_path, TestSite};

/// Builds `tests/fixtures/bad/<name>` and compares what `kb` printed with its snapshot.
#[track_caller]
fn builds_with_the_expected_diagnostics(name: &str) {
    let site = TestSite::fixture_in_folder(&format!("bad/{name}"));
    let dest = site.path("../out");
    let out = site
        .kb(&["build", "--root", name, "--dest", &dest.to_string_lossy()])
        .code(1)
        .stderr_matches(&format!("bad/{name}.stderr"));
    assert!(
        out.stderr_text().contains("  help: "),
        "{name}: every error says what to do"
    );
    assert!(!dest.exists(), "{name}: a failed build publishes nothing");
}

/// One `#[test]` per fixture folder, and the list of them for the completeness check.
macro_rules! bad_input_tests {
    ($($test:ident => $folder:literal,)*) => {
        /// Every fixture folder a test below covers.
        const COVERED: &[&str] = &[$($folder),*];
        $(
            #[test]
            fn $test() {
                builds_with_the_expected_diagnostics($folder);
            }
        )*
    };
}

bad_input_tests! {
    broken_anchor => "broken-anchor",
    broken_link => "broken-link",
    duplicate_heading_ids => "duplicate-ids",
    malformed_yaml => "malformed-yaml",
    missing_title => "missing-title",
    unclosed_code_fence => "unclosed-fence",
    unclosed_code_fence_in_quote => "unclosed-fence-in-quote",
    unknown_config_key => "unknown-config-key",
    unknown_front_matter_field => "unknown-field",
}

#[test]
fn every_bad_fixture_has_a_test() {
    let dir = fixture_path("bad");
    let mut folders: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let mut covered: Vec<String> = COVERED.iter().map(|s| s.to_string()).collect();
    covered.sort();
    assert_eq!(
        folders, covered,
        "add a line to bad_input_tests! for each folder of tests/fixtures/bad"
    );
}
