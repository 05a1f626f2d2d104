//! Interop with real peers: the tutorial's Python grpcio client and server,
//! the Python health client, and grpcurl 1.8.6. The peers are installed by
//! `tests/interop/setup.sh` (pinned versions from PyPI, under target/); a
//! peer that cannot be installed fails these tests, it does not skip them.

mod common;

use std::{
    collections::HashMap,
    io::{BufRead, BufReader, Write},
    path::{Path, PathBuf},
    process::{Child, Command, Output, Stdio},
    sync::OnceLock,
    time::Duration,
};

use common::{read_line, run, stderr, stdout, Server};

struct Peers {
    python: PathBuf,
    pygen: PathBuf,
    grpcurl: PathBuf,
}

fn peers() -> &'static Peers {
    static PEERS: OnceLock<Peers> = OnceLock::new();
    PEERS.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/setup.sh");
        let output = Command::new("bash")
            .arg(&script)
            .stdin(Stdio::null())
            .output()
            .expect("running tests/interop/setup.sh");
        assert!(
            output.status.success(),
            "installing the interop peers failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let vars: HashMap<String, PathBuf> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| line.split_once('='))
            .map(|(k, v)| (k.to_owned(), PathBuf::from(v)))
            .collect();
        let get = |key: &str| {
            vars.get(key)
                .cloned()
                .unwrap_or_else(|| panic!("setup.sh printed no {key}"))
        };
        Peers {
            python: get("PYTHON"),
            pygen: get("PYGEN"),
            grpcurl: get("GRPCURL"),
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
    child: Child,
    addr: String,
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
        Self { child, addr }
    }
}

impl Drop for PythonServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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
    for service in ["", "packages.GreetService", "packages.MessageService"] {
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
