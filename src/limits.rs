//! Limits on what one input may ask of kb, so a hostile or broken page is a clear error (or
//! a warning) instead of a build that takes minutes, fills memory or overflows the stack.
//!
//! The parsers kb uses recurse on nesting (YAML and TOML front matter, `book.toml`, JSON,
//! YAML and TOML data blocks) or slow down with it (syntect's grammars keep a context per
//! open bracket): 100,000 `[` took minutes. Nesting is therefore measured first, with a
//! plain count of open brackets that needs no parser, and refused above the limit. The
//! defaults are far above any real page; `[kb] max-page-bytes`, `max-code-block-bytes` and
//! `max-nesting` change them. A Go sample's tests get a time budget, `[kb] sample-timeout`.

/// The limits a build applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// A page's size, before and after its includes are expanded.
    pub max_page_bytes: usize,
    /// Code blocks larger than this are shown without highlighting, with a warning.
    pub max_code_block_bytes: usize,
    /// How deep brackets may nest in front matter and data blocks (an error), and in a
    /// code block before it is shown without highlighting; how deep block quotes and
    /// lists may nest in Markdown.
    pub max_nesting: usize,
    /// How long one Go sample's tests may run in `kb check` (Go's `-timeout`, and kb
    /// kills what is still running a moment later).
    pub sample_timeout: std::time::Duration,
}

/// 16 MiB: the bundled guide's largest page is under 100 KiB.
const DEFAULT_MAX_PAGE_BYTES: usize = 16 << 20;
/// 1 MiB of code in one block, about 25,000 lines.
const DEFAULT_MAX_CODE_BLOCK_BYTES: usize = 1 << 20;
/// Real configuration nests a handful of levels; real code a few dozen.
const DEFAULT_MAX_NESTING: usize = 256;
/// The guide's samples' tests use a fake clock and take milliseconds.
const DEFAULT_SAMPLE_TIMEOUT_SECS: u64 = 60;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_page_bytes: DEFAULT_MAX_PAGE_BYTES,
            max_code_block_bytes: DEFAULT_MAX_CODE_BLOCK_BYTES,
            max_nesting: DEFAULT_MAX_NESTING,
            sample_timeout: std::time::Duration::from_secs(DEFAULT_SAMPLE_TIMEOUT_SECS),
        }
    }
}

/// What to do when a limit is in the way, for every message about one.
pub(crate) const HELP: &str = "if the input is meant to be this way, raise the limit under [kb] in book.toml (max-page-bytes, max-code-block-bytes, max-nesting)";

/// The byte offset in `text` of the bracket (`[`, `{` or `(`) that opens level `max + 1`,
/// or `None` when brackets nest at most `max` deep. Brackets are counted wherever they are
/// (strings too): a real file never has hundreds of unclosed brackets in its strings, and
/// a count that understands no syntax cannot be fooled by one.
pub(crate) fn too_deep(text: &str, max: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (at, byte) in text.bytes().enumerate() {
        match byte {
            b'[' | b'{' | b'(' => {
                depth += 1;
                if depth > max {
                    return Some(at);
                }
            }
            b']' | b'}' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// The message for brackets nested deeper than `max` in `what` ("the front matter").
pub(crate) fn too_deep_message(what: &str, max: usize) -> String {
    format!("{what} nests brackets more than {max} deep; kb stops here rather than spend minutes parsing it")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_counted_by_brackets() {
        assert_eq!(too_deep("a = [[1], {b = (2)}]", 3), None);
        assert_eq!(too_deep("a = [[1], {b = (2)}]", 2), Some(15));
        assert_eq!(too_deep("a = [[[1]]]", 2), Some(6));
        assert_eq!(
            too_deep("]]]]] [[", 2),
            None,
            "closing first does not go negative"
        );
        let deep = "[".repeat(100_000);
        assert_eq!(too_deep(&deep, 256), Some(256));
    }
}
