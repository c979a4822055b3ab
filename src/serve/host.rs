//! Which `Host` and `Origin` values `kb serve` answers, against DNS rebinding and foreign
//! pages.
//!
//! A page on `evil.example` can point its own name at 127.0.0.1 (DNS rebinding) and then
//! read the preview, drafts and search included, as same-origin; the browser still sends
//! `Host: evil.example`, so the server refuses names it does not know. Names that cannot be
//! rebound are always fine: `localhost` and IP literals of the bound address. The WebSocket
//! has no CORS at all, so an upgrade must also come from one of the server's own pages: its
//! `Origin`, when a browser sends one, names the host of the request or an allowed name.
//!
//! The rules, as README's Security section states them:
//! - always: `localhost`, loopback addresses (`127.0.0.1`, `[::1]`), the `--bind` address;
//! - `--bind 0.0.0.0` (or `::`, every interface): also any IP address, the way other
//!   machines type the server's address; a machine *name* still needs `--allowed-host`;
//! - `--allowed-host NAME` (repeatable): `NAME` exactly, or with a leading dot
//!   (`.app.github.dev`) the name and every name below it, for port forwarding and proxies.
//!
//! Ports are ignored: forwarding changes them, and a rebinding page cannot choose the host.

use std::net::IpAddr;

/// The hosts a server answers for.
#[derive(Debug, Clone)]
pub(crate) struct HostRules {
    bind: IpAddr,
    /// Lower-case names from `--allowed-host`; a leading dot matches names below it too.
    allowed: Vec<String>,
}

impl HostRules {
    /// Rules for a server bound to `bind` with the `--allowed-host` values `allowed`;
    /// an error names the value that is not a host name.
    pub(crate) fn new(bind: IpAddr, allowed: &[String]) -> Result<HostRules, String> {
        let allowed = allowed
            .iter()
            .map(|name| normalize_allowed(name))
            .collect::<Result<_, _>>()?;
        Ok(HostRules { bind, allowed })
    }

    /// Whether a request with this `Host` header value is answered.
    pub(crate) fn allows_host(&self, header: &str) -> bool {
        let Some(host) = host_of(header) else {
            return false;
        };
        if let Some(ip) = ip_literal(&host) {
            return ip.is_loopback() || ip == self.bind || self.bind.is_unspecified();
        }
        host == "localhost" || self.is_allowed_name(&host)
    }

    /// Whether a WebSocket upgrade with this `Origin` comes from the server's own pages,
    /// for a request whose (already allowed) `Host` is `host`.
    pub(crate) fn allows_origin(&self, origin: &str, host: &str) -> bool {
        let Some(authority) = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
        else {
            // `null` (sandboxed frames, files) and other schemes are never ours.
            return false;
        };
        if authority.eq_ignore_ascii_case(host) {
            return true;
        }
        // A proxy that rewrites `Host` (to localhost) keeps the page's origin: accept the
        // names the user allowed, and loopback pages on any port of this machine's browser.
        match host_of(authority) {
            Some(name) => match ip_literal(&name) {
                Some(ip) => ip.is_loopback(),
                None => name == "localhost" || self.is_allowed_name(&name),
            },
            None => false,
        }
    }

    fn is_allowed_name(&self, host: &str) -> bool {
        self.allowed
            .iter()
            .any(|rule| match rule.strip_prefix('.') {
                Some(domain) => {
                    host == domain
                        || host
                            .strip_suffix(domain)
                            .is_some_and(|below| below.ends_with('.'))
                }
                None => host == rule,
            })
    }
}

/// `--allowed-host` in the form rules compare: lower case, no trailing dot; refused when it
/// carries a scheme, port, path or characters no host name has.
fn normalize_allowed(name: &str) -> Result<String, String> {
    let lower = name.trim().to_ascii_lowercase();
    let bare = lower.trim_end_matches('.');
    let body = bare.strip_prefix('.').unwrap_or(bare);
    let valid = !body.is_empty()
        && body
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
        && !body.split('.').any(str::is_empty);
    if valid {
        Ok(bare.to_string())
    } else {
        Err(format!(
            "--allowed-host {name:?} is not a host name: give the name the browser shows, \
             without scheme or port, such as `preview.example.com` or `.app.github.dev` (that \
             name and every name below it)"
        ))
    }
}

/// The host of a `Host` header or origin authority: lower case, without port and trailing
/// dot, IPv6 still in brackets. `None` for values no client sends.
fn host_of(authority: &str) -> Option<String> {
    let authority = authority.trim();
    let host = if authority.starts_with('[') {
        let end = authority.find(']')?;
        let rest = &authority[end + 1..];
        if !(rest.is_empty() || is_port(rest)) {
            return None;
        }
        &authority[..=end]
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) if is_port(&format!(":{port}")) => host,
            Some(_) => return None,
            None => authority,
        }
    };
    let host = host.trim_end_matches('.');
    if host.is_empty() || host.contains(['/', '@', ' ', '\\']) {
        return None;
    }
    Some(host.to_ascii_lowercase())
}

fn is_port(text: &str) -> bool {
    text.strip_prefix(':')
        .is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The address a host names literally (`127.0.0.1`, `[::1]`).
fn ip_literal(host: &str) -> Option<IpAddr> {
    match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6.parse::<std::net::Ipv6Addr>().ok().map(IpAddr::V6),
        None => host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4),
    }
}

