//! Running a program that runs the content's code (`go test` on the samples) under a time
//! budget: it starts in a process group of its own, its standard output is read as it
//! comes so the caller can tell which sample is running, and when the caller says a
//! sample is overdue the whole group is killed: the tool, the sample's binary and every
//! process the sample started. Whatever is left of the group when the tool ends is
//! killed too, so nothing a sample started outlives the check.
//!
//! On Linux the group is killed before the tool is reaped (`waitid` with `WNOWAIT`), so
//! the group id cannot have been reused by then. Elsewhere only the tool itself is
//! stopped (`Child::kill`).

use std::io::{self, BufRead, BufReader, Read};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How often the watcher looks at the clock while the program prints nothing.
const TICK: Duration = Duration::from_millis(50);

/// What a watched run ended with.
#[derive(Debug)]
pub(crate) struct Watched {
    pub output: Output,
    /// The watcher stopped the program before it finished.
    pub stopped: bool,
}

/// What follows a watched program: the lines it prints, and whether it is overdue.
pub(crate) trait Watcher {
    /// A line of standard output, newline included, and when it came.
    fn line(&mut self, line: &[u8], at: Instant);
    /// Whether the program must be stopped now.
    fn overdue(&mut self, now: Instant) -> bool;
}

/// Runs `command` with no input and waits for it, handing each line it prints on standard
/// output to `watcher` as it comes. The watcher is asked at least every [`TICK`] whether
/// the program is overdue; when it is, the program and every process it started are
/// killed.
pub(crate) fn run_watched(
    command: &mut Command,
    watcher: &mut impl Watcher,
) -> io::Result<Watched> {
    group::own_group(command);
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let (Some(stdout), Some(mut stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(io::Error::other(
            "the program's output pipes were not opened",
        ));
    };
    std::thread::scope(|scope| {
        let (lines, received) = mpsc::channel::<Vec<u8>>();
        scope.spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut line = Vec::new();
                match reader.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) if lines.send(line).is_err() => break,
                    Ok(_) => {}
                }
            }
        });
        let errors = scope.spawn(move || {
            let mut buffer = Vec::new();
            // A read error ends the output early; the exit status still says how it went.
            let _ = stderr.read_to_end(&mut buffer);
            buffer
        });
        let mut stdout = Vec::new();
        let mut stopped = false;
        let mut ended = false;
        loop {
            match received.recv_timeout(TICK) {
                Ok(line) => {
                    watcher.line(&line, Instant::now());
                    stdout.extend_from_slice(&line);
                }
                Err(RecvTimeoutError::Timeout) => {}
                // Output closed: only the end of the program is left to wait for.
                Err(RecvTimeoutError::Disconnected) if ended => break,
                Err(RecvTimeoutError::Disconnected) => std::thread::sleep(TICK),
            }
            if !ended && group::has_ended(&mut child)? {
                // Processes the program left behind may hold its output open.
                group::kill(&mut child);
                ended = true;
            } else if !ended && !stopped && watcher.overdue(Instant::now()) {
                group::kill(&mut child);
                stopped = true;
            }
        }
        let status = child.wait()?;
        let stderr = errors.join().unwrap_or_default();
        Ok(Watched {
            output: Output {
                status,
                stdout,
                stderr,
            },
            stopped,
        })
    })
}

#[cfg(any(target_os = "linux", target_os = "android"))]
mod group {
    use std::io;
    use std::os::unix::process::CommandExt;
    use std::process::{Child, Command};

    use rustix::process::{kill_process_group, waitid, Pid, Signal, WaitId, WaitIdOptions};

    /// The program leads a new process group, which everything it starts joins.
    pub(super) fn own_group(command: &mut Command) {
        command.process_group(0);
    }

    /// Whether the program has exited, leaving it unreaped so its group id stays its own.
    pub(super) fn has_ended(child: &mut Child) -> io::Result<bool> {
        let options = WaitIdOptions::EXITED | WaitIdOptions::NOHANG | WaitIdOptions::NOWAIT;
        Ok(waitid(WaitId::Pid(Pid::from_child(child)), options)?.is_some())
    }

    /// Kills every process of the program's group.
    pub(super) fn kill(child: &mut Child) {
        // An empty group (everything already gone) is not a failure.
        let _ = kill_process_group(Pid::from_child(child), Signal::KILL);
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
mod group {
    use std::io;
    use std::process::{Child, Command};

    pub(super) fn own_group(_command: &mut Command) {}

    pub(super) fn has_ended(child: &mut Child) -> io::Result<bool> {
        Ok(child.try_wait()?.is_some())
    }

    pub(super) fn kill(child: &mut Child) {
        let _ = child.kill();
    }
}

#[cfg(all(test, any(target_os = "linux", target_os = "android")))]
mod tests {
    use super::*;

    /// Keeps the lines; overdue after `after`.
    struct Lines {
        seen: Vec<String>,
        started: Instant,
        after: Duration,
    }

    impl Watcher for Lines {
        fn line(&mut self, line: &[u8], _at: Instant) {
            self.seen.push(String::from_utf8_lossy(line).into_owned());
        }
        fn overdue(&mut self, now: Instant) -> bool {
            now - self.started > self.after
        }
    }

    fn lines(after: Duration) -> Lines {
        Lines {
            seen: Vec::new(),
            started: Instant::now(),
            after,
        }
    }

    /// Whether process `pid` is gone (or a zombie nobody reaped, which runs nothing)
    /// within a few seconds: a killed process closes its files a moment before it is gone.
    fn gone(pid: &str) -> bool {
        let dead = || match std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())) {
            Err(_) => true,
            Ok(stat) => stat
                .rsplit_once(')')
                .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        };
        (0..100).any(|_| {
            dead() || {
                std::thread::sleep(Duration::from_millis(50));
                false
            }
        })
    }

    #[test]
    fn an_overdue_program_is_killed_with_the_processes_it_started() {
        let started = Instant::now();
        let mut command = Command::new("sh");
        // A child that would outlive its parent, then a parent that never ends.
        command.args(["-c", "sleep 300 & echo $!; echo ready; while :; do :; done"]);
        let mut watcher = lines(Duration::from_millis(300));
        let watched = run_watched(&mut command, &mut watcher).expect("sh runs");
        let seen = watcher.seen;
        assert!(watched.stopped);
        assert!(!watched.output.status.success());
        assert_eq!(seen.get(1).map(String::as_str), Some("ready\n"));
        assert!(gone(&seen[0]), "sleep {} outlived the group", seen[0]);
        assert!(started.elapsed() < Duration::from_secs(30));
    }

    #[test]
    fn a_program_that_ends_in_time_is_not_stopped_but_what_it_left_behind_is() {
        let mut command = Command::new("sh");
        command.args(["-c", "sleep 300 & echo $!; echo out; echo err >&2; exit 3"]);
        let watched = run_watched(&mut command, &mut lines(Duration::MAX)).expect("sh runs");
        assert!(!watched.stopped);
        assert_eq!(watched.output.status.code(), Some(3));
        let stdout = String::from_utf8_lossy(&watched.output.stdout).into_owned();
        let (pid, rest) = stdout.split_once('\n').expect("two lines");
        assert_eq!(rest, "out\n");
        assert_eq!(watched.output.stderr, b"err\n");
        assert!(gone(pid), "sleep {pid} outlived the program");
    }
}
