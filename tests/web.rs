//! `serve --web`: gRPC-Web over HTTP/1.1 with `buf curl --protocol
//! grpcweb`, CORS seen on the wire, the page in a real headless Chromium
//! (tests/web/setup.sh installs Debian's), and the server without `--web`
//! still refusing HTTP/1 as before. Loopback only; every process is ended
//! by its PID.

mod common;

use std::{
    io::{Read, Write},
    net::TcpStream,
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    sync::mpsc,
    thread,
    time::Duration,
};

use common::{run, stderr, stdout, wait_until, KillOnDrop, Server};

const SYMBOL: &str = "aapl";

/// The prices (two decimals, in order) that the CLI client gets for
/// `count` quotes of `symbol`: the walk is the same for every client.
fn cli_prices(server: &Server, symbol: &str, count: u32) -> Vec<String> {
    let output = run(&[
        "watch",
        "--addr",
        &server.addr(),
        "--symbol",
        symbol,
        "--count",
        &count.to_string(),
        "--interval",
        "0s",
        "-o",
        "json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    json_prices(&stdout(&output))
}

fn json_prices(lines: &str) -> Vec<String> {
    lines
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let quote: serde_json::Value = serde_json::from_str(line).expect("a JSON quote");
            let price = quote["price"].as_f64().expect("a price");
            format!("{price:.2}")
        })
        .collect()
}

// ---- buf curl --protocol grpcweb -------------------------------------------

fn buf() -> PathBuf {
    common::run_setup("tests/interop/setup.sh").get("BUF")
}

/// `buf curl` with the gRPC-Web protocol over plaintext HTTP/1.1 (buf's
/// default without `--http2-prior-knowledge`), schema from proto/.
fn buf_grpcweb(buf: &Path, server: &Server, method: &str, data: &str) -> Output {
    let proto = Path::new(env!("CARGO_MANIFEST_DIR")).join("proto");
    Command::new(buf)
        .args(["curl", "--protocol", "grpcweb", "-v"])
        .arg("--schema")
        .arg(&proto)
        .args(["--connect-timeout", "10", "--timeout", "20s", "-d", data])
        .arg(format!("http://{}/{method}", server.addr()))
        .stdin(Stdio::null())
        .output()
        .expect("running buf curl")
}

#[test]
fn buf_curl_calls_hello_and_watch_over_grpc_web_and_http1() {
    let buf = buf();
    let server = Server::start(&["--web"]);

    let hello = buf_grpcweb(
        &buf,
        &server,
        "packages.GreetService/sayHello",
        r#"{"name":"zhangjian"}"#,
    );
    assert!(hello.status.success(), "{}", stderr(&hello));
    let reply: serde_json::Value = serde_json::from_str(&stdout(&hello)).expect("JSON reply");
    assert_eq!(reply["msg"], "hello, zhangjian");
    // buf's verbose log shows the HTTP version of the response it read.
    assert!(
        stderr(&hello).contains("HTTP/1.1 200"),
        "not over HTTP/1.1:\n{}",
        stderr(&hello)
    );

    let watch = buf_grpcweb(
        &buf,
        &server,
        "packages.StockService/watch",
        r#"{"symbol":"aapl","count":3}"#,
    );
    assert!(watch.status.success(), "{}", stderr(&watch));
    // buf prints each message as indented JSON: one object per message.
    let text = stdout(&watch);
    let stream = serde_json::Deserializer::from_str(&text).into_iter::<serde_json::Value>();
    let prices: Vec<String> = stream
        .map(|quote| {
            format!(
                "{:.2}",
                quote.expect("JSON quote")["price"].as_f64().expect("price")
            )
        })
        .collect();
    assert_eq!(prices, cli_prices(&server, SYMBOL, 3), "{text}");

    // The same call without --web is refused: HTTP/1 is not served there.
    let plain = Server::start(&[]);
    let refused = buf_grpcweb(
        &buf,
        &plain,
        "packages.GreetService/sayHello",
        r#"{"name":"x"}"#,
    );
    assert!(!refused.status.success(), "{}", stdout(&refused));
}

