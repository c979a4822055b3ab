//! Shared by the `kb serve` tests: start the real binary on a free port, speak HTTP and
//! WebSocket to it, and compare what it serves with what `kb build` writes.
//!
//! Everything waits by polling with generous deadlines (CI machines are slow and busy);
//! nothing sleeps for a fixed time to "let the server settle".

#![allow(dead_code)] // each test file uses a different part

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const KB: &str = env!("CARGO_BIN_EXE_kb");

/// How long anything may take on a loaded CI machine before a test gives up.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// A copy of a fixture site in a temporary folder.
pub fn copy_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry.expect("walk fixture");
        let rel = entry.path().strip_prefix(&from).expect("inside");
        let to = dir.path().join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &to).expect("copy");
        }
    }
    dir
}

/// A running `kb serve`; killed when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    pub fn start(root: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(KB)
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
        }
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    pub fn get(&self, path: &str) -> Response {
        get(self.port, path)
    }

    /// A WebSocket to `/__kb/livereload`, past its greeting (which is returned).
    pub fn livereload(&self) -> (Socket, serde_json::Value) {
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
    pub fn wait_for(&self, path: &str, what: &str, check: impl Fn(&Response) -> bool) -> Response {
        let deadline = Instant::now() + PATIENCE;
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
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Socket {
    pub socket: tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>,
}

impl Socket {
    /// The next JSON message, or `None` after `timeout`.
    pub fn next(&mut self, timeout: Duration) -> Option<serde_json::Value> {
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
    pub fn expect(&mut self, kind: &str) -> serde_json::Value {
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

pub struct Response {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// A bare HTTP/1.1 GET (the path is sent exactly as given).
pub fn get(port: u16, path: &str) -> Response {
    request(port, "GET", path)
}

pub fn request(port: u16, method: &str, path: &str) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
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
pub fn strip_injection(body: &[u8]) -> Vec<u8> {
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

/// Runs `kb build` on `root` into a new folder; its files by path.
pub fn build(root: &Path) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let dest = tempfile::tempdir().expect("temp dir");
    let out = Command::new(KB)
        .args(["build", "--root"])
        .arg(root)
        .arg("--dest")
        .arg(dest.path().join("site"))
        .output()
        .expect("run kb build");
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let site = dest.path().join("site");
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&site) {
        let entry = entry.expect("walk");
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(&site)
                .expect("inside")
                .to_string_lossy()
                .replace('\\', "/");
            files.insert(rel, std::fs::read(entry.path()).expect("read"));
        }
    }
    Ok(files)
}

/// The URL a built file is served at: pages at their clean URL.
pub fn url_of(path: &str) -> String {
    match path.strip_suffix("index.html") {
        Some(dir) if dir.is_empty() || dir.ends_with('/') => format!("/{dir}"),
        _ => format!("/{path}"),
    }
}

/// Every difference between the served site and `built` (empty when identical).
pub fn differences(server: &Server, built: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
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

/// Replaces a file the way editors do: write a temporary file beside it, rename it over.
pub fn atomic_write(path: &Path, text: &str) {
    let tmp: PathBuf = path.with_file_name(format!(
        ".{}.tmp",
        path.file_name().expect("file name").to_string_lossy()
    ));
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&tmp, text).expect("write temp");
    std::fs::rename(&tmp, path).expect("rename");
}
