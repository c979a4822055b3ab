//! `kb serve` end to end: the real binary on a free port, driven over HTTP and WebSocket.

use std::path::Path;
use std::time::Duration;

use crate::server::{
    atomic_write, differences, get_accepting, request, request_for_host, PATIENCE,
};
use crate::site::{TestSite, KB};

/// The fixture page the tests edit.
const PAGE: &str = "content/alpha/one.md";

/// Puts `marker` into the body of [`PAGE`], saved the way editors save.
fn edit_body(root: &Path, marker: &str) {
    let path = root.join(PAGE);
    let text = std::fs::read_to_string(&path).unwrap();
    atomic_write(
        &path,
        &text.replace(
            "Call `db.SetMaxOpenConns`",
            &format!("{marker} Call `db.SetMaxOpenConns`"),
        ),
    );
}

#[test]
fn serves_what_build_writes_and_reloads_after_an_edit() {
    let site = TestSite::fixture("basic");
    let server = site.serve(&[]);
    let (mut socket, greeting) = server.livereload();
    assert_eq!(greeting["type"], "ok");

    let built = site.built_files().unwrap();
    assert_eq!(differences(&server, &built), Vec::<String>::new());

    edit_body(site.root(), "Zanzibar");
    let message = socket.expect("reload");
    assert_eq!(message, serde_json::json!({"type": "reload"}));
    // The reload is sent once the new page is in place.
    let page = server.get("/alpha/one/");
    assert!(page.text().contains("Zanzibar"), "{}", server.stderr());
    assert_eq!(
        differences(&server, &site.built_files().unwrap()),
        Vec::<String>::new()
    );
}

#[test]
fn html_gets_the_reload_script_and_other_files_do_not() {
    let site = TestSite::fixture("basic");
    let server = site.serve(&[]);
    let page = server.get("/alpha/one/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = page.text();
    let script = html
        .find("window.__KB_SERVE__ = true")
        .expect("script injected");
    assert!(
        script < html.rfind("</body>").unwrap(),
        "the script sits before </body>"
    );
    assert_eq!(html.matches("__kb/livereload").count(), 1);

    let built = site.built_files().unwrap();
    assert!(
        built
            .values()
            .all(|bytes| !String::from_utf8_lossy(bytes).contains("__kb/livereload")),
        "built files stay clean"
    );
    let css = built
        .keys()
        .find(|p| p.starts_with("style.") && p.ends_with(".css"))
        .unwrap();
    let response = server.get(&format!("/{css}"));
    assert_eq!(
        response.header("content-type"),
        Some("text/css; charset=utf-8")
    );
    assert_eq!(&response.body, &built[css]);
    assert_eq!(
        server.get("/favicon.svg").header("content-type"),
        Some("image/svg+xml")
    );
    assert_eq!(
        server.get("/sitemap.xml").header("content-type"),
        Some("application/xml")
    );
}

#[test]
fn clean_urls_redirects_and_not_found() {
    let site = TestSite::fixture("basic");
    let server = site.serve(&[]);
    let redirect = server.get("/alpha/one?x=1");
    assert_eq!(redirect.status, 307);
    assert_eq!(redirect.header("location"), Some("/alpha/one/?x=1"));
    let missing = server.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("Page not found"));
    assert!(missing.text().contains("__KB_SERVE__"));
    assert_eq!(server.get("/404.html").status, 200);
    assert_eq!(request(server.port, "POST", "/").status, 405);
}