// ---- raw HTTP/1.1: CORS, the page, the guards ---------------------------------

/// One HTTP/1.1 exchange on a fresh connection (`Connection: close`):
/// the status line and headers (lower-cased names), and the body,
/// de-chunked.
struct Reply {
    head: String,
    body: Vec<u8>,
}

impl Reply {
    fn status(&self) -> &str {
        self.head.lines().next().unwrap_or_default()
    }

    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }

    fn cors_headers(&self) -> Vec<String> {
        self.head
            .lines()
            .skip(1)
            .filter(|line| line.to_ascii_lowercase().starts_with("access-control-"))
            .map(str::to_owned)
            .collect()
    }
}

fn exchange(addr: &str, request: &[u8]) -> Reply {
    let mut socket = TcpStream::connect(addr).expect("connect");
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    socket.write_all(request).expect("write");
    let mut raw = Vec::new();
    let _ = socket.read_to_end(&mut raw);
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP head in {:?}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let rest = &raw[split + 4..];
    let mut reply = Reply {
        head,
        body: Vec::new(),
    };
    reply.body = if reply
        .header("transfer-encoding")
        .is_some_and(|te| te.eq_ignore_ascii_case("chunked"))
    {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    reply
}

fn dechunk(mut bytes: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let Some(end) = bytes.windows(2).position(|w| w == b"\r\n") else {
            panic!("truncated chunked body");
        };
        let size_text = String::from_utf8_lossy(&bytes[..end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .expect("chunk size");
        bytes = &bytes[end + 2..];
        if size == 0 {
            return body;
        }
        body.extend_from_slice(&bytes[..size]);
        bytes = &bytes[size + 2..];
    }
}

/// A gRPC-Web sayHello request over HTTP/1.1, with `origin` if given.
fn grpc_web_hello(addr: &str, name: &str, origin: Option<&str>) -> Reply {
    let mut message = vec![0x0a, u8::try_from(name.len()).expect("short name")];
    message.extend_from_slice(name.as_bytes());
    grpc_web_call(addr, "/packages.GreetService/sayHello", &message, origin)
}

/// One gRPC-Web call over HTTP/1.1: `message` (protobuf bytes) in a frame.
fn grpc_web_call(addr: &str, path: &str, message: &[u8], origin: Option<&str>) -> Reply {
    let mut body = vec![0];
    body.extend_from_slice(&u32::try_from(message.len()).expect("len").to_be_bytes());
    body.extend_from_slice(message);
    let origin = origin
        .map(|origin| format!("Origin: {origin}\r\n"))
        .unwrap_or_default();
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\n{origin}\
         Content-Type: application/grpc-web+proto\r\nX-Grpc-Web: 1\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(&body);
    exchange(addr, &request)
}

/// The gRPC-Web frames of a body: (flag, payload).
fn frames(mut body: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    while body.len() >= 5 {
        let len = u32::from_be_bytes([body[1], body[2], body[3], body[4]]) as usize;
        out.push((body[0], body[5..5 + len].to_vec()));
        body = &body[5 + len..];
    }
    assert!(body.is_empty(), "trailing bytes");
    out
}

#[test]
fn grpc_web_over_http1_answers_with_a_message_and_a_trailers_frame() {
    let server = Server::start(&["--web"]);
    let reply = grpc_web_hello(&server.addr(), "zhangjian", None);
    assert_eq!(reply.status(), "HTTP/1.1 200 OK", "{}", reply.head);
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("application/grpc-web+proto")
    );
    let frames = frames(&reply.body);
    assert_eq!(frames.len(), 2, "{frames:?}");
    // helloResponse{msg=1}: 0a 10 "hello, zhangjian".
    let mut msg = vec![0x0a, 16];
    msg.extend_from_slice(b"hello, zhangjian");
    assert_eq!(frames[0], (0x00, msg));
    assert_eq!(frames[1].0, 0x80);
    let trailers = String::from_utf8_lossy(&frames[1].1).to_ascii_lowercase();
    assert!(trailers.contains("grpc-status:0"), "{trailers}");
}

#[test]
fn cors_headers_only_for_the_origins_given() {
    const ORIGIN: &str = "http://localhost:8080";
    let with = Server::start(&["--web", "--web-origin", ORIGIN]);

    let allowed = grpc_web_hello(&with.addr(), "x", Some(ORIGIN));
    assert_eq!(allowed.status(), "HTTP/1.1 200 OK", "{}", allowed.head);
    assert_eq!(
        allowed.header("access-control-allow-origin").as_deref(),
        Some(ORIGIN),
        "{}",
        allowed.head
    );
    let exposed = allowed
        .header("access-control-expose-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    for name in ["grpc-status", "grpc-message", "grpc-status-details-bin"] {
        assert!(
            exposed.split(',').any(|item| item.trim() == name),
            "{name} not exposed: {}",
            allowed.head
        );
    }

    // The browser's preflight for a cross-origin gRPC-Web call.
    let preflight = exchange(
        &with.addr(),
        format!(
            "OPTIONS /packages.GreetService/sayHello HTTP/1.1\r\nHost: {}\r\nOrigin: {ORIGIN}\r\n\
             Access-Control-Request-Method: POST\r\n\
             Access-Control-Request-Headers: content-type,x-grpc-web\r\nConnection: close\r\n\r\n",
            with.addr()
        )
        .as_bytes(),
    );
    assert!(
        preflight.status().starts_with("HTTP/1.1 200"),
        "{}",
        preflight.head
    );
    assert_eq!(
        preflight.header("access-control-allow-origin").as_deref(),
        Some(ORIGIN)
    );
    assert!(
        preflight
            .header("access-control-allow-methods")
            .unwrap_or_default()
            .contains("POST"),
        "{}",
        preflight.head
    );
    assert!(
        preflight
            .header("access-control-allow-headers")
            .unwrap_or_default()
            .to_ascii_lowercase()
            .contains("x-grpc-web"),
        "{}",
        preflight.head
    );

    // Another origin gets no permission.
    let other = grpc_web_hello(&with.addr(), "x", Some("http://evil.example"));
    assert_eq!(other.header("access-control-allow-origin"), None);

    // Without --web-origin: same origin only, no CORS headers at all.
    let without = Server::start(&["--web"]);
    let reply = grpc_web_hello(&without.addr(), "x", Some(ORIGIN));
    assert_eq!(reply.status(), "HTTP/1.1 200 OK", "{}", reply.head);
    assert_eq!(reply.cors_headers(), Vec::<String>::new(), "{}", reply.head);
}

#[test]
fn the_page_is_served_at_the_root_with_web_only() {
    let server = Server::start(&["--web"]);
    let request = |addr: &str| {
        format!("GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").into_bytes()
    };
    let page = exchange(&server.addr(), &request(&server.addr()));
    assert_eq!(page.status(), "HTTP/1.1 200 OK", "{}", page.head);
    assert_eq!(
        page.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    let html = String::from_utf8_lossy(&page.body);
    assert!(html.starts_with("<!doctype html>"), "{html}");
    assert!(html.contains("grpc-demo report"), "{html}");

    // Without --web: no page, and HTTP/1 is refused (and named) as before.
    let plain = Server::start(&[]);
    let mut socket = TcpStream::connect(plain.addr()).expect("connect");
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    socket.write_all(&request(&plain.addr())).expect("write");
    let mut reply = Vec::new();
    let _ = socket.read_to_end(&mut reply);
    assert!(
        !reply.starts_with(b"HTTP/1.1"),
        "{}",
        String::from_utf8_lossy(&reply)
    );
    assert!(
        plain.wait_for_log("peer sent an HTTP/1 request", Duration::from_secs(5)),
        "{}",
        plain.log()
    );
    assert!(!server.log().contains("peer sent an HTTP/1 request"));
}

#[test]
fn an_http1_peer_that_sends_no_request_head_meets_the_handshake_timeout() {
    let server = Server::start(&["--web", "--handshake-timeout", "500ms"]);
    let mut socket = TcpStream::connect(server.addr()).expect("connect");
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    // Half a request head, then nothing.
    socket
        .write_all(b"POST /packages.GreetService/sayHello HTTP/1.1\r\nHost: x\r\n")
        .expect("write");
    let started = std::time::Instant::now();
    let mut reply = Vec::new();
    let _ = socket.read_to_end(&mut reply);
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_secs(5),
        "closed after {waited:?}, not at the handshake timeout"
    );
    assert!(
        server.wait_for_log("within the handshake timeout", Duration::from_secs(5)),
        "{}",
        server.log()
    );
}

#[test]
fn an_http1_call_longer_than_the_handshake_timeout_is_not_cut() {
    // The deadline is for the first request head only: a stream that
    // outlasts it is served to its end.
    let server = Server::start(&["--web", "--handshake-timeout", "300ms"]);
    // WatchRequest{symbol="aapl", count=3, interval_ms=400}.
    let request = [0x0a, 4, b'a', b'a', b'p', b'l', 0x10, 3, 0x18, 0x90, 0x03];
    let started = std::time::Instant::now();
    let reply = grpc_web_call(
        &server.addr(),
        "/packages.StockService/watch",
        &request,
        None,
    );
    assert!(started.elapsed() >= Duration::from_millis(800));
    assert_eq!(reply.status(), "HTTP/1.1 200 OK", "{}", reply.head);
    let frames = frames(&reply.body);
    assert_eq!(frames.len(), 4, "three quotes and the trailers: {frames:?}");
    let trailers = String::from_utf8_lossy(&frames[3].1).to_ascii_lowercase();
    assert!(trailers.contains("grpc-status:0"), "{trailers}");
    assert!(
        !server.log().contains("handshake timeout"),
        "{}",
        server.log()
    );
}

#[test]
fn http1_connections_count_against_the_per_address_cap() {
    let server = Server::start(&["--web", "--max-connections-per-ip", "1"]);
    // One HTTP/1.1 connection held open (keep-alive) after a request.
    let mut first = TcpStream::connect(server.addr()).expect("connect");
    first
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    first
        .write_all(format!("GET / HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr()).as_bytes())
        .expect("write");
    let mut head = [0u8; 15];
    first.read_exact(&mut head).expect("a response");
    assert_eq!(&head, b"HTTP/1.1 200 OK");
    // A second one from the same address is closed at once, unanswered.
    let second = grpc_web_hello_raw(&server.addr());
    assert!(second.is_empty(), "{}", String::from_utf8_lossy(&second));
    assert!(
        server.wait_for_log(
            "too many open connections from this address",
            Duration::from_secs(5)
        ),
        "{}",
        server.log()
    );
}

fn grpc_web_hello_raw(addr: &str) -> Vec<u8> {
    let mut socket = TcpStream::connect(addr).expect("connect");
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let _ = socket.write_all(
        b"POST /packages.GreetService/sayHello HTTP/1.1\r\nHost: x\r\n\
          Content-Type: application/grpc-web+proto\r\nContent-Length: 5\r\n\r\n\0\0\0\0\0",
    );
    let mut reply = Vec::new();
    let _ = socket.read_to_end(&mut reply);
    reply
}

// ---- a real browser ----------------------------------------------------------------

fn chromium() -> PathBuf {
    common::run_setup("tests/web/setup.sh").get("CHROMIUM")
}

/// Chromium, headless, on `url` with `mode` (`--dump-dom` or
/// `--screenshot=…`), in a fresh profile; killed by PID if it runs past
/// a minute.
fn headless(chromium: &Path, mode: &str, url: &str) -> Output {
    let profile = tempfile::tempdir().expect("profile dir");
    let child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1000,1750",
            // Virtual time advances only while no request is pending:
            // the page's calls finish within it.
            "--virtual-time-budget=20000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(mode)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting chromium");
    let mut child = KillOnDrop(child);
    let stdout = child.0.stdout.take().expect("piped stdout");
    let stderr = child.0.stderr.take().expect("piped stderr");
    let (out_tx, out_rx) = mpsc::channel();
    let (err_tx, err_rx) = mpsc::channel();
    thread::spawn(move || {
        let mut text = Vec::new();
        let _ = { stdout }.read_to_end(&mut text);
        let _ = out_tx.send(text);
    });
    thread::spawn(move || {
        let mut text = Vec::new();
        let _ = { stderr }.read_to_end(&mut text);
        let _ = err_tx.send(text);
    });
    let status = child
        .wait(Duration::from_secs(60))
        .expect("chromium finished within a minute");
    Output {
        status,
        stdout: out_rx.recv().unwrap_or_default(),
        stderr: err_rx.recv().unwrap_or_default(),
    }
}

/// The text inside the element with `id` (no nested tags expected).
fn element_text<'a>(dom: &'a str, id: &str) -> Option<&'a str> {
    let start = dom.find(&format!("id=\"{id}\""))?;
    let open_end = start + dom[start..].find('>')? + 1;
    let close = open_end + dom[open_end..].find('<')?;
    Some(&dom[open_end..close])
}

