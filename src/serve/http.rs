//! The HTTP side of `kb serve`: site files from its store, clean URLs, the live-reload
//! WebSocket and the search endpoint, all on one port.

use std::sync::{Arc, RwLock};

use axum::body::{Body, Bytes};
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::sync::{broadcast, watch};

use super::files::SiteFiles;
use super::host::{refusal_page, HostRules};
use super::livereload::{inject, Hub};
use super::path::{content_type, resolve, Target};
use super::search::SharedIndex;
use super::stored::StoredFile;
use crate::build::precompress;

/// What the handlers share.
#[derive(Clone)]
pub(crate) struct AppState {
    pub files: Arc<RwLock<SiteFiles>>,
    pub hub: Hub,
    pub search: SharedIndex,
    /// Queries running at once: one per core. More only fight over the cores (and over
    /// the index's block cache) and make every query slower.
    pub search_slots: Arc<tokio::sync::Semaphore>,
    /// The `Host` and `Origin` values answered.
    pub hosts: Arc<HostRules>,
    /// Becomes `true` when the server stops, so open sockets close.
    pub shutdown: watch::Receiver<bool>,
}

/// The routes of the server.
pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route("/__kb/livereload", get(livereload))
        .route("/__kb/search", get(search))
        .route("/__kb/status", get(status))
        .fallback(site_file)
        .layer(middleware::from_fn_with_state(state.clone(), check_host))
        .with_state(state)
}

/// Refuses requests for hosts the server does not answer (DNS rebinding), before any
/// handler sees them.
async fn check_host(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    if host.is_some_and(|h| state.hosts.allows_host(h)) {
        return next.run(request).await;
    }
    let page = refusal_page(host);
    no_store((StatusCode::FORBIDDEN, Html(page)).into_response())
}

/// Shown when the site has no 404 page (its first build failed).
const BARE_NOT_FOUND: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Not found</title></head><body><h1>Not found</h1></body></html>";

enum Found {
    /// The file's path, its bytes, and the `Content-Encoding` when they are a twin's.
    File(String, Bytes, Option<&'static str>),
    Redirect,
    Missing(Option<Bytes>),
    /// Not there yet: the first build is running.
    NotYet,
    /// The file is there but cannot be read (its store's folder was removed under the
    /// server, say).
    Unreadable(String),
}

/// What a request asks for, found under the lock: the files are read after it is let go,
/// so a rebuild waits for no disk. A file replaced meanwhile stays readable until then.
enum Located {
    /// The file's path, the file to send (the one asked for or its twin), and the
    /// `Content-Encoding` to send it with.
    File(String, StoredFile, Sent),
    Redirect,
    Missing(Option<StoredFile>),
    NotYet,
}

/// How a found file is sent.
enum Sent {
    /// Its bytes, as `kb build` writes them.
    Decoded,
    /// The gzip form it is kept in.
    Gzip,
    /// It is the pre-compressed twin in this encoding of the file asked for.
    Twin(&'static str),
}

fn locate(files: &RwLock<SiteFiles>, target: Option<Target>, accept: &str) -> Located {
    let files = files.read().unwrap_or_else(|e| e.into_inner());
    let file = |path: String, stored: StoredFile| {
        // A pre-compressed twin (`path.br`, `path.gz`) the browser accepts, best first.
        let twin = precompress::ENCODINGS
            .iter()
            .filter(|(name, _)| accepts(accept, name))
            .find_map(|(name, suffix)| {
                Some((*name, files.get_stored(&format!("{path}{suffix}"))?))
            });
        if let Some((name, twin)) = twin {
            return Located::File(path, twin, Sent::Twin(name));
        }
        // The bytes as they are kept, when gzip will do; pages are decompressed to take
        // the live-reload script.
        let gzip = stored.is_gzip()
            && accepts(accept, "gzip")
            && !content_type(&path).starts_with("text/html");
        let sent = if gzip { Sent::Gzip } else { Sent::Decoded };
        Located::File(path, stored, sent)
    };
    let found = match target {
        Some(Target::File(path)) => files.get_stored(&path).map(|stored| file(path, stored)),
        Some(Target::Folder(path)) => match files.get_stored(&path) {
            Some(stored) => Some(file(path, stored)),
            None if files.contains(&format!("{path}/index.html")) => Some(Located::Redirect),
            None => None,
        },
        None => None,
    };
    found.unwrap_or_else(|| match files.building() {
        true => Located::NotYet,
        false => Located::Missing(files.get_stored("404.html")),
    })
}

fn lookup(files: &RwLock<SiteFiles>, target: Option<Target>, accept: &str) -> Found {
    let unreadable = |path: &str, e: std::io::Error| {
        log::error!("cannot serve {path}: {e}");
        Found::Unreadable(format!("kb serve cannot read {path}: {e}"))
    };
    match locate(files, target, accept) {
        Located::File(path, stored, sent) => {
            let (bytes, encoding) = match sent {
                Sent::Twin(name) => (stored.bytes(), Some(name)),
                Sent::Gzip => match stored.gzip() {
                    Some(gz) => (gz, Some("gzip")),
                    None => (stored.bytes(), None),
                },
                Sent::Decoded => (stored.bytes(), None),
            };
            match bytes {
                Ok(bytes) => Found::File(path, bytes, encoding),
                Err(e) => unreadable(&path, e),
            }
        }
        Located::Redirect => Found::Redirect,
        Located::Missing(None) => Found::Missing(None),
        Located::Missing(Some(page)) => match page.bytes() {
            Ok(page) => Found::Missing(Some(page)),
            Err(e) => unreadable("404.html", e),
        },
        Located::NotYet => Found::NotYet,
    }
}

/// Whether an `Accept-Encoding` value accepts `encoding` (named, or `*`, without `q=0`).
fn accepts(accept: &str, encoding: &str) -> bool {
    accept.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let name = parts.next().unwrap_or_default();
        let refused = parts.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        (name.eq_ignore_ascii_case(encoding) || name == "*") && !refused
    })
}

