//! Wrapping fragments: how a `go,fragment` block's declarations or statements are put
//! into a file gofmt can parse, and how gofmt's output and positions are taken back to
//! the block's own lines and columns.

use crate::position::char_column;

/// How a sample's code sits inside the source handed to gofmt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wrapping {
    /// The code is the file.
    None,
    /// `package p` and a blank line precede the code.
    Declarations,
    /// The code, indented one tab, is the body of `func _()`.
    Statements,
}

const DECLARATIONS_PREFIX: &str = "package p\n\n";
const STATEMENTS_PREFIX: &str = "package p\n\nfunc _() {\n";

impl Wrapping {
    pub(crate) fn wrap(self, code: &str) -> String {
        match self {
            Wrapping::None => code.to_string(),
            Wrapping::Declarations => format!("{DECLARATIONS_PREFIX}{code}"),
            Wrapping::Statements => {
                // Indenting every line by one tab (as gofmt would) keeps gofmt's output
                // of the body equal to the input when the input is formatted, and lets
                // `unwrap` take exactly that tab off again, even inside raw strings.
                let mut source = STATEMENTS_PREFIX.to_string();
                for line in code.lines() {
                    if !line.is_empty() {
                        source.push('\t');
                    }
                    source.push_str(line);
                    source.push('\n');
                }
                source.push_str("}\n");
                source
            }
        }
    }

    fn added_lines(self) -> usize {
        match self {
            Wrapping::None => 0,
            Wrapping::Declarations => DECLARATIONS_PREFIX.matches('\n').count(),
            Wrapping::Statements => STATEMENTS_PREFIX.matches('\n').count(),
        }
    }

    /// Takes gofmt's output of a wrapped source back to the shape of the sample's code.
    pub(crate) fn unwrap(self, formatted: &str) -> String {
        let lines: Vec<&str> = formatted.lines().collect();
        let skip = self.added_lines().min(lines.len());
        match self {
            Wrapping::None => formatted.to_string(),
            Wrapping::Declarations => join_lines(lines[skip..].iter().copied()),
            Wrapping::Statements => {
                let end = lines.len().saturating_sub(1).max(skip);
                join_lines(
                    lines[skip..end]
                        .iter()
                        .map(|l| l.strip_prefix('\t').unwrap_or(l)),
                )
            }
        }
    }

    /// Maps a gofmt position in the wrapped source to (line, byte column) in the code.
    /// Positions on the wrapper's own lines (an unclosed block is noticed at the closing
    /// brace of `func _()`) go to the nearest line of the code.
    pub(crate) fn map(self, line: usize, column: usize, code: &str) -> (usize, usize) {
        let last_line = code.lines().count().max(1);
        let code_line = line.saturating_sub(self.added_lines()).clamp(1, last_line);
        let beyond = line.saturating_sub(self.added_lines()) > last_line;
        let text = code.lines().nth(code_line - 1).unwrap_or_default();
        if beyond {
            return (code_line, text.chars().count() + 1);
        }
        let column = if self == Wrapping::Statements && !text.is_empty() {
            column.saturating_sub(1)
        } else {
            column
        };
        (code_line, char_column(text, column))
    }
}

fn join_lines<'s>(lines: impl Iterator<Item = &'s str>) -> String {
    let mut text = String::new();
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_wrapping_round_trips_and_maps_positions() {
        let code = "x := `raw\nline`\nif x != \"\" {\n\ty()\n}\n\nouter:\n";
        let wrapped = Wrapping::Statements.wrap(code);
        assert!(wrapped.starts_with(STATEMENTS_PREFIX) && wrapped.ends_with("\n}\n"));
        assert_eq!(Wrapping::Statements.unwrap(&wrapped), code);
        // Line 6 of the wrapped source is line 3 of the code; its tab is not the code's.
        assert_eq!(Wrapping::Statements.map(6, 5, code), (3, 4));
        assert_eq!(Wrapping::Declarations.map(3, 5, code), (1, 5));
    }
}
