//! Type checking with `go vet`: the standard-library-only files that parsed are written as
//! packages of one temporary module (a page's program and test blocks sharing one, see
//! `packages`) and vetted by a single `go vet` call, and its findings are moved back to
//! the samples they came from.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::Output;

use rayon::prelude::*;
use serde::Deserialize;

use super::advice::{compile_help, load_error_help};
use super::error::ToolFailure;
use super::module::{run, TempModule};
use super::tool_output::{package_dir, parse_position, parse_vet_output, VetFinding};
use super::toolchain::Toolchain;
use super::Planned;
use crate::diagnostic::Diagnostic;

/// What vetting one sample found.
#[derive(Debug, Default)]
pub(crate) struct VetResult {
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// Build constraints exclude the file on this platform, so there was nothing to vet.
    pub(crate) excluded_by_build_constraints: bool,
}

/// `go vet` compiles every dependency (a cold cache means much of the standard library)
/// only to read its type information, so optimisation and inlining are switched off:
/// that cuts the compile work of a cold run by about a quarter and does not change what
/// vet sees.
const VET: [&str; 2] = ["vet", "-gcflags=all=-N -l"];

/// Vets `plans` as packages of one temporary module with a single `go vet` call: one Go
/// process loads the standard library once and schedules the work over all cores,
/// instead of paying that start-up for every sample. Results are by sample id.
pub(crate) fn vet(
    plans: &[&Planned],
    toolchain: &Toolchain,
) -> Result<HashMap<usize, VetResult>, ToolFailure> {
    let module = TempModule::create(toolchain, plans)?;
    let mut results: HashMap<usize, VetResult> = HashMap::new();

    // `go vet` stops before vetting anything if one package cannot even be loaded (an
    // internal import, a missing //go:embed file), so such packages are found first with
    // `go list -e`, which reports load errors per package, and left out.
    let output = run(toolchain
        .go(&module.dir)
        .args(["list", "-e", "-json=ImportPath,Dir,Error,EmbedFiles"])
        .args(package_args(plans)))?;
    let mut loadable = Vec::new();
    let listed = String::from_utf8_lossy(&output.stdout);
    let mut load_errors: HashMap<String, ListError> = HashMap::new();
    for package in serde_json::Deserializer::from_str(&listed).into_iter::<ListedPackage>() {
        let package = package.map_err(ToolFailure::ListOutput)?;
        if let Some(error) = package.error {
            let dir = Path::new(&package.dir)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            load_errors.insert(dir, error);
        }
    }
    for plan in plans {
        let Some(error) = load_errors.get(&package_dir(plan.package)) else {
            loadable.push(*plan);
            continue;
        };
        let result = results.entry(plan.id).or_default();
        if error.err.contains("build constraints exclude all Go files") {
            result.excluded_by_build_constraints = true;
            continue;
        }
        // The error belongs to the block of the package whose file it names, or to the
        // package's first block if it names none.
        let position = parse_position(&error.pos);
        let file = position.and_then(|(path, _, _)| Path::new(path).file_name());
        let blamed = match file {
            Some(file) => *file == *plan.file_name,
            None => plan.package == plan.id,
        };
        if !blamed {
            continue;
        }
        let (line, column) =
            position.map_or((1, 1), |(_, line, column)| (line, column.unwrap_or(1)));
        result.diagnostics.push(
            Diagnostic::error(
                plan.at_byte(line, column),
                format!("Go sample does not build: {}", error.err),
            )
            .with_help(load_error_help(&error.err)),
        );
    }
    if loadable.is_empty() {
        return Ok(results);
    }

    let output = run(toolchain
        .go(&module.dir)
        .args(VET)
        .args(package_args(&loadable)))?;
    let findings = parse_vet_output(&output);
    if !output.status.success() && findings.is_empty() {
        // go vet failed without saying where; vet each package alone so the failure
        // lands on the sample that caused it (a package's first block).
        let packages: BTreeSet<usize> = loadable.iter().map(|p| p.package).collect();
        let single: Vec<(usize, Result<Output, ToolFailure>)> = packages
            .into_par_iter()
            .map(|package| {
                let dir = format!("./{}", package_dir(package));
                (package, run(toolchain.go(&module.dir).args(VET).arg(&dir)))
            })
            .collect();
        for (package, output) in single {
            let output = output?;
            let findings = parse_vet_output(&output);
            let Some(plan) = loadable.iter().find(|p| p.id == package) else {
                continue;
            };
            let result = results.entry(plan.id).or_default();
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
            for (id, diagnostic) in findings_to_diagnostics(&findings, &loadable) {
                results.entry(id).or_default().diagnostics.push(diagnostic);
            }
        }
    } else {
        for (id, diagnostic) in findings_to_diagnostics(&findings, &loadable) {
            results.entry(id).or_default().diagnostics.push(diagnostic);
        }
    }
    Ok(results)
}

/// Diagnostics for vet findings, each with the id of the sample it belongs to.
fn findings_to_diagnostics(
    findings: &[VetFinding],
    plans: &[&Planned],
) -> Vec<(usize, Diagnostic)> {
    findings
        .iter()
        .filter_map(|finding| {
            let plan = plans
                .iter()
                .find(|p| p.package == finding.package && p.file_name == finding.file)?;
            let error = &finding.error;
            let message = if finding.type_error {
                format!("Go sample does not compile: {}", error.message)
            } else {
                format!("go vet: {}", error.message)
            };
            let diagnostic = Diagnostic::error(plan.at_byte(error.line, error.column), message)
                .with_help(compile_help(&error.message));
            Some((plan.id, diagnostic))
        })
        .collect()
}

/// `./s0003` and so on: each package of `plans` once, in order.
pub(crate) fn package_args(plans: &[&Planned]) -> Vec<String> {
    let packages: BTreeSet<usize> = plans.iter().map(|p| p.package).collect();
    packages
        .into_iter()
        .map(|package| format!("./{}", package_dir(package)))
        .collect()
}

/// One package of `go list -json` output: only what says whether it loads.
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
