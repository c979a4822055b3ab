//! Code samples: a fenced code block taken out of a Markdown page, with enough of its
//! origin to report problems at the right line of that page.

use std::path::PathBuf;

/// One fenced code block from a content page, as the Markdown pass extracted it.
///
/// The code's first line is line `fence_line + 1` of `file`, so a problem at line `n` of
/// the code (1-based) is at Markdown line `fence_line + n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CodeSample {
    /// Display path of the page, e.g. `content/databases/pooling.md`.
    pub file: PathBuf,
    /// 1-based line of the opening fence.
    pub fence_line: usize,
    /// Language from the info string: `go` for ```` ```go,fragment ````.
    pub lang: String,
    /// Comma-separated flags after the language: `["fragment"]` for ```` ```go,fragment ````.
    /// A `title` arrives as the flag `title=TITLE`, and one ending in `_test.go` also as
    /// `file=NAME_test.go`.
    pub flags: Vec<String>,
    pub code: String,
}

impl CodeSample {
    /// Whether the info string carries `flag`, e.g. `ignore` or `fragment`.
    pub(crate) fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }

    /// The value of a `key=value` flag, e.g. `file` in `file=store_test.go`.
    pub(crate) fn flag_value(&self, key: &str) -> Option<&str> {
        self.flags.iter().find_map(|f| {
            let (k, v) = f.split_once('=')?;
            (k == key).then_some(v)
        })
    }

    /// The Markdown line of line `code_line` (1-based) of the code.
    pub(crate) fn markdown_line(&self, code_line: usize) -> usize {
        self.fence_line + code_line.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(flags: &[&str]) -> CodeSample {
        CodeSample {
            file: "content/a.md".into(),
            fence_line: 10,
            lang: "go".into(),
            flags: flags.iter().map(|f| f.to_string()).collect(),
            code: String::new(),
        }
    }

    #[test]
    fn reads_flags_and_values() {
        let s = sample(&["fragment", "file=store_test.go"]);
        assert!(s.has_flag("fragment"));
        assert!(!s.has_flag("ignore"));
        assert_eq!(s.flag_value("file"), Some("store_test.go"));
        assert_eq!(s.flag_value("title"), None);
    }

    #[test]
    fn code_line_one_is_the_line_after_the_fence() {
        assert_eq!(sample(&[]).markdown_line(1), 11);
        assert_eq!(sample(&[]).markdown_line(4), 14);
    }
}