/// `data-price="…"` of each quote row, in document order.
fn dom_prices(dom: &str) -> Vec<String> {
    dom.split("data-price=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn chromium_runs_hello_and_a_watch_of_three_quotes_from_the_page() {
    let chromium = chromium();
    let server = Server::start(&["--web"]);
    let expected = cli_prices(&server, SYMBOL, 3);
    assert_eq!(expected.len(), 3);
    let url = format!(
        "http://{}/?name=zhangjian&symbol={SYMBOL}&count=3&interval=0",
        server.addr()
    );

    // The page adds #demo-done once both calls have ended; a run that
    // dumped the DOM before (a slow machine) is repeated, a few times.
    let mut dom = String::new();
    let finished = wait_until(Duration::from_secs(240), || {
        let output = headless(&chromium, "--dump-dom", &url);
        dom = String::from_utf8_lossy(&output.stdout).into_owned();
        dom.contains("id=\"demo-done\"")
    });
    assert!(finished, "the page never finished its calls:\n{dom}");
    assert!(
        dom.contains("data-result=\"ok\""),
        "the page reported an error:\n{dom}"
    );
    assert_eq!(
        element_text(&dom, "hello-reply"),
        Some("hello, zhangjian"),
        "{dom}"
    );
    assert_eq!(dom_prices(&dom), expected, "{dom}");
    // The wire view: the request's protobuf bytes, annotated.
    assert!(
        dom.contains(
            "0a 09 7a 68 61 6e 67 6a 69 61 6e      field 1 (name), wire type 2 (LEN), 9 bytes: \"zhangjian\""
        ),
        "{dom}"
    );
    assert!(dom.contains("(trailers)"), "{dom}");
    assert!(dom.contains("grpc-status:0"), "{dom}");

    // The screenshot, kept as a test artifact.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("web");
    std::fs::create_dir_all(&dir).expect("artifact dir");
    let png = dir.join("page.png");
    let _ = std::fs::remove_file(&png);
    let shot = headless(&chromium, &format!("--screenshot={}", png.display()), &url);
    let bytes = std::fs::read(&png).unwrap_or_else(|err| {
        panic!(
            "no screenshot at {} ({err}):\n{}",
            png.display(),
            String::from_utf8_lossy(&shot.stderr)
        )
    });
    assert!(bytes.starts_with(b"\x89PNG"), "not a PNG");
    eprintln!("screenshot: {}", png.display());
}
