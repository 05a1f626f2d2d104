//! What a scripting user of grpcurl expects: a live
//! `--script -`, `-d` request bodies, `-v` headers and trailers, binary
//! metadata, `--authority`, script error positions, help texts, and a
//! server that takes a SIGTERM at any moment gracefully.

mod common;

use std::{
    io::Write,
    process::Stdio,
    thread,
    time::{Duration, Instant},
};

use common::{grpc_demo, read_line, run, run_with_stdin, stderr, stdout, Server};
use grpc_demo::proto::{
    greet_service_server::{GreetService, GreetServiceServer},
    HelloRequest, HelloResponse,
};

// ------------------------------------------------------------ --script -

/// The lines a child prints on stdout, read by a thread, so that a test can
/// wait for the next one with a bound (a client that waits for the end of
/// its input would otherwise hang the test).
struct Lines(std::sync::mpsc::Receiver<String>);

impl Lines {
    fn of(stdout: std::process::ChildStdout) -> Self {
        let (sender, receiver) = std::sync::mpsc::channel();
        thread::spawn(move || {
            let mut stdout = stdout;
            while let Some(line) = read_line(&mut stdout) {
                if sender.send(line).is_err() {
                    return;
                }
            }
        });
        Self(receiver)
    }

    /// The next line, or `None` after 20 s without one (or at the end).
    fn next(&self) -> Option<String> {
        self.0.recv_timeout(Duration::from_secs(20)).ok()
    }
}

