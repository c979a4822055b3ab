//! Trust: whether kb may run code a site brings and reach the network on its behalf.
//!
//! A site is *trusted* by default: its owner runs kb on it. CI building a pull request, or
//! a reader previewing a fork, runs kb on content nobody vouched for; `--untrusted` (or
//! `KB_UNTRUSTED=1` in the environment, for CI) then turns off everything that executes
//! code or reaches the network because of what the content says:
//! - `kb check` does not run `go vet` (nor, later, `go test`) on Go samples: they are
//!   parsed and gofmt-checked only, which runs nothing of theirs;
//! - `kb check --external` is refused; `--external=public` checks links but connects
//!   only to public addresses (never loopback, private or link-local ones);
//! - mdBook preprocessors (commands named in `book.toml`) will not run;
//! - theme templates have no function that reaches outside the site in either mode
//!   (`get_env` is always refused).
//!
//! One value, decided once from the command line and the environment, is handed to every
//! step that could do one of these things, so no step decides on its own.

use std::ffi::OsStr;

/// The environment variable that turns untrusted mode on (`1`, `true`, `yes`, anything
/// but `0`, `false`, `no` or empty).
pub(crate) const ENV_VAR: &str = "KB_UNTRUSTED";

/// How far kb trusts the site it works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Trust {
    /// The site's owner runs kb: samples are checked with the Go toolchain, links as asked.
    #[default]
    Trusted,
    /// Nobody vouched for the content: nothing of it runs, no private address is reached.
    Untrusted,
}

impl Trust {
    /// Untrusted when `--untrusted` was given or [`ENV_VAR`] says so.
    pub(crate) fn decide(flag: bool, env: Option<&OsStr>) -> Trust {
        let from_env = env.is_some_and(|value| {
            let value = value.to_string_lossy().trim().to_ascii_lowercase();
            // Anything unexpected errs on the safe side.
            !matches!(value.as_str(), "" | "0" | "false" | "no" | "off")
        });
        if flag || from_env {
            Trust::Untrusted
        } else {
            Trust::Trusted
        }
    }

    /// Whether tools may compile or run code from the site (`go vet`, `go test`, mdBook
    /// preprocessors).
    pub(crate) fn runs_code(self) -> bool {
        self == Trust::Trusted
    }

    /// What this mode turns off, for `--verbose` and refusals.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Trust::Trusted => "trusted mode: Go samples are type-checked with go vet and external links checked as asked",
            Trust::Untrusted => "untrusted mode: no code from the site runs (no go vet, no preprocessors) and external links are checked only against public addresses, with --external=public",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_or_the_environment_turns_untrusted_mode_on() {
        let env = |v: &str| Trust::decide(false, Some(OsStr::new(v)));
        assert_eq!(Trust::decide(false, None), Trust::Trusted);
        assert_eq!(Trust::decide(true, None), Trust::Untrusted);
        for on in ["1", "true", "YES", "on", "untrusted"] {
            assert_eq!(env(on), Trust::Untrusted, "{on}");
        }
        for off in ["", "0", "false", "No", " off "] {
            assert_eq!(env(off), Trust::Trusted, "{off:?}");
        }
        assert_eq!(Trust::decide(true, Some(OsStr::new("0"))), Trust::Untrusted);
        assert!(Trust::Trusted.runs_code());
        assert!(!Trust::Untrusted.runs_code());
    }
}
