//! Stage timings for `--timings`: each named step of a build and how long it took.

use std::time::{Duration, Instant};

/// One timed step.
#[derive(Debug, Clone, Copy)]
struct Step {
    name: &'static str,
    duration: Duration,
    /// Ran on its own thread beside the other steps, so not part of their sum.
    beside: bool,
}

/// Named, timed steps in the order they ran.
#[derive(Debug, Default, Clone)]
pub(crate) struct Timings {
    steps: Vec<Step>,
}

impl Timings {
    /// Runs `f` as the step `name`.
    pub(crate) fn time<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let result = f();
        self.push(name, start.elapsed(), false);
        result
    }

    /// Records a step that ran beside the others (on another thread).
    pub(crate) fn record_beside(&mut self, name: &'static str, duration: Duration) {
        self.push(name, duration, true);
    }

    fn push(&mut self, name: &'static str, duration: Duration, beside: bool) {
        self.steps.push(Step {
            name,
            duration,
            beside,
        });
    }

    /// Wall time of the steps that ran one after another.
    pub(crate) fn total(&self) -> Duration {
        self.steps
            .iter()
            .filter(|s| !s.beside)
            .map(|s| s.duration)
            .sum()
    }

    /// A small table for the terminal.
    pub(crate) fn report(&self) -> String {
        let mut out = String::new();
        for step in &self.steps {
            let note = if step.beside { "  (in parallel)" } else { "" };
            out.push_str(&format!(
                "  {:<12} {:>8.1} ms{note}\n",
                step.name,
                step.duration.as_secs_f64() * 1000.0
            ));
        }
        out.push_str(&format!(
            "  {:<12} {:>8.1} ms\n",
            "total",
            self.total().as_secs_f64() * 1000.0
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_beside_the_others_are_not_summed() {
        let mut t = Timings::default();
        t.record_beside("index", Duration::from_millis(50));
        t.time("pages", || ());
        assert!(t.total() < Duration::from_millis(50));
        assert!(t.report().contains("index") && t.report().contains("(in parallel)"));
    }
}
