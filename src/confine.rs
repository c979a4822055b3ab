//! Path confinement: every path that comes from content or configuration (page aliases,
//! redirect keys, `additional-css`/`additional-js`, and later `{{#include}}` files) is
//! resolved here, and one that would reach outside its base folder is refused with the
//! reason.
//!
//! Two parts. [`relative`] is purely lexical and is what output paths need (they do not
//! exist yet): it refuses absolute paths, `..` that climbs above the base, Windows drive
//! letters and UNC prefixes, backslashes, percent-encoded dots, slashes and backslashes,
//! and NUL, and returns the normalised relative path. [`existing`] is for reads: after the
//! lexical check it canonicalises the joined path, so a symlink that points outside the
//! base is refused too (the OS, not our string handling, decides where it leads).

use std::fmt;
use std::path::{Path, PathBuf};

/// Why a path was refused.
#[derive(Debug)]
pub(crate) enum Why {
    /// Starts at the file system root (`/etc/passwd`).
    Absolute,
    /// A `..` climbs above the base folder.
    ParentEscape,
    /// Starts with a Windows drive letter (`C:`).
    DriveLetter,
    /// Starts with a UNC or device prefix (`\\server\share`, `//server/share`, `\\?\`).
    UncPrefix,
    /// Contains `\`, which Windows reads as a separator.
    Backslash,
    /// Contains a percent-encoded dot, slash, backslash, percent sign, control character
    /// or overlong UTF-8 byte (`%2e%2e%2f`, `%252e`, `%c0%af`), which a server or a later
    /// decoding step would turn into a traversal.
    PercentEncoded,
    /// Contains a NUL character, which truncates the path in C APIs.
    Nul,
    /// Exists, but resolves (through a symlink) to a place outside the base folder.
    SymlinkOutside,
    /// Cannot be resolved on disk (missing, or unreadable).
    Unresolvable(std::io::Error),
}

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Why::Absolute => f.write_str("is an absolute path"),
            Why::ParentEscape => f.write_str("climbs out of its folder with `..`"),
            Why::DriveLetter => f.write_str("starts with a Windows drive letter"),
            Why::UncPrefix => f.write_str("starts with a network (UNC) or device prefix"),
            Why::Backslash => f.write_str("contains a backslash"),
            Why::PercentEncoded => {
                f.write_str("contains a percent-encoded dot, slash or control character")
            }
            Why::Nul => f.write_str("contains a NUL character"),
            Why::SymlinkOutside => f.write_str("is a symlink that leads outside its folder"),
            Why::Unresolvable(e) => write!(f, "cannot be read: {e}"),
        }
    }
}

/// A refused path and the reason.
#[derive(Debug)]
pub(crate) struct Escape {
    pub path: String,
    pub why: Why,
}