#[test]
fn nothing_outside_the_site_is_served() {
    let site = TestSite::fixture("basic");
    let secret = tempfile::tempdir().unwrap();
    std::fs::write(secret.path().join("secret.txt"), "top secret").unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(
            secret.path().join("secret.txt"),
            site.root().join("content/alpha/secret.txt"),
        )
        .unwrap();
        std::os::unix::fs::symlink(secret.path(), site.root().join("content/linked")).unwrap();
    }
    let server = site.serve(&[]);
    for path in [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/alpha/%2e%2e/%2e%2e/book.toml",
        "/..%2f..%2fbook.toml",
        "/..%5c..%5cbook.toml",
        "/..\\..\\book.toml",
        "//etc/passwd",
        "/content/alpha/one.md",
        "/book.toml",
        "/alpha/secret.txt",
        "/linked/secret.txt",
        "/%00",
    ] {
        let response = server.get(path);
        assert_eq!(response.status, 404, "{path}");
        assert!(!response.text().contains("top secret"), "{path}");
    }
    // The symlinks are not part of the built site either.
    let built = site.built_files().unwrap();
    assert!(
        !built.contains_key("alpha/secret.txt") && !built.keys().any(|k| k.starts_with("linked/"))
    );
    // A symlink created while serving is ignored too.
    #[cfg(unix)]
    {
        let (mut socket, _) = server.livereload();
        std::os::unix::fs::symlink(
            secret.path().join("secret.txt"),
            site.root().join("content/beta/late.txt"),
        )
        .unwrap();
        edit_body(site.root(), "Later");
        socket.expect("reload");
        assert_eq!(server.get("/beta/late.txt").status, 404);
    }
}

#[test]
fn build_errors_show_and_clear_and_the_last_good_site_stays() {
    let site = TestSite::fixture("basic");
    let server = site.serve(&[]);
    let (mut socket, _) = server.livereload();
    let path = site.root().join(PAGE);
    let good = std::fs::read_to_string(&path).unwrap();
    atomic_write(&path, &good.replace("weight: 1\n", "weight: [1\n"));
    let error = socket.expect("error");
    let first = &error["diagnostics"][0];
    assert!(
        first["file"]
            .as_str()
            .unwrap()
            .ends_with("content/alpha/one.md"),
        "{error}"
    );
    assert!(first["line"].as_u64().unwrap() >= 2, "{error}");
    assert!(first["column"].as_u64().is_some(), "{error}");
    assert!(!first["message"].as_str().unwrap().is_empty());
    assert!(
        server.stderr().contains("alpha/one.md:"),
        "errors are printed too"
    );
    // The last good page is still served.
    let page = server.get("/alpha/one/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Pooling"));
    // A tab opened now sees the error at once.
    let (_late, greeting) = server.livereload();
    assert_eq!(greeting["type"], "error");

    // A broken link elsewhere is an error too, with its position.
    atomic_write(&path, &good);
    socket.expect("reload");
    let beta = site.root().join("content/beta/_index.md");
    let beta_text = std::fs::read_to_string(&beta).unwrap();
    atomic_write(
        &beta,
        &beta_text.replace("../alpha/one.md", "../alpha/missing.md"),
    );
    let error = socket.expect("error");
    assert!(
        error["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("missing.md"),
        "{error}"
    );
    atomic_write(&beta, &beta_text);
    socket.expect("reload");
    let (_fresh, greeting) = server.livereload();
    assert_eq!(greeting["type"], "ok");
    assert_eq!(
        differences(&server, &site.built_files().unwrap()),
        Vec::<String>::new()
    );
}

#[test]
fn a_stylesheet_edit_swaps_css_without_a_reload() {
    let site = TestSite::fixture("basic");
    let config = site.root().join("book.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}\n[kb]\ntheme = \"mine\"\n")).unwrap();
    let css = site.root().join("themes/mine/static/style.css");
    std::fs::create_dir_all(css.parent().unwrap()).unwrap();
    std::fs::write(&css, "body { color: red; }\n").unwrap();
    let server = site.serve(&[]);
    let (mut socket, _) = server.livereload();
    atomic_write(&css, "body { color: blue; }\n");
    let message = socket.expect("css");
    let href = message["href"].as_str().unwrap();
    assert!(
        href.starts_with("/style.") && href.ends_with(".css"),
        "{message}"
    );
    let response = server.get(href);
    assert_eq!(response.status, 200);
    assert!(response.text().starts_with("body { color: blue; }"));
    assert_eq!(
        differences(&server, &site.built_files().unwrap()),
        Vec::<String>::new()
    );

    // A template edit reloads and reaches every page.
    let template = site.root().join("themes/mine/templates/page.html");
    std::fs::create_dir_all(template.parent().unwrap()).unwrap();
    let original = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/page.html"),
    )
    .unwrap();
    atomic_write(
        &template,
        &original.replacen("{% block main %}", "{% block main %}<!-- marker -->", 1),
    );
    socket.expect("reload");
    assert!(server.get("/alpha/one/").text().contains("<!-- marker -->"));
    assert_eq!(
        differences(&server, &site.built_files().unwrap()),
        Vec::<String>::new()
    );
}

