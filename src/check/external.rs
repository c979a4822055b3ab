//! External links: every `http(s)://` link in the content must answer without an error.
//!
//! Each distinct URL is requested once (HEAD, then GET for servers that reject or
//! mishandle HEAD), following redirects, with a bounded number of requests in flight per
//! host so a page full of links to one site does not hammer it. A broken URL is reported
//! at every place that links to it, since each place needs the fix.
//!
//! The client is `ureq`: blocking (this is a batch job with a handful of threads, so an
//! async runtime would only add weight), rustls instead of a system OpenSSL, redirects and
//! a whole-request timeout built in.

use std::collections::{HashMap, VecDeque};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use super::public_only::{NotPublic, PublicOnly};
use crate::diagnostic::{Diagnostic, Location};
use crate::diagnostics::Diagnostics;

/// One link to another site, where it appears in the content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExternalLink {
    pub url: String,
    pub location: Location,
}

/// How politely and how patiently to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ExternalOptions {
    /// For one whole request, redirects included.
    pub timeout: Duration,
    /// Requests in flight at once to the same host.
    pub per_host: usize,
    /// Connect only to public addresses ([`super::public_only`]): for content nobody
    /// vouched for, so that its links cannot make the checker probe the local network.
    pub public_only: bool,
}

impl Default for ExternalOptions {
    fn default() -> Self {
        ExternalOptions {
            timeout: Duration::from_secs(10),
            per_host: 2,
            public_only: false,
        }
    }
}

/// Total requests in flight at once, over all hosts.
const MAX_CONNECTIONS: usize = 16;

/// Checks every `http`/`https` link (other schemes are not checked) and returns a
/// diagnostic at each place that links to a broken URL, ordered by place.
pub(crate) fn check_external(links: &[ExternalLink], opts: &ExternalOptions) -> Vec<Diagnostic> {
    // Distinct targets, in first-seen order. The fragment is not sent to the server, so
    // `page#a` and `page#b` are one request.
    let mut targets: Vec<Target> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for link in links {
        let url = link.url.split('#').next().unwrap_or_default();
        if !is_http(url) {
            continue;
        }
        let i = *index.entry(url).or_insert_with(|| {
            targets.push(Target {
                url: url.to_string(),
                places: Vec::new(),
            });
            targets.len() - 1
        });
        targets[i].places.push(link);
    }

    let verdicts = check_all(&targets, opts);
    let diagnostics: Vec<Diagnostic> = targets
        .iter()
        .zip(verdicts)
        .flat_map(|(target, verdict)| {
            target
                .places
                .iter()
                .filter_map(move |link| diagnostic(link, &verdict, opts))
        })
        .collect();
    Diagnostics::new(diagnostics).into_vec()
}

struct Target<'a> {
    /// Without its fragment.
    url: String,
    places: Vec<&'a ExternalLink>,
}

fn is_http(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// The host (and port) part of an http(s) URL: the unit of politeness.
fn host_of(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = after_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    // Credentials (`user:pass@host`) do not name a different server.
    authority.rsplit('@').next().unwrap_or(authority)
}

/// What requesting a URL found.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Ok,
    /// The final response (after redirects) had this 4xx or 5xx status.
    Status(u16),
    TimedOut,
    HostNotFound,
    CannotConnect,
    TooManyRedirects,
    /// Public-only mode: the host (or a redirect's) resolves to a non-public address.
    NotPublic(String),
    /// Any other failure, with its description.
    Failed(String),
}