async fn site_file(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
        )
            .into_response();
    }
    let target = resolve(uri.path());
    let files = state.files.clone();
    let accept = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    // Reading may build the browser's search index on first use: keep it off the
    // async workers.
    let found = match tokio::task::spawn_blocking(move || lookup(&files, target, &accept)).await {
        Ok(found) => found,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    match found {
        Found::File(path, bytes, encoding) => {
            let mut response = file_response(StatusCode::OK, &path, bytes);
            if let Some(encoding) = encoding {
                let headers = response.headers_mut();
                headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
                headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
            }
            response
        }
        Found::Redirect => {
            // The path was checked by `resolve`: it is safe to echo, still encoded.
            let location = match uri.query() {
                Some(q) => format!("{}/?{q}", uri.path()),
                None => format!("{}/", uri.path()),
            };
            let mut response = StatusCode::TEMPORARY_REDIRECT.into_response();
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            no_store(response)
        }
        Found::Missing(page) => {
            let page = page.unwrap_or_else(|| Bytes::from_static(BARE_NOT_FOUND.as_bytes()));
            file_response(StatusCode::NOT_FOUND, "404.html", page)
        }
        Found::Unreadable(why) => {
            no_store((StatusCode::INTERNAL_SERVER_ERROR, why).into_response())
        }
        Found::NotYet => {
            let page = Bytes::from_static(NOT_YET.as_bytes());
            let mut response =
                file_response(StatusCode::SERVICE_UNAVAILABLE, "building.html", page);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
            response
        }
    }
}

/// Shown for a file the first build has not made yet (a tag page, the search files, or a
/// page that does not exist): the live-reload script reloads it when the build is done.
const NOT_YET: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Building</title></head><body><h1>Building the site</h1><p>This file is not made yet: kb serve is building the site, and this tab reloads when it is done.</p></body></html>";

