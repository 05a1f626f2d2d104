//! `serve --access-log stderr|off|FILE` and `--log-format text|json`, with
//! the real binary: a FILE reopened on SIGHUP as logrotate does it.

mod common;

use std::{
    path::Path,
    thread,
    time::{Duration, Instant},
};

use common::{grpc_demo, run, stderr, Server};

const HELLO: &str = "method=/packages.GreetService/sayHello ";
const STREAM: &str = "method=/packages.MessageService/iter_message ";

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Waits (at most 10 s) until `path` holds `count` lines.
fn wait_for_lines(path: &Path, count: usize) -> String {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        let text = read(path);
        if text.lines().count() >= count {
            return text;
        }
        thread::sleep(Duration::from_millis(20));
    }
    panic!(
        "{} never had {count} lines:\n{}",
        path.display(),
        read(path)
    );
}

fn hello(server: &Server) {
    let output = run(&["hello", "--addr", &server.addr()]);
    assert!(output.status.success(), "{}", stderr(&output));
}

fn stream(server: &Server) {
    let output = run(&["stream", "--addr", &server.addr(), "--count", "2"]);
    assert!(output.status.success(), "{}", stderr(&output));
}

/// SIGTERM, then wait for the clean exit and its last log line.
fn stop(mut server: Server) -> String {
    server.signal(libc::SIGTERM);
    assert_eq!(
        server.wait(Duration::from_secs(15)).and_then(|s| s.code()),
        Some(0)
    );
    assert!(
        server.wait_for_log("server stopped", Duration::from_secs(10)),
        "{}",
        server.log()
    );
    server.log()
}

#[test]
fn an_access_log_file_is_reopened_on_sighup_and_no_line_is_lost() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("access.log");
    let rotated = dir.path().join("access.log.1");
    let server = Server::start(&["--access-log", path.to_str().expect("utf-8 path")]);

    for _ in 0..5 {
        hello(&server);
    }
    wait_for_lines(&path, 5);
    // 600 RPCs over 2 s, still coming while the file is renamed and the
    // server reopens it: each line lands in one file or the other.
    let bench = grpc_demo()
        .args(["bench", "hello", "-n", "600", "--rate", "300", "-c", "4"])
        .args(["-o", "json", "--addr", &server.addr()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawning bench");
    let bench = common::KillOnDrop(bench);
    wait_for_lines(&path, 5 + 100);
    // logrotate: rename, then HUP.
    std::fs::rename(&path, &rotated).expect("rename");
    server.signal(libc::SIGHUP);
    assert!(
        server.wait_for_log("access log reopened", Duration::from_secs(10)),
        "{}",
        server.log()
    );
    assert!(path.exists(), "the new file is made at once");
    let mut bench = bench;
    let status = bench.wait(Duration::from_secs(30)).expect("bench ended");
    assert!(status.success(), "bench: {status}");
    let lines = |file: &Path| read(file).lines().count();
    assert!(
        common::wait_until(Duration::from_secs(10), || lines(&rotated) + lines(&path)
            >= 605),
        "{} + {} lines",
        lines(&rotated),
        lines(&path)
    );
    let during = lines(&path);
    assert!(
        during > 0 && lines(&rotated) > 5 + 100,
        "the bench's RPCs are on both sides of the rotation: {} then {during}",
        lines(&rotated)
    );
    for _ in 0..3 {
        stream(&server);
    }
    let new = wait_for_lines(&path, during + 3);
    let log = stop(server);

    let old = read(&rotated);
    let new_after_stop = read(&path);
    assert_eq!(
        old.lines().count() + new.lines().count(),
        5 + 600 + 3,
        "every line in one file or the other, none twice"
    );
    assert!(old.lines().all(|line| line.contains(HELLO)), "{old}");
    assert_eq!(new_after_stop, new, "nothing more at the stop");
    let (hellos, streams) = new
        .lines()
        .partition::<Vec<&str>, _>(|line| line.contains(HELLO));
    assert_eq!(hellos.len(), during, "{new}");
    assert_eq!(streams.len(), 3, "{new}");
    assert!(streams.iter().all(|line| line.contains(STREAM)), "{new}");
    assert!(
        !log.contains(" rpc method="),
        "no access line on stderr:\n{log}"
    );
}

#[test]
fn access_log_off_writes_no_access_line() {
    let server = Server::start(&["--access-log", "off"]);
    hello(&server);
    stream(&server);
    let log = stop(server);
    assert!(!log.contains("rpc method="), "{log}");
    assert!(log.contains("serving"), "other lines still logged:\n{log}");
}

#[test]
fn json_log_lines_carry_the_same_fields() {
    let server = Server::start(&["--log-format", "json"]);
    hello(&server);
    let output = run(&["hello", "--addr", &server.addr(), "--token", "nope"]);
    assert!(
        output.status.success(),
        "no token needed: {}",
        stderr(&output)
    );
    let log = stop(server);
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|err| panic!("{err}: not JSON: {line}"))
        })
        .collect();
    let rpcs: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|line| line["message"] == "rpc")
        .collect();
    assert_eq!(rpcs.len(), 2, "{log}");
    for rpc in rpcs {
        assert_eq!(rpc["level"], "INFO", "{rpc}");
        assert_eq!(rpc["method"], "/packages.GreetService/sayHello", "{rpc}");
        assert_eq!(rpc["status"], "OK", "{rpc}");
        assert_eq!(rpc["encoding"], "identity", "{rpc}");
        assert!(rpc["duration_us"].is_u64(), "{rpc}");
        assert!(
            rpc["trace_id"]
                .as_str()
                .is_some_and(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())),
            "{rpc}"
        );
        assert!(
            rpc["peer"]
                .as_str()
                .is_some_and(|peer| peer.starts_with("127.0.0.1:")),
            "{rpc}"
        );
        let timestamp = rpc["timestamp"].as_str().expect("timestamp");
        humantime::parse_rfc3339(timestamp).expect("RFC 3339 timestamp");
    }
    assert!(
        lines
            .iter()
            .any(|line| line["message"] == "serving" && line["bound"].is_string()),
        "{log}"
    );
}

