//! The status and exit code a client reports must be the truth:
//! deadlines are DEADLINE_EXCEEDED wherever they pass, an
//! over-size request is RESOURCE_EXHAUSTED, a connection cut mid-RPC is
//! UNAVAILABLE, an address without a port is a usage error, and protocol
//! mismatches get a hint.

mod common;

use std::{net::TcpListener, pin::Pin, process::Stdio, thread, time::Duration};

use common::{grpc_demo, read_line, run, spawn_slow_stream, stderr, stdout, Server};
use grpc_demo::proto::{
    greet_service_server::{GreetService, GreetServiceServer},
    message_service_server::{MessageService, MessageServiceServer},
    HelloRequest, HelloResponse, MessageRequest, MessageResponse,
};
use tokio_stream::Stream;

/// A server whose sayHello takes 10 s and whose iter_message sends its
/// headers only after 10 s.
struct Slow;

type Responses = Pin<Box<dyn Stream<Item = Result<MessageResponse, tonic::Status>> + Send>>;

#[tonic::async_trait]
impl GreetService for Slow {
    async fn say_hello(
        &self,
        _request: tonic::Request<HelloRequest>,
    ) -> Result<tonic::Response<HelloResponse>, tonic::Status> {
        tokio::time::sleep(Duration::from_secs(10)).await;
        Ok(tonic::Response::new(HelloResponse { msg: "late".into() }))
    }
}

#[tonic::async_trait]
impl MessageService for Slow {
    type iter_messageStream = Responses;

    async fn iter_message(
        &self,
        _request: tonic::Request<tonic::Streaming<MessageRequest>>,
    ) -> Result<tonic::Response<Responses>, tonic::Status> {
        tokio::time::sleep(Duration::from_secs(10)).await;
        Ok(tonic::Response::new(Box::pin(tokio_stream::empty())))
    }
}

/// Starts [`Slow`] on a free loopback port in a background thread; the
/// thread ends with the test process.
fn slow_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("local addr");
    listener.set_nonblocking(true).expect("nonblocking");
    thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
            let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
            let _ = tonic::transport::Server::builder()
                .add_service(GreetServiceServer::new(Slow))
                .add_service(MessageServiceServer::new(Slow))
                .serve_with_incoming(incoming)
                .await;
        });
    });
    addr.to_string()
}

/// A TCP listener that accepts connections and never says anything.
fn silent_server() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("local addr").to_string();
    (listener, addr)
}

fn assert_deadline_exceeded(output: &std::process::Output) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(68), "{err}");
    assert!(err.starts_with("error: DEADLINE_EXCEEDED: "), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(stdout(output), "");
}

#[test]
fn connect_timeout_covers_a_server_that_accepts_and_never_speaks_http2() {
    // The kernel accepts (backlog); nothing ever answers the preface.
    let (_listener, addr) = silent_server();
    for client in [
        &["hello"][..],
        &["stream"],
        &["watch", "--symbol", "aapl"],
        &["report", "--device", "d"],
    ] {
        let output = run(&[
            client,
            &[
                "--addr",
                &addr,
                "--timeout",
                "30s",
                "--connect-timeout",
                "300ms",
            ],
        ]
        .concat());
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(78), "{client:?}: {err}");
        assert_eq!(
            err,
            format!("error: UNAVAILABLE: no HTTP/2 answer within 300ms (--connect-timeout) (http://{addr})\n"),
            "{client:?}"
        );
    }
    // bench, and a balanced client whose every endpoint is silent.
    let output = run(&[
        "bench",
        "hello",
        "-n",
        "3",
        "--addr",
        &addr,
        "--timeout",
        "30s",
        "--connect-timeout",
        "300ms",
    ]);
    assert_eq!(output.status.code(), Some(78), "bench: {}", stderr(&output));
    assert!(
        stderr(&output).contains("no HTTP/2 answer within 300ms (--connect-timeout)"),
        "bench: {}",
        stderr(&output)
    );
    let (_second, second) = silent_server();
    let output = run(&[
        "hello",
        "--addr",
        &addr,
        "--addr",
        &second,
        "--timeout",
        "30s",
        "--connect-timeout",
        "300ms",
    ]);
    assert_eq!(
        output.status.code(),
        Some(78),
        "balanced: {}",
        stderr(&output)
    );
    let err = stderr(&output);
    assert!(
        err.starts_with("error: UNAVAILABLE: no endpoint is up: "),
        "{err}"
    );
    assert_eq!(
        err.matches("no HTTP/2 answer within 300ms (--connect-timeout)")
            .count(),
        2,
        "{err}"
    );
}

#[test]
fn a_unary_deadline_before_the_response_exits_68() {
    let addr = slow_server();
    let output = run(&["hello", "--addr", &addr, "--timeout", "500ms"]);
    assert_deadline_exceeded(&output);
}

#[test]
fn a_tiny_deadline_exits_68() {
    let addr = slow_server();
    for client in [&["hello"][..], &["stream"][..]] {
        let output = run(&[client, &["--addr", &addr, "--timeout", "1us"]].concat());
        assert_deadline_exceeded(&output);
    }
}

#[test]
fn a_stream_deadline_before_the_headers_exits_68() {
    let addr = slow_server();
    let output = run(&["stream", "--addr", &addr, "--timeout", "500ms"]);
    assert_deadline_exceeded(&output);
}