#[test]
fn search_answers_from_the_live_index() {
    let site = TestSite::fixture("basic");
    let server = site.serve(&[]);
    let (mut socket, _) = server.livereload();
    let found = |word: &str| {
        let response = server.get(&format!("/__kb/search?q={word}"));
        // While the first build runs, the index is not there yet (503); search is on, so
        // never a 404 ("search is off").
        assert_ne!(response.status, 404, "{}", response.text());
        response.status == 200 && response.text().contains("alpha/one/")
    };
    let deadline = std::time::Instant::now() + PATIENCE;
    while !found("pool") {
        assert!(
            std::time::Instant::now() < deadline,
            "search never answered"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        server.get("/__kb/search?q=pool").header("content-type"),
        Some("application/json")
    );
    edit_body(site.root(), "Quetzalcoatl");
    socket.expect("reload");
    let deadline = std::time::Instant::now() + PATIENCE;
    while !found("quetzalcoatl") {
        assert!(
            std::time::Instant::now() < deadline,
            "the edit was never indexed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_module_and_the_head_go_out_pre_compressed_when_accepted() {
    let site = TestSite::fixture("basic");
    let server = site.serve(&[]);
    for path in ["/search/kb-search.wasm", "/search/index.bin"] {
        let plain = server.get(path);
        assert_eq!(plain.status, 200, "{path}");
        assert_eq!(plain.header("content-encoding"), None, "{path}");
        let br = get_accepting(server.port, path, "gzip, deflate, br, zstd");
        assert_eq!(br.header("content-encoding"), Some("br"), "{path}");
        assert_eq!(br.header("vary"), Some("accept-encoding"), "{path}");
        assert!(br.body.len() < plain.body.len(), "{path}");
        // The twin is the file the build writes beside it.
        assert_eq!(br.body, server.get(&format!("{path}.br")).body, "{path}");
        let gz = get_accepting(server.port, path, "br;q=0, gzip;q=0.8");
        assert_eq!(gz.header("content-encoding"), Some("gzip"), "{path}");
        assert_eq!(gz.body[..2], [0x1f, 0x8b], "{path}");
        let none = get_accepting(server.port, path, "identity");
        assert_eq!(none.body, plain.body, "{path}");
    }
    // Pages are not pre-compressed: a page goes out as it is.
    let page = get_accepting(server.port, "/alpha/one/", "br, gzip");
    assert_eq!(page.header("content-encoding"), None);
}

/// kb serve keeps its files gzip-compressed in memory: a browser that accepts gzip gets
/// those bytes, any other client the file itself, and both are what `kb build` writes.
#[test]
fn files_kept_compressed_decode_to_the_built_bytes() {
    use std::io::Read;
    let site = TestSite::fixture("basic");
    let built = site.built_files().expect("the fixture builds");
    let server = site.serve(&[]);
    let mut gzipped = 0;
    for (path, bytes) in &built {
        if path.ends_with(".html") || path.ends_with(".br") || path.ends_with(".gz") {
            continue; // pages get the live-reload script; twins are tested above
        }
        let url = format!("/{path}");
        let plain = get_accepting(server.port, &url, "identity");
        assert_eq!(plain.status, 200, "{path}");
        assert_eq!(plain.header("content-encoding"), None, "{path}");
        assert!(
            plain.body == *bytes,
            "{path}: served bytes differ from the built file"
        );
        let gz = get_accepting(server.port, &url, "gzip");
        match gz.header("content-encoding") {
            Some("gzip") => {
                gzipped += 1;
                assert_eq!(gz.header("vary"), Some("accept-encoding"), "{path}");
                let mut decoded = Vec::new();
                flate2::read::GzDecoder::new(&gz.body[..])
                    .read_to_end(&mut decoded)
                    .unwrap_or_else(|e| panic!("{path}: {e}"));
                assert!(decoded == *bytes, "{path}: gzip decodes to other bytes");
            }
            None => assert!(gz.body == *bytes, "{path}"),
            Some(other) => panic!("{path}: unexpected encoding {other}"),
        }
    }
    // The Markdown twins, llms-full.txt, the stylesheet and the scripts compress well.
    assert!(
        gzipped >= 5,
        "only {gzipped} files went out gzip-compressed"
    );
    // A page accepted in gzip is the built page with the live-reload script.
    let page = get_accepting(server.port, "/alpha/one/", "gzip");
    assert_eq!(page.header("content-encoding"), None);
    let built_page = String::from_utf8_lossy(&built["alpha/one/index.html"]).into_owned();
    let served = page.text();
    let head = built_page.split("</body>").next().expect("a body");
    assert!(
        served.starts_with(head),
        "the served page is not the built one"
    );
}

/// The store folders `kb serve` made in `temp`, its temporary folder.
fn stores_in(temp: &Path) -> Vec<std::path::PathBuf> {
    let entries = std::fs::read_dir(temp).expect("the server's temporary folder");
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("kb-serve-"))
        })
        .collect()
}

