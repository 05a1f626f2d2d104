//! W3C trace context end to end: our clients send a `traceparent`, the
//! server keeps the caller's trace (or starts one) and logs its id on the
//! access line; with `--otlp-endpoint` it exports a span per RPC to a
//! collector stand-in built on the official protos (PyPI
//! `opentelemetry-proto` + grpcio, in the interop venv of
//! `tests/interop/setup.sh`).

mod common;

use std::{
    collections::HashMap,
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::{mpsc, OnceLock},
    thread,
    time::{Duration, Instant},
};

use common::{run, stderr, stdout, KillOnDrop, Server};

const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

/// The trace ids of the server's access lines so far.
fn logged_trace_ids(server: &Server, expected: usize) -> Vec<String> {
    let started = std::time::Instant::now();
    loop {
        let ids: Vec<String> = server
            .log()
            .lines()
            .filter(|line| line.contains(" rpc method="))
            .map(|line| {
                line.split(" trace_id=")
                    .nth(1)
                    .unwrap_or_else(|| panic!("no trace id on {line}"))
                    .trim()
                    .to_owned()
            })
            .collect();
        if ids.len() >= expected || started.elapsed() > Duration::from_secs(10) {
            assert_eq!(ids.len(), expected, "{}", server.log());
            return ids;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn is_trace_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        && id != "0".repeat(32)
}

#[test]
fn the_clients_trace_id_is_on_the_access_line_and_shown_with_v() {
    let server = Server::start(&[]);
    let addr = server.addr();

    let quiet = run(&["hello", "--addr", &addr]);
    assert!(quiet.status.success());
    assert_eq!(stdout(&quiet), "hello, world\n");
    assert_eq!(stderr(&quiet), "", "nothing new without -v");

    let verbose = run(&["hello", "--addr", &addr, "-v"]);
    assert!(verbose.status.success());
    let sent = stderr(&verbose)
        .lines()
        .find_map(|line| line.strip_prefix("traceparent: ").map(str::to_owned))
        .unwrap_or_else(|| panic!("-v shows no traceparent:\n{}", stderr(&verbose)));
    let sent_id = sent.split('-').nth(1).expect("trace id field").to_owned();
    assert!(is_trace_id(&sent_id), "{sent}");

    let stream = run(&[
        "stream",
        "--addr",
        &addr,
        "-H",
        &format!("traceparent: {TRACEPARENT}"),
    ]);
    assert!(stream.status.success(), "{}", stderr(&stream));

    let ids = logged_trace_ids(&server, 3);
    assert!(is_trace_id(&ids[0]), "{ids:?}");
    assert_ne!(ids[0], sent_id, "each call is a new trace");
    assert_eq!(ids[1], sent_id, "the id -v showed is the one logged");
    assert_eq!(
        ids[2], "4bf92f3577b34da6a3ce929d0e0e4736",
        "a given trace is kept"
    );
}

#[test]
fn an_invalid_traceparent_starts_a_new_trace() {
    let server = Server::start(&[]);
    let bad = "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01";
    let output = run(&[
        "hello",
        "--addr",
        &server.addr(),
        "-H",
        &format!("traceparent: {bad}"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let ids = logged_trace_ids(&server, 1);
    assert!(is_trace_id(&ids[0]), "{ids:?}");
    assert_ne!(ids[0], "4bf92f3577b34da6a3ce929d0e0e4736");
}

/// The interop venv's python (with grpcio and opentelemetry-proto).
fn python() -> &'static PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| common::run_setup("tests/interop/setup.sh").get("PYTHON"))
}

/// The collector stand-in: the spans it received, one JSON object each.
struct Collector {
    child: KillOnDrop,
    port: u16,
    spans: mpsc::Receiver<serde_json::Value>,
}

impl Collector {
    fn start() -> Self {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/otlp_collector.py");
        let mut child = Command::new(python())
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting the collector");
        let out = child.stdout.take().expect("piped stdout");
        let (line_tx, line_rx) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if line_tx.send(line).is_err() {
                    break;
                }
            }
        });
        let first = line_rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the collector announced its port");
        let port = first
            .strip_prefix("listening on ")
            .and_then(|port| port.trim().parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
        let (span_tx, spans) = mpsc::channel();
        thread::spawn(move || {
            while let Ok(line) = line_rx.recv() {
                let span = serde_json::from_str(&line)
                    .unwrap_or_else(|err| panic!("{err}: not JSON: {line}"));
                if span_tx.send(span).is_err() {
                    break;
                }
            }
        });
        Self {
            child: KillOnDrop(child),
            port,
            spans,
        }
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The next span, waiting at most 30 s (a batch leaves within a second).
    fn next_span(&self) -> serde_json::Value {
        self.spans
            .recv_timeout(Duration::from_secs(30))
            .expect("a span reached the collector")
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        drop(self.child.0.stdin.take());
    }
}

fn attributes(span: &serde_json::Value) -> HashMap<String, serde_json::Value> {
    span["attributes"]
        .as_object()
        .map(|map| map.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

#[test]
fn a_span_per_rpc_reaches_the_collector_with_the_callers_trace() {
    let collector = Collector::start();
    let server = Server::start(&[
        "--otlp-endpoint",
        &collector.endpoint(),
        "--token",
        "s3cret",
    ]);
    let addr = server.addr();

    let unix_ns = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_nanos() as u64
    };
    let before_ns = unix_ns();
    let traced = run(&[
        "hello",
        "--addr",
        &addr,
        "--token",
        "s3cret",
        "-H",
        &format!("traceparent: {TRACEPARENT}"),
    ]);
    let after_ns = unix_ns();
    assert!(traced.status.success(), "{}", stderr(&traced));
    let span = collector.next_span();
    assert_eq!(span["name"], "packages.GreetService/sayHello", "{span}");
    assert_eq!(
        span["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736",
        "{span}"
    );
    assert_eq!(span["parent_span_id"], "00f067aa0ba902b7", "{span}");
    assert_eq!(span["kind"], 2, "SPAN_KIND_SERVER: {span}");
    assert_eq!(span["status_code"], 0, "STATUS_CODE_UNSET: {span}");
    assert_eq!(span["service_name"], "grpc-demo", "{span}");
    let attrs = attributes(&span);
    assert_eq!(attrs["rpc.system"], "grpc");
    assert_eq!(attrs["rpc.service"], "packages.GreetService");
    assert_eq!(attrs["rpc.method"], "sayHello");
    assert_eq!(attrs["rpc.grpc.status_code"], 0);
    // Nanoseconds since 1970, within the call as the test saw it.
    let (start, end) = (
        span["start"].as_u64().expect("start"),
        span["end"].as_u64().expect("end"),
    );
    assert!(
        before_ns <= start && start <= end && end <= after_ns,
        "span {start}..{end} outside the call {before_ns}..{after_ns}: {span}"
    );

    // A caller that does not sample its trace gets no span; the next
    // (sampled) RPC's span is the next one to arrive.
    let unsampled = TRACEPARENT.replace("-01", "-00");
    let output = run(&[
        "hello",
        "--addr",
        &addr,
        "--token",
        "s3cret",
        "-H",
        &format!("traceparent: {unsampled}"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));

    // Our client's own traceparent, shown by -v; an error status.
    let verbose = run(&["hello", "--addr", &addr, "-v"]);
    assert_eq!(verbose.status.code(), Some(64 + 16), "{}", stderr(&verbose));
    let sent_id = stderr(&verbose)
        .lines()
        .find_map(|line| line.strip_prefix("traceparent: 00-"))
        .and_then(|rest| rest.split('-').next())
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("-v shows no traceparent:\n{}", stderr(&verbose)));
    let span = collector.next_span();
    assert_eq!(span["trace_id"], sent_id.as_str(), "{span}");
    assert_eq!(span["name"], "packages.GreetService/sayHello", "{span}");
    assert_eq!(attributes(&span)["rpc.grpc.status_code"], 16, "{span}");
    assert_eq!(
        span["status_code"], 0,
        "a client's error, not the server's: {span}"
    );

    let stream = run(&["stream", "--addr", &addr, "--token", "s3cret"]);
    assert!(stream.status.success(), "{}", stderr(&stream));
    let span = collector.next_span();
    assert_eq!(
        span["name"], "packages.MessageService/iter_message",
        "{span}"
    );
    // The parent is the client's span, from the traceparent it sent.
    assert_eq!(
        span["parent_span_id"].as_str().map(str::len),
        Some(16),
        "{span}"
    );

    // grpcio sends no traceparent: a new trace, no parent. An unknown
    // method is a server-side error in OpenTelemetry's terms.
    let probe = Command::new(python())
        .args([
            "-c",
            "import grpc, sys\n\
             channel = grpc.insecure_channel(sys.argv[1])\n\
             try:\n    channel.unary_unary('/packages.NoSuchService/probe')(b'', timeout=10)\n\
             except grpc.RpcError as err:\n    print(err.code().name)\n",
            &addr,
        ])
        .stdin(Stdio::null())
        .output()
        .expect("running python");
    assert_eq!(stdout(&probe), "UNIMPLEMENTED\n", "{}", stderr(&probe));
    let span = collector.next_span();
    assert_eq!(span["name"], "packages.NoSuchService/probe", "{span}");
    assert_eq!(span["parent_span_id"], "", "{span}");
    assert_eq!(span["status_code"], 2, "STATUS_CODE_ERROR: {span}");
    assert_eq!(span["status_message"], "UNIMPLEMENTED", "{span}");
    assert_eq!(attributes(&span)["rpc.grpc.status_code"], 12, "{span}");
}

/// The value of one unlabelled sample in a Prometheus text exposition.
fn sample(metrics_port: u16, name: &str) -> Option<f64> {
    let mut stream = TcpStream::connect(("127.0.0.1", metrics_port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(stream, "GET /metrics HTTP/1.0\r\n\r\n").ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).ok()?;
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[test]
fn with_the_collector_down_rpcs_succeed_and_spans_are_dropped_and_counted() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let server = Server::start(&[
        "--otlp-endpoint",
        &format!("http://127.0.0.1:{port}"),
        "--metrics-addr",
        "127.0.0.1:0",
    ]);
    assert!(server.wait_for_log("/metrics\n", Duration::from_secs(10)));
    let log = server.log();
    let metrics_port: u16 = log
        .split("metrics on http://127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|port| port.parse().ok())
        .expect("metrics port");

    for _ in 0..20 {
        let output = run(&["hello", "--addr", &server.addr()]);
        assert!(output.status.success(), "{}", stderr(&output));
    }
    let started = Instant::now();
    let mut dropped = None;
    while started.elapsed() < Duration::from_secs(60) {
        dropped = sample(metrics_port, "grpc_demo_otlp_spans_dropped_total");
        if dropped == Some(20.0) {
            break;
        }
        thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(dropped, Some(20.0), "{}", server.log());
    assert_eq!(
        sample(metrics_port, "grpc_demo_otlp_spans_exported_total"),
        Some(0.0)
    );
    let log = server.log();
    let warnings = log.lines().filter(|line| line.contains("WARN")).count();
    assert_eq!(warnings, 1, "one warning, no storm:\n{log}");
    assert!(log.contains("exporting spans failed"), "{log}");
}

#[test]
fn an_otlp_endpoint_that_is_not_plaintext_http_is_a_usage_error() {
    for bad in ["https://collector:4317", "collector:4317", "http://"] {
        let output = run(&["serve", "--port", "0", "--otlp-endpoint", bad]);
        assert_eq!(output.status.code(), Some(2), "{bad}: {}", stderr(&output));
        assert!(
            stderr(&output).contains("--otlp-endpoint"),
            "{}",
            stderr(&output)
        );
        assert!(output.stdout.is_empty(), "never listened");
    }
}
