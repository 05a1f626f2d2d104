//! The clients' edges a person meets at the terminal: a stream of any
//! length is generated as it is sent (memory stays flat, Ctrl-C ends it at
//! once), and a stream, like `watch` and `report`, has no deadline unless
//! `--timeout` asks for one; `--timeout 0s` means none for every client.

mod common;

use std::{
    io::{BufRead, BufReader},
    process::Stdio,
    sync::mpsc,
    thread,
    time::Duration,
};

use common::{grpc_demo, proc_status_kib, run, stderr, stdout, KillOnDrop, Server};

/// Far more messages than fit in memory if they were built up front
/// (100 million MessageRequests are several GiB in a Vec).
const HUGE_COUNT: &str = "100000000";

#[test]
fn a_huge_counted_stream_starts_at_once_stays_small_and_ctrl_c_ends_it() {
    let server = Server::start(&["--access-log", "off"]);
    let mut client = KillOnDrop(
        grpc_demo()
            .args(["stream", "--count", HUGE_COUNT, "--addr", &server.addr()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawning grpc-demo stream"),
    );
    // Answers flow from the start: the messages are made as they are sent.
    let answers_pipe = client.0.stdout.take().expect("piped stdout");
    let (lines_tx, lines_rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(answers_pipe).lines() {
            let Ok(line) = line else { break };
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let first = lines_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the first answer within 10 s of a huge --count");
    assert_eq!(first, "200\tstarted");
    // Thousands of answers later, memory is what a small stream uses.
    let mut answers = 1;
    while answers < 20_000 {
        lines_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("answers keep coming");
        answers += 1;
    }
    let peak_kib = proc_status_kib(client.pid(), "VmHWM");
    assert!(
        peak_kib < 100 * 1024,
        "peak RSS {peak_kib} KiB for a lazily made stream"
    );
    // Ctrl-C: exit 130 at once, not after the stream.
    client.signal(libc::SIGINT);
    let status = client.wait(Duration::from_secs(5));
    assert_eq!(
        status.and_then(|status| status.code()),
        Some(130),
        "Ctrl-C must end a running stream with 130"
    );
    // The server is unharmed.
    let output = run(&["hello", "--name", "after", "--addr", &server.addr()]);
    assert_eq!(stdout(&output), "hello, after\n", "{}", stderr(&output));
}

#[test]
fn an_over_size_counted_message_is_refused_before_connecting() {
    // No server at all: the size check comes first, as for a script.
    let data = "x".repeat(2000);
    let output = run(&[
        "stream",
        "--count",
        HUGE_COUNT,
        "--data",
        &data,
        "--max-message-size",
        "1KiB",
        "--addr",
        "127.0.0.1:1",
    ]);
    assert_eq!(output.status.code(), Some(72), "{}", stderr(&output));
    assert!(
        stderr(&output).starts_with(
            "error: RESOURCE_EXHAUSTED: trying to send a message larger than the limit"
        ),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_stream_has_no_default_deadline() {
    let server = Server::start(&[]);
    // 3 messages 5.5 s apart: 11 s, past the 10 s that unary calls get.
    let output = run(&[
        "stream",
        "--count",
        "3",
        "--interval",
        "5500ms",
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "200\tstarted\n200\tdoing\n200\tdone\n");
}

#[test]
fn timeout_zero_means_no_deadline_for_every_client() {
    let server = Server::start(&[]);
    let addr = server.addr();
    let cases: [(&[&str], &str); 4] = [
        (&["hello", "--name", "z"], "hello, z\n"),
        (&["stream", "--count", "2"], "200\tstarted\n200\tdone\n"),
        (&["watch", "--symbol", "aapl", "--count", "1"], "1\tAAPL\t"),
        (&["report", "--device", "d", "--count", "2"], "count=2 "),
    ];
    for (client, expected) in cases {
        let output = run(&[client, &["--timeout", "0s", "--addr", &addr]].concat());
        assert_eq!(
            output.status.code(),
            Some(0),
            "{client:?}: {}",
            stderr(&output)
        );
        assert!(
            stdout(&output).starts_with(expected),
            "{client:?}: {:?}",
            stdout(&output)
        );
    }
    // And `--help` says so.
    for client in ["hello", "stream", "watch", "report"] {
        let help = stdout(&run(&[client, "--help"]));
        assert!(help.contains("0s: none"), "{client} --help:\n{help}");
    }
}

#[test]
fn usage_errors_are_json_with_o_json_for_every_subcommand() {
    // clap's own errors (a bad value), in every spelling of the flag.
    for args in [
        &["hello", "--addr", "localhost", "-o", "json"][..],
        &["stream", "--count", "1", "--output=json"],
        &["watch", "-ojson", "--interval", "soon"],
        &["report", "--output", "json", "--count", "many"],
        &["bench", "hello", "-o", "json", "-n", "lots"],
    ] {
        let output = run(args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(stdout(&output), "", "{args:?}");
        let line = stderr(&output);
        let value: serde_json::Value = serde_json::from_str(line.trim_end())
            .unwrap_or_else(|err| panic!("{args:?}: not one JSON line ({err}): {line}"));
        assert_eq!(value["code"], "USAGE_ERROR", "{args:?}: {line}");
        assert_eq!(value["code_number"], serde_json::Value::Null);
        let message = value["message"].as_str().unwrap_or_default();
        assert!(message.starts_with("invalid value"), "{args:?}: {message}");
        assert_eq!(line.lines().count(), 1, "{args:?}: {line}");
    }
    // Our own usage errors (flags that do not fit together) too.
    let output = run(&[
        "hello",
        "--ca",
        "/nonexistent.pem",
        "--addr",
        "127.0.0.1:1",
        "-o",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let value: serde_json::Value =
        serde_json::from_str(stderr(&output).trim_end()).expect("one JSON line");
    assert_eq!(value["code"], "USAGE_ERROR");
    // Without -o json: clap's usual text.
    let output = run(&["hello", "--addr", "localhost"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).starts_with("error: invalid value 'localhost' for '--addr"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_bad_grpc_demo_port_is_named_and_help_shows_no_empty_value() {
    // Fails before binding (either way), so it cannot hang.
    let output = grpc_demo()
        .env("GRPC_DEMO_PORT", "abc")
        .args(["serve", "--host", "127.0.0.1"])
        .output()
        .expect("running grpc-demo serve");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "error: GRPC_DEMO_PORT: invalid port 'abc' (a number from 0 to 65535)\n"
    );
    let help = stdout(&run(&["serve", "--help"]));
    assert!(help.contains("[env: GRPC_DEMO_PORT]"), "{help}");
    assert!(!help.contains("GRPC_DEMO_PORT="), "{help}");
}

#[test]
fn report_takes_its_readings_with_d_as_hello_and_watch_take_requests() {
    let server = Server::start(&[]);
    let addr = server.addr();
    let readings = "{\"device\":\"a\",\"value\":1}\n{\"device\":\"b\",\"value\":3}\n";
    let dir = tempfile::tempdir().expect("scratch directory");
    let file = dir.path().join("readings.ndjson");
    std::fs::write(&file, readings).expect("writing readings");
    let at_file = format!("@{}", file.display());
    for output in [
        run(&["report", "--addr", &addr, "-d", readings]),
        run(&["report", "--addr", &addr, "-d", &at_file]),
        common::run_with_stdin(&["report", "--addr", &addr, "-d", "@-"], readings),
    ] {
        assert_eq!(
            stdout(&output),
            "count=2 min=1 max=3 mean=2 devices=a,b\n",
            "{}",
            stderr(&output)
        );
    }
    let output = run(&[
        "report",
        "--addr",
        &addr,
        "-d",
        "{\"device\":\"a\",\"value\":x}",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).starts_with("error: -d:1:"),
        "{}",
        stderr(&output)
    );
}