#[test]
fn served_files_are_kept_in_a_folder_removed_when_serve_stops() {
    let site = TestSite::fixture("basic");
    let mut server = site.serve(&[]);
    let stores = stores_in(server.temp.path());
    assert_eq!(stores.len(), 1, "{stores:?}");
    let files = std::fs::read_dir(&stores[0]).expect("the store").count();
    assert!(files > 10, "only {files} files in the store");
    assert_eq!(
        get_accepting(server.port, "/alpha/one/", "gzip").status,
        200
    );
    server.stop();
    assert_eq!(
        stores_in(server.temp.path()),
        Vec::<std::path::PathBuf>::new()
    );
}

#[test]
fn bad_websocket_traffic_does_not_hurt_the_server() {
    let site = TestSite::fixture("basic");
    let server = site.serve(&[]);
    // Garbage where a WebSocket handshake should be.
    let mut raw = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    std::io::Write::write_all(&mut raw, b"GET /__kb/livereload HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\xff\xfe garbage").unwrap();
    drop(raw);
    // Oversized and binary messages from a tab.
    let (mut socket, _) = server.livereload();
    let _ = socket
        .socket
        .send(tungstenite::Message::Binary(vec![0u8; 1 << 20].into()));
    let _ = socket
        .socket
        .send(tungstenite::Message::Text("{not json".into()));
    drop(socket);
    let (mut socket, greeting) = server.livereload();
    assert_eq!(greeting["type"], "ok");
    edit_body(site.root(), "Still");
    socket.expect("reload");
    assert_eq!(server.get("/").status, 200);
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let site = TestSite::fixture("basic");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = std::process::Command::new(KB)
        .args(["serve", "--port", &port, "--root"])
        .arg(site.root())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("port {port} is already in use")),
        "{stderr}"
    );
}

#[test]
fn deleting_and_creating_pages_updates_navigation() {
    let site = TestSite::fixture("basic");
    let server = site.serve(&[]);
    let (mut socket, _) = server.livereload();
    let new_page = site.root().join("content/beta/three.md");
    atomic_write(&new_page, "---\ntitle: Third page\ndescription: Added while serving.\nweight: 5\ntags: [fresh]\n---\nHello.\n");
    socket.expect("reload");
    assert_eq!(server.get("/beta/three/").status, 200);
    assert!(server.get("/beta/").text().contains("Third page"));
    assert_eq!(server.get("/tags/fresh/").status, 200);
    assert_eq!(
        differences(&server, &site.built_files().unwrap()),
        Vec::<String>::new()
    );
    std::fs::remove_file(&new_page).unwrap();
    socket.expect("reload");
    assert_eq!(server.get("/beta/three/").status, 404);
    assert_eq!(server.get("/tags/fresh/").status, 404);
    assert_eq!(
        differences(&server, &site.built_files().unwrap()),
        Vec::<String>::new()
    );
}

