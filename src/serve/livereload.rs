//! Live reload: the messages sent to open tabs over `/__kb/livereload`, the hub that fans
//! them out, and the script injected into served pages that acts on them (reload, swap the
//! stylesheet, show or hide the error overlay).
//!
//! Messages are JSON: `{"type":"reload"}`,
//! `{"type":"css","href":"/style.<hash>.css","changed":["/extra.css"]}`,
//! `{"type":"error","diagnostics":[...]}` and `{"type":"ok"}`. Which one follows a rebuild
//! is decided from the files it changed ([`Message::after`]). A tab that connects while
//! the site has errors gets the error message at once, so the overlay survives reloads.

use std::sync::{Arc, RwLock};

use serde::Serialize;
use tokio::sync::broadcast;

use crate::build::session::ChangedFiles;
use crate::diagnostic::Diagnostic;

/// What open tabs are told after a rebuild.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub(crate) enum Message {
    /// Pages changed: reload.
    Reload,
    /// Only stylesheets changed: tabs swap them without reloading.
    Css {
        /// The theme's stylesheet's new name (absolute path) when it was renamed: links
        /// to the old `style.<hash>.css` point here instead.
        #[serde(skip_serializing_if = "Option::is_none")]
        href: Option<String>,
        /// Stylesheets rewritten under the same name (absolute paths): tabs load them again.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        changed: Vec<String>,
    },
    /// The last build failed; the server keeps serving the last good site.
    Error { diagnostics: Vec<Diagnostic> },
    /// The site is fine and nothing a tab shows changed (also the greeting).
    Ok,
}

impl Message {
    /// What tabs are told after a rebuild that changed `changed`: swap stylesheets when
    /// nothing else changed, reload when anything else did, and reload anyway after a
    /// failed build (a tab may show a page from before the failure).
    pub(crate) fn after(changed: &ChangedFiles, was_failing: bool) -> Message {
        if was_failing || (!changed.is_empty() && !changed.only_stylesheets()) {
            return Message::Reload;
        }
        if changed.is_empty() {
            return Message::Ok;
        }
        Message::Css {
            href: changed.stylesheet.as_ref().map(|s| format!("/{}", s.to)),
            changed: changed
                .rewritten_stylesheets()
                .map(|path| format!("/{path}"))
                .collect(),
        }
    }

    pub(crate) fn to_json(&self) -> String {
        // Serializing plain strings and numbers cannot fail.
        serde_json::to_string(self).unwrap_or_else(|_| "{\"type\":\"reload\"}".to_string())
    }
}

/// Sends messages to every connected tab and remembers whether the site has errors.
#[derive(Clone)]
pub(crate) struct Hub {
    sender: broadcast::Sender<String>,
    /// The error message while the site has errors, for tabs that connect later.
    current_error: Arc<RwLock<Option<String>>>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            sender: broadcast::channel(64).0,
            current_error: Arc::default(),
        }
    }
}

impl Hub {
    /// Sends `message` to every tab.
    pub(crate) fn send(&self, message: &Message) {
        let json = message.to_json();
        if let Ok(mut current) = self.current_error.write() {
            *current = matches!(message, Message::Error { .. }).then(|| json.clone());
        }
        // No receivers (no open tab) is not an error.
        let _ = self.sender.send(json);
    }

    /// A new tab's subscription and the message it gets first.
    pub(crate) fn subscribe(&self) -> (broadcast::Receiver<String>, String) {
        let receiver = self.sender.subscribe();
        let greeting = self
            .current_error
            .read()
            .ok()
            .and_then(|e| e.clone())
            .unwrap_or_else(|| Message::Ok.to_json());
        (receiver, greeting)
    }
}

/// The script added to every served HTML page.
const CLIENT: &str = include_str!("livereload.js");