impl fmt::Display for Escape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` {}", self.path.escape_debug(), self.why)
    }
}

impl std::error::Error for Escape {}

/// What a diagnostic about a refused path tells the user to do.
pub(crate) const HELP: &str =
    "write a path relative to its folder with `/` separators, no `..` above it, no drive letter, \
     no backslash and no percent-encoding";

/// Checks `path` lexically and returns it normalised: `/`-separated, `.` and inner `..`
/// resolved, a trailing `/` kept. Empty means the base folder itself.
pub(crate) fn relative(path: &str) -> Result<String, Escape> {
    let refuse = |why| {
        Err(Escape {
            path: path.to_string(),
            why,
        })
    };
    if path.contains('\0') {
        return refuse(Why::Nul);
    }
    if has_dangerous_escape(path) {
        return refuse(Why::PercentEncoded);
    }
    if path.starts_with("\\\\") || path.starts_with("//") || path.starts_with("\\??\\") {
        return refuse(Why::UncPrefix);
    }
    let bytes = path.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return refuse(Why::DriveLetter);
    }
    if path.contains('\\') {
        return refuse(Why::Backslash);
    }
    if path.starts_with('/') {
        return refuse(Why::Absolute);
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return refuse(Why::ParentEscape);
                }
            }
            name => parts.push(name),
        }
    }
    let mut out = parts.join("/");
    if path.ends_with('/') && !out.is_empty() {
        out.push('/');
    }
    Ok(out)
}

/// The place of output file `path` below `base`, checked lexically (see [`relative`]).
pub(crate) fn output(base: &Path, path: &str) -> Result<PathBuf, Escape> {
    Ok(base.join(relative(path)?))
}

/// The canonical place of the existing file `path` below `base`, for reads: the lexical
/// check, then symlinks resolved and the result required to stay inside `base`.
pub(crate) fn existing(base: &Path, path: &str) -> Result<PathBuf, Escape> {
    let rel = relative(path)?;
    let refuse = |why| Escape {
        path: path.to_string(),
        why,
    };
    let base = base
        .canonicalize()
        .map_err(|e| refuse(Why::Unresolvable(e)))?;
    let resolved = base
        .join(&rel)
        .canonicalize()
        .map_err(|e| refuse(Why::Unresolvable(e)))?;
    if resolved.starts_with(&base) {
        Ok(resolved)
    } else {
        Err(refuse(Why::SymlinkOutside))
    }
}

/// Whether `path` holds a `%XX` (or IIS-style `%uXXXX`) escape that decodes to something
/// that could change where the path leads: `.`, `/`, `\`, `%` (double encoding), a control
/// character, or a lead byte of an overlong UTF-8 form (`%c0%ae` is `.`).
fn has_dangerous_escape(path: &str) -> bool {
    let bytes = path.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let Some(byte) = hex_pair(bytes.get(i + 1..i + 3)) {
                let overlong_3 = byte == 0xe0
                    && bytes.get(i + 3) == Some(&b'%')
                    && hex_pair(bytes.get(i + 4..i + 6)).is_some_and(|b| b < 0xa0);
                if overlong_3
                    || matches!(
                        byte,
                        b'.' | b'/' | b'\\' | b'%' | 0x00..=0x1f | 0x7f | 0xc0 | 0xc1
                    )
                {
                    return true;
                }
            }
            if matches!(bytes.get(i + 1), Some(b'u' | b'U'))
                && bytes
                    .get(i + 2..i + 6)
                    .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
            {
                return true;
            }
        }
        i += 1;
    }
    false
}

fn hex_pair(pair: Option<&[u8]>) -> Option<u8> {
    let pair = std::str::from_utf8(pair?).ok()?;
    u8::from_str_radix(pair, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The classes of the OWASP path traversal list, one row each input, with the reason
    /// it must be refused for.
    #[rustfmt::skip]
    const REFUSED: &[(&str, Why)] = &[
        // `..` climbing out
        ("..", Why::ParentEscape),
        ("../", Why::ParentEscape),
        ("../../../../etc/passwd", Why::ParentEscape),
        ("a/../../secret", Why::ParentEscape),
        ("./../x", Why::ParentEscape),
        ("a/./b/../../../x", Why::ParentEscape),
        ("..//..//etc", Why::ParentEscape),
        // absolute
        ("/etc/passwd", Why::Absolute),
        ("/", Why::Absolute),
        ("/tmp/x/index.html", Why::Absolute),
        // Windows drive letters
        ("C:\\Windows\\win.ini", Why::DriveLetter),
        ("c:/windows/win.ini", Why::DriveLetter),
        ("C:secret", Why::DriveLetter),
        // UNC and device prefixes
        ("\\\\server\\share\\x", Why::UncPrefix),
        ("//server/share/x", Why::UncPrefix),
        ("\\\\?\\C:\\x", Why::UncPrefix),
        ("\\??\\C:\\x", Why::UncPrefix),
        // backslashes
        ("..\\..\\windows\\win.ini", Why::Backslash),
        ("a\\..\\..\\x", Why::Backslash),
        ("..\\/x", Why::Backslash),
        // percent-encoded, double-encoded, overlong UTF-8, IIS %u
        ("%2e%2e%2fetc%2fpasswd", Why::PercentEncoded),
        ("%2E%2E/%2E%2E/etc", Why::PercentEncoded),
        ("..%2fetc", Why::PercentEncoded),
        ("%2e%2e/x", Why::PercentEncoded),
        ("..%5c..%5cx", Why::PercentEncoded),
        ("%252e%252e%252f", Why::PercentEncoded),
        ("..%c0%af..%c0%afetc", Why::PercentEncoded),
        ("%c0%ae%c0%ae/x", Why::PercentEncoded),
        ("..%c1%9c..", Why::PercentEncoded),
        ("%e0%80%ae%e0%80%ae/", Why::PercentEncoded),
        ("%u002e%u002e%u2215x", Why::PercentEncoded),
        ("a%00.html", Why::PercentEncoded),
        // NUL
        ("index.html\0.png", Why::Nul),
        ("../x\0", Why::Nul),
    ];

    #[test]
    fn owasp_traversal_list_is_refused() {
        for (input, expected) in REFUSED {
            match relative(input) {
                Ok(p) => panic!("{input:?} was accepted as {p:?}"),
                Err(e) => assert_eq!(
                    std::mem::discriminant(&e.why),
                    std::mem::discriminant(expected),
                    "{input:?} refused for the wrong reason: {e}"
                ),
            }
        }
    }

    #[test]
    fn paths_inside_are_normalised() {
        let cases = [
            ("old/page.html", "old/page.html"),
            ("old/folder/", "old/folder/"),
            ("./a//b/./c", "a/b/c"),
            ("a/../b/", "b/"),
            ("a/b/../../c.css", "c.css"),
            ("", ""),
            ("a/..", ""),
            ("caf%C3%A9/", "caf%C3%A9/"),
            ("%E0%A4%85/", "%E0%A4%85/"),
            ("100%20done", "100%20done"),
            ("..foo/x..", "..foo/x.."),
        ];
        for (input, expected) in cases {
            assert_eq!(relative(input).unwrap(), expected, "{input:?}");
        }
        assert_eq!(
            output(Path::new("/out"), "a/../b/index.html").unwrap(),
            Path::new("/out/b/index.html")
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_base_are_refused_for_reads() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.css"), "x").unwrap();
        let base = tempfile::tempdir().unwrap();
        std::fs::write(base.path().join("ok.css"), "y").unwrap();
        std::fs::create_dir(base.path().join("theme")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret.css"), base.path().join("s.css"))
            .unwrap();
        std::os::unix::fs::symlink(outside.path(), base.path().join("theme/dir")).unwrap();
        std::os::unix::fs::symlink(base.path().join("ok.css"), base.path().join("in.css")).unwrap();

        assert!(existing(base.path(), "ok.css").is_ok());
        assert!(
            existing(base.path(), "in.css").is_ok(),
            "a symlink inside is fine"
        );
        for path in ["s.css", "theme/dir/secret.css"] {
            let err = existing(base.path(), path).unwrap_err();
            assert!(matches!(err.why, Why::SymlinkOutside), "{path}: {err}");
        }
        let err = existing(base.path(), "missing.css").unwrap_err();
        assert!(matches!(err.why, Why::Unresolvable(_)), "{err}");
        let err = existing(base.path(), "../secret.css").unwrap_err();
        assert!(matches!(err.why, Why::ParentEscape), "{err}");
    }
}
