//! The result cache: samples found clean before, by a hash of everything that decides the
//! verdict, so a warm run only checks blocks that changed or failed last time.

use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::check::sample::CodeSample;

const SYNTAX_ONLY_MARKER: &[u8] = b"syntax-only";

/// Remembers samples that were clean, by a hash of everything that decides the verdict.
/// Only clean results are kept: a failing sample is checked again next time, so its
/// diagnostics are always fresh.
pub(crate) struct ResultCache {
    dir: PathBuf,
    go_version: String,
}

impl ResultCache {
    pub(crate) fn new(cache_dir: &Path, go_version: &str) -> Self {
        ResultCache {
            dir: cache_dir.join("go-samples"),
            go_version: go_version.to_string(),
        }
    }

    /// The key of a sample's check verdict. `others` are the other samples of its
    /// package (see `packages`): their code decides whether it type-checks too.
    pub(crate) fn key(&self, sample: &CodeSample, others: &[&CodeSample]) -> String {
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
        for other in others {
            for part in [&other.flags.join(","), &other.code] {
                hasher.update(part.as_bytes());
                hasher.update([0]);
            }
        }
        format!("{:x}", hasher.finalize())
    }

    /// The key of a package's `go test` verdict: its files, by name and content.
    pub(crate) fn test_key<'a>(&self, files: impl Iterator<Item = (&'a str, &'a str)>) -> String {
        let mut hasher = Sha256::new();
        for part in ["kb go test 1", &self.go_version] {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        for (name, code) in files {
            for part in [name, code] {
                hasher.update(part.as_bytes());
                hasher.update([0]);
            }
        }
        format!("test-{:x}", hasher.finalize())
    }

    /// Whether the package with this [`test_key`](Self::test_key) passed before.
    pub(crate) fn passed(&self, key: &str) -> bool {
        self.dir.join(key).is_file()
    }

    /// `None` if the sample is not known to be clean; otherwise whether it was only
    /// syntax-checked for lack of anything to vet (so the counts stay the same).
    pub(crate) fn clean(&self, key: &str) -> Option<bool> {
        let marker = fs::read(self.dir.join(key)).ok()?;
        Some(marker == SYNTAX_ONLY_MARKER)
    }

    pub(crate) fn remember_clean(&self, key: &str, syntax_only: bool) {
        // Failing to write the cache only makes the next run slower, so it is not an
        // error worth reporting.
        if fs::create_dir_all(&self.dir).is_ok() {
            let marker: &[u8] = if syntax_only { SYNTAX_ONLY_MARKER } else { b"" };
            let _ = fs::write(self.dir.join(key), marker);
        }
    }
}