/// Requests every target, at most `per_host` at a time per host and
/// [`MAX_CONNECTIONS`] in all; returns one verdict per target, in order.
fn check_all(targets: &[Target], opts: &ExternalOptions) -> Vec<Verdict> {
    if targets.is_empty() {
        return Vec::new();
    }
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(opts.timeout))
        // A 4xx or 5xx is a verdict about the link, not a failure of the request.
        .http_status_as_error(false)
        .user_agent(concat!("kb-link-check/", env!("CARGO_PKG_VERSION")));
    let agent: ureq::Agent = if opts.public_only {
        // A proxy would fetch the private address on our behalf.
        ureq::Agent::with_parts(
            config.proxy(None).build(),
            ureq::unversioned::transport::DefaultConnector::default(),
            PublicOnly::default(),
        )
    } else {
        config.build().into()
    };
    let per_host = opts.per_host.max(1);
    let schedule = Schedule {
        state: Mutex::new(ScheduleState {
            waiting: (0..targets.len()).collect(),
            in_flight: HashMap::new(),
        }),
        changed: Condvar::new(),
    };
    let verdicts: Vec<Mutex<Option<Verdict>>> = targets.iter().map(|_| Mutex::new(None)).collect();
    let workers = targets.len().min(MAX_CONNECTIONS);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(i) = schedule.next(|i| host_of(&targets[i].url), per_host) {
                    let verdict = check_url(&agent, &targets[i].url);
                    if let Ok(mut slot) = verdicts[i].lock() {
                        *slot = Some(verdict);
                    }
                    schedule.done(host_of(&targets[i].url));
                }
            });
        }
    });
    verdicts
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .ok()
                .flatten()
                .unwrap_or_else(|| Verdict::Failed("the check did not finish".to_string()))
        })
        .collect()
}

/// Hands out targets so that no host has more than `per_host` requests in flight.
struct Schedule<'h> {
    state: Mutex<ScheduleState<'h>>,
    changed: Condvar,
}

struct ScheduleState<'h> {
    waiting: VecDeque<usize>,
    in_flight: HashMap<&'h str, usize>,
}

impl<'h> Schedule<'h> {
    /// The next target whose host has room, waiting for one if all waiting targets are on
    /// busy hosts; `None` when nothing is left.
    fn next(&self, host: impl Fn(usize) -> &'h str, per_host: usize) -> Option<usize> {
        let mut state = self.state.lock().ok()?;
        loop {
            if state.waiting.is_empty() {
                return None;
            }
            let ready = state
                .waiting
                .iter()
                .position(|&i| state.in_flight.get(host(i)).copied().unwrap_or(0) < per_host);
            if let Some(position) = ready {
                let i = state.waiting.remove(position)?;
                *state.in_flight.entry(host(i)).or_insert(0) += 1;
                return Some(i);
            }
            state = self.changed.wait(state).ok()?;
        }
    }

    fn done(&self, host: &str) {
        if let Ok(mut state) = self.state.lock() {
            if let Some(count) = state.in_flight.get_mut(host) {
                *count = count.saturating_sub(1);
            }
        }
        self.changed.notify_all();
    }
}

fn check_url(agent: &ureq::Agent, url: &str) -> Verdict {
    match agent.head(url).call() {
        Ok(response) if response.status().as_u16() < 400 => return Verdict::Ok,
        // A slow or unknown host will not do better on a second request.
        Err(error @ (ureq::Error::Timeout(_) | ureq::Error::HostNotFound)) => {
            return verdict_for_error(error)
        }
        // Some servers answer HEAD with 403, 404 or 405 but serve GET, or drop HEAD
        // requests; only GET's answer counts.
        Ok(_) | Err(_) => {}
    }
    match agent.get(url).call() {
        Ok(response) => match response.status().as_u16() {
            status if status < 400 => Verdict::Ok,
            status => Verdict::Status(status),
        },
        Err(error) => verdict_for_error(error),
    }
}

fn verdict_for_error(error: ureq::Error) -> Verdict {
    match error {
        ureq::Error::Timeout(_) => Verdict::TimedOut,
        ureq::Error::HostNotFound => Verdict::HostNotFound,
        ureq::Error::ConnectionFailed => Verdict::CannotConnect,
        ureq::Error::TooManyRedirects => Verdict::TooManyRedirects,
        ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            Verdict::CannotConnect
        }
        ureq::Error::Other(e) if e.is::<NotPublic>() => Verdict::NotPublic(e.to_string()),
        other => Verdict::Failed(other.to_string()),
    }
}