/// The page a refused request gets: what was refused and the flag that allows it.
pub(crate) fn refusal_page(host: Option<&str>) -> String {
    let (what, flag) = match host {
        Some(host) => {
            let name = host_of(host).unwrap_or_else(|| host.to_string());
            (
                format!(
                    "the host name <code>{}</code>",
                    html_escape::encode_text(host)
                ),
                format!(
                    "kb serve --allowed-host {}",
                    html_escape::encode_text(&name)
                ),
            )
        }
        None => (
            "a request without a Host header".to_string(),
            "kb serve --allowed-host NAME".to_string(),
        ),
    };
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Host not allowed</title></head>\
         <body><h1>Host not allowed</h1><p>kb serve refused {what}: it answers only for \
         localhost, its own address and the names allowed with <code>--allowed-host</code>, so \
         that other web sites cannot read the preview (DNS rebinding).</p><p>If you reach this \
         server through a port forward or a proxy under this name, restart it with \
         <code>{flag}</code>.</p></body></html>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(bind: &str, allowed: &[&str]) -> HostRules {
        let allowed: Vec<String> = allowed.iter().map(|s| s.to_string()).collect();
        HostRules::new(bind.parse().unwrap(), &allowed).unwrap()
    }

    #[test]
    fn loopback_names_and_the_bind_address_are_answered() {
        let local = rules("127.0.0.1", &[]);
        for host in [
            "localhost",
            "LOCALHOST:3000",
            "localhost.",
            "127.0.0.1",
            "127.0.0.1:3000",
            "[::1]",
            "[::1]:3000",
        ] {
            assert!(local.allows_host(host), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:3000",
            "localhost.evil.example",
            "10.0.0.5",
            "",
            "127.0.0.1:3000:1",
            "[::1",
            "[::1]x",
            "user@localhost",
            "127.0.0.1:http",
        ] {
            assert!(!local.allows_host(host), "{host}");
        }
        let lan = rules("192.168.1.5", &[]);
        assert!(lan.allows_host("192.168.1.5:3000"));
        assert!(!lan.allows_host("192.168.1.6:3000"));
        assert!(!lan.allows_host("mybox.local"));
    }

    #[test]
    fn every_interface_answers_any_address_but_no_unknown_name() {
        for bind in ["0.0.0.0", "::"] {
            let open = rules(bind, &[]);
            assert!(open.allows_host("10.1.2.3:3000"), "{bind}");
            assert!(open.allows_host("[fe80::1]:3000"), "{bind}");
            assert!(open.allows_host("localhost"), "{bind}");
            assert!(!open.allows_host("mybox.local:3000"), "{bind}");
            assert!(!open.allows_host("evil.example"), "{bind}");
        }
    }

    #[test]
    fn allowed_hosts_match_exactly_or_below_a_leading_dot() {
        let forwarded = rules("127.0.0.1", &["Preview.Example.com", ".app.github.dev."]);
        assert!(forwarded.allows_host("preview.example.com:443"));
        assert!(!forwarded.allows_host("x.preview.example.com"));
        assert!(forwarded.allows_host("me-3000.app.github.dev"));
        assert!(forwarded.allows_host("app.github.dev"));
        assert!(!forwarded.allows_host("evilapp.github.dev"));
        assert!(!forwarded.allows_host("app.github.dev.evil.example"));
        for bad in [
            "",
            "http://x.example",
            "x.example:3000",
            "x.example/a",
            "a..b",
            ".",
        ] {
            let err = HostRules::new("127.0.0.1".parse().unwrap(), &[bad.to_string()]).unwrap_err();
            assert!(err.contains("--allowed-host"), "{err}");
        }
    }

    #[test]
    fn websocket_origins_must_be_the_servers_own_pages() {
        let rules = rules("127.0.0.1", &[".app.github.dev"]);
        assert!(rules.allows_origin("http://127.0.0.1:3000", "127.0.0.1:3000"));
        assert!(rules.allows_origin("http://LOCALHOST:3000", "localhost:3000"));
        assert!(rules.allows_origin("http://localhost:3000", "127.0.0.1:3000"));
        assert!(rules.allows_origin("https://me-3000.app.github.dev", "localhost:3000"));
        for origin in [
            "http://evil.example",
            "http://evil.example:3000",
            "null",
            "file://",
            "chrome-extension://abc",
            "http://127.0.0.1.evil.example",
            "",
        ] {
            assert!(!rules.allows_origin(origin, "127.0.0.1:3000"), "{origin}");
        }
        let open = super::HostRules::new("0.0.0.0".parse().unwrap(), &[]).unwrap();
        assert!(open.allows_origin("http://10.0.0.5:3000", "10.0.0.5:3000"));
        // Another server on the network is not this one.
        assert!(!open.allows_origin("http://10.0.0.9:8080", "10.0.0.5:3000"));
    }

    #[test]
    fn the_refusal_page_names_the_flag_and_escapes_the_host() {
        let page = refusal_page(Some("<b>evil.example:3000"));
        assert!(page.contains("--allowed-host"), "{page}");
        assert!(!page.contains("<b>evil"), "{page}");
        let page = refusal_page(Some("evil.example:3000"));
        assert!(
            page.contains("kb serve --allowed-host evil.example<"),
            "{page}"
        );
        assert!(refusal_page(None).contains("without a Host header"));
    }
}
