//! Interop with real peers: the tutorial's Python grpcio client and server,
//! the Python health client, grpcurl 1.8.6 and buf curl, over TCP and over
//! `serve --uds`. The peers are installed by `tests/interop/setup.sh` (pinned
//! versions from PyPI and npm, under target/); a peer that cannot be
//! installed fails these tests, it does not skip them.

mod common;

use std::{
    io::{BufRead, BufReader, Write},
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    sync::OnceLock,
    time::Duration,
};

use common::{read_line, run, stderr, stdout, KillOnDrop, Log, Server, UdsServer};

struct Peers {
    python: PathBuf,
    pygen: PathBuf,
    grpcurl: PathBuf,
    buf: PathBuf,
}

fn peers() -> &'static Peers {
    static PEERS: OnceLock<Peers> = OnceLock::new();
    PEERS.get_or_init(|| {
        let installed = common::run_setup("tests/interop/setup.sh");
        let get = |key: &str| installed.get(key);
        Peers {
            python: get("PYTHON"),
            pygen: get("PYGEN"),
            grpcurl: get("GRPCURL"),
            buf: get("BUF"),
        }
    })
}

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop")
}

/// A Python program from tests/interop with the generated stubs importable.
fn python(script: &str) -> Command {
    let peers = peers();
    let mut command = Command::new(&peers.python);
    command
        .arg(interop_dir().join(script))
        .env("PYTHONPATH", &peers.pygen)
        .env("PYTHONUNBUFFERED", "1")
        .stdin(Stdio::null());
    command
}

