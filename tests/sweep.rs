//! `grpc-demo bench --sweep` against a live server: a row per step, with
//! the setting asked for, in text, JSON lines and CSV; the early stop; the
//! plot; Ctrl-C. (Speed is measured by bench/compare.sh, never asserted.)

mod common;

use std::{
    io::{BufRead, BufReader},
    process::Stdio,
    sync::mpsc,
    thread,
    time::Duration,
};

use common::{grpc_demo, run, run_bounded, stderr, stdout, KillOnDrop, Server};
use serde_json::Value;

/// The JSON rows of a sweep's stdout.
fn rows(output: &std::process::Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|err| panic!("not JSON ({err}): {line}"))
        })
        .collect()
}

#[test]
fn a_concurrency_sweep_runs_one_step_per_value() {
    let server = Server::start(&[]);
    let output = run(&[
        "bench",
        "hello",
        "--sweep",
        "concurrency=1,2,4",
        "-n",
        "40",
        "-o",
        "json",
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let rows = rows(&output);
    assert_eq!(rows.len(), 3, "{}", stdout(&output));
    for (index, (row, concurrency)) in rows.iter().zip([1, 2, 4]).enumerate() {
        assert_eq!(row["step"], index + 1, "{row}");
        assert_eq!(row["setting"], "concurrency", "{row}");
        assert_eq!(row["value"], f64::from(concurrency), "{row}");
        assert_eq!(row["concurrency"], concurrency, "{row}");
        assert_eq!(row["ok"], 40, "{row}");
        assert_eq!(row["workload"], "hello", "{row}");
    }
}

#[test]
fn a_log_range_is_spread_by_ratios() {
    let server = Server::start(&[]);
    let output = run(&[
        "bench",
        "hello",
        "--sweep",
        "concurrency=1..64",
        "--steps",
        "4",
        "--steps-scale",
        "log",
        "-n",
        "64",
        "-o",
        "json",
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let concurrency: Vec<u64> = rows(&output)
        .iter()
        .filter_map(|row| row["concurrency"].as_u64())
        .collect();
    assert_eq!(concurrency, [1, 4, 16, 64]);
}

/// The peer of each sayHello in a server's access log, in log order.
fn hello_peers(log: &str) -> Vec<String> {
    log.lines()
        .filter(|line| line.contains(" method=/packages.GreetService/sayHello "))
        .filter_map(|line| {
            let peer = line.split_once(" peer=")?.1;
            Some(peer.split_whitespace().next()?.to_owned())
        })
        .collect()
}

#[test]
fn a_connections_sweep_opens_that_many_connections_per_step() {
    let server = Server::start(&[]);
    let dir = tempfile::tempdir().expect("scratch directory");
    let plot = dir.path().join("connections.svg");
    let output = run(&[
        "bench",
        "hello",
        "--sweep",
        "connections=1..4",
        "--steps",
        "3",
        "-c",
        "4",
        "-n",
        "100",
        "-o",
        "json",
        "--plot",
        plot.to_str().expect("UTF-8 path"),
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let rows = rows(&output);
    assert_eq!(rows.len(), 3, "{}", stdout(&output));
    // 1..4 in 3 linear steps: 1, 2.5 (rounded to 3), 4.
    for (index, (row, connections)) in rows.iter().zip([1, 3, 4]).enumerate() {
        assert_eq!(row["step"], index + 1, "{row}");
        assert_eq!(row["setting"], "connections", "{row}");
        assert_eq!(row["value"], f64::from(connections), "{row}");
        assert_eq!(row["connections"], connections, "{row}");
        assert_eq!(row["concurrency"], 4, "{row}");
        assert_eq!(row["ok"], 100, "{row}");
    }
    // The server saw them: each step's 100 calls (the steps run one after
    // the other) came from that many client ports.
    let logged = |log: &str| hello_peers(log).len() == 300;
    assert!(
        common::wait_until(Duration::from_secs(10), || logged(&server.log())),
        "{}",
        server.log()
    );
    let peers = hello_peers(&server.log());
    let per_step: Vec<usize> = peers
        .chunks(100)
        .map(|step| step.iter().collect::<std::collections::BTreeSet<_>>().len())
        .collect();
    assert_eq!(per_step, [1, 3, 4], "{peers:?}");
    let texts = svg_texts(&std::fs::read_to_string(&plot).expect("the plot was written"));
    for label in ["throughput (RPCs/s)", "connections (HTTP/2)", "p99"] {
        assert!(
            texts.iter().any(|text| text == label),
            "no {label:?} in {texts:?}"
        );
    }
    assert!(
        texts
            .iter()
            .any(|text| text.contains(": closed loop, c=4, -n 100 per step")),
        "the title gives the fixed settings: {texts:?}"
    );

    // CSV and text: the setting's name and each step's connections.
    let addr = server.addr();
    let two_steps = |format: &[&str]| {
        let mut args = vec![
            "bench",
            "hello",
            "--sweep",
            "connections=1,2",
            "-c",
            "2",
            "-n",
            "20",
            "--addr",
            &addr,
        ];
        args.extend_from_slice(format);
        let output = run(&args);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let text = stdout(&output);
        assert_eq!(text.lines().count(), 3, "{text}");
        text
    };
    let text = two_steps(&["-o", "csv"]);
    let lines: Vec<&str> = text.lines().collect();
    for (line, connections) in lines[1..].iter().zip(["1", "2"]) {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields[1..3], ["connections", connections], "{line}");
    }
    let text = two_steps(&[]);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0]
            .split_whitespace()
            .take(3)
            .eq(["step", "connections", "achieved/s"]),
        "{text}"
    );
    assert!(lines[2].split_whitespace().take(2).eq(["2", "2"]), "{text}");
}

#[test]
fn a_rate_sweep_in_csv_has_a_header_and_a_line_per_step() {
    let server = Server::start(&[]);
    let output = run(&[
        "bench",
        "hello",
        "--sweep",
        "rate=100..300",
        "--steps",
        "3",
        "-n",
        "30",
        "-o",
        "csv",
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(&header[..3], ["step", "setting", "value"], "{text}");
    let column = |name: &str| {
        header
            .iter()
            .position(|field| *field == name)
            .unwrap_or_else(|| panic!("no {name} column: {text}"))
    };
    for (line, rate) in lines[1..].iter().zip(["100", "200", "300"]) {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), header.len(), "{line}");
        assert_eq!(fields[column("setting")], "rate", "{line}");
        assert_eq!(fields[column("value")], rate, "{line}");
        assert_eq!(fields[column("ok")], "30", "{line}");
        let achieved: f64 = fields[column("achieved_rate_per_sec")]
            .parse()
            .unwrap_or(0.0);
        assert!(achieved > 0.0, "{line}");
    }
    // Text: a header, then a row per step.
    let output = run(&[
        "bench",
        "hello",
        "--sweep",
        "rate=100,200",
        "-n",
        "20",
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].split_whitespace().eq([
            "step",
            "rate",
            "achieved/s",
            "ok",
            "failed",
            "p50",
            "p90",
            "p99",
            "p99.9"
        ]),
        "{text}"
    );
    assert!(lines[2].trim_start().starts_with("2 "), "{text}");
}

#[test]
fn stop_at_ends_the_sweep_after_the_first_step_past_it() {
    let server = Server::start(&[]);
    // Every RPC fails (a deadline nothing meets): errors>1% holds at once.
    let output = run(&[
        "bench",
        "hello",
        "--sweep",
        "concurrency=1,2,4",
        "-n",
        "20",
        "--timeout",
        "1ns",
        "--stop-at",
        "errors>1%",
        "-o",
        "json",
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(rows(&output).len(), 1, "{}", stdout(&output));
    assert_eq!(
        stderr(&output),
        "sweep ended after step 1 of 3: errors 100.00% > 1.00% (--stop-at)\n"
    );
    // Every RPC takes longer than a nanosecond.
    let output = run(&[
        "bench",
        "hello",
        "--sweep",
        "rate=50,100",
        "-n",
        "10",
        "--stop-at",
        "p99>1ns",
        "--stop-at",
        "errors>50%",
        "-o",
        "json",
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(rows(&output).len(), 1, "{}", stdout(&output));
    assert!(
        stderr(&output).starts_with("sweep ended after step 1 of 2: p99 "),
        "{}",
        stderr(&output)
    );
    // Not reached: every step runs.
    let output = run(&[
        "bench",
        "hello",
        "--sweep",
        "concurrency=1,2",
        "-n",
        "10",
        "--stop-at",
        "p99>1h",
        "-o",
        "json",
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(rows(&output).len(), 2, "{}", stdout(&output));
    assert_eq!(stderr(&output), "");
}

/// The text of an SVG's <text> elements, trimmed.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|rest| {
            let body = rest.split_once('>')?.1;
            Some(body.split_once("</text>")?.0.trim().to_owned())
        })
        .collect()
}

#[test]
fn plot_draws_the_curves_with_labels_and_a_legend() {
    let server = Server::start(&[]);
    let dir = tempfile::tempdir().expect("scratch directory");
    let rate_plot = dir.path().join("rate.svg");
    let output = run(&[
        "bench",
        "hello",
        "--sweep",
        "rate=100..300",
        "--steps",
        "3",
        "-n",
        "30",
        "-o",
        "json",
        "--plot",
        rate_plot.to_str().expect("UTF-8 path"),
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let svg = std::fs::read_to_string(&rate_plot).expect("the plot was written");
    assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(200)]);
    let texts = svg_texts(&svg);
    for label in [
        "achieved rate (RPCs/s)",
        "latency (ms, log scale)",
        "p50",
        "p90",
        "p99",
        "p99.9",
    ] {
        assert!(
            texts.iter().any(|text| text == label),
            "no {label:?} in {texts:?}"
        );
    }
    assert!(
        texts
            .iter()
            .any(|text| text.starts_with("grpc-demo bench hello against ")
                && text.contains(&server.addr())),
        "a title naming the server: {texts:?}"
    );
    // One line per percentile, through a point per step.
    assert!(svg.matches("<circle").count() >= 4 * 3, "{svg}");

    let concurrency_plot = dir.path().join("concurrency.svg");
    let output = run(&[
        "bench",
        "hello",
        "--sweep",
        "concurrency=1,2,4",
        "-n",
        "30",
        "-o",
        "json",
        "--plot",
        concurrency_plot.to_str().expect("UTF-8 path"),
        "--plot-server",
        "the test server",
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let texts = svg_texts(&std::fs::read_to_string(&concurrency_plot).expect("written"));
    assert!(
        texts
            .iter()
            .any(|text| text.starts_with("grpc-demo bench hello against the test server: ")),
        "the title names the server: {texts:?}"
    );
    for label in ["throughput (RPCs/s)", "concurrency (RPCs in flight)", "p99"] {
        assert!(
            texts.iter().any(|text| text == label),
            "no {label:?} in {texts:?}"
        );
    }
}

#[test]
fn ctrl_c_stops_the_sweep_and_keeps_its_rows_and_plot() {
    let server = Server::start(&[]);
    let dir = tempfile::tempdir().expect("scratch directory");
    let plot = dir.path().join("sweep.svg");
    let mut child = KillOnDrop(
        grpc_demo()
            .args([
                "bench",
                "hello",
                "--sweep",
                "concurrency=1,2,3",
                "-z",
                "1s",
                "-o",
                "json",
            ])
            .args(["--plot", plot.to_str().expect("UTF-8 path")])
            .args(["--addr", &server.addr()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawning bench"),
    );
    let out = child.0.stdout.take().expect("stdout");
    let (lines_tx, lines) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    // The first step's row, then Ctrl-C during the second.
    let first = lines
        .recv_timeout(Duration::from_secs(30))
        .expect("the first step's row");
    let pid = i32::try_from(child.0.id()).expect("pid fits i32");
    // SAFETY: kill(2) on the PID of a child we started and still own.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let status = child.wait(Duration::from_secs(30));
    assert_eq!(status.and_then(|status| status.code()), Some(130));
    let rest: Vec<String> = lines.try_iter().collect();
    let first: Value = serde_json::from_str(&first).expect("a JSON row");
    assert_eq!(first["interrupted"], false, "{first}");
    assert_eq!(rest.len(), 1, "the interrupted step's row: {rest:?}");
    let second: Value = serde_json::from_str(&rest[0]).expect("a JSON row");
    assert_eq!(second["interrupted"], true, "{second}");
    assert_eq!(second["concurrency"], 2, "{second}");
    assert!(
        std::fs::read_to_string(&plot).is_ok_and(|svg| svg.starts_with("<svg")),
        "the plot is written after Ctrl-C"
    );
}

#[test]
fn sweep_usage_errors_say_what_is_wrong() {
    let limit = Duration::from_secs(30);
    for (args, message) in [
        (
            &["bench", "hello", "--sweep", "speed=1..2"][..],
            "error: invalid value 'speed=1..2' for '--sweep <SWEEP>': cannot sweep 'speed': the settings are rate, concurrency and connections",
        ),
        (
            &["bench", "hello", "--sweep", "connections=1,4,16", "-c", "8"][..],
            "error: --sweep connections=…: a step of 16 connections needs at least 16 RPCs in flight (one per connection), and -c is 8; give -c 16 or more",
        ),
        (
            &["bench", "hello", "--sweep", "rate=1k..2k", "--rate", "10"][..],
            "error: --rate and --sweep rate=… both set the rate",
        ),
        (
            &["bench", "hello", "--sweep", "rate=1k,2k", "--plot", "out.png"][..],
            "error: --plot out.png: the plot is drawn as SVG (FILE.svg); a browser or rsvg-convert makes a PNG of it",
        ),
        (
            &["hello", "-o", "csv"][..],
            "error: -o csv is for bench --sweep (a line per step); use -o json",
        ),
        (
            &["bench", "hello", "--stop-at", "p99>1ms"][..],
            "error: the following required arguments were not provided:",
        ),
    ] {
        let output = run_bounded(args, limit);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
        assert!(
            stderr(&output).starts_with(message),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(stdout(&output), "", "{args:?}");
    }
}
