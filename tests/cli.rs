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
    for args in [
        &["hello", "--addr", "ftp://x:1"][..],
        &["hello", "--timeout", "soon"],
        &["hello", "-H", "no colon"],
        &["stream", "--count", "1"],
        &["stream", "--count", "3", "--script", "x"],
        &["hello", "-o", "yaml"],
        &["frobnicate"],
    ] {
        let output = run(args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(stderr(&output).starts_with("error: "), "{args:?}");
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
    let mut child = grpc_demo()
        .args(["serve", "--port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawning serve");
    let mut out = child.stdout.take().expect("piped stdout");
    let line = read_line(&mut out).expect("listening line");
    let port = common::parse_listening_line(&line);
    let ipv6_here = std::net::TcpListener::bind("[::1]:0").is_ok();
    if ipv6_here {
        assert_eq!(line, format!("listening on [::]:{port}"));
    } else {
        eprintln!(
            "SKIPPED the IPv6 half of the_default_host_is_dual_stack: no IPv6 on this machine"
        );
        assert_eq!(line, format!("listening on 0.0.0.0:{port}"));
    }
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
    let _ = child.kill();
    let _ = child.wait();
}