#[test]
fn loopback_by_default_and_a_warning_for_any_other_address() {
    let site = TestSite::fixture("basic");
    let local = site.serve(&[]);
    assert_eq!(local.get("/").status, 200);
    assert!(
        !local.stderr().contains("other machines on the network"),
        "{}",
        local.stderr()
    );
    drop(local);
    // Listening on every interface is only done when asked, and it says so.
    let open = site.serve(&["--bind", "0.0.0.0"]);
    assert_eq!(open.get("/").status, 200);
    let stderr = open.stderr();
    assert!(stderr.contains("warning: serving on 0.0.0.0"), "{stderr}");
}

#[test]
fn foreign_host_names_are_refused_unless_allowed() {
    let site = TestSite::fixture("basic");
    let server = site.serve(&[]);
    for host in ["127.0.0.1", "localhost:1234", "[::1]"] {
        assert_eq!(
            request_for_host(server.port, "GET", "/", host).status,
            200,
            "{host}"
        );
    }
    // A DNS-rebinding page names its own host: refused, with the flag that allows it.
    for path in [
        "/",
        "/alpha/one/",
        "/__kb/search?q=pool",
        "/__kb/livereload",
    ] {
        let refused = request_for_host(server.port, "GET", path, "rebind.example:80");
        assert_eq!(refused.status, 403, "{path}");
        let page = refused.text();
        assert!(
            page.contains("kb serve --allowed-host rebind.example<"),
            "{page}"
        );
        assert!(!page.contains("Pool"), "{page}");
    }
    drop(server);
    let forwarded = site.serve(&[
        "--allowed-host",
        "rebind.example",
        "--allowed-host",
        ".dev.example",
    ]);
    for host in ["rebind.example", "me-3000.dev.example:443", "127.0.0.1"] {
        assert_eq!(
            request_for_host(forwarded.port, "GET", "/", host).status,
            200,
            "{host}"
        );
    }
    assert_eq!(
        request_for_host(forwarded.port, "GET", "/", "other.example").status,
        403
    );
}

#[test]
fn a_bad_allowed_host_is_a_clear_error() {
    let site = TestSite::fixture("basic");
    let out = std::process::Command::new(KB)
        .args([
            "serve",
            "--port",
            "0",
            "--allowed-host",
            "http://x.example:3000",
            "--root",
        ])
        .arg(site.root())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is not a host name"), "{stderr}");
}

