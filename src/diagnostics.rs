//! A run's diagnostics as one value: sorted by file and position and de-duplicated once,
//! when made, so every command reports them in the same order and counts them the same way.

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Severity};

/// Every diagnostic of a run, sorted by file, line, column and message, without repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    /// Sorts and de-duplicates `diagnostics`.
    pub fn new(mut diagnostics: Vec<Diagnostic>) -> Diagnostics {
        diagnostics.sort_by(order);
        diagnostics.dedup();
        Diagnostics(diagnostics)
    }

    /// Whether any is an error (errors stop a build; warnings only with `--deny-warnings`).
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    /// Only the errors.
    pub fn errors(&self) -> Diagnostics {
        Diagnostics(self.0.iter().filter(|d| d.is_error()).cloned().collect())
    }

    /// Those of `self` that are not in `earlier` (what a rebuild newly found).
    pub fn not_in(&self, earlier: &Diagnostics) -> Diagnostics {
        Diagnostics(
            self.0
                .iter()
                .filter(|d| earlier.0.binary_search_by(|e| order(e, d)).is_err())
                .cloned()
                .collect(),
        )
    }

    /// "2 errors, 1 warning".
    pub fn summary(&self) -> String {
        let errors = self.0.iter().filter(|d| d.is_error()).count();
        let warnings = self.0.len() - errors;
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        format!(
            "{}, {}",
            plural(errors, "error"),
            plural(warnings, "warning")
        )
    }

    /// Every diagnostic, compiler-style, one after the other; the severity word in bold
    /// colour when `color` is set (a terminal without `NO_COLOR`).
    pub fn render(&self, color: bool) -> String {
        let mut out = String::new();
        for d in &self.0 {
            out.push_str(&d.render(color));
            out.push('\n');
        }
        out
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.0
    }
}

/// The order [`Diagnostics::new`] sorts by.
fn order(a: &Diagnostic, b: &Diagnostic) -> std::cmp::Ordering {
    a.sort_key()
        .cmp(&b.sort_key())
        .then_with(|| a.message.cmp(&b.message))
        .then_with(|| a.severity.cmp(&b.severity))
        .then_with(|| a.help.cmp(&b.help))
}

impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(diagnostics: Vec<Diagnostic>) -> Diagnostics {
        Diagnostics::new(diagnostics)
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Diagnostics {
        Diagnostics(vec![diagnostic])
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Diagnostics {
        Diagnostics::new(iter.into_iter().collect())
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl Severity {
    /// The word diagnostics show: `error` or `warning`.
    pub fn word(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }

    /// The ANSI colour of the word: red for errors, yellow for warnings.
    fn color(self) -> &'static str {
        match self {
            Severity::Error => "31",
            Severity::Warning => "33",
        }
    }
}

impl Diagnostic {
    /// This diagnostic as [`std::fmt::Display`] shows it, the severity word coloured when
    /// `color` is set.
    pub fn render(&self, color: bool) -> String {
        if !color {
            return self.to_string();
        }
        let word = self.severity.word();
        format!(
            "{}: \x1b[1;{}m{word}\x1b[0m: {}{}",
            self.position(),
            self.severity.color(),
            self.message,
            self.help_text()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;

    fn at(file: &str, line: usize, message: &str) -> Diagnostic {
        Diagnostic::error(Location::new(file, line, 1), message)
    }

    #[test]
    fn sorted_by_file_and_position_without_repeats() {
        let d = Diagnostics::new(vec![
            at("b.md", 1, "x"),
            at("a.md", 9, "y"),
            at("a.md", 2, "z"),
            at("a.md", 9, "y"),
        ]);
        let shown: Vec<String> = d
            .iter()
            .map(|d| format!("{}:{:?}", d.file.display(), d.line))
            .collect();
        assert_eq!(shown, ["a.md:Some(2)", "a.md:Some(9)", "b.md:Some(1)"]);
    }

    #[test]
    fn summary_counts_errors_and_warnings() {
        let warning = Diagnostic::warning(Location::new("a.md", 1, 1), "w");
        let d = Diagnostics::new(vec![at("a.md", 2, "e"), at("a.md", 3, "f"), warning]);
        assert!(d.has_errors());
        assert_eq!(d.summary(), "2 errors, 1 warning");
        assert_eq!(Diagnostics::default().summary(), "0 errors, 0 warnings");
    }

    #[test]
    fn not_in_keeps_only_new_ones() {
        let old = Diagnostics::new(vec![at("a.md", 1, "x")]);
        let new = Diagnostics::new(vec![at("a.md", 1, "x"), at("a.md", 5, "y")]);
        let fresh: Vec<String> = new.not_in(&old).iter().map(|d| d.message.clone()).collect();
        assert_eq!(fresh, ["y"]);
    }

    #[test]
    fn colour_wraps_only_the_severity_word() {
        let d = at("a.md", 2, "broken: error: here").with_help("fix it");
        assert_eq!(d.render(false), d.to_string());
        assert_eq!(
            d.render(true),
            "a.md:2:1: \x1b[1;31merror\x1b[0m: broken: error: here\n  help: fix it"
        );
    }
}