#[test]
fn a_stdin_script_is_sent_line_by_line_and_answered_as_it_goes() {
    let server = Server::start(&[]);
    let mut child = grpc_demo()
        .args(["stream", "--script", "-", "--addr", &server.addr()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut input = child.stdin.take().expect("stdin");
    let out = Lines::of(child.stdout.take().expect("stdout"));
    writeln!(input, r#"{{"msgType":"START","msgIndex":0}}"#).expect("write");
    input.flush().expect("flush");
    // The answer arrives while stdin is still open.
    let started = out.next();
    if started.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    assert_eq!(started.as_deref(), Some("200\tstarted"));
    writeln!(input, r#"{{"msgType":"progress","msgIndex":1}}"#).expect("write");
    input.flush().expect("flush");
    assert_eq!(out.next().as_deref(), Some("200\tdoing"));
    writeln!(input, r#"{{"msgType":"END","msgIndex":2}}"#).expect("write");
    drop(input);
    assert_eq!(out.next().as_deref(), Some("200\tdone"));
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn a_bad_stdin_line_ends_the_stream_after_what_was_sent() {
    let server = Server::start(&[]);
    let mut child = grpc_demo()
        .args(["stream", "--script", "-", "--addr", &server.addr()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut input = child.stdin.take().expect("stdin");
    let out = Lines::of(child.stdout.take().expect("stdout"));
    writeln!(input, r#"{{"msgType":"START","msgIndex":0}}"#).expect("write");
    input.flush().expect("flush");
    let started = out.next();
    if started.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    assert_eq!(started.as_deref(), Some("200\tstarted"));
    writeln!(input, r#"{{"msgType":"PROGRES","msgIndex":1}}"#).expect("write");
    input.flush().expect("flush");
    // Ends without waiting for the end of input.
    let output = child.wait_with_output().expect("wait");
    drop(input);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(out.next(), None, "nothing more on stdout");
    assert_eq!(
        stderr(&output),
        "error: <stdin>:2:20: unrecognized enum value 'PROGRES'\n"
    );
}

#[test]
fn a_script_file_is_still_checked_whole_before_sending() {
    let server = Server::start(&[]);
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("bad.jsonl");
    std::fs::write(
        &script,
        "{\"msgType\":\"START\",\"msgIndex\":0}\n{\"msgType\":\"PROGRES\",\"msgIndex\":1}\n",
    )
    .expect("write");
    let script = script.to_string_lossy().into_owned();
    let output = run(&["stream", "--script", &script, "--addr", &server.addr()]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "", "nothing was sent");
    assert_eq!(
        stderr(&output),
        format!("error: {script}:2:20: unrecognized enum value 'PROGRES'\n")
    );
}

#[test]
fn roles_are_accepted_in_any_case_on_the_cli_and_in_scripts() {
    let server = Server::start(&[]);
    let output = run(&["stream", "--role", "AGENT", "--addr", &server.addr()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let output = run_with_stdin(
        &["stream", "--script", "-", "--addr", &server.addr()],
        "{\"msgType\":\"start\",\"role\":\"agent\"}\n{\"msgType\":\"end\",\"msgIndex\":1,\"role\":\"Agent\"}\n",
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "200\tstarted\n200\tdone\n");
}

// ------------------------------------------------------------ -d

#[test]
fn hello_takes_the_request_as_json_inline_from_a_file_and_from_stdin() {
    let server = Server::start(&[]);
    let output = run(&["hello", "-d", r#"{"name":"x"}"#, "--addr", &server.addr()]);
    assert_eq!(stdout(&output), "hello, x\n", "{}", stderr(&output));

    // 3 MB: more than a command line takes.
    let dir = tempfile::tempdir().expect("tempdir");
    let body = dir.path().join("request.json");
    let name = "n".repeat(3_000_000);
    std::fs::write(&body, format!("{{\n  \"name\": \"{name}\"\n}}\n")).expect("write");
    let at_file = format!("@{}", body.display());
    let output = run(&["hello", "-d", &at_file, "--addr", &server.addr()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), format!("hello, {name}\n"));

    let output = run_with_stdin(
        &["hello", "-d", "@-", "--addr", &server.addr(), "-o", "json"],
        r#"{"name":"from stdin"}"#,
    );
    assert_eq!(stdout(&output), "{\"msg\":\"hello, from stdin\"}\n");
}

#[test]
fn bad_request_json_is_a_local_error_naming_the_position() {
    let output = run(&["hello", "-d", "{\"name\": 5}", "--addr", "localhost:1"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.starts_with("error: invalid request in -d:1:"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let output = run(&["hello", "-d", "@/nonexistent/x.json"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("reading -d @/nonexistent/x.json"));
    // -d and --name do not go together.
    let output = run(&["hello", "-d", "{}", "--name", "x"]);
    assert_eq!(output.status.code(), Some(2));
}

// ------------------------------------------------------------ -v, -bin, --authority

/// A GreetService that answers with what it saw: the `:authority` and the
/// binary `x-id-bin` metadata.
#[derive(Clone)]
struct Echo;

#[tonic::async_trait]
impl GreetService for Echo {
    async fn say_hello(
        &self,
        request: tonic::Request<HelloRequest>,
    ) -> Result<tonic::Response<HelloResponse>, tonic::Status> {
        let authority = request
            .metadata()
            .get("x-seen-authority")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("none")
            .to_owned();
        let binary = request
            .metadata()
            .get_bin("x-id-bin")
            .and_then(|v| v.to_bytes().ok())
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_else(|| "none".to_owned());
        let mut response = tonic::Response::new(HelloResponse {
            msg: format!("authority={authority} bin={binary}"),
        });
        response
            .metadata_mut()
            .insert("x-echo-header", "on-the-headers".parse().expect("ascii"));
        Ok(response)
    }
}

/// Runs [`Echo`] on a free loopback port; `:authority` is copied into
/// metadata by a layer (tonic hides the URI from services).
fn echo_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    listener.set_nonblocking(true).expect("nonblocking");
    thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
            let copy_authority = tower::layer::layer_fn(|inner| CopyAuthority { inner });
            let _ = tonic::transport::Server::builder()
                .layer(copy_authority)
                .add_service(GreetServiceServer::new(Echo))
                .serve_with_incoming(incoming)
                .await;
        });
    });
    addr.to_string()
}

#[derive(Clone)]
struct CopyAuthority<S> {
    inner: S,
}

impl<S, B> tower::Service<http::Request<B>> for CopyAuthority<S>
where
    S: tower::Service<http::Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        let authority = request
            .uri()
            .authority()
            .map(|a| a.to_string())
            .unwrap_or_default();
        if let Ok(value) = http::HeaderValue::from_str(&authority) {
            request.headers_mut().insert("x-seen-authority", value);
        }
        self.inner.call(request)
    }
}

#[test]
fn binary_metadata_reaches_the_server_decoded() {
    let addr = echo_server();
    let output = run(&["hello", "-H", "x-id-bin: aGVsbG8=", "--addr", &addr]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).ends_with("bin=hello\n"),
        "{}",
        stdout(&output)
    );
    let output = run(&["hello", "-H", "x-id-bin: %%%", "--addr", &addr]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("must be base64"));
}

#[test]
fn authority_overrides_the_authority_sent() {
    let addr = echo_server();
    let output = run(&["hello", "--addr", &addr]);
    assert_eq!(
        stdout(&output),
        format!("authority={addr} bin=none\n"),
        "{}",
        stderr(&output)
    );
    let output = run(&[
        "hello",
        "--authority",
        "greeter.example:443",
        "--addr",
        &addr,
    ]);
    assert_eq!(
        stdout(&output),
        "authority=greeter.example:443 bin=none\n",
        "{}",
        stderr(&output)
    );
    let output = run(&["hello", "--authority", "bad authority", "--addr", &addr]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn verbose_shows_metadata_headers_and_trailers_on_stderr() {
    let addr = echo_server();
    let output = run(&["hello", "-v", "-H", "x-request-id: 42", "--addr", &addr]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), format!("authority={addr} bin=none\n"));
    let err = stderr(&output);
    let sent = err.find("Request metadata to send:\n").expect(&err);
    let headers = err.find("Response headers received:\n").expect(&err);
    let trailers = err.find("Response trailers received:\n").expect(&err);
    assert!(sent < headers && headers < trailers, "{err}");
    assert!(err[sent..headers].contains("x-request-id: 42\n"), "{err}");
    assert!(
        err[headers..trailers].contains("x-echo-header: on-the-headers\n"),
        "{err}"
    );
    assert!(
        err[headers..trailers].contains("content-type: application/grpc\n"),
        "{err}"
    );
    // The token is not shown.
    let output = run(&["hello", "-v", "--token", "s3cret", "--addr", &addr]);
    assert!(!stderr(&output).contains("s3cret"), "{}", stderr(&output));
    assert!(stderr(&output).contains("authorization: <hidden>"));
}

#[test]
fn verbose_stream_shows_headers_and_trailers() {
    let server = Server::start(&[]);
    let output = run(&["stream", "-v", "--addr", &server.addr()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "200\tstarted\n200\tdoing\n200\tdone\n");
    let err = stderr(&output);
    assert!(err.contains("Response headers received:\n"), "{err}");
    assert!(err.contains("Response trailers received:\n"), "{err}");
}

// ------------------------------------------------------------ help

#[test]
fn each_subcommands_output_help_says_what_it_prints() {
    let hello = stdout(&run(&["hello", "--help"]));
    assert!(hello.contains("text: the greeting alone"), "{hello}");
    let stream = stdout(&run(&["stream", "--help"]));
    assert!(
        stream.contains("text: CODE<TAB>MESSAGE per response"),
        "{stream}"
    );
    for (help, flag) in [
        (&hello, "--authority"),
        (&hello, "--insecure"),
        (&hello, "--data"),
    ] {
        assert!(help.contains(flag), "{flag} missing from --help");
    }
}

// ------------------------------------------------------------ signals

/// Whether `signal` is in the blocked (held pending) set of process `pid`.
fn holds_signal(pid: i32, signal: i32) -> bool {
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
        return false;
    };
    status
        .lines()
        .find_map(|line| line.strip_prefix("SigBlk:"))
        .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .is_some_and(|mask| mask & (1 << (signal - 1)) != 0)
}

/// A signal that reaches `serve` at any moment once it runs — here, as
/// early as it can be observed running, long before its handlers and its
/// listener exist — is a graceful shutdown (exit 0), not death by signal.
/// (A signal that arrives before the program's first instruction, during
/// `exec` or to the shell's forked child, can be handled by no program.)
#[test]
fn a_sigterm_right_after_start_is_a_graceful_shutdown() {
    for signal in [
        libc::SIGTERM,
        libc::SIGINT,
        libc::SIGTERM,
        libc::SIGINT,
        libc::SIGTERM,
    ] {
        let mut child = grpc_demo()
            .args(["serve", "--host", "127.0.0.1", "--port", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        let pid = i32::try_from(child.id()).expect("pid");
        let started = Instant::now();
        while !holds_signal(pid, signal) && started.elapsed() < Duration::from_secs(5) {
            std::hint::spin_loop();
        }
        let held = holds_signal(pid, signal);
        // SAFETY: kill(2) on the PID of a child we started and still own.
        unsafe { libc::kill(pid, signal) };
        let status = loop {
            if let Some(status) = child.try_wait().expect("try_wait") {
                break Some(status);
            }
            if started.elapsed() > Duration::from_secs(20) {
                break None;
            }
            thread::sleep(Duration::from_millis(10));
        };
        let Some(status) = status else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server did not exit after signal {signal}");
        };
        assert!(held, "the server never held signal {signal} while starting");
        assert_eq!(status.code(), Some(0), "signal {signal}: {status:?}");
    }
}
