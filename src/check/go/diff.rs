//! The diff shown under "not gofmt-formatted": which lines of the block gofmt would
//! change, as `@@ line N @@` hunks of `-` and `+` lines with Markdown line numbers.
//!
//! The diffing itself is the `similar` crate's (Myers, with a deadline); this module only
//! groups its operations into hunks and renders them.

use std::time::{Duration, Instant};

use similar::{capture_diff_slices_deadline, Algorithm, DiffTag};

/// A run of changed lines: `old[old_start..old_start + removed.len()]` becomes `added`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hunk {
    pub(crate) old_start: usize,
    pub(crate) removed: Vec<String>,
    pub(crate) added: Vec<String>,
}

/// Longest a diff may take. Samples are small and take microseconds; a pathological one
/// gets a coarser (still correct) diff instead of holding up the check.
const DIFF_DEADLINE: Duration = Duration::from_millis(200);

/// The hunks that turn `old` into `new`: adjacent deletions and insertions form one hunk.
pub(crate) fn line_diff(old: &[&str], new: &[&str]) -> Vec<Hunk> {
    let ops = capture_diff_slices_deadline(
        Algorithm::Myers,
        old,
        new,
        Some(Instant::now() + DIFF_DEADLINE),
    );
    let mut hunks: Vec<Hunk> = Vec::new();
    let mut current: Option<Hunk> = None;
    for op in ops {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        if tag == DiffTag::Equal {
            hunks.extend(current.take());
            continue;
        }
        let hunk = current.get_or_insert_with(|| Hunk {
            old_start: old_range.start,
            removed: Vec::new(),
            added: Vec::new(),
        });
        hunk.removed
            .extend(old[old_range].iter().map(|l| l.to_string()));
        hunk.added
            .extend(new[new_range].iter().map(|l| l.to_string()));
    }
    hunks.extend(current);
    hunks
}

/// Renders hunks like a unified diff with Markdown line numbers, capped so one badly
/// formatted block does not flood the report.
pub(crate) fn render_hunks(hunks: &[Hunk], fence_line: usize) -> String {
    const MAX_LINES: usize = 12;
    let mut out = String::new();
    let mut shown = 0;
    for hunk in hunks {
        if shown >= MAX_LINES {
            break;
        }
        out.push_str(&format!(
            "    @@ line {} @@\n",
            fence_line + hunk.old_start + 1
        ));
        for (sign, line) in hunk
            .removed
            .iter()
            .map(|l| ('-', l))
            .chain(hunk.added.iter().map(|l| ('+', l)))
        {
            if shown >= MAX_LINES {
                break;
            }
            out.push_str(&format!("    {sign}{line}\n"));
            shown += 1;
        }
    }
    let total: usize = hunks.iter().map(|h| h.removed.len() + h.added.len()).sum();
    if total > shown {
        out.push_str(&format!(
            "    ... and {} more changed lines\n",
            total - shown
        ));
    }
    out.truncate(out.trim_end().len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_finds_separate_hunks() {
        let old = ["a", "b", "c", "d", "e"];
        let new = ["a", "B", "c", "d", "e", "f"];
        let hunks = line_diff(&old, &new);
        assert_eq!(
            hunks,
            vec![
                Hunk {
                    old_start: 1,
                    removed: vec!["b".into()],
                    added: vec!["B".into()]
                },
                Hunk {
                    old_start: 5,
                    removed: vec![],
                    added: vec!["f".into()]
                },
            ]
        );
        assert_eq!(
            render_hunks(&hunks, 10),
            "    @@ line 12 @@\n    -b\n    +B\n    @@ line 16 @@\n    +f"
        );
    }

    #[test]
    fn long_diffs_are_capped() {
        let old: Vec<String> = (0..20).map(|i| format!("    line{i}")).collect();
        let new: Vec<String> = (0..20).map(|i| format!("\tline{i}")).collect();
        let old: Vec<&str> = old.iter().map(String::as_str).collect();
        let new: Vec<&str> = new.iter().map(String::as_str).collect();
        let hunks = line_diff(&old, &new);
        assert_eq!(hunks.len(), 1);
        assert_eq!((hunks[0].removed.len(), hunks[0].added.len()), (20, 20));
        let rendered = render_hunks(&hunks, 0);
        assert_eq!(
            rendered.lines().filter(|l| l.starts_with("    -")).count(),
            12
        );
        assert!(
            rendered.ends_with("    ... and 28 more changed lines"),
            "{rendered}"
        );
    }
}
