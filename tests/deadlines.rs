//! A `--timeout` shorter than tokio's 1 ms timer resolution, against a server
//! that answers within the millisecond: a deadline that has passed when the
//! answer arrives is DEADLINE_EXCEEDED (exit 68) every time, for every client.

mod common;

use common::{run, stderr, stdout, Server};
use serde_json::Value;

/// Calls per client and deadline: one lucky fast answer must fail the test.
const CALLS: usize = 20;

const TINY_DEADLINES: [&str; 2] = ["1us", "1ns"];

#[test]
fn a_deadline_shorter_than_the_timer_resolution_is_always_exceeded() {
    let server = Server::start(&[]);
    let addr = server.addr();
    let clients: [&[&str]; 4] = [
        &["hello", "--name", "x"],
        &["stream", "--count", "2"],
        &["watch", "--symbol", "aapl", "--count", "1"],
        &["report", "--device", "d", "--count", "1"],
    ];
    for client in clients {
        for timeout in TINY_DEADLINES {
            for call in 0..CALLS {
                let output = run(&[client, &["--addr", &addr, "--timeout", timeout]].concat());
                assert_eq!(
                    output.status.code(),
                    Some(68),
                    "{client:?} --timeout {timeout}, call {call}: stdout {:?}, stderr {:?}",
                    stdout(&output),
                    stderr(&output)
                );
                assert_eq!(
                    stdout(&output),
                    "",
                    "{client:?} printed an answer that came late"
                );
                assert!(
                    stderr(&output).starts_with("error: DEADLINE_EXCEEDED: deadline of "),
                    "{client:?}: {}",
                    stderr(&output)
                );
            }
        }
    }
    // The server answered the calls that reached it: it is still serving.
    let output = run(&["hello", "--name", "after", "--addr", &addr]);
    assert_eq!(stdout(&output), "hello, after\n", "{}", stderr(&output));
}

#[test]
fn bench_counts_every_rpc_past_a_tiny_deadline_as_deadline_exceeded() {
    let server = Server::start(&[]);
    for timeout in TINY_DEADLINES {
        for workload in ["hello", "stream"] {
            let output = run(&[
                "bench",
                workload,
                "-n",
                &CALLS.to_string(),
                "-c",
                "2",
                "--timeout",
                timeout,
                "-o",
                "json",
                "--addr",
                &server.addr(),
            ]);
            let report: Value = serde_json::from_str(&stdout(&output))
                .unwrap_or_else(|err| panic!("no JSON report ({err}): {}", stderr(&output)));
            assert_eq!(report["count"], CALLS, "{workload} {timeout}: {report}");
            assert_eq!(report["ok"], 0, "{workload} {timeout}: {report}");
            assert_eq!(
                report["status_codes"],
                serde_json::json!({ "DEADLINE_EXCEEDED": CALLS }),
                "{workload} {timeout}"
            );
        }
    }
}