fn grpcurl(args: &[&str]) -> Output {
    Command::new(&peers().grpcurl)
        .args(["-plaintext", "-max-time", "10"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("running grpcurl")
}

fn grpcurl_with_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(&peers().grpcurl)
        .args(["-plaintext", "-max-time", "10"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawning grpcurl");
    let mut stdin = child.stdin.take().expect("piped stdin");
    stdin
        .write_all(input.as_bytes())
        .expect("writing grpcurl stdin");
    drop(stdin);
    child.wait_with_output().expect("waiting for grpcurl")
}

/// The tutorial's Python server on a free loopback port, ended on drop.
struct PythonServer {
    _child: KillOnDrop,
    addr: String,
    /// What it printed after the listening line.
    output: Log,
}

impl PythonServer {
    fn start() -> Self {
        let mut child = python("server.py")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawning server.py");
        let mut out = child.stdout.take().expect("piped stdout");
        let line = read_line(&mut out).expect("server.py announced its port");
        let addr = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected line {line:?}"))
            .to_owned();
        Self {
            _child: KillOnDrop(child),
            addr,
            output: Log::collect(out),
        }
    }

    /// Waits until its stdout contains `needle`, at most `limit`.
    fn wait_for_output(&self, needle: &str, limit: Duration) -> bool {
        self.output.wait_for(needle, limit)
    }
}

#[test]
fn the_tutorial_python_client_talks_to_our_server() {
    let server = Server::start(&[]);
    let output = python("client.py")
        .arg(server.addr())
        .output()
        .expect("client.py");
    assert_eq!(
        stdout(&output),
        "hello: hello, zhangjian\nstream: 200 started\nstream: 200 doing\nstream: 200 done\n",
        "{}",
        stderr(&output)
    );
    assert!(output.status.success());
}

#[test]
fn a_gzip_compressed_python_call_is_accepted() {
    let server = Server::start(&[]);
    let output = python("client.py")
        .args([&server.addr(), "--gzip"])
        .output()
        .expect("client.py --gzip");
    assert_eq!(
        stdout(&output),
        "hello: hello, zhangjian\nstream: 200 started\nstream: 200 doing\nstream: 200 done\n",
        "{}",
        stderr(&output)
    );
    // The server saw gzip-encoded requests, not plain ones.
    assert!(
        server.wait_for_log("sayHello peer", Duration::from_secs(5)),
        "{}",
        server.log()
    );
    let log = server.log();
    let line = log
        .lines()
        .find(|l| l.contains("sayHello"))
        .unwrap_or_default();
    assert!(line.contains("encoding=gzip"), "{line}");
}

#[test]
fn our_clients_talk_to_the_tutorial_python_server() {
    let server = PythonServer::start();
    let output = run(&["hello", "--name", "zhangjian", "--addr", &server.addr]);
    assert_eq!(stdout(&output), "hello, zhangjian\n", "{}", stderr(&output));
    assert_eq!(output.status.code(), Some(0));

    let output = run(&["stream", "--count", "3", "--addr", &server.addr]);
    assert_eq!(
        stdout(&output),
        "200\tdoing\n200\tdoing\n200\tdoing\n",
        "{}",
        stderr(&output)
    );
    assert_eq!(output.status.code(), Some(0));

    let output = run(&[
        "stream",
        "--count",
        "2",
        "-o",
        "json",
        "--addr",
        &server.addr,
    ]);
    assert_eq!(
        stdout(&output),
        "{\"code\":200,\"message\":\"doing\"}\n{\"code\":200,\"message\":\"doing\"}\n"
    );
}

#[test]
fn our_gzip_client_talks_to_the_python_server() {
    let server = PythonServer::start();
    let output = run(&[
        "hello",
        "--compress",
        "gzip",
        "--name",
        "gz",
        "--addr",
        &server.addr,
    ]);
    assert_eq!(stdout(&output), "hello, gz\n", "{}", stderr(&output));
    assert_eq!(output.status.code(), Some(0));
    let output = run(&["stream", "--compress", "gzip", "--addr", &server.addr]);
    assert_eq!(
        stdout(&output),
        "200\tdoing\n200\tdoing\n200\tdoing\n",
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_python_health_client_sees_serving() {
    let server = Server::start(&[]);
    for service in [
        "",
        "packages.GreetService",
        "packages.MessageService",
        "packages.StockService",
        "packages.ReportService",
    ] {
        let output = python("health.py")
            .args([&server.addr(), "check", service])
            .output()
            .expect("health.py");
        assert_eq!(
            stdout(&output),
            "SERVING\n",
            "{service:?}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn the_python_health_client_sees_not_serving_during_shutdown() {
    let mut server = Server::start(&["--shutdown-timeout", "3s"]);
    let mut watch = python("health.py")
        .args([&server.addr(), "watch"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("health.py watch");
    let mut out = BufReader::new(watch.stdout.take().expect("piped stdout"));
    let mut line = String::new();
    out.read_line(&mut line).expect("first status");
    assert_eq!(line, "SERVING\n");
    server.signal(libc::SIGTERM);
    line.clear();
    out.read_line(&mut line).expect("second status");
    assert_eq!(line, "NOT_SERVING\n");
    let status = watch.wait().expect("health.py exits");
    assert!(status.success());
    let status = server.wait(Duration::from_secs(15)).expect("server exited");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn grpcurl_lists_the_services() {
    let server = Server::start(&[]);
    let output = grpcurl(&[&server.addr(), "list"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let listed = stdout(&output);
    for service in [
        "packages.GreetService",
        "packages.MessageService",
        "packages.StockService",
        "packages.ReportService",
        "grpc.health.v1.Health",
    ] {
        assert!(
            listed.lines().any(|l| l == service),
            "{service} not in {listed}"
        );
    }
}

#[test]
fn grpcurl_describes_message_request() {
    let server = Server::start(&[]);
    let output = grpcurl(&[&server.addr(), "describe", "packages.MessageRequest"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let described = stdout(&output);
    for field in [
        ".packages.MsgType msgType = 1;",
        "int32 msgIndex = 2;",
        ".packages.Role role = 3;",
        "string data = 4;",
    ] {
        assert!(described.contains(field), "{field} not in {described}");
    }
}

#[test]
fn grpcurl_calls_say_hello() {
    let server = Server::start(&[]);
    let output = grpcurl(&[
        "-d",
        r#"{"name":"x"}"#,
        &server.addr(),
        "packages.GreetService/sayHello",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let value: serde_json::Value =
        serde_json::from_str(&stdout(&output)).expect("JSON from grpcurl");
    assert_eq!(value, serde_json::json!({"msg": "hello, x"}));
}

#[test]
fn grpcurl_streams_three_messages() {
    let server = Server::start(&[]);
    let input = r#"{"msgType":"START","msgIndex":0}
{"msgType":"PROGRESS","msgIndex":1,"role":"AGENT","data":"hi"}
{"msgType":"END","msgIndex":2}"#;
    let output = grpcurl_with_stdin(
        &[
            "-d",
            "@",
            &server.addr(),
            "packages.MessageService/iter_message",
        ],
        input,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let responses: Vec<serde_json::Value> = serde_json::Deserializer::from_str(&stdout(&output))
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("JSON objects from grpcurl");
    assert_eq!(
        responses,
        vec![
            serde_json::json!({"code": 200, "message": "started"}),
            serde_json::json!({"code": 200, "message": "doing"}),
            serde_json::json!({"code": 200, "message": "done"}),
        ]
    );
}

#[test]
fn grpcurl_checks_health() {
    let server = Server::start(&[]);
    let output = grpcurl(&[&server.addr(), "grpc.health.v1.Health/Check"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let value: serde_json::Value =
        serde_json::from_str(&stdout(&output)).expect("JSON from grpcurl");
    assert_eq!(value, serde_json::json!({"status": "SERVING"}));
}

#[test]
fn grpcurl_cannot_list_without_reflection() {
    let server = Server::start(&["--no-reflection"]);
    let output = grpcurl(&[&server.addr(), "list"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("does not support the reflection API"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_python_patterns_client_talks_to_our_server() {
    let server = Server::start(&[]);
    let output = python("patterns_client.py")
        .arg(server.addr())
        .output()
        .expect("patterns_client.py");
    assert_eq!(
        stdout(&output),
        "quote: 1 AAPL 121.18\nquote: 2 AAPL 120.77\nquote: 3 AAPL 121.90\n\
         summary: 3 -1.25 10.0 4.083333333333333 sensor-1,sensor-2\n",
        "{}",
        stderr(&output)
    );
    assert!(output.status.success());
}

#[test]
fn our_watch_and_report_talk_to_the_python_server() {
    let server = PythonServer::start();
    let output = run(&[
        "watch",
        "--symbol",
        "aapl",
        "--count",
        "3",
        "--interval",
        "0s",
        "--addr",
        &server.addr,
    ]);
    assert_eq!(
        stdout(&output),
        "1\tAAPL\t101.00\n2\tAAPL\t102.00\n3\tAAPL\t103.00\n",
        "{}",
        stderr(&output)
    );
    assert_eq!(output.status.code(), Some(0));

    let output = run(&[
        "report",
        "--count",
        "3",
        "--addr",
        &server.addr,
        "-o",
        "json",
    ]);
    assert_eq!(
        stdout(&output),
        "{\"count\":\"3\",\"min\":20.0,\"max\":20.99,\"mean\":20.496666666666666,\"devices\":[\"sensor-1\"]}\n",
        "{}",
        stderr(&output)
    );
    assert_eq!(output.status.code(), Some(0));
}

/// `--readings -` sends each line as it is read: the server has the first
/// reading while the second has not been written yet.
#[test]
fn report_streams_stdin_lines_as_they_are_read() {
    let server = PythonServer::start();
    let mut child = common::grpc_demo()
        .args(["report", "--readings", "-", "--addr", &server.addr])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawning grpc-demo report");
    let mut input = child.stdin.take().expect("piped stdin");
    input
        .write_all(b"{\"device\":\"pipe\",\"value\":1.5}\n")
        .expect("first line");
    input.flush().expect("flush");
    let arrived = server.wait_for_output("reading pipe 1.5\n", Duration::from_secs(20));
    input
        .write_all(b"{\"device\":\"pipe\",\"value\":2.5}\n")
        .expect("second line");
    drop(input);
    let output = child.wait_with_output().expect("report exits");
    assert!(
        arrived,
        "the first reading did not arrive before the second was written"
    );
    assert_eq!(
        stdout(&output),
        "count=2 min=1.5 max=2.5 mean=2 devices=pipe\n",
        "{}",
        stderr(&output)
    );
}

/// grpcurl's JSON for our messages, without the field that is a clock.
fn without_time(output: &Output) -> Vec<serde_json::Value> {
    serde_json::Deserializer::from_str(&stdout(output))
        .into_iter::<serde_json::Value>()
        .map(|value| {
            let mut value = value.expect("JSON objects from grpcurl");
            if let Some(object) = value.as_object_mut() {
                let time = object.remove("timeUnixMs");
                assert!(time.is_some(), "no timeUnixMs in {object:?}");
            }
            value
        })
        .collect()
}

#[test]
fn grpcurl_watches_quotes() {
    let server = Server::start(&[]);
    let output = grpcurl(&[
        "-d",
        r#"{"symbol":"aapl","count":2}"#,
        &server.addr(),
        "packages.StockService/watch",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        without_time(&output),
        vec![
            serde_json::json!({"symbol": "AAPL", "seq": "1", "price": 121.18}),
            serde_json::json!({"symbol": "AAPL", "seq": "2", "price": 120.77}),
        ]
    );
}

#[test]
fn grpcurl_reports_readings() {
    let server = Server::start(&[]);
    let input = r#"{"device":"b","value":2}
{"device":"a","value":-0.5,"timeUnixMs":"1700000000000"}
{"device":"b","value":7}"#;
    let output = grpcurl_with_stdin(
        &["-d", "@", &server.addr(), "packages.ReportService/report"],
        input,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let value: serde_json::Value =
        serde_json::from_str(&stdout(&output)).expect("JSON from grpcurl");
    assert_eq!(
        value,
        serde_json::json!({"count": "3", "min": -0.5, "max": 7, "mean": 2.8333333333333335, "devices": ["a", "b"]})
    );
}

#[test]
fn grpcurl_sees_invalid_arguments_from_the_new_services() {
    let server = Server::start(&[]);
    let output = grpcurl(&[
        "-d",
        r#"{"symbol":"aa$"}"#,
        &server.addr(),
        "packages.StockService/watch",
    ]);
    assert_eq!(output.status.code(), Some(67), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(r#"invalid symbol "aa$": use 1 to 12 characters A-Z, 0-9 or '.'"#),
        "{}",
        stderr(&output)
    );
    let output = grpcurl_with_stdin(
        &["-d", "@", &server.addr(), "packages.ReportService/report"],
        r#"{"device":"a","value":1} {"device":"a","value":"NaN"}"#,
    );
    assert_eq!(output.status.code(), Some(67), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("reading 2: value NaN is not a finite number"),
        "{}",
        stderr(&output)
    );
}

// ---------------------------------------------------------------- Unix sockets
//
// Over a Unix socket, grpcurl (grpc-go) sends the socket path as :authority
// and grpcio (gRPC core) sends it percent-encoded without its leading slash
// (`tmp%2Fx.sock`); neither is a valid URI authority, and h2 used to reset
// such streams with PROTOCOL_ERROR (patches/README.md).

/// `grpc-demo serve --uds` on a socket in a fresh temporary directory; the
/// directory lives as long as the returned guard.
fn uds_server() -> (tempfile::TempDir, PathBuf, UdsServer) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("grpc.sock");
    let server = UdsServer::start(&path);
    (dir, path, server)
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

const PYTHON_CLIENT_OUTPUT: &str =
    "hello: hello, zhangjian\nstream: 200 started\nstream: 200 doing\nstream: 200 done\n";

#[test]
fn grpcurl_lists_and_calls_over_a_unix_socket() {
    let (_dir, path, _server) = uds_server();
    let socket = path_str(&path);

    // grpcurl 1.8 speaks reflection v1alpha, which lists itself, not v1.
    let output = grpcurl(&["-unix", socket, "list"]);
    assert_eq!(
        stdout(&output),
        "grpc.health.v1.Health\n\
         grpc.reflection.v1alpha.ServerReflection\n\
         packages.GreetService\n\
         packages.MessageService\n\
         packages.ReportService\n\
         packages.StockService\n",
        "{}",
        stderr(&output)
    );
    assert_eq!(output.status.code(), Some(0));

    let output = grpcurl(&[
        "-unix",
        "-d",
        r#"{"name":"x"}"#,
        socket,
        "packages.GreetService/sayHello",
    ]);
    assert_eq!(
        stdout(&output),
        "{\n  \"msg\": \"hello, x\"\n}\n",
        "{}",
        stderr(&output)
    );
    assert_eq!(output.status.code(), Some(0));

    let input = r#"{"msgType":"START","msgIndex":0} {"msgType":"END","msgIndex":1}"#;
    let output = grpcurl_with_stdin(
        &[
            "-unix",
            "-d",
            "@",
            socket,
            "packages.MessageService/iter_message",
        ],
        input,
    );
    assert_eq!(
        stdout(&output),
        "{\n  \"code\": 200,\n  \"message\": \"started\"\n}\n\
         {\n  \"code\": 200,\n  \"message\": \"done\"\n}\n",
        "{}",
        stderr(&output)
    );
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn the_tutorial_python_client_talks_over_a_unix_socket() {
    let (_dir, path, _server) = uds_server();
    // unix:///abs/path and unix:/abs/path, both as grpcio documents them.
    for addr in [
        format!("unix://{}", path.display()),
        format!("unix:{}", path.display()),
    ] {
        let output = python("client.py").arg(&addr).output().expect("client.py");
        assert_eq!(
            stdout(&output),
            PYTHON_CLIENT_OUTPUT,
            "{addr}: {}",
            stderr(&output)
        );
        assert!(output.status.success(), "{addr}");
    }
}

/// `buf curl` over the socket, schema from reflection.
fn buf_curl(socket: &str, args: &[&str]) -> Output {
    Command::new(&peers().buf)
        .args(["curl", "--unix-socket", socket])
        .args(["--protocol", "grpc", "--http2-prior-knowledge"])
        .args(["--connect-timeout", "10", "--timeout", "10s"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("running buf curl")
}

#[test]
fn buf_curl_calls_over_a_unix_socket() {
    let (_dir, path, _server) = uds_server();
    let socket = path_str(&path);
    let url = "http://localhost/packages.GreetService/sayHello";

    // buf (Go's HTTP/2 client) sends the URL's host, `localhost`, and
    // refuses a Host with a slash; given the percent-encoded path that gRPC
    // core sends, it passes it on as :authority.
    const SLASH: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS.add(b'/');
    let encoded =
        percent_encoding::utf8_percent_encode(socket.trim_start_matches('/'), SLASH).to_string();
    for host in ["localhost", encoded.as_str()] {
        let output = buf_curl(
            socket,
            &["-H", &format!("Host: {host}"), "-d", r#"{"name":"x"}"#, url],
        );
        assert_eq!(
            stdout(&output),
            "{\n  \"msg\": \"hello, x\"\n}\n",
            "Host: {host}: {}",
            stderr(&output)
        );
        assert_eq!(output.status.code(), Some(0), "Host: {host}");
    }

    let output = buf_curl(socket, &["--list-methods", "http://localhost"]);
    assert_eq!(
        stdout(&output),
        "grpc.health.v1.Health/Check\n\
         grpc.health.v1.Health/Watch\n\
         grpc.reflection.v1.ServerReflection/ServerReflectionInfo\n\
         packages.GreetService/sayHello\n\
         packages.MessageService/iter_message\n\
         packages.ReportService/report\n\
         packages.StockService/watch\n",
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_malformed_authority_is_still_refused_and_logged_at_warn() {
    let (_dir, path, server) = uds_server();
    // Not a socket path: a stray `%` that is no escape.
    let output = python("malformed.py")
        .args([&format!("unix://{}", path.display()), "bad%zz", "1"])
        .output()
        .expect("malformed.py");
    assert_eq!(stdout(&output), "INTERNAL 1\n", "{}", stderr(&output));
    assert!(
        server.wait_for_log("malformed authority", Duration::from_secs(10)),
        "{}",
        server.log()
    );
    let log = server.log();
    let line = log
        .lines()
        .find(|line| line.contains("malformed authority"))
        .unwrap_or_default();
    assert!(line.contains(" WARN "), "{line}");
    assert!(
        line.contains(r#"request refused (PROTOCOL_ERROR): malformed headers: malformed authority (b"bad%zz")"#),
        "{line}"
    );
}

#[test]
fn a_flood_of_malformed_requests_is_logged_at_a_bounded_rate() {
    let (_dir, path, server) = uds_server();
    let requests = 200;
    let started = std::time::Instant::now();
    let output = python("malformed.py")
        .args([
            &format!("unix://{}", path.display()),
            "bad%zz",
            &requests.to_string(),
        ])
        .output()
        .expect("malformed.py");
    let flood_secs = started.elapsed().as_secs();
    assert_eq!(
        stdout(&output),
        format!("INTERNAL {requests}\n"),
        "{}",
        stderr(&output)
    );
    // The rest is counted, and said once a second.
    assert!(
        server.wait_for_log(
            "more warnings from the HTTP/2 layer not logged",
            Duration::from_secs(10)
        ),
        "{}",
        server.log()
    );
    let logged = server
        .log()
        .lines()
        .filter(|line| line.contains("malformed authority"))
        .count();
    // At most 5 a second, whatever the machine's speed: a window for each
    // second the flood lasted, plus the one it started in.
    let allowed = 5 * (usize::try_from(flood_secs).unwrap_or(usize::MAX) + 2);
    assert!(
        (1..=allowed).contains(&logged),
        "{logged} lines for {requests} refusals in {flood_secs}s"
    );
}