#[test]
fn a_stream_deadline_between_messages_exits_68() {
    let server = Server::start(&[]);
    let output = run(&[
        "stream",
        "--count",
        "5",
        "--interval",
        "400ms",
        "--timeout",
        "1s",
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(output.status.code(), Some(68), "{}", stderr(&output));
    assert!(stdout(&output).starts_with("200\tstarted\n"));
    assert!(stderr(&output).starts_with("error: DEADLINE_EXCEEDED: "));
}

#[test]
fn a_deadline_while_connecting_exits_68() {
    // The TCP connect succeeds, the HTTP/2 handshake never completes.
    let (_listener, addr) = silent_server();
    for client in ["hello", "stream"] {
        let output = run(&[client, "--addr", &addr, "--timeout", "500ms"]);
        assert_deadline_exceeded(&output);
    }
}

#[test]
fn a_request_over_the_clients_own_limit_is_resource_exhausted() {
    let server = Server::start(&[]);
    let output = run(&[
        "hello",
        "--name",
        "zhangjian",
        "--max-message-size",
        "4",
        "--addr",
        &server.addr(),
    ]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(72), "{err}");
    assert_eq!(
        err,
        "error: RESOURCE_EXHAUSTED: trying to send a message larger than the limit (11 bytes > 4 bytes, --max-message-size)\n"
    );
    // Nothing reached the server: once the access line of a second call
    // is logged (lines come in the order the RPCs ended), it is the only
    // sayHello line.
    let output = run(&["hello", "--addr", &server.addr()]);
    assert_eq!(stdout(&output), "hello, world\n");
    let say_hello = || {
        server
            .log()
            .lines()
            .filter(|line| line.contains(" rpc method=/packages.GreetService/sayHello "))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert!(
        common::wait_until(Duration::from_secs(10), || !say_hello().is_empty()),
        "the second call was never logged:\n{}",
        server.log()
    );
    let lines = say_hello();
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(lines[0].contains(" status=OK "), "{lines:#?}");
}

#[test]
fn a_script_line_over_the_default_limit_is_resource_exhausted() {
    let server = Server::start(&["--max-message-size", "100MiB"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("big.jsonl");
    let big = "y".repeat(5_000_000);
    std::fs::write(
        &script,
        format!("{{\"msgType\":\"START\",\"data\":\"{big}\"}}\n"),
    )
    .expect("write");
    let output = run(&[
        "stream",
        "--script",
        &script.to_string_lossy(),
        "--addr",
        &server.addr(),
    ]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(72), "{err}");
    assert!(
        err.starts_with("error: RESOURCE_EXHAUSTED: trying to send a message larger than the limit (5000005 bytes > 4194304 bytes"),
        "{err}"
    );
}

#[test]
fn a_stream_cut_by_the_servers_shutdown_is_unavailable() {
    let mut server = Server::start(&["--shutdown-timeout", "300ms"]);
    let mut client = spawn_slow_stream(&server, "20", "1s");
    let mut out = client.stdout.take().expect("stdout");
    assert_eq!(read_line(&mut out).as_deref(), Some("200\tstarted"));
    server.signal(libc::SIGTERM);
    assert_eq!(
        server.wait(Duration::from_secs(15)).and_then(|s| s.code()),
        Some(0)
    );
    let output = client.wait_with_output().expect("client");
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(78), "{err}");
    assert!(err.starts_with("error: UNAVAILABLE: "), "{err}");
    assert!(err.contains("connection closed by the server"), "{err}");
    // The server had answered in HTTP/2: no hint about TLS or the protocol.
    assert!(!err.contains("https://"), "{err}");
}

#[test]
fn an_address_without_a_port_is_a_usage_error() {
    for addr in ["localhost", "http://localhost", "127.0.0.1", "[::1]"] {
        let output = run(&["hello", "--addr", addr]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{addr}: {err}");
        assert!(err.contains("missing port"), "{addr}: {err}");
    }
    // https:// has a well-known port, as in grpcurl.
    assert!(grpc_demo::client::Target::parse("https://localhost").is_ok());
}

#[test]
fn an_address_without_a_port_in_the_environment_names_the_variable() {
    let output = grpc_demo()
        .arg("hello")
        .env("GRPC_DEMO_ADDR", "localhost")
        .output()
        .expect("run");
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains("GRPC_DEMO_ADDR"), "{err}");
    assert!(err.contains("missing port"), "{err}");
}

#[test]
fn a_plaintext_client_to_an_http1_server_gets_a_hint() {
    // A real HTTP/1 server: Python's http.server.
    let port = {
        let probe = TcpListener::bind("127.0.0.1:0").expect("bind");
        probe.local_addr().expect("addr").port()
    };
    let http1 = std::process::Command::new("python3")
        .args([
            "-m",
            "http.server",
            "--bind",
            "127.0.0.1",
            &port.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 -m http.server");
    let _http1 = common::KillOnDrop(http1);
    // Listening once it accepts a connection (its banner on stdout is
    // block-buffered when stdout is a pipe, unless PYTHONUNBUFFERED is set).
    let addr = format!("127.0.0.1:{port}");
    assert!(
        common::wait_for_port(&addr, Duration::from_secs(30)),
        "python3 -m http.server never listened on {addr}"
    );
    let output = run(&["hello", "--addr", &addr, "--timeout", "5s"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(78), "{err}");
    // Whether the client reads its 505 answer (not HTTP/2 frames) or finds
    // the connection closed first, one text.
    assert!(err.contains("the server did not answer with HTTP/2: is it a TLS server (use https://), at its --max-connections limit, or not a gRPC server?"), "{err}");
    assert!(err.contains(&addr), "{err}");
}

#[test]
fn a_connection_closed_at_once_gets_a_hint() {
    let server = Server::start(&["--max-connections", "1"]);
    // A connection with an RPC in flight: a full server closes idle
    // connections to make room, but not this one.
    let held = common::busy_connection(&server.addr());
    let output = run(&["hello", "--addr", &server.addr(), "--timeout", "5s"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(78), "{err}");
    assert!(err.contains("--max-connections"), "{err}");
    drop(held);
}
