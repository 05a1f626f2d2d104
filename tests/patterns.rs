//! The server-streaming and client-streaming patterns end to end: our
//! `watch` and `report` clients against our server (the real binary), with
//! cancellation, deadlines, Ctrl-C, bad input and memory under a long
//! stream. Interop with Python and grpcurl is in tests/interop.rs.

mod common;

use std::{
    io::{Read, Write},
    process::{Command, Stdio},
    time::Duration,
};

use common::{
    grpc_demo, proc_status_kib, read_line, run, run_with_stdin, stderr, stdout, Server, BIN,
};

#[test]
fn watch_prints_each_quote_as_text() {
    let server = Server::start(&[]);
    let output = run(&[
        "watch",
        "--symbol",
        "aapl",
        "--count",
        "3",
        "--interval",
        "0s",
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(
        stdout(&output),
        "1\tAAPL\t121.18\n2\tAAPL\t120.77\n3\tAAPL\t121.90\n",
        "{}",
        stderr(&output)
    );
    assert_eq!(stderr(&output), "");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn watch_prints_proto3_json_per_line() {
    let server = Server::start(&[]);
    let output = run(&[
        "watch",
        "--symbol",
        "BRK.B",
        "--count",
        "2",
        "--interval",
        "10ms",
        "-o",
        "json",
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let quotes: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect();
    assert_eq!(quotes.len(), 2);
    for (index, quote) in quotes.iter().enumerate() {
        assert_eq!(quote["symbol"], "BRK.B");
        assert_eq!(quote["seq"], (index + 1).to_string());
        assert!(quote["price"].as_f64().is_some_and(|p| p > 0.0), "{quote}");
        let time: i64 = quote["timeUnixMs"]
            .as_str()
            .and_then(|t| t.parse().ok())
            .expect("timeUnixMs is an int64 string");
        assert!(time > 1_600_000_000_000, "{quote}");
    }
}

/// `watch -d` as `hello -d`: inline, @FILE, @- (stdin); fields left out
/// are proto3's zeros.
#[test]
fn watch_takes_the_request_as_json_inline_from_a_file_and_from_stdin() {
    let server = Server::start(&[]);
    let three = "1\tAAPL\t121.18\n2\tAAPL\t120.77\n3\tAAPL\t121.90\n";
    let output = run(&[
        "watch",
        "-d",
        r#"{"symbol":"aapl","count":3}"#,
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(stdout(&output), three, "{}", stderr(&output));
    assert_eq!(output.status.code(), Some(0));

    let dir = tempfile::tempdir().expect("tempdir");
    let body = dir.path().join("request.json");
    std::fs::write(
        &body,
        "{\n  \"symbol\": \"aapl\",\n  \"count\": 2,\n  \"intervalMs\": 10\n}\n",
    )
    .expect("write");
    let at_file = format!("@{}", body.display());
    let output = run(&["watch", "--data", &at_file, "--addr", &server.addr()]);
    assert_eq!(
        stdout(&output),
        "1\tAAPL\t121.18\n2\tAAPL\t120.77\n",
        "{}",
        stderr(&output)
    );

    let output = run_with_stdin(
        &["watch", "-d", "@-", "-o", "json", "--addr", &server.addr()],
        r#"{"symbol":"BRK.B","count":1}"#,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let quote: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("one quote");
    assert_eq!(
        (&quote["symbol"], &quote["seq"]),
        (&"BRK.B".into(), &"1".into())
    );
}

#[test]
fn bad_watch_json_is_a_local_error_and_excludes_the_flags() {
    let output = run(&["watch", "-d", r#"{"symbol": 5}"#, "--addr", "localhost:1"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.starts_with("error: invalid request in -d:1:"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    for flag in [["--symbol", "x"], ["--count", "1"], ["--interval", "1s"]] {
        let output = run(&["watch", "-d", "{}", flag[0], flag[1]]);
        assert_eq!(output.status.code(), Some(2), "{flag:?}");
    }
    // Without -d, --symbol is required.
    let output = run(&["watch", "--count", "1"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--symbol <SYMBOL>"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_bad_symbol_is_invalid_argument() {
    let server = Server::start(&[]);
    let output = run(&["watch", "--symbol", "aa$", "--addr", &server.addr()]);
    assert_eq!(stdout(&output), "");
    assert_eq!(
        stderr(&output),
        "error: INVALID_ARGUMENT: invalid symbol \"aa$\": use 1 to 12 characters A-Z, 0-9 or '.'\n"
    );
    assert_eq!(output.status.code(), Some(67));
}

/// `watch --count 0 | head -3`: three quotes, exit 0, and the server ends
/// the stream (CANCELLED) and drops its producer instead of serving a gone
/// client.
#[test]
fn head_ends_an_endless_watch_and_the_server_stops() {
    let server = Server::start(&["-v"]);
    let script = format!(
        "'{BIN}' watch --symbol aapl --count 0 --interval 0s --addr {} | head -3; echo \"watch exit ${{PIPESTATUS[0]}}\"",
        server.addr()
    );
    let output = Command::new("bash")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .env_remove("GRPC_DEMO_ADDR")
        .env_remove("GRPC_DEMO_TOKEN")
        .output()
        .expect("bash");
    assert_eq!(
        stdout(&output),
        "1\tAAPL\t121.18\n2\tAAPL\t120.77\n3\tAAPL\t121.90\nwatch exit 0\n",
        "{}",
        stderr(&output)
    );
    assert_eq!(stderr(&output), "");
    for event in ["method=/packages.StockService/watch", "watch stream ended"] {
        assert!(
            server.wait_for_log(event, Duration::from_secs(20)),
            "{}",
            server.log()
        );
    }
    let log = server.log();
    let access = log
        .lines()
        .find(|line| line.contains("method=/packages.StockService/watch"))
        .unwrap_or_default();
    assert!(access.contains("status=CANCELLED"), "{log}");
    // The producer is gone: the number of quotes it made is final.
    let ended = log
        .lines()
        .find(|line| line.contains("watch stream ended"))
        .unwrap_or_default();
    assert!(ended.contains("symbol=AAPL"), "{ended}");
}

#[test]
fn a_deadline_ends_an_endless_watch_with_68() {
    let server = Server::start(&[]);
    let output = run(&[
        "watch",
        "--symbol",
        "X",
        "--count",
        "0",
        "--interval",
        "20ms",
        "--timeout",
        "300ms",
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(output.status.code(), Some(68), "{}", stderr(&output));
    assert!(
        stderr(&output).starts_with("error: DEADLINE_EXCEEDED: "),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).starts_with("1\tX\t"), "{}", stdout(&output));
    assert!(
        server.wait_for_log("StockService/watch", Duration::from_secs(10)),
        "{}",
        server.log()
    );
}

/// Ctrl-C during `watch --count 0`: exit 130, no error line.
#[test]
fn ctrl_c_ends_a_watch_with_130() {
    let server = Server::start(&[]);
    let mut child = grpc_demo()
        .args([
            "watch",
            "--symbol",
            "X",
            "--count",
            "0",
            "--interval",
            "20ms",
            "--addr",
            &server.addr(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawning grpc-demo watch");
    let mut out = child.stdout.take().expect("piped stdout");
    let first = read_line(&mut out).expect("a first quote");
    assert!(first.starts_with("1\tX\t"), "{first}");
    let pid = i32::try_from(child.id()).expect("pid fits i32");
    // SAFETY: kill(2) on the PID of a child we started and still own.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let status = child.wait().expect("watch exits");
    assert_eq!(status.code(), Some(130));
    let mut rest = String::new();
    out.read_to_string(&mut rest).expect("rest of stdout");
    assert!(
        rest.lines().all(|line| line.split('\t').count() == 3),
        "{rest}"
    );
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("piped stderr")
        .read_to_string(&mut err)
        .expect("stderr");
    assert_eq!(err, "");
    assert!(
        server.wait_for_log("status=CANCELLED", Duration::from_secs(10)),
        "{}",
        server.log()
    );
}

#[test]
fn report_prints_the_summary_of_synthetic_readings() {
    let server = Server::start(&[]);
    let output = run(&[
        "report",
        "--device",
        "sensor-1",
        "--count",
        "100",
        "--interval",
        "1ms",
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(
        stdout(&output),
        "count=100 min=15 max=25 mean=20.9323 devices=sensor-1\n",
        "{}",
        stderr(&output)
    );
    assert_eq!(output.status.code(), Some(0));
    let output = run(&[
        "report",
        "--count",
        "0",
        "-o",
        "json",
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(
        stdout(&output),
        "{\"count\":\"0\",\"min\":0.0,\"max\":0.0,\"mean\":0.0,\"devices\":[]}\n",
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_report_that_goes_quiet_is_ended_and_a_steady_one_is_not() {
    // A reading every 150 ms for 1.5 s: never quiet for the 1 s timeout
    // (a wide margin: the machine may stall the client for a while).
    let steady = Server::start(&["--idle-stream-timeout", "1s"]);
    let output = run(&[
        "report",
        "--count",
        "10",
        "--interval",
        "150ms",
        "--addr",
        &steady.addr(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).starts_with("count=10 "),
        "{}",
        stdout(&output)
    );
    // One reading, then 2 s of silence.
    let server = Server::start(&["--idle-stream-timeout", "400ms"]);
    let output = run(&[
        "report",
        "--count",
        "2",
        "--interval",
        "2s",
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(output.status.code(), Some(68), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "error: DEADLINE_EXCEEDED: no message for 400ms (--idle-stream-timeout)\n"
    );
    assert!(server.wait_for_log(
        "report stream sent nothing for the idle timeout",
        Duration::from_secs(5)
    ));
}

#[test]
fn report_sends_a_readings_file() {
    let server = Server::start(&[]);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("readings.ndjson");
    std::fs::write(
        &path,
        "{\"device\":\"b\",\"value\":2}\n\n{\"device\":\"a\",\"value\":-0.5,\"timeUnixMs\":\"1700000000000\"}\n{\"device\":\"b\",\"value\":7}\n",
    )
    .expect("writing readings");
    let path = path.to_string_lossy().into_owned();
    let output = run(&["report", "--readings", &path, "--addr", &server.addr()]);
    assert_eq!(
        stdout(&output),
        "count=3 min=-0.5 max=7 mean=2.83333 devices=a,b\n",
        "{}",
        stderr(&output)
    );
    assert_eq!(output.status.code(), Some(0));
}

/// A bad line: `error: FILE:LINE: why`, exit 1, and the RPC is cancelled
/// rather than half-closed, so the server summarises nothing.
#[test]
fn a_bad_readings_line_cancels_the_report() {
    let server = Server::start(&["--metrics-addr", "127.0.0.1:0"]);
    let metrics = common::metrics_port(&server);
    let mut child = grpc_demo()
        .args(["report", "--readings", "-", "--addr", &server.addr()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawning grpc-demo report");
    let mut input = child.stdin.take().expect("piped stdin");
    input
        .write_all(b"{\"device\":\"a\",\"value\":1}\n\n")
        .expect("writing stdin");
    input.flush().expect("flush");
    // The bad line must come after the RPC has reached the server, or there
    // is nothing on the server to cancel: the server counts it in flight.
    common::wait_for_sample(metrics, "grpc_server_in_flight_streams", 1.0);
    input
        .write_all(b"{\"device\":\"a\",\"value\":oops}\n")
        .expect("writing stdin");
    let output = child.wait_with_output().expect("report exits");
    drop(input);
    assert_eq!(stdout(&output), "");
    assert_eq!(stderr(&output), "error: <stdin>:3:23: expected value\n");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        server.wait_for_log("ReportService/report", Duration::from_secs(10)),
        "{}",
        server.log()
    );
    let log = server.log();
    let access = log
        .lines()
        .find(|line| line.contains("ReportService/report"))
        .unwrap_or_default();
    assert!(access.contains("status=CANCELLED"), "{access}");
}

#[test]
fn nan_values_and_empty_devices_are_refused_by_position() {
    let server = Server::start(&[]);
    for (input, message) in [
        (
            "{\"device\":\"a\",\"value\":1}\n{\"device\":\"a\",\"value\":\"NaN\"}\n",
            "error: INVALID_ARGUMENT: reading 2: value NaN is not a finite number\n",
        ),
        (
            "{\"device\":\"\",\"value\":1}\n",
            "error: INVALID_ARGUMENT: reading 1: device is empty\n",
        ),
        (
            "{\"value\":3}\n",
            "error: INVALID_ARGUMENT: reading 1: device is empty\n",
        ),
    ] {
        let output = common::run_with_stdin(
            &["report", "--readings", "-", "--addr", &server.addr()],
            input,
        );
        assert_eq!(stderr(&output), message, "{input}");
        assert_eq!(stdout(&output), "", "{input}");
        assert_eq!(output.status.code(), Some(67), "{input}");
    }
}

/// A million readings in one stream: the server's memory stays flat (it
/// keeps a running summary, not the readings). No timing involved: the
/// bound is on peak resident memory, with a generous margin.
#[test]
fn a_million_readings_keep_the_server_flat() {
    let server = Server::start(&[]);
    // Warm up: the first RPC allocates the connection's buffers.
    let output = run(&["report", "--count", "1000", "--addr", &server.addr()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let before = proc_status_kib(server.pid(), "VmHWM");
    let output = run(&["report", "--count", "1000000", "--addr", &server.addr()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).starts_with("count=1000000 min=15 max=25 mean="),
        "{}",
        stdout(&output)
    );
    let peak = proc_status_kib(server.pid(), "VmHWM");
    // Keeping the readings would take well over 40 MiB (40+ bytes each).
    assert!(
        peak < before + 16 * 1024,
        "peak RSS grew from {before} KiB to {peak} KiB"
    );
}

#[test]
fn the_new_services_need_the_token_too() {
    let server = Server::start(&["--token", "s3cret"]);
    let output = run(&["report", "--addr", &server.addr()]);
    assert_eq!(output.status.code(), Some(80), "{}", stderr(&output));
    let output = run(&["watch", "--symbol", "X", "--addr", &server.addr()]);
    assert_eq!(output.status.code(), Some(80), "{}", stderr(&output));
    let output = run(&[
        "watch",
        "--symbol",
        "X",
        "--count",
        "1",
        "--token",
        "s3cret",
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn bench_watch_and_report_count_streams_and_messages() {
    let server = Server::start(&[]);
    for (workload, messages) in [("watch", 50), ("report", 300)] {
        let output = run(&[
            "bench",
            workload,
            "--messages",
            &messages.to_string(),
            "-n",
            "30",
            "-c",
            "4",
            "--connections",
            "2",
            "-o",
            "json",
            "--addr",
            &server.addr(),
        ]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let report: serde_json::Value =
            serde_json::from_str(&stdout(&output)).expect("one JSON report");
        assert_eq!(report["workload"], workload);
        assert_eq!(report["count"], 30);
        assert_eq!(report["ok"], 30, "{report}");
        assert_eq!(report["messages"], 30 * messages);
        assert_eq!(report["messages_per_stream"], messages);
    }
    // The server saw every stream end with OK.
    let method_ok = |method: &str| {
        server
            .log()
            .lines()
            .filter(|line| line.contains(method) && line.contains("status=OK"))
            .count()
    };
    assert!(server.wait_for_log("ReportService/report", Duration::from_secs(10)));
    let mut waited = 0;
    while method_ok("ReportService/report") < 30 && waited < 100 {
        std::thread::sleep(Duration::from_millis(50));
        waited += 1;
    }
    assert_eq!(method_ok("StockService/watch"), 30, "{}", server.log());
    assert_eq!(method_ok("ReportService/report"), 30, "{}", server.log());
}
