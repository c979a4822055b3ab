//! The order plugins run in: mdBook's rule, a topological sort of the `before` and `after`
//! constraints, ties broken by name so every build runs them in the same order.
//!
//! mdBook's built-in `links` and `index` have already run when any plugin starts (kb does
//! their work while loading), so `after = ["links"]` always holds and `before = ["links"]`
//! cannot: that one is a warning. A name that is neither a plugin of the book nor a
//! built-in is ignored with a warning, as a constraint on nothing.

use std::collections::{BTreeMap, BTreeSet};

use super::config::{Preprocessor, BUILT_IN};
use crate::diagnostic::Diagnostic;

/// `plugins` in the order they run, with warnings; an error when the constraints make a
/// cycle.
pub(crate) fn run_order(
    plugins: &[Preprocessor],
) -> Result<(Vec<&Preprocessor>, Vec<Diagnostic>), Diagnostic> {
    let mut warnings = Vec::new();
    let index: BTreeMap<&str, usize> = plugins
        .iter()
        .enumerate()
        .map(|(i, p)| (p.name.as_str(), i))
        .collect();
    // `runs_after[a]` holds the plugins that run after `a`; `waiting_on[b]` counts the
    // plugins `b` still waits for.
    let mut runs_after: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); plugins.len()];
    let mut waiting_on = vec![0usize; plugins.len()];
    for (i, plugin) in plugins.iter().enumerate() {
        let constraints = plugin
            .before
            .iter()
            .map(|o| (o, true))
            .chain(plugin.after.iter().map(|o| (o, false)));
        for (other, plugin_first) in constraints {
            if let Some(&j) = index.get(other.as_str()) {
                let (first, then) = if plugin_first { (i, j) } else { (j, i) };
                if runs_after[first].insert(then) {
                    waiting_on[then] += 1;
                }
            } else if BUILT_IN.contains(&other.as_str()) {
                if plugin_first {
                    warnings.push(
                        Diagnostic::warning(
                            plugin.location.clone(),
                            format!("`{}` asks to run before `{other}`, but kb expands includes and README indexes while loading, before any plugin", plugin.name),
                        )
                        .with_help("the plugin runs after them; remove the constraint to silence this"),
                    );
                }
            } else {
                warnings.push(
                    Diagnostic::warning(
                        plugin.location.clone(),
                        format!("`{}` is ordered against `{other}`, which this book does not configure", plugin.name),
                    )
                    .with_help(format!("add a [preprocessor.{other}] table or remove `{other}` from `before`/`after`")),
                );
            }
        }
    }
    let name = |i: usize| plugins[i].name.as_str();
    let mut ready: BTreeSet<(&str, usize)> = (0..plugins.len())
        .filter(|&i| waiting_on[i] == 0)
        .map(|i| (name(i), i))
        .collect();
    let mut order = Vec::with_capacity(plugins.len());
    while let Some((_, i)) = ready.pop_first() {
        order.push(&plugins[i]);
        for &then in &runs_after[i] {
            waiting_on[then] -= 1;
            if waiting_on[then] == 0 {
                ready.insert((name(then), then));
            }
        }
    }
    if order.len() < plugins.len() {
        let mut stuck: Vec<usize> = (0..plugins.len()).filter(|&i| waiting_on[i] > 0).collect();
        stuck.sort_by_key(|&i| name(i));
        return Err(Diagnostic::error(
            plugins[stuck[0]].location.clone(),
            format!(
                "the `before`/`after` settings of {} make a cycle",
                stuck
                    .iter()
                    .map(|&i| format!("`{}`", name(i)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .with_help("remove one of the constraints so the plugins have an order"));
    }
    Ok((order, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;

    fn plugin(name: &str, before: &[&str], after: &[&str]) -> Preprocessor {
        Preprocessor {
            name: name.to_string(),
            command: format!("mdbook-{name}"),
            before: before.iter().map(|s| s.to_string()).collect(),
            after: after.iter().map(|s| s.to_string()).collect(),
            renderers: None,
            optional: false,
            location: Location::new("book.toml", 1, 1),
        }
    }

    fn names(plugins: &[Preprocessor]) -> Vec<String> {
        let (order, _) = run_order(plugins).expect("no cycle");
        order.iter().map(|p| p.name.clone()).collect()
    }

    #[test]
    fn unconstrained_plugins_run_by_name() {
        let plugins = [plugin("toc", &[], &[]), plugin("admonish", &[], &[])];
        assert_eq!(names(&plugins), ["admonish", "toc"]);
    }

    #[test]
    fn before_and_after_are_obeyed() {
        let plugins = [
            plugin("a", &[], &["c"]),
            plugin("b", &["a"], &[]),
            plugin("c", &[], &["links"]),
        ];
        // a after c, b before a; c and b are free first, by name.
        assert_eq!(names(&plugins), ["b", "c", "a"]);
    }

    #[test]
    fn before_a_built_in_and_unknown_names_warn() {
        let plugins = [plugin("a", &["links"], &["nothing"])];
        let (order, warnings) = run_order(&plugins).expect("no cycle");
        assert_eq!(order.len(), 1);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
    }

    #[test]
    fn a_cycle_is_an_error_naming_the_plugins() {
        let plugins = [plugin("a", &["b"], &[]), plugin("b", &["a"], &[])];
        let error = run_order(&plugins).expect_err("cycle");
        assert!(error.message.contains("`a`, `b`"), "{}", error.message);
    }
}
