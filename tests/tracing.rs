//! W3C trace context end to end: our clients send a `traceparent`, the
//! server keeps the caller's trace (or starts one) and logs its id on the
//! access line.

mod common;

use std::time::Duration;

use common::{run, stderr, stdout, Server};

const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

/// The trace ids of the server's access lines so far.
fn logged_trace_ids(server: &Server, expected: usize) -> Vec<String> {
    let started = std::time::Instant::now();
    loop {
        let ids: Vec<String> = server
            .log()
            .lines()
            .filter(|line| line.contains(" rpc method="))
            .map(|line| {
                line.split(" trace_id=")
                    .nth(1)
                    .unwrap_or_else(|| panic!("no trace id on {line}"))
                    .trim()
                    .to_owned()
            })
            .collect();
        if ids.len() >= expected || started.elapsed() > Duration::from_secs(10) {
            assert_eq!(ids.len(), expected, "{}", server.log());
            return ids;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn is_trace_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        && id != "0".repeat(32)
}

#[test]
fn the_clients_trace_id_is_on_the_access_line_and_shown_with_v() {
    let server = Server::start(&[]);
    let addr = server.addr();

    let quiet = run(&["hello", "--addr", &addr]);
    assert!(quiet.status.success());
    assert_eq!(stdout(&quiet), "hello, world\n");
    assert_eq!(stderr(&quiet), "", "nothing new without -v");

    let verbose = run(&["hello", "--addr", &addr, "-v"]);
    assert!(verbose.status.success());
    let sent = stderr(&verbose)
        .lines()
        .find_map(|line| line.strip_prefix("traceparent: ").map(str::to_owned))
        .unwrap_or_else(|| panic!("-v shows no traceparent:\n{}", stderr(&verbose)));
    let sent_id = sent.split('-').nth(1).expect("trace id field").to_owned();
    assert!(is_trace_id(&sent_id), "{sent}");

    let stream = run(&[
        "stream",
        "--addr",
        &addr,
        "-H",
        &format!("traceparent: {TRACEPARENT}"),
    ]);
    assert!(stream.status.success(), "{}", stderr(&stream));

    let ids = logged_trace_ids(&server, 3);
    assert!(is_trace_id(&ids[0]), "{ids:?}");
    assert_ne!(ids[0], sent_id, "each call is a new trace");
    assert_eq!(ids[1], sent_id, "the id -v showed is the one logged");
    assert_eq!(
        ids[2], "4bf92f3577b34da6a3ce929d0e0e4736",
        "a given trace is kept"
    );
}

#[test]
fn an_invalid_traceparent_starts_a_new_trace() {
    let server = Server::start(&[]);
    let bad = "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01";
    let output = run(&[
        "hello",
        "--addr",
        &server.addr(),
        "-H",
        &format!("traceparent: {bad}"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let ids = logged_trace_ids(&server, 1);
    assert!(is_trace_id(&ids[0]), "{ids:?}");
    assert_ne!(ids[0], "4bf92f3577b34da6a3ce929d0e0e4736");
}