/// Whether the first build is still running (`{"building": true}`): what a script or a
/// test waits on before reading what the build made.
async fn status(State(state): State<AppState>) -> Response {
    let building = state
        .files
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .building();
    let body = serde_json::json!({ "building": building }).to_string();
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    no_store(response)
}

fn file_response(status: StatusCode, path: &str, bytes: Bytes) -> Response {
    let kind = content_type(path);
    let body = if kind.starts_with("text/html") {
        Bytes::from(inject(&bytes))
    } else {
        bytes
    };
    let mut response = (status, Body::from(body)).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    no_store(response)
}

/// Pages change under the reader: never let the browser reuse an old copy.
fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// Messages from tabs are never needed: anything bigger than this is refused.
const MAX_CLIENT_MESSAGE: usize = 4096;

async fn livereload(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Response {
    // WebSockets have no CORS: without this, any page the user visits could follow the
    // build's diagnostics (file paths and lines). Clients that are not browsers send no
    // `Origin` and cannot be tricked into connecting.
    if let Some(origin) = headers.get(header::ORIGIN) {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let ours = origin
            .to_str()
            .is_ok_and(|origin| state.hosts.allows_origin(origin, host));
        if !ours {
            return no_store(
                (
                    StatusCode::FORBIDDEN,
                    "kb serve: live reload only accepts connections from its own pages",
                )
                    .into_response(),
            );
        }
    }
    ws.max_message_size(MAX_CLIENT_MESSAGE)
        .max_frame_size(MAX_CLIENT_MESSAGE)
        .on_upgrade(move |socket| tab(socket, state))
}

/// One open tab: sends it the current state, then every message of the hub, until the
/// tab goes away, misbehaves or the server stops.
async fn tab(mut socket: WebSocket, state: AppState) {
    let (mut messages, greeting) = state.hub.subscribe();
    let mut shutdown = state.shutdown.clone();
    if socket.send(WsMessage::Text(greeting.into())).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            message = messages.recv() => match message {
                Ok(text) => {
                    if socket.send(WsMessage::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                // Too slow to keep up: whatever it missed, a reload catches it up.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    let reload = super::livereload::Message::Reload.to_json();
                    if socket.send(WsMessage::Text(reload.into())).await.is_err() {
                        break;
                    }
                }
                Err(broadcast::error::RecvError::Closed) => break,
            },
            incoming = socket.recv() => match incoming {
                // Text, binary, pings: nothing a tab says matters (pongs are automatic).
                Some(Ok(WsMessage::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
            _ = shutdown.changed() => {
                let _ = socket.send(WsMessage::Close(None)).await;
                break;
            }
        }
    }
}

async fn search(State(state): State<AppState>, uri: Uri) -> Response {
    let request = uri.query().unwrap_or("").to_string();
    // Waiting here holds no thread; the semaphore is never closed.
    let Ok(slot) = state.search_slots.clone().acquire_owned().await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let answer = tokio::task::spawn_blocking(move || {
        let _slot = slot;
        let (enabled, building) = state
            .files
            .read()
            .map(|f| (f.search_enabled(), f.building()))
            .unwrap_or((false, false));
        // Until the first build is over, the site's search settings are not known yet: a
        // search then is asked to wait, not told that search is off.
        if !enabled {
            return Err(if building {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::NOT_FOUND
            });
        }
        state
            .search
            .load()
            .as_ref()
            .map(|live| live.search_json(&request))
            .ok_or(StatusCode::SERVICE_UNAVAILABLE)
    })
    .await;
    let (status, json) = match answer {
        Ok(Ok(json)) => (StatusCode::OK, json),
        Ok(Err(StatusCode::NOT_FOUND)) => (
            StatusCode::NOT_FOUND,
            r#"{"error":"search is off in book.toml"}"#.to_string(),
        ),
        Ok(Err(status)) => (
            status,
            r#"{"error":"the search index is being built; try again in a moment"}"#.to_string(),
        ),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            r#"{"error":"search failed"}"#.to_string(),
        ),
    };
    let mut response = (status, json).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    no_store(response)
}