/// Adds the live-reload script before the last `</body>` (or at the end when there is
/// none). Only responses of `kb serve` get it; built files never do.
pub(crate) fn inject(html: &[u8]) -> Vec<u8> {
    let snippet = format!("<script>window.__KB_SERVE__ = true;\n{CLIENT}</script>");
    let at = find_last_ignore_case(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + snippet.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(snippet.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find_last_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    (0..=haystack.len().checked_sub(needle.len())?)
        .rev()
        .find(|&i| haystack[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;

    #[test]
    fn messages_are_tagged_json() {
        assert_eq!(Message::Reload.to_json(), r#"{"type":"reload"}"#);
        assert_eq!(Message::Ok.to_json(), r#"{"type":"ok"}"#);
        assert_eq!(
            Message::Css {
                href: Some("/style.ab.css".into()),
                changed: Vec::new(),
            }
            .to_json(),
            r#"{"type":"css","href":"/style.ab.css"}"#
        );
        assert_eq!(
            Message::Css {
                href: None,
                changed: vec!["/a/extra.css".into()],
            }
            .to_json(),
            r#"{"type":"css","changed":["/a/extra.css"]}"#
        );
        let d = Diagnostic::error(Location::new("content/a/b.md", 3, 7), "bad <yaml>");
        let json: serde_json::Value = serde_json::from_str(
            &Message::Error {
                diagnostics: vec![d],
            }
            .to_json(),
        )
        .unwrap();
        assert_eq!(json["type"], "error");
        assert_eq!(json["diagnostics"][0]["file"], "content/a/b.md");
        assert_eq!(json["diagnostics"][0]["line"], 3);
        assert_eq!(json["diagnostics"][0]["column"], 7);
        assert_eq!(json["diagnostics"][0]["message"], "bad <yaml>");
    }

    fn changed(written: &[&str], removed: &[&str], restyled: &[&str]) -> ChangedFiles {
        let strings = |paths: &[&str]| paths.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        ChangedFiles {
            written: strings(written),
            removed: strings(removed),
            stylesheet: None,
            restyled: strings(restyled).into_iter().collect(),
        }
    }

    #[test]
    fn stylesheets_alone_are_swapped_anything_else_reloads() {
        let mut css = changed(
            &["index.html", "style.b.css", "a/extra.css"],
            &["style.a.css"],
            &["index.html"],
        );
        css.stylesheet = Some(crate::build::session::Renamed {
            from: "style.a.css".into(),
            to: "style.b.css".into(),
        });
        assert_eq!(
            Message::after(&css, false),
            Message::Css {
                href: Some("/style.b.css".into()),
                changed: vec!["/a/extra.css".into()],
            }
        );
        assert_eq!(Message::after(&css, true), Message::Reload);
        let page = changed(&["a/index.html", "a/extra.css"], &[], &[]);
        assert_eq!(Message::after(&page, false), Message::Reload);
        let removed = changed(&[], &["a/index.html"], &[]);
        assert_eq!(Message::after(&removed, false), Message::Reload);
        assert_eq!(Message::after(&ChangedFiles::default(), false), Message::Ok);
        assert_eq!(
            Message::after(&ChangedFiles::default(), true),
            Message::Reload
        );
    }

    #[test]
    fn script_goes_before_the_last_body_end() {
        let out = String::from_utf8(inject(b"<html><body><p>x</p></BODY></html>")).unwrap();
        assert!(
            out.starts_with("<html><body><p>x</p><script>window.__KB_SERVE__ = true;"),
            "{out}"
        );
        assert!(out.ends_with("</script></BODY></html>"));
        let out = String::from_utf8(inject(b"<p>no body</p>")).unwrap();
        assert!(out.starts_with("<p>no body</p><script>"));
        assert!(inject(b"").starts_with(b"<script>"));
    }

    #[test]
    fn late_tabs_see_the_current_error() {
        let hub = Hub::default();
        assert_eq!(hub.subscribe().1, r#"{"type":"ok"}"#);
        hub.send(&Message::Error {
            diagnostics: Vec::new(),
        });
        assert_eq!(hub.subscribe().1, r#"{"type":"error","diagnostics":[]}"#);
        hub.send(&Message::Reload);
        assert_eq!(hub.subscribe().1, r#"{"type":"ok"}"#);
    }
}
