//! Positions in text: byte offsets (what parsers and tools report) to the 1-based line and
//! character column that diagnostics show.
//!
//! One implementation for diagnostics and every checker, so a column means the same thing
//! whichever pass reports it: characters, not bytes, counted from 1.

/// Converts a byte offset in `text` to a 1-based (line, column) pair, column in characters.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Line starts of a text, for many offset-to-position lookups in the same text: each is
/// a binary search plus a count within one line, where [`line_col`] rescans the prefix.
pub(crate) struct LineIndex<'t> {
    text: &'t str,
    /// Byte offset at which each line starts.
    starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    /// The same as [`line_col`] on the indexed text.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let line = self.starts.partition_point(|&start| start <= offset);
        let line_start = self.starts[line - 1];
        (line, self.text[line_start..offset].chars().count() + 1)
    }
}

/// Converts a 1-based byte column within one `line` (what Go tools and JSON parsers
/// report) to a 1-based character column. A column inside a multi-byte character counts
/// as that character; one past the end is the column after the last character.
pub(crate) fn char_column(line: &str, byte_column: usize) -> usize {
    let end = floor_char_boundary(line, byte_column.saturating_sub(1).min(line.len()));
    line[..end].chars().count() + 1
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_agrees_with_line_col() {
        for text in ["", "a", "ab\ncdé f\n", "\n\nx\né\n\ny", "é"] {
            let index = LineIndex::new(text);
            for offset in 0..=text.len() + 2 {
                assert_eq!(
                    index.line_col(offset),
                    line_col(text, offset),
                    "{text:?} {offset}"
                );
            }
        }
    }

    #[test]
    fn line_col_counts_characters() {
        let text = "ab\ncdé f\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        // 'f' is after "cdé " where é is two bytes.
        assert_eq!(line_col(text, 8), (2, 5));
    }

    #[test]
    fn char_column_counts_characters_before_the_byte_column() {
        // "é" is two bytes: byte column 4 is 'x', the third character.
        assert_eq!(char_column("aéx", 4), 3);
        // Inside the two bytes of "é": that character.
        assert_eq!(char_column("aéx", 3), 2);
        assert_eq!(char_column("abc", 1), 1);
        assert_eq!(char_column("abc", 0), 1);
        // Past the end: after the last character.
        assert_eq!(char_column("aé", 10), 3);
    }
}