fn diagnostic(
    link: &ExternalLink,
    verdict: &Verdict,
    opts: &ExternalOptions,
) -> Option<Diagnostic> {
    let url = &link.url;
    let at = link.location.clone();
    let (message, help) = match verdict {
        Verdict::Ok => return None,
        // Rate limiting says nothing about the link, so it only warns.
        Verdict::Status(429) => {
            return Some(
                Diagnostic::warning(at, format!("external link {url} could not be checked: HTTP 429 Too Many Requests"))
                    .with_help("the site limits automated requests; check again later or lower the requests per host"),
            )
        }
        Verdict::Status(status) => (
            format!("external link {url} is broken: HTTP {status}{}", reason(*status)),
            match status {
                404 | 410 => "the page is gone; update the link, or link to an archived copy",
                401 | 403 => "the server refuses the request; if the page opens in a browser, the site blocks automated checks, otherwise update the link",
                500..=599 => "the server failed; if this persists, update or remove the link",
                _ => "update the link",
            }
            .to_string(),
        ),
        Verdict::TimedOut => (
            format!("external link {url} timed out after {} s", opts.timeout.as_secs_f32()),
            "the server did not answer in time; check that the site is up, or allow a longer timeout".to_string(),
        ),
        Verdict::HostNotFound => (
            format!("external link {url} is broken: host {} not found", host_of(url)),
            "check the domain name for typos; the site may be gone".to_string(),
        ),
        Verdict::CannotConnect => (
            format!("external link {url} is broken: cannot connect to {}", host_of(url)),
            "the server refused the connection; check the address and port".to_string(),
        ),
        Verdict::TooManyRedirects => (
            format!("external link {url} is broken: too many redirects"),
            "the URL redirects in a loop; link to the final address instead".to_string(),
        ),
        Verdict::NotPublic(reason) => (
            format!("external link {url} was not requested: {reason}"),
            "untrusted mode checks only links to the public internet; link to a public address, or check this site in trusted mode".to_string(),
        ),
        Verdict::Failed(reason) => (
            format!("external link {url} could not be fetched: {reason}"),
            "check the link in a browser and update it".to_string(),
        ),
    };
    Some(Diagnostic::error(at, message).with_help(help))
}

