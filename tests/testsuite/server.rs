//! A running `kb serve` for the serve tests, the convergence test and the serve benchmark:
//! the real binary on a free port, spoken to over HTTP and WebSocket, and compared with what
//! `kb build` writes.
//!
//! Everything waits by polling with generous deadlines (CI machines are slow and busy);
//! nothing sleeps for a fixed time to "let the server settle".

pub(crate) use crate::edits::atomic_write;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::site::{Files, KB};

/// How long anything may take on a loaded CI machine before a test gives up.
pub(crate) const PATIENCE: Duration = Duration::from_secs(60);

/// A running `kb serve`; stopped when dropped.
pub(crate) struct Server {
    child: Child,
    pub(crate) port: u16,
    stderr: Arc<Mutex<String>>,
    /// The server's temporary folder (`TMPDIR`), where it keeps the files it serves: its
    /// own, so a test can look into it, and removed even when the server is killed.
    pub(crate) temp: tempfile::TempDir,
}

impl Server {
    /// Starts `kb serve --port 0 --root <root> <extra>` and waits until its first build is
    /// done, so what it serves is what the build made.
    pub(crate) fn start(root: &Path, extra: &[&str]) -> Server {
        let server = Server::launch(root, extra);
        server.wait_until_built();
        server
    }

    /// Polls `/__kb/status` until the first build is over.
    pub(crate) fn wait_until_built(&self) {
        self.wait_until_built_within(PATIENCE);
    }

    /// Polls `/__kb/status` until the first build is over, for up to `patience`.
    pub(crate) fn wait_until_built_within(&self, patience: Duration) {
        self.wait_for_within("/__kb/status", "the first build", patience, |r| {
            r.status == 200 && r.text().contains("\"building\":false")
        });
    }

    /// Starts `kb serve --port 0 --root <root> <extra>` and waits only for the address it
    /// prints: the first build may still be running.
    pub(crate) fn launch(root: &Path, extra: &[&str]) -> Server {
        Server::launch_binary(KB, root, extra)
    }

    /// [`Server::launch`] with the `kb` binary at `binary` (the benchmark compares builds).
    pub(crate) fn launch_binary(binary: &str, root: &Path, extra: &[&str]) -> Server {
        let temp = tempfile::tempdir().expect("a temporary folder for the server");
        let mut child = Command::new(binary)
            .env("TMPDIR", temp.path())
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start kb serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        let mut err = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            for _ in lines {}
        });
        let line = match rx.recv_timeout(PATIENCE) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "kb serve printed no address; stderr:\n{}",
                    stderr.lock().unwrap()
                );
            }
        };
        assert!(line.starts_with("Serving "), "{line}");
        let port = line
            .trim_end_matches('/')
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        Server {
            child,
            port,
            stderr,
            temp,
        }
    }

    /// Stops the server as Ctrl-C would (SIGTERM on Unix, killed elsewhere) and waits for
    /// it to exit; killed if it does not within [`PATIENCE`].
    pub(crate) fn stop(&mut self) {
        #[cfg(unix)]
        {
            let pid = libc::pid_t::try_from(self.child.id()).expect("a pid");
            // SAFETY: `kill` only sends a signal, to our own child, which has not been
            // waited for yet (so its pid is not reused).
            if unsafe { libc::kill(pid, libc::SIGTERM) } == 0 {
                let deadline = Instant::now() + PATIENCE;
                while Instant::now() < deadline {
                    if let Ok(Some(_)) = self.child.try_wait() {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The server's resident memory for the benchmark's report: `VmRSS`, split into heap
    /// and other anonymous memory (`RssAnon`) and mapped files (`RssFile`), and the peak
    /// so far (`VmHWM`), on Linux.
    pub(crate) fn resident(&self) -> String {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()));
        let Ok(status) = status else {
            return "unknown".to_string();
        };
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_string()))
                .unwrap_or_else(|| "unknown".to_string())
        };
        format!(
            "{} (anonymous {}, files {}, peak {})",
            field("VmRSS:"),
            field("RssAnon:"),
            field("RssFile:"),
            field("VmHWM:")
        )
    }

    /// Everything the server printed on stderr so far.
    pub(crate) fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// A GET of `path` from the server.
    pub(crate) fn get(&self, path: &str) -> Response {
        get(self.port, path)
    }

    /// A WebSocket to `/__kb/livereload`, past its greeting (which is returned).
    pub(crate) fn livereload(&self) -> (Socket, serde_json::Value) {
        let (socket, _) =
            tungstenite::connect(format!("ws://127.0.0.1:{}/__kb/livereload", self.port))
                .expect("websocket");
        if let tungstenite::stream::MaybeTlsStream::Plain(stream) = socket.get_ref() {
            stream
                .set_read_timeout(Some(Duration::from_millis(200)))
                .expect("timeout");
        }
        let mut socket = Socket { socket };
        let greeting = socket.next(PATIENCE).expect("greeting");
        (socket, greeting)
    }

    /// Polls `path` until `check` accepts the response.
    pub(crate) fn wait_for(
        &self,
        path: &str,
        what: &str,
        check: impl Fn(&Response) -> bool,
    ) -> Response {
        self.wait_for_within(path, what, PATIENCE, check)
    }

    /// Polls `path` until `check` accepts the response, for up to `patience`.
    pub(crate) fn wait_for_within(
        &self,
        path: &str,
        what: &str,
        patience: Duration,
        check: impl Fn(&Response) -> bool,
    ) -> Response {
        let deadline = Instant::now() + patience;
        loop {
            let response = self.get(path);
            if check(&response) {
                return response;
            }
            if Instant::now() > deadline {
                panic!(
                    "{path}: gave up waiting for {what}; last status {}; stderr:\n{}",
                    response.status,
                    self.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.stop();
        }
    }
}

/// A live-reload WebSocket, as a tab holds it.
pub(crate) struct Socket {
    pub(crate) socket: tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>,
}

impl Socket {
    /// The next JSON message, or `None` after `timeout`.
    pub(crate) fn next(&mut self, timeout: Duration) -> Option<serde_json::Value> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            match self.socket.read() {
                Ok(tungstenite::Message::Text(text)) => {
                    return Some(serde_json::from_str(&text).expect("JSON message"))
                }
                Ok(_) => {}
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => panic!("websocket: {e}"),
            }
        }
        None
    }

    /// Skips messages until one of type `kind` arrives.
    pub(crate) fn expect(&mut self, kind: &str) -> serde_json::Value {
        let deadline = Instant::now() + PATIENCE;
        let mut seen = Vec::new();
        while Instant::now() < deadline {
            if let Some(message) = self.next(Duration::from_millis(500)) {
                if message["type"] == kind {
                    return message;
                }
                seen.push(message);
            }
        }
        panic!("no {kind:?} message; got {seen:?}");
    }
}

