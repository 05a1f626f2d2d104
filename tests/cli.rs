//! End to end: the real binary as server and as client, over loopback.

mod common;

use std::time::{Duration, Instant};

use common::{
    grpc_demo, read_line, run, run_with_stdin, spawn_slow_stream, stderr, stdout, Server,
};

#[test]
fn hello_prints_the_greeting() {
    let server = Server::start(&[]);
    let output = run(&["hello", "--name", "zhangjian", "--addr", &server.addr()]);
    assert_eq!(stdout(&output), "hello, zhangjian\n");
    assert_eq!(stderr(&output), "");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn hello_defaults_to_world_and_accepts_a_scheme() {
    let server = Server::start(&[]);
    let addr = format!("http://{}", server.addr());
    let output = run(&["hello", "--addr", &addr]);
    assert_eq!(stdout(&output), "hello, world\n");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn hello_takes_the_address_from_the_environment() {
    let server = Server::start(&[]);
    let output = grpc_demo()
        .args(["hello", "--name", "env"])
        .env("GRPC_DEMO_ADDR", server.addr())
        .output()
        .expect("running grpc-demo");
    assert_eq!(stdout(&output), "hello, env\n");
}

#[test]
fn hello_json_is_one_line_of_proto3_json() {
    let server = Server::start(&[]);
    let output = run(&[
        "hello",
        "--name",
        "zhangjian",
        "-o",
        "json",
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(stdout(&output), "{\"msg\":\"hello, zhangjian\"}\n");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn the_server_logs_one_line_per_rpc() {
    let server = Server::start(&[]);
    let output = run(&["hello", "--addr", &server.addr()]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        server.wait_for_log(
            "method=/packages.GreetService/sayHello",
            Duration::from_secs(5)
        ),
        "log: {}",
        server.log()
    );
    let log = server.log();
    let line = log
        .lines()
        .find(|line| line.contains("sayHello"))
        .unwrap_or_default();
    assert!(line.contains("status=OK"), "{line}");
    assert!(line.contains("peer=127.0.0.1:"), "{line}");
    assert!(line.contains("duration_us="), "{line}");
}

#[test]
fn stream_prints_one_line_per_response() {
    let server = Server::start(&[]);
    let output = run(&["stream", "--count", "3", "--addr", &server.addr()]);
    assert_eq!(stdout(&output), "200\tstarted\n200\tdoing\n200\tdone\n");
    assert_eq!(stderr(&output), "");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn stream_json_is_ndjson() {
    let server = Server::start(&[]);
    let output = run(&[
        "stream",
        "--count",
        "4",
        "--role",
        "agent",
        "--data",
        "x",
        "-o",
        "json",
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(
        stdout(&output),
        "{\"code\":200,\"message\":\"started\"}\n\
         {\"code\":200,\"message\":\"doing\"}\n\
         {\"code\":200,\"message\":\"doing\"}\n\
         {\"code\":200,\"message\":\"done\"}\n"
    );
}

const SCRIPT: &str = r#"{"msgType":"START","msgIndex":0,"role":"AGENT","data":"hi"}

{"msgType":"PROGRESS","msgIndex":5}
{"msgType":"PROGRESS","msgIndex":1}
{"msgType":"END","msgIndex":2}
"#;

const SCRIPT_ANSWERS: &str =
    "200\tstarted\n400\texpected msgIndex 1, got PROGRESS msgIndex 5\n200\tdoing\n200\tdone\n";

#[test]
fn stream_script_from_a_file() {
    let server = Server::start(&[]);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("script.jsonl");
    std::fs::write(&path, SCRIPT).expect("writing script");
    let path = path.to_string_lossy().into_owned();
    let output = run(&["stream", "--script", &path, "--addr", &server.addr()]);
    assert_eq!(stdout(&output), SCRIPT_ANSWERS);
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn stream_script_from_stdin() {
    let server = Server::start(&[]);
    let output = run_with_stdin(
        &["stream", "--script", "-", "--addr", &server.addr()],
        SCRIPT,
    );
    assert_eq!(stdout(&output), SCRIPT_ANSWERS);
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn messages_after_end_are_not_answered() {
    let server = Server::start(&[]);
    let script = "{\"msgType\":\"START\"}\n{\"msgType\":\"END\",\"msgIndex\":1}\n{\"msgType\":\"PROGRESS\",\"msgIndex\":2}\n";
    let output = run_with_stdin(
        &["stream", "--script", "-", "--addr", &server.addr()],
        script,
    );
    assert_eq!(stdout(&output), "200\tstarted\n200\tdone\n");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn a_bad_script_line_fails_before_connecting() {
    // Port 1 refuses connections: exit 1 (not 78) proves nothing was sent.
    // (A FILE is checked whole first; stdin is sent as it is read.)
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("soon.jsonl");
    std::fs::write(&path, "{\"msgType\":\"START\"}\n\n{\"msgType\":\"SOON\"}\n").expect("write");
    let path = path.to_string_lossy().into_owned();
    let output = run(&["stream", "--script", &path, "--addr", "127.0.0.1:1"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).starts_with(&format!("error: {path}:3:17: ")),
        "{}",
        stderr(&output)
    );
    assert_eq!(stderr(&output).lines().count(), 1);
    assert_eq!(stdout(&output), "");
}

#[test]
fn a_bad_script_line_in_a_file_names_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.jsonl");
    std::fs::write(&path, "{\"msgType\":\"START\"}\nnot json\n").expect("writing script");
    let path = path.to_string_lossy().into_owned();
    let output = run(&["stream", "--script", &path, "--addr", "127.0.0.1:1"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).starts_with(&format!("error: {path}:2:2: ")),
        "{}",
        stderr(&output)
    );
}

#[test]
fn unreadable_scripts_are_local_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir
        .path()
        .join("missing.jsonl")
        .to_string_lossy()
        .into_owned();
    let not_utf8 = dir.path().join("latin1.jsonl");
    std::fs::write(&not_utf8, b"{\"data\":\"caf\xe9\"}\n").expect("writing script");
    let not_utf8 = not_utf8.to_string_lossy().into_owned();
    let directory = dir.path().to_string_lossy().into_owned();
    for (path, expected) in [
        (
            &missing,
            format!("error: reading script {missing}: No such file"),
        ),
        (
            &directory,
            format!("error: reading script {directory}: Is a directory"),
        ),
        (
            &not_utf8,
            format!("error: script {not_utf8} is not UTF-8 text"),
        ),
    ] {
        let output = run(&["stream", "--script", path, "--addr", "127.0.0.1:1"]);
        assert_eq!(output.status.code(), Some(1), "{path}");
        assert!(
            stderr(&output).starts_with(&expected),
            "{}",
            stderr(&output)
        );
        assert_eq!(stderr(&output).lines().count(), 1);
    }
}

#[test]
fn a_server_that_is_not_running_is_unavailable() {
    let output = run(&["hello", "--addr", "http://localhost:1"]);
    assert_eq!(output.status.code(), Some(78));
    assert_eq!(
        stderr(&output),
        "error: UNAVAILABLE: connection refused (http://localhost:1)\n"
    );
    assert_eq!(stdout(&output), "");
}

#[test]
fn errors_are_json_with_json_output() {
    let output = run(&["stream", "-o", "json", "--addr", "127.0.0.1:1"]);
    assert_eq!(output.status.code(), Some(78));
    assert_eq!(
        stderr(&output),
        "{\"code\":\"UNAVAILABLE\",\"code_number\":14,\"message\":\"connection refused (http://127.0.0.1:1)\"}\n"
    );
}

#[test]
fn a_stream_past_its_deadline_exits_68() {
    let server = Server::start(&[]);
    let output = run(&[
        "stream",
        "--count",
        "5",
        "--interval",
        "1s",
        "--timeout",
        "300ms",
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(output.status.code(), Some(68));
    assert_eq!(stdout(&output), "200\tstarted\n");
    assert_eq!(
        stderr(&output),
        "error: DEADLINE_EXCEEDED: deadline of 300ms exceeded\n"
    );
}

#[test]
fn usage_errors_exit_2() {
    for (args, expected) in [
        (
            &["hello", "--addr", "ftp://x:1"][..],
            "error: invalid value 'ftp://x:1' for '--addr <ADDR>': invalid address 'ftp://x:1': scheme 'ftp' is not supported (use http://, https:// or unix://)",
        ),
        (
            &["hello", "--timeout", "soon"],
            "error: invalid value 'soon' for '--timeout <DURATION>': expected number at 0 (examples: 500ms, 2s, 1m)",
        ),
        (
            &["hello", "-H", "no colon"],
            "error: invalid value 'no colon' for '--header <HEADER>': header 'no colon' is not 'key: value'",
        ),
        (
            &["stream", "--count", "1"],
            "error: invalid value '1' for '--count <N>': 1 is not in 2..=4294967295",
        ),
        (
            &["stream", "--count", "3", "--script", "x"],
            "error: the argument '--count <N>' cannot be used with '--script <FILE>'",
        ),
        (
            &["hello", "-o", "yaml"],
            "error: invalid value 'yaml' for '--output <FORMAT>'",
        ),
        (
            &["frobnicate"],
            "error: unrecognized subcommand 'frobnicate'",
        ),
        // serve's conflicts, on loopback should a regression make it serve.
        (
            &["serve", "--host", "127.0.0.1", "--port", "0", "--uds", "/nonexistent/x.sock"],
            "error: the argument '--host <ADDR>' cannot be used with '--uds <PATH>'",
        ),
        (
            &["serve", "--host", "127.0.0.1", "--port", "0", "--tls-cert", "c.pem"],
            "error: the following required arguments were not provided:\n  --tls-key <FILE>\n",
        ),
        (
            &["serve", "--host", "127.0.0.1", "--port", "0", "--token", "t", "--token-file", "f"],
            "error: the argument '--token <TOKEN>' cannot be used with '--token-file <FILE>'",
        ),
    ] {
        // Bounded: a client or server that starts instead fails the test.
        let output = common::run_bounded(args, Duration::from_secs(10));
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.starts_with(expected), "{args:?}: {err}");
        assert_eq!(stdout(&output), "", "{args:?}");
    }
}

#[test]
fn help_documents_the_exit_codes() {
    for args in [&["--help"][..], &["hello", "--help"], &["stream", "--help"]] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(0));
        let help = stdout(&output);
        assert!(help.contains("64+N"), "{args:?}");
        assert!(help.contains("78 UNAVAILABLE"), "{args:?}");
    }
}

#[test]
fn responses_are_printed_as_they_arrive() {
    let server = Server::start(&[]);
    let mut child = spawn_slow_stream(&server, "3", "2s");
    let mut out = child.stdout.take().expect("piped stdout");
    assert_eq!(read_line(&mut out).as_deref(), Some("200\tstarted"));
    // Two more sends are 2s apart: the client is still running, so the
    // first line was not held back until the end.
    assert!(child.try_wait().expect("try_wait").is_none());
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn a_closed_stdout_ends_quietly_with_success() {
    let server = Server::start(&[]);
    let mut child = spawn_slow_stream(&server, "200", "20ms");
    let mut out = child.stdout.take().expect("piped stdout");
    assert_eq!(read_line(&mut out).as_deref(), Some("200\tstarted"));
    drop(out); // like `| head -1`
    let output = child.wait_with_output().expect("waiting for stream");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stderr(&output), "");
}

#[test]
fn sigterm_lets_a_slow_stream_finish_and_the_server_exits_0() {
    let mut server = Server::start(&[]);
    let mut client = spawn_slow_stream(&server, "4", "400ms");
    let mut out = client.stdout.take().expect("piped stdout");
    assert_eq!(read_line(&mut out).as_deref(), Some("200\tstarted"));
    server.signal(libc::SIGTERM);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).expect("reading stream output");
    let output = client.wait_with_output().expect("waiting for stream");
    assert_eq!(rest, "200\tdoing\n200\tdoing\n200\tdone\n");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let status = server.wait(Duration::from_secs(15)).expect("server exited");
    assert_eq!(status.code(), Some(0));
    assert!(server.log().contains("SIGTERM received"));
}

#[test]
fn an_idle_server_exits_0_on_sigint() {
    let mut server = Server::start(&[]);
    let started = Instant::now();
    server.signal(libc::SIGINT);
    let status = server.wait(Duration::from_secs(15)).expect("server exited");
    assert_eq!(status.code(), Some(0));
    // Nothing in flight: the shutdown timeout (10s) is not waited out.
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_busy_port_is_a_local_error() {
    let server = Server::start(&[]);
    let port = server.port.to_string();
    let output = run(&["serve", "--host", "127.0.0.1", "--port", &port]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_default_host_is_dual_stack() {
    let mut child = common::KillOnDrop(
        grpc_demo()
            .args(["serve", "--port", "0"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawning serve"),
    );
    let mut out = child.0.stdout.take().expect("piped stdout");
    let line = read_line(&mut out).expect("listening line");
    let port = common::parse_listening_line(&line);
    // The server falls back to 0.0.0.0 where it cannot bind `::`.
    if std::net::TcpListener::bind("[::]:0").is_ok() {
        assert_eq!(line, format!("listening on [::]:{port}"));
    } else {
        assert_eq!(line, format!("listening on 0.0.0.0:{port}"));
    }
    // A machine without IPv6 loopback fails here rather than skipping the
    // IPv6 half where nobody sees it (cargo test shows a passing test's
    // output to no one); GRPC_DEMO_TEST_NO_IPV6=1 says the skip is meant.
    let ipv6_here = std::net::TcpListener::bind("[::1]:0").is_ok();
    let no_ipv6_meant = std::env::var_os("GRPC_DEMO_TEST_NO_IPV6").is_some_and(|v| v == "1");
    assert!(
        ipv6_here || no_ipv6_meant,
        "no IPv6 on this machine (cannot bind [::1]): the dual-stack half of this \
         test cannot run; set GRPC_DEMO_TEST_NO_IPV6=1 to check only IPv4"
    );
    let mut addrs = vec![format!("127.0.0.1:{port}")];
    if ipv6_here {
        addrs.push(format!("[::1]:{port}"));
    }
    for addr in addrs {
        let output = run(&["hello", "--addr", &addr]);
        assert_eq!(
            stdout(&output),
            "hello, world\n",
            "{addr}: {}",
            stderr(&output)
        );
    }
    drop(child);
}

/// A port nothing listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

fn assert_greets(server: &Server) {
    let output = run(&["hello", "--addr", &server.addr()]);
    assert_eq!(stdout(&output), "hello, world\n", "{}", stderr(&output));
}

#[test]
fn serve_takes_its_port_from_grpc_demo_port() {
    let port = free_port();
    let mut command = grpc_demo();
    command
        .env("GRPC_DEMO_PORT", port.to_string())
        .args(["serve", "--host", "127.0.0.1"]);
    let server = Server::start_command("127.0.0.1", command);
    assert_eq!(server.port, port);
    assert_greets(&server);
    drop(server);
    // --port wins over the variable.
    let mut command = grpc_demo();
    command.env("GRPC_DEMO_PORT", port.to_string()).args([
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
    ]);
    let server = Server::start_command("127.0.0.1", command);
    assert_ne!(server.port, port);
    assert_greets(&server);
}

/// The tokio worker threads of a process (named `tokio-rt-worker`).
fn runtime_workers(pid: i32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .expect("reading /proc/PID/task")
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .filter(|comm| comm.trim_end() == "tokio-rt-worker")
        .count()
}

#[test]
fn serve_workers_sets_the_runtime_threads() {
    // 3: more than this machine's cores may be; 1: a current-thread
    // runtime, no worker thread at all.
    for (workers, threads) in [("3", 3), ("1", 0)] {
        let server = Server::start(&["--workers", workers]);
        let mut seen = 0;
        common::wait_until(Duration::from_secs(5), || {
            seen = runtime_workers(server.pid());
            seen == threads
        });
        assert_eq!(seen, threads, "serve --workers {workers}");
        assert_greets(&server);
    }
}

#[test]
fn a_client_connect_timeout_ends_a_connection_that_never_completes() {
    // A listener whose accept queue (backlog 0: one connection) is full:
    // the kernel drops further SYNs, so a new connection neither succeeds
    // nor fails.
    let listener =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("socket");
    listener
        .bind(&std::net::SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .expect("bind");
    listener.listen(0).expect("listen");
    let addr = listener
        .local_addr()
        .expect("addr")
        .as_socket()
        .expect("inet");
    let mut queued = Vec::new();
    for _ in 0..10 {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(300)) {
            Ok(conn) => queued.push(conn),
            Err(_) => break,
        }
    }
    assert!(queued.len() < 10, "the accept queue never filled");
    let started = Instant::now();
    let output = run(&[
        "hello",
        "--addr",
        &addr.to_string(),
        "--connect-timeout",
        "300ms",
        "--timeout",
        "20s",
    ]);
    let took = started.elapsed();
    assert_eq!(output.status.code(), Some(78), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        format!("error: UNAVAILABLE: connect timed out after 300ms (http://{addr})\n")
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[test]
fn a_local_error_with_json_output_is_a_json_object() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing.jsonl");
    let missing = missing.to_str().expect("utf-8 path");
    let output = run(&[
        "stream",
        "--script",
        missing,
        "-o",
        "json",
        "--addr",
        "127.0.0.1:1",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    let error: serde_json::Value = serde_json::from_str(&err).expect("one JSON object");
    assert_eq!(
        error,
        serde_json::json!({
            "code": "LOCAL_ERROR",
            "code_number": null,
            "message": format!("reading script {missing}: No such file or directory (os error 2)"),
        })
    );
}

#[test]
fn vv_logs_debug_lines_and_rust_log_wins() {
    let debug_lines = |log: &str| log.lines().filter(|line| line.contains(" DEBUG ")).count();
    // Default: info, no debug.
    let server = Server::start(&[]);
    assert_greets(&server);
    assert!(server.wait_for_log(" rpc method=", Duration::from_secs(10)));
    assert_eq!(debug_lines(&server.log()), 0, "{}", server.log());
    drop(server);
    // -vv: debug; and RUST_LOG wins over -v, either way: debug without -v.
    let rust_log_debug = [("RUST_LOG", "debug")];
    for (env, args) in [(&[][..], &["-vv"][..]), (&rust_log_debug[..], &[])] {
        let server = Server::start_with_env(env, args);
        assert_greets(&server);
        assert!(
            server.wait_for_log(" DEBUG ", Duration::from_secs(10)),
            "{env:?} {args:?}: {}",
            server.log()
        );
    }
    // warn with -vv: a call that succeeds logs nothing (its access line is
    // info), one refused for want of a token logs warnings, in that order.
    let server = Server::start_with_env(&[("RUST_LOG", "warn")], &["-vv", "--token", "s3cret"]);
    let output = run(&["hello", "--token", "s3cret", "--addr", &server.addr()]);
    assert_eq!(stdout(&output), "hello, world\n", "{}", stderr(&output));
    let output = run(&["hello", "--addr", &server.addr()]);
    assert_eq!(output.status.code(), Some(80), "{}", stderr(&output));
    assert!(
        server.wait_for_log(" WARN rpc method=", Duration::from_secs(10)),
        "{}",
        server.log()
    );
    let log = server.log();
    assert!(!log.contains(" INFO ") && debug_lines(&log) == 0, "{log}");
}

#[test]
fn compress_zstd_sends_zstd_requests() {
    let server = Server::start(&[]);
    let output = run(&["hello", "--compress", "zstd", "--addr", &server.addr()]);
    assert_eq!(stdout(&output), "hello, world\n", "{}", stderr(&output));
    let output = run(&[
        "stream",
        "--count",
        "2",
        "--compress",
        "zstd",
        "--addr",
        &server.addr(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    // The server's access line names the request's grpc-encoding.
    let logged = |log: &str| {
        log.lines()
            .filter(|line| line.contains(" rpc method="))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    common::wait_until(Duration::from_secs(10), || logged(&server.log()).len() >= 2);
    let lines = logged(&server.log());
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(
        lines.iter().all(|line| line.contains(" encoding=zstd ")),
        "{lines:#?}"
    );
}

#[test]
fn max_concurrent_streams_is_announced_and_held_to() {
    let server = Server::start(&["--max-concurrent-streams", "1"]);
    // SETTINGS_MAX_CONCURRENT_STREAMS (0x3) in the server's first frame.
    let settings = common::server_settings(&server.addr());
    assert!(settings.contains(&(0x3, 1)), "{settings:?}");
    // Three held streams on one connection: the server has them open one
    // after the other, never two at once. Those the client sends before it
    // has the server's SETTINGS are refused (REFUSED_STREAM, UNAVAILABLE
    // to the bench), as HTTP/2 says.
    let output = run(&[
        "bench",
        "stream",
        "--messages",
        "2",
        "--hold",
        "200ms",
        "-n",
        "3",
        "-c",
        "3",
        "--connections",
        "1",
        "-o",
        "json",
        "--addr",
        &server.addr(),
    ]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&output))
        .unwrap_or_else(|err| panic!("bench printed no JSON ({err}): {}", stderr(&output)));
    let ok = report["ok"].as_u64().expect("ok");
    let refused = report["status_codes"]["UNAVAILABLE"].as_u64().unwrap_or(0);
    assert!(ok >= 1 && ok + refused == 3, "{report}");
    let errors = report["errors"].as_object().expect("errors");
    assert!(
        errors.keys().all(|error| error.contains("refused stream")),
        "{report}"
    );
    let iter_message = |log: &str| common::rpc_spans(log, "MessageService/iter_message");
    common::wait_until(Duration::from_secs(10), || {
        iter_message(&server.log()).len() as u64 >= ok
    });
    let mut spans = iter_message(&server.log());
    assert_eq!(spans.len() as u64, ok, "{}", server.log());
    spans.sort();
    for pair in spans.windows(2) {
        assert!(
            pair[1].0 >= pair[0].1,
            "two streams open at once on the server: {spans:?}"
        );
    }
}

#[test]
fn serve_resolves_host_names_as_addr_does() {
    // `--host localhost` and `--metrics-addr localhost:0`: names, resolved
    // to their first address (was: "invalid IP address syntax").
    let server = Server::start_at("localhost", 0, &["--metrics-addr", "localhost:0"]);
    let output = run(&["hello", "--name", "named", "--addr", &server.addr()]);
    assert_eq!(stdout(&output), "hello, named\n", "{}", stderr(&output));
    assert!(
        server.wait_for_log("metrics on http://", Duration::from_secs(10)),
        "{}",
        server.log()
    );
    let unresolvable = common::run_bounded(
        &["serve", "--host", "nosuchhost.invalid"],
        Duration::from_secs(30),
    );
    assert_eq!(unresolvable.status.code(), Some(2));
    assert!(
        stderr(&unresolvable).contains("cannot resolve 'nosuchhost.invalid'"),
        "{}",
        stderr(&unresolvable)
    );
}

#[test]
fn a_socket_path_as_addr_is_told_its_unix_form() {
    let output = run(&["hello", "--addr", "/tmp/grpc-demo.sock"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).starts_with(
            "error: invalid value '/tmp/grpc-demo.sock' for '--addr <ADDR>': invalid address '/tmp/grpc-demo.sock': a Unix socket is unix:///tmp/grpc-demo.sock"
        ),
        "{}",
        stderr(&output)
    );
}