/// The reason phrase for common statuses, with a leading space.
fn reason(status: u16) -> &'static str {
    match status {
        400 => " Bad Request",
        401 => " Unauthorized",
        403 => " Forbidden",
        404 => " Not Found",
        405 => " Method Not Allowed",
        408 => " Request Timeout",
        410 => " Gone",
        500 => " Internal Server Error",
        502 => " Bad Gateway",
        503 => " Service Unavailable",
        504 => " Gateway Timeout",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// A local HTTP server (the test machines have no internet) that logs each request
    /// and answers by path.
    struct TestServer {
        base: String,
        log: Arc<Mutex<Vec<String>>>,
        max_concurrent: Arc<AtomicUsize>,
    }

    impl TestServer {
        fn start() -> TestServer {
            let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
            let base = format!("http://{}", listener.local_addr().expect("address"));
            let log = Arc::new(Mutex::new(Vec::new()));
            let concurrent = Arc::new(AtomicUsize::new(0));
            let max_concurrent = Arc::new(AtomicUsize::new(0));
            let server = TestServer {
                base,
                log: log.clone(),
                max_concurrent: max_concurrent.clone(),
            };
            std::thread::spawn(move || {
                for stream in listener.incoming().flatten() {
                    let (log, concurrent, max) =
                        (log.clone(), concurrent.clone(), max_concurrent.clone());
                    std::thread::spawn(move || serve(stream, &log, &concurrent, &max));
                }
            });
            server
        }

        fn url(&self, path: &str) -> String {
            format!("{}{path}", self.base)
        }

        fn requests(&self) -> Vec<String> {
            let mut log = self.log.lock().expect("log").clone();
            log.sort();
            log
        }
    }

    fn serve(
        mut stream: TcpStream,
        log: &Mutex<Vec<String>>,
        concurrent: &AtomicUsize,
        max: &AtomicUsize,
    ) {
        let mut reader = BufReader::new(stream.try_clone().expect("clone"));
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).is_err() {
            return;
        }
        // Skip the headers.
        let mut header = String::new();
        while reader.read_line(&mut header).is_ok_and(|n| n > 0) && header != "\r\n" {
            header.clear();
        }
        let mut parts = request_line.split_whitespace();
        let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        log.lock().expect("log").push(format!("{method} {path}"));
        let (status, extra) = match path {
            "/ok" | "/ok?q=1" => (200, String::new()),
            "/missing" => (404, String::new()),
            "/slow" => {
                std::thread::sleep(Duration::from_secs(3));
                (200, String::new())
            }
            "/no-head" if method == "HEAD" => (405, String::new()),
            "/no-head" => (200, String::new()),
            "/moved" => (301, "Location: /ok\r\n".to_string()),
            "/moved-to-missing" => (302, "Location: /missing\r\n".to_string()),
            "/loop" => (302, "Location: /loop\r\n".to_string()),
            "/busy" => (429, String::new()),
            "/fails" => (503, String::new()),
            p if p.starts_with("/polite/") => {
                let now = concurrent.fetch_add(1, Ordering::SeqCst) + 1;
                max.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(150));
                concurrent.fetch_sub(1, Ordering::SeqCst);
                (200, String::new())
            }
            _ => (404, String::new()),
        };
        let _ = write!(
            stream,
            "HTTP/1.1 {status} Test\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n"
        );
    }

    fn link(url: &str, line: usize) -> ExternalLink {
        ExternalLink {
            url: url.to_string(),
            location: Location::new("content/a.md", line, 3),
        }
    }

    fn opts() -> ExternalOptions {
        ExternalOptions {
            timeout: Duration::from_millis(800),
            per_host: 4,
            public_only: false,
        }
    }

    #[test]
    fn public_only_mode_never_requests_a_local_address() {
        let server = TestServer::start();
        let links = [
            link(&server.url("/ok"), 1),
            link("http://localhost:9/admin", 2),
            link("http://[::1]:9/", 3),
        ];
        let public_only = ExternalOptions {
            public_only: true,
            ..opts()
        };
        let diagnostics = check_external(&links, &public_only);
        assert_eq!(diagnostics.len(), 3, "{diagnostics:#?}");
        for d in &diagnostics {
            assert!(
                d.message.contains("was not requested")
                    && d.message.contains("is not a public address"),
                "{d}"
            );
        }
        assert_eq!(server.requests(), Vec::<String>::new());
    }

    #[test]
    fn working_links_pass() {
        let server = TestServer::start();
        let links = [
            link(&server.url("/ok"), 1),
            link(&server.url("/ok?q=1"), 2),
            link(&server.url("/moved"), 3),
            link(&server.url("/no-head"), 4),
            link("mailto:someone@example.com", 5),
        ];
        assert_eq!(check_external(&links, &opts()), vec![]);
        assert_eq!(
            server.requests(),
            [
                "GET /no-head",
                "HEAD /moved",
                "HEAD /no-head",
                "HEAD /ok",
                "HEAD /ok",
                "HEAD /ok?q=1"
            ]
        );
    }

    #[test]
    fn broken_links_are_errors_naming_url_and_status() {
        let server = TestServer::start();
        let missing = server.url("/missing");
        let links = [
            link(&missing, 7),
            link(&server.url("/moved-to-missing"), 8),
            link(&server.url("/fails"), 9),
            link(&server.url("/loop"), 10),
        ];
        let diagnostics = check_external(&links, &opts());
        let messages: Vec<String> = diagnostics.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            messages,
            [
                format!("content/a.md:7:3: error: external link {missing} is broken: HTTP 404 Not Found\n  help: the page is gone; update the link, or link to an archived copy"),
                format!("content/a.md:8:3: error: external link {} is broken: HTTP 404 Not Found\n  help: the page is gone; update the link, or link to an archived copy", server.url("/moved-to-missing")),
                format!("content/a.md:9:3: error: external link {} is broken: HTTP 503 Service Unavailable\n  help: the server failed; if this persists, update or remove the link", server.url("/fails")),
                format!("content/a.md:10:3: error: external link {} is broken: too many redirects\n  help: the URL redirects in a loop; link to the final address instead", server.url("/loop")),
            ]
        );
    }

    #[test]
    fn slow_server_times_out() {
        let server = TestServer::start();
        let started = std::time::Instant::now();
        let diagnostics = check_external(&[link(&server.url("/slow"), 1)], &opts());
        assert_eq!(diagnostics.len(), 1);
        assert!(
            diagnostics[0].message.ends_with("timed out after 0.8 s"),
            "{}",
            diagnostics[0]
        );
        // One timeout, not one for HEAD and another for GET.
        assert!(started.elapsed() < Duration::from_millis(2500));
    }

    #[test]
    fn refused_connection_and_unknown_host_are_errors() {
        let closed = {
            let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
            listener.local_addr().expect("address")
        };
        let refused = format!("http://{closed}/page");
        let unknown = "http://no-such-host.invalid/page";
        let diagnostics = check_external(&[link(&refused, 1), link(unknown, 2)], &opts());
        assert_eq!(diagnostics.len(), 2, "{diagnostics:#?}");
        assert_eq!(
            diagnostics[0].message,
            format!("external link {refused} is broken: cannot connect to {closed}")
        );
        assert!(
            diagnostics[1]
                .message
                .starts_with(&format!("external link {unknown} ")),
            "{}",
            diagnostics[1]
        );
        assert!(diagnostics.iter().all(Diagnostic::is_error));
    }

    #[test]
    fn rate_limiting_only_warns() {
        let server = TestServer::start();
        let diagnostics = check_external(&[link(&server.url("/busy"), 1)], &opts());
        assert_eq!(diagnostics.len(), 1);
        assert!(!diagnostics[0].is_error());
    }

    #[test]
    fn each_url_is_requested_once_and_reported_everywhere() {
        let server = TestServer::start();
        let missing = server.url("/missing");
        let links = [
            link(&missing, 30),
            link(&format!("{missing}#part"), 10),
            link(&missing, 20),
        ];
        let lines: Vec<Option<usize>> = check_external(&links, &opts())
            .iter()
            .map(|d| d.line)
            .collect();
        assert_eq!(lines, [Some(10), Some(20), Some(30)]);
        assert_eq!(server.requests(), ["GET /missing", "HEAD /missing"]);
    }

    #[test]
    fn requests_per_host_are_limited() {
        let server = TestServer::start();
        let links: Vec<ExternalLink> = (0..8)
            .map(|i| link(&server.url(&format!("/polite/{i}")), i))
            .collect();
        let opts = ExternalOptions {
            timeout: Duration::from_secs(5),
            per_host: 2,
            public_only: false,
        };
        assert_eq!(check_external(&links, &opts), vec![]);
        assert_eq!(server.max_concurrent.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn host_is_the_authority_without_credentials() {
        assert_eq!(
            host_of("https://user:pw@example.com:8443/a?b#c"),
            "example.com:8443"
        );
        assert_eq!(host_of("http://example.com"), "example.com");
        assert!(is_http("HTTPS://example.com"));
        assert!(!is_http("ftp://example.com"));
    }
}