/// An HTTP response, its body de-chunked.
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: BTreeMap<String, String>,
    pub(crate) body: Vec<u8>,
}

impl Response {
    /// The body as text.
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A header's value by lower-case name.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// A bare HTTP/1.1 GET (the path is sent exactly as given).
pub(crate) fn get(port: u16, path: &str) -> Response {
    request(port, "GET", path)
}

/// A bare HTTP/1.1 request without a body.
pub(crate) fn request(port: u16, method: &str, path: &str) -> Response {
    request_for_host(port, method, path, "127.0.0.1")
}

/// A bare HTTP/1.1 request without a body, naming `host` in its `Host` header.
pub(crate) fn request_for_host(port: u16, method: &str, path: &str, host: &str) -> Response {
    request_with(port, method, path, host, "")
}

/// A bare GET with an `Accept-Encoding` header.
pub(crate) fn get_accepting(port: u16, path: &str, encodings: &str) -> Response {
    let header = format!("Accept-Encoding: {encodings}\r\n");
    request_with(port, "GET", path, "127.0.0.1", &header)
}

/// A bare HTTP/1.1 request without a body; `headers` are more header lines, each ending
/// in CRLF.
fn request_with(port: u16, method: &str, path: &str, host: &str, headers: &str) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\n{headers}Connection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status");
    let headers: BTreeMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers.get("transfer-encoding").map(String::as_str) == Some("chunked") {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body,
    }
}

/// The body of a `Transfer-Encoding: chunked` response.
fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
    out
}

/// The served HTML without the live-reload script `kb serve` adds.
pub(crate) fn strip_injection(body: &[u8]) -> Vec<u8> {
    let marker = b"<script>window.__KB_SERVE__ = true;";
    let Some(start) = body.windows(marker.len()).position(|w| w == marker) else {
        return body.to_vec();
    };
    let end = body[start..]
        .windows(9)
        .position(|w| w == b"</script>")
        .expect("script end")
        + start
        + 9;
    let mut out = body[..start].to_vec();
    out.extend_from_slice(&body[end..]);
    out
}

/// The URL a built file is served at: pages at their clean URL.
pub(crate) fn url_of(path: &str) -> String {
    match path.strip_suffix("index.html") {
        Some(dir) if dir.is_empty() || dir.ends_with('/') => format!("/{dir}"),
        _ => format!("/{path}"),
    }
}

/// Every difference between the served site and `built` (empty when identical).
pub(crate) fn differences(server: &Server, built: &Files) -> Vec<String> {
    let mut diffs = Vec::new();
    for (path, bytes) in built {
        let response = server.get(&url_of(path));
        if response.status != 200 {
            diffs.push(format!("{path}: status {}", response.status));
            continue;
        }
        let served = if path.ends_with(".html") {
            strip_injection(&response.body)
        } else {
            response.body.clone()
        };
        if &served != bytes {
            diffs.push(format!(
                "{path}: served {} bytes, built {} bytes\n--- served\n{}\n--- built\n{}",
                served.len(),
                bytes.len(),
                excerpt(&served, bytes),
                excerpt(bytes, &served)
            ));
        }
    }
    diffs
}

/// The text around the first byte where `a` and `b` differ.
fn excerpt(a: &[u8], b: &[u8]) -> String {
    let at = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let from = at.saturating_sub(120);
    String::from_utf8_lossy(&a[from..(at + 200).min(a.len())]).into_owned()
}
