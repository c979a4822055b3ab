//! The time budget of a sample's tests while `go test -json` runs them: a package's clock
//! starts when Go starts its test binary (the `start` event, so compiling is not counted)
//! and stops at the package's result. A package still running [`GRACE`] after its budget
//! is overdue, and kb stops `go test` ([`crate::check::budget`]).
//!
//! Go's own `-timeout` is set to the same budget and usually ends a test first, naming it;
//! kb's clock is for what Go's timeout cannot stop: a loop in `init` (Go's timer starts
//! after it), a test that blocks the timeout's goroutine, a process the sample started.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use super::gotest::Event;
use crate::check::budget::Watcher;

/// How long after its budget kb stops a package: time for Go's own timeout to report.
const GRACE: Duration = Duration::from_secs(2);

/// The packages whose tests are running, since when, and those that ran over.
pub(crate) struct TestClock {
    budget: Duration,
    running: HashMap<usize, Instant>,
    overdue: BTreeSet<usize>,
}

impl TestClock {
    pub(crate) fn new(budget: Duration) -> TestClock {
        TestClock {
            budget,
            running: HashMap::new(),
            overdue: BTreeSet::new(),
        }
    }

    /// The packages that ran over their budget, by id.
    pub(crate) fn overdue_packages(&self) -> BTreeSet<usize> {
        self.overdue.clone()
    }
}

impl Watcher for TestClock {
    fn line(&mut self, line: &[u8], at: Instant) {
        let Ok(event) = serde_json::from_slice::<Event>(line) else {
            return;
        };
        let Some(package) = event.package() else {
            return;
        };
        // Package-level events: tests' own `pass`/`fail` name the test.
        if !event.test.is_empty() {
            return;
        }
        match event.action.as_str() {
            "start" => {
                self.running.insert(package, at);
            }
            "pass" | "fail" | "skip" => {
                self.running.remove(&package);
            }
            _ => {}
        }
    }

    fn overdue(&mut self, now: Instant) -> bool {
        let limit = self.budget.saturating_add(GRACE);
        self.overdue.extend(
            self.running
                .iter()
                .filter(|(_, started)| now.saturating_duration_since(**started) > limit)
                .map(|(package, _)| *package),
        );
        !self.overdue.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_package_is_overdue_from_its_start_event_until_its_result() {
        let mut clock = TestClock::new(Duration::from_secs(1));
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        let line = |action: &str, package: &str, test: &str| {
            format!(r#"{{"Action":"{action}","Package":"kbsamples/{package}","Test":"{test}"}}"#)
        };
        clock.line(line("start", "s0001", "").as_bytes(), at(0));
        clock.line(line("start", "s0002", "").as_bytes(), at(1));
        // A test's own result is not the package's.
        clock.line(line("pass", "s0001", "TestA").as_bytes(), at(1));
        clock.line(b"not json\n", at(1));
        assert!(!clock.overdue(at(3)));
        clock.line(line("pass", "s0002", "").as_bytes(), at(3));
        assert!(clock.overdue(at(4)));
        assert_eq!(clock.overdue_packages(), BTreeSet::from([1]));
    }
}
