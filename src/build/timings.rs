//! Stage timings for `--timings`: each named step of a build and how long it took.

use std::time::{Duration, Instant};

/// Named, timed steps in the order they ran.
#[derive(Debug, Default)]
pub struct Timings {
    pub steps: Vec<(&'static str, Duration)>,
}

impl Timings {
    /// Runs `f` as the step `name`.
    pub fn time<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let result = f();
        self.steps.push((name, start.elapsed()));
        result
    }

    pub fn total(&self) -> Duration {
        self.steps
            .iter()
            .filter(|(name, _)| *name != "index")
            .map(|(_, d)| *d)
            .sum()
    }

    /// A small table for the terminal.
    pub fn report(&self) -> String {
        let mut out = String::new();
        for (name, d) in &self.steps {
            out.push_str(&format!(
                "  {name:<12} {:>8.1} ms\n",
                d.as_secs_f64() * 1000.0
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