#[test]
fn an_access_log_that_cannot_be_opened_is_one_error_line_and_exit_1() {
    let output = grpc_demo()
        .args([
            "serve",
            "--port",
            "0",
            "--access-log",
            "/nonexistent-dir/access.log",
        ])
        .output()
        .expect("running grpc-demo serve");
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: cannot open the access log /nonexistent-dir/access.log"),
        "{err}"
    );
    assert!(output.stdout.is_empty(), "never listened");
}

#[test]
fn every_log_line_writes_an_ipv4_client_of_the_dual_stack_listener_as_ipv4() {
    use std::io::Write as _;
    // On `::`, an IPv4 client is an IPv4-mapped IPv6 address to the kernel.
    let server = common::Server::start_at("::", 0, &["--token", "s3cret"]);
    let addr = format!("127.0.0.1:{}", server.port);
    // An access line (and its warning: UNAUTHENTICATED).
    let output = common::run(&["hello", "--addr", &addr]);
    assert_eq!(
        output.status.code(),
        Some(80),
        "{}",
        common::stderr(&output)
    );
    // A connection that does not speak HTTP/2 at all.
    let mut garbage = std::net::TcpStream::connect(&addr).expect("connect");
    garbage
        .write_all(b"hello, are you HTTP/2?\r\n\r\n")
        .expect("write");
    assert!(server.wait_for_log("rejected unauthenticated call", Duration::from_secs(10)));
    assert!(server.wait_for_log("bytes that are not HTTP/2", Duration::from_secs(10)));
    assert!(server.wait_for_log("status=UNAUTHENTICATED", Duration::from_secs(10)));
    let log = server.log();
    let with_peer: Vec<&str> = log.lines().filter(|line| line.contains("peer=")).collect();
    assert!(with_peer.len() >= 3, "{log}");
    for line in with_peer {
        assert!(
            line.contains("peer=127.0.0.1:"),
            "not the access line's form: {line}"
        );
        assert!(!line.contains("ffff"), "an IPv4-mapped address: {line}");
    }
}

/// An RPC of `method` whose request message is cut short: HEADERS and the
/// first 3 of 100 announced bytes, then the client leaves by `goodbye`
/// (frames written before the socket is closed; empty: the socket is just
/// closed).
fn leave_mid_request(server: &Server, metrics: u16, method: &str, goodbye: &[u8]) {
    use std::io::Write;
    let mut socket = std::net::TcpStream::connect(server.addr()).expect("connect");
    let mut out = common::preface_and_request_headers(&format!("/packages.{method}"));
    // DATA: a gRPC prefix announcing 100 bytes, and 3 of them.
    out.extend_from_slice(&[0, 0, 8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 100, 0x0a, 0x62, b'x']);
    socket.write_all(&out).expect("writing the request");
    // The RPC is under way on the server before the client leaves.
    common::wait_for_sample(metrics, "grpc_server_in_flight_streams", 1.0);
    socket.write_all(goodbye).expect("writing the goodbye");
    drop(socket);
    common::wait_for_sample(metrics, "grpc_server_in_flight_streams", 0.0);
}

#[test]
fn a_client_that_leaves_mid_request_is_logged_cancelled_not_as_a_failure() {
    // RST_STREAM(CANCEL) on stream 1; GOAWAY(NO_ERROR, last stream 0).
    let reset = [0, 0, 4, 3, 0, 0, 0, 0, 1, 0, 0, 0, 8];
    let go_away = [0, 0, 8, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let leaving = [
        ("closes its socket", &[][..]),
        ("resets the stream", &reset[..]),
        ("sends GOAWAY", &go_away[..]),
    ];
    let methods = [
        ("GreetService/sayHello", "sayHello"),
        ("ReportService/report", "report"),
    ];
    for ((how, goodbye), (method, name)) in leaving
        .into_iter()
        .flat_map(|how| methods.map(|m| (how, m)))
    {
        let how = format!("{how} ({name})");
        let server = Server::start(&["--metrics-addr", "127.0.0.1:0"]);
        let metrics = common::metrics_port(&server);
        leave_mid_request(&server, metrics, method, goodbye);
        let needle = format!("method=/packages.{method} ");
        assert!(
            server.wait_for_log(&needle, Duration::from_secs(10)),
            "a client that {how}: no access line\n{}",
            server.log()
        );
        let log = server.log();
        let line = log
            .lines()
            .find(|line| line.contains(&needle))
            .unwrap_or("");
        assert!(
            line.contains(" INFO ") && line.contains(" status=CANCELLED "),
            "a client that {how} is a cancelled RPC, not the server's failure: {line}\n{log}"
        );
        let (_, _, text) = common::http_get(metrics, "/metrics", None).expect("metrics");
        assert!(
            text.lines()
                .any(|sample| sample.starts_with("grpc_server_handled_total{")
                    && sample.contains(&format!("grpc_method=\"{name}\""))
                    && sample.contains("grpc_code=\"Canceled\"")
                    && sample.ends_with(" 1")),
            "a client that {how}: counted as Canceled\n{text}"
        );
    }
}