/// A WebSocket handshake to live reload with `origin`, as a browser on that page sends it:
/// the handshake's status.
fn livereload_status(port: u16, origin: &str) -> u16 {
    use tungstenite::client::IntoClientRequest as _;
    let mut request = format!("ws://127.0.0.1:{port}/__kb/livereload")
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("Origin", origin.parse().unwrap());
    match tungstenite::connect(request) {
        Ok((_, response)) => response.status().as_u16(),
        Err(tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(e) => panic!("websocket handshake: {e}"),
    }
}

#[test]
fn live_reload_refuses_foreign_origins() {
    let site = TestSite::fixture("basic");
    let server = site.serve(&[]);
    let own = format!("http://127.0.0.1:{}", server.port);
    assert_eq!(livereload_status(server.port, &own), 101);
    assert_eq!(livereload_status(server.port, "http://localhost:9999"), 101);
    for foreign in ["http://evil.example", "https://evil.example:443", "null"] {
        assert_eq!(livereload_status(server.port, foreign), 403, "{foreign}");
    }
}

#[test]
fn an_unfinished_request_is_closed_after_the_header_timeout() {
    use std::io::{Read as _, Write as _};
    let site = TestSite::fixture("basic");
    let server = site.serve(&[]);
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let started = std::time::Instant::now();
    // Headers that never end.
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n")
        .unwrap();
    let mut buf = Vec::new();
    let closed = stream.read_to_end(&mut buf);
    let waited = started.elapsed();
    assert!(closed.is_ok(), "the server kept the connection: {closed:?}");
    assert!(
        waited >= Duration::from_secs(8) && waited < PATIENCE,
        "closed after {waited:?}"
    );
    assert!(
        !String::from_utf8_lossy(&buf).contains("200 OK"),
        "{}",
        String::from_utf8_lossy(&buf)
    );
    // The server still answers others.
    assert_eq!(server.get("/").status, 200);
}

#[test]
fn editing_an_included_file_updates_the_pages_that_include_it() {
    let site = TestSite::fixture("books/includes");
    let server = site.serve(&[]);
    let (mut socket, _) = server.livereload();
    // A listing in the source folder, included by two chapters (once through a fragment).
    let listing = site.root().join("src/code/main.rs");
    let text = std::fs::read_to_string(&listing).unwrap();
    atomic_write(&listing, &text.replace("add_one(41)", "add_one(1234567)"));
    socket.expect("reload");
    for page in ["/listings.html", "/nested.html"] {
        server.wait_for(page, "the new listing", |r| r.text().contains("1234567"));
    }
    assert!(!server.get("/hidden.html").text().contains("1234567"));
    // A listing outside the source folder.
    let outside = site.root().join("listings/ch01/guess.rs");
    let text = std::fs::read_to_string(&outside).unwrap();
    atomic_write(&outside, &text.replace("You guessed", "Zanzibar guessed"));
    socket.expect("reload");
    server.wait_for("/listings.html", "the outside listing", |r| {
        r.text().contains("Zanzibar guessed")
    });
    // A fragment that is not a chapter: the chapter including it changes.
    let fragment = site.root().join("src/fragments/part.md");
    let text = std::fs::read_to_string(&fragment).unwrap();
    atomic_write(
        &fragment,
        &text.replace("of its own", "of its own, Quixotic"),
    );
    socket.expect("reload");
    server.wait_for("/nested.html", "the new fragment", |r| {
        r.text().contains("Quixotic")
    });
    assert_eq!(
        differences(&server, &site.built_files().unwrap()),
        Vec::<String>::new()
    );
}

/// Holds a build until the file `release` appears in the site's folder, then changes
/// nothing (a preprocessor answering an empty book leaves every page as loaded).
const HOLDING_PLUGIN: &str = r#"# kb runs `sh hold.sh supports html`, then `sh hold.sh` with the book on stdin.
[ "$1" = supports ] && exit 0
cat >/dev/null
while [ ! -e release ]; do sleep 0.05; done
printf '{"items":[]}'
"#;

/// Issue 24: at 100,000 pages the first build takes minutes, and the server must answer
/// within seconds. A preprocessor that waits for a file the test writes holds the build, so
/// the page below is provably served while the build runs; once it is done, the server
/// serves exactly what `kb build` writes.
#[cfg(unix)]
#[test]
fn pages_are_served_while_the_first_build_runs_then_what_the_build_made() {
    let site = TestSite::fixture("basic");
    let book = site.read("book.toml");
    site.write("hold.sh", HOLDING_PLUGIN).write(
        "book.toml",
        &format!("{book}\n[preprocessor.hold]\ncommand = \"sh hold.sh\"\n"),
    );
    let server = crate::server::Server::launch(site.root(), &[]);
    let building = |server: &crate::server::Server| server.get("/__kb/status").text();
    assert_eq!(building(&server), r#"{"building":true}"#);

    let page = server.wait_for("/alpha/one/", "the previewed page", |r| r.status == 200);
    assert!(page.text().contains("SetMaxOpenConns"), "{}", page.text());
    // A file only the build makes is not there yet, and says so.
    let missing = server.get("/no/such/page/");
    assert_eq!(missing.status, 503);
    assert!(missing.text().contains("Building the site"));
    // Still held: everything above was answered during the build.
    assert_eq!(building(&server), r#"{"building":true}"#);

    let (mut socket, _) = server.livereload();
    site.write("release", "");
    // Tabs opened on previews load the built pages.
    assert_eq!(
        socket.expect("reload"),
        serde_json::json!({"type": "reload"})
    );
    server.wait_until_built();
    let built = site.built_files().unwrap();
    assert_eq!(differences(&server, &built), Vec::<String>::new());
    assert_eq!(server.get("/no/such/page/").status, 404);
}

/// Issue 24: at 100,000 pages serve's first build takes minutes; like `kb build`, it says
/// how far each step is (in plain lines here: stderr is a pipe), and the rebuilds after it, each
/// reported in one line of its own, show no progress.
#[test]
fn the_first_build_shows_its_progress_and_rebuilds_do_not() {
    let site = TestSite::empty();
    site.write("book.toml", "[book]\ntitle = \"Many\"\nsrc = \"content\"\n");
    for n in 0..600 {
        site.write(
            &format!("content/p{n}.md"),
            &format!("# Page {n}\n\nWords of page {n}.\n"),
        );
    }
    let server = crate::server::Server::start(site.root(), &[]);
    let first = stderr_once_it_has(&server, "Built 600 pages");
    let steps = [
        "loading: 600 files in ",
        "rendering: 600 pages in ",
        // The 600 pages and the 404 page through the templates.
        "writing: 601 pages in ",
        "twins: 600 pages in ",
    ];
    for step in steps {
        assert_eq!(first.matches(step).count(), 1, "no `{step}` in:\n{first}");
    }
    let (mut socket, _) = server.livereload();
    // A new title in book.toml loads and renders every page again.
    site.write("book.toml", "[book]\ntitle = \"More\"\nsrc = \"content\"\n");
    socket.expect("reload");
    server.wait_for("/p1.html", "the new title", |r| r.text().contains("More"));
    let after = stderr_once_it_has(&server, "Rebuilt in ");
    for step in ["loading:", "rendering:"] {
        assert_eq!(
            after.matches(step).count(),
            1,
            "`{step}` again in:\n{after}"
        );
    }
}

/// What the server printed, once it has printed `text` (its stderr is read by a thread of
/// its own, a moment after the server writes it).
fn stderr_once_it_has(server: &crate::server::Server, text: &str) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let stderr = server.stderr();
        if stderr.contains(text) || std::time::Instant::now() > deadline {
            assert!(stderr.contains(text), "no `{text}` in:\n{stderr}");
            return stderr;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// mdBook's `build.extra-watch-dirs`: a change in a listed folder (a preprocessor's sources
/// or data, most often) rebuilds the book, as `mdbook serve` does; other folders beside the
/// content do not.
#[test]
fn a_change_in_an_extra_watched_folder_rebuilds() {
    let site = TestSite::empty();
    site.write(
        "book.toml",
        "[book]\ntitle = \"Watched\"\nsrc = \"content\"\n\n[build]\nextra-watch-dirs = [\"helper/src\"]\n",
    )
    .write("content/index.md", "# Home\n\nWords.\n")
    .write("helper/src/data.txt", "one\n")
    .write("notes/todo.txt", "one\n");
    let server = crate::server::Server::start(site.root(), &[]);
    // Not watched: nothing happens.
    site.write("notes/todo.txt", "two\n");
    std::thread::sleep(Duration::from_millis(800));
    assert!(
        !server.stderr().contains("Rebuilt in "),
        "{}",
        server.stderr()
    );
    site.write("helper/src/data.txt", "two\n");
    let rebuilt = stderr_once_it_has(&server, "Rebuilt in ");
    assert_eq!(rebuilt.matches("Rebuilt in ").count(), 1, "{rebuilt}");
}
