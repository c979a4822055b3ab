//! Progress of a build's long steps: a bar with counts and an estimate of the time left on
//! a terminal, a few plain lines otherwise (a CI log wants no cursor tricks and no
//! thousand updates), nothing when asked to be quiet or for a site too small to wait for.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How progress is shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum ProgressStyle {
    /// Not at all (`--quiet`, tests).
    #[default]
    Off,
    /// A bar redrawn in place: standard error is a terminal.
    Bar,
    /// A line at every tenth of the work: standard error is a file or a pipe.
    Lines,
}

impl ProgressStyle {
    /// The style for a command that reports unless `quiet`, on standard error.
    pub(crate) fn for_stderr(quiet: bool) -> ProgressStyle {
        use std::io::IsTerminal;
        match (quiet, std::io::stderr().is_terminal()) {
            (true, _) => ProgressStyle::Off,
            (false, true) => ProgressStyle::Bar,
            (false, false) => ProgressStyle::Lines,
        }
    }
}

/// Below this many pages a step is too quick for progress to help.
const MIN_ITEMS: usize = 500;
/// Lines mode prints when this many tenths more are done.
const TENTHS: usize = 10;
/// Lines mode says nothing of the tenths done this early: a step this quick needs only
/// its last line.
const QUIET_START: Duration = Duration::from_secs(2);

/// The progress of one step over `len` items (pages, files).
pub(crate) struct Progress {
    bar: indicatif::ProgressBar,
    lines: Option<Lines>,
}

struct Lines {
    step: &'static str,
    /// What is counted, plural: `pages`.
    unit: &'static str,
    len: usize,
    start: Instant,
    /// The next tenth to report.
    next: AtomicUsize,
}

impl Progress {
    /// The progress of `step` over `len` pages.
    pub(crate) fn new(style: ProgressStyle, len: usize, step: &'static str) -> Progress {
        Progress::counting(style, len, step, "pages")
    }

    /// The progress of `step` over `len` items of `unit` (plural: `files`).
    pub(crate) fn counting(
        style: ProgressStyle,
        len: usize,
        step: &'static str,
        unit: &'static str,
    ) -> Progress {
        let hidden = Progress {
            bar: indicatif::ProgressBar::hidden(),
            lines: None,
        };
        if len < MIN_ITEMS {
            return hidden;
        }
        match style {
            ProgressStyle::Off => hidden,
            ProgressStyle::Bar => {
                let bar = indicatif::ProgressBar::new(len as u64).with_message(step);
                if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
                    "{{msg:>9}} [{{bar:30}}] {{pos}}/{{len}} {unit}, {{eta}} left"
                )) {
                    bar.set_style(style.progress_chars("=> "));
                }
                Progress { bar, lines: None }
            }
            ProgressStyle::Lines => Progress {
                // Hidden, it still counts: the lines read its position.
                bar: indicatif::ProgressBar::hidden(),
                lines: Some(Lines {
                    step,
                    unit,
                    len,
                    start: Instant::now(),
                    next: AtomicUsize::new(1),
                }),
            },
        }
    }

    /// The bar that counts the items (hand it to `progress_with`).
    pub(crate) fn bar(&self) -> indicatif::ProgressBar {
        self.bar.clone()
    }

    /// Prints a line when another tenth of the work is done (lines mode); cheap enough
    /// to call after every item, from any thread.
    pub(crate) fn report(&self) {
        let Some(lines) = &self.lines else { return };
        let done = self.bar.position() as usize;
        let next = lines.next.load(Ordering::Relaxed);
        if next >= TENTHS || done * TENTHS < next * lines.len {
            return;
        }
        let reached = (done * TENTHS / lines.len).min(TENTHS - 1);
        // One thread prints each tenth.
        if lines
            .next
            .compare_exchange(next, reached + 1, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
        {
            let elapsed = lines.start.elapsed();
            if elapsed >= QUIET_START {
                eprintln!("{}", lines.line(done, elapsed));
            }
        }
    }

    /// Ends the step: clears the bar, or prints the step's last line.
    pub(crate) fn finish(self) {
        self.bar.finish_and_clear();
        if let Some(lines) = &self.lines {
            eprintln!(
                "{}: {} {} in {:.1} s",
                lines.step,
                lines.len,
                lines.unit,
                lines.start.elapsed().as_secs_f64()
            );
        }
    }

    /// A step without counts, `what` it does (`merging 17 parts`): a spinner on a
    /// terminal, one line otherwise; cleared by [`Phase::finish`].
    pub(crate) fn phase(style: ProgressStyle, step: &'static str, what: &str) -> Phase {
        let spinner = match style {
            ProgressStyle::Off => indicatif::ProgressBar::hidden(),
            ProgressStyle::Bar => {
                let spinner = indicatif::ProgressBar::new_spinner();
                spinner.set_message(format!("{step:>9} {what}"));
                spinner.enable_steady_tick(Duration::from_millis(120));
                spinner
            }
            ProgressStyle::Lines => {
                eprintln!("{step}: {what}");
                indicatif::ProgressBar::hidden()
            }
        };
        Phase { spinner }
    }
}

/// A step shown without counts (see [`Progress::phase`]).
pub(crate) struct Phase {
    spinner: indicatif::ProgressBar,
}

impl Phase {
    pub(crate) fn finish(self) {
        self.spinner.finish_and_clear();
    }
}

impl Lines {
    /// `pages: 20000/100000 pages (20%), about 1m 10s left`.
    fn line(&self, done: usize, elapsed: Duration) -> String {
        let left = match done {
            0 => String::new(),
            _ => {
                let secs =
                    elapsed.as_secs_f64() * (self.len - done.min(self.len)) as f64 / done as f64;
                format!(", about {} left", duration(secs))
            }
        };
        format!(
            "{}: {done}/{} {} ({}%){left}",
            self.step,
            self.len,
            self.unit,
            done * 100 / self.len.max(1)
        )
    }
}

fn duration(secs: f64) -> String {
    let secs = secs.round() as u64;
    match secs {
        0..60 => format!("{secs}s"),
        _ => format!("{}m {}s", secs / 60, secs % 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(len: usize) -> Progress {
        Progress::new(ProgressStyle::Lines, len, "pages")
    }

    #[test]
    fn a_line_says_what_is_done_and_what_is_left() {
        let progress = lines(1000);
        let lines = progress.lines.as_ref().expect("lines mode");
        assert_eq!(
            lines.line(250, Duration::from_secs(10)),
            "pages: 250/1000 pages (25%), about 30s left"
        );
        assert_eq!(
            lines.line(100, Duration::from_secs(100)),
            "pages: 100/1000 pages (10%), about 15m 0s left"
        );
    }

    #[test]
    fn lines_are_printed_once_per_tenth() {
        let progress = lines(1000);
        let next = || {
            progress
                .lines
                .as_ref()
                .map(|l| l.next.load(Ordering::Relaxed))
        };
        progress.bar().inc(50);
        progress.report();
        assert_eq!(next(), Some(1), "nothing to say before a tenth");
        progress.bar().inc(60);
        progress.report();
        progress.report();
        assert_eq!(next(), Some(2), "the first tenth, once");
        progress.bar().inc(500);
        progress.report();
        assert_eq!(next(), Some(7), "tenths skipped at once are one line");
    }

    #[test]
    fn small_steps_and_quiet_runs_show_nothing() {
        assert!(Progress::new(ProgressStyle::Lines, MIN_ITEMS - 1, "pages")
            .lines
            .is_none());
        assert!(Progress::new(ProgressStyle::Off, 100_000, "pages")
            .lines
            .is_none());
    }
}
