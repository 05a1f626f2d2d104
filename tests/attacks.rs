//! HTTP/2 and gRPC denial-of-service attacks against the real
//! server: each attack runs for at most 3 s from 127.0.0.2
//! (`tests/attacks/attack.py`, Python h2's framing and HPACK libraries from
//! the interop venv) while a well-behaved client on 127.0.0.1 keeps calling.
//! Every test checks what a user of the server sees: it is still up, it sent
//! GOAWAY/RST_STREAM where it should, its open descriptors come back to
//! where they were, the good client got at least 99% of its RPCs through and
//! the attacker could not flood the log. No latency assertions.

mod common;

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, OnceLock,
    },
    thread,
    time::{Duration, Instant},
};

use common::{grpc_demo, run, stdout, Server};
use serde_json::Value;

/// The interop venv's python (h2, hpack, hyperframe), installed on first use.
fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| common::run_setup("tests/interop/setup.sh").get("PYTHON"))
}

/// Runs one attack from 127.0.0.2 for `seconds` and returns its report.
fn attack(server: &Server, name: &str, seconds: f64, extra: &[&str]) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/attacks/attack.py");
    let output = Command::new(python())
        .arg(script)
        .args([name, "--port", &server.port.to_string()])
        .args(["--duration", &seconds.to_string()])
        .args(extra)
        .stdin(Stdio::null())
        .output()
        .expect("running attack.py");
    assert!(
        output.status.success(),
        "attack.py {name} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("attack.py prints JSON")
}

/// Open descriptors of the server process.
fn fds(server: &Server) -> usize {
    std::fs::read_dir(format!("/proc/{}/fd", server.pid()))
        .expect("reading /proc/PID/fd")
        .count()
}

/// Waits (at most 10 s) for the server's descriptors to come back to
/// `baseline`; returns the last count.
fn fds_settle(server: &Server, baseline: usize) -> usize {
    let started = Instant::now();
    loop {
        let now = fds(server);
        if now <= baseline || started.elapsed() > Duration::from_secs(10) {
            return now;
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// A `/proc/PID/status` field in KiB (VmRSS, VmHWM, VmPeak).
fn status_kib(server: &Server, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.pid()))
        .expect("reading /proc/PID/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.trim().trim_end_matches(" kB").parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/PID/status"))
}

fn alive(server: &Server) {
    let output = run(&["hello", "--name", "after", "--addr", &server.addr()]);
    assert_eq!(
        stdout(&output),
        "hello, after\n",
        "the server still answers"
    );
}

/// A well-behaved client on 127.0.0.1 during an attack: `grpc-demo bench`
/// on one connection opened before it, and a new connection for one
/// `hello` every 100 ms (what a client arriving during the attack sees).
struct GoodClient {
    bench: std::process::Child,
    stop: Arc<AtomicBool>,
    fresh: thread::JoinHandle<(u64, u64)>,
}

impl GoodClient {
    fn start(server: &Server, seconds: u32) -> Self {
        let addr = server.addr();
        let bench = grpc_demo()
            .args(["bench", "hello", "-z", &format!("{seconds}s"), "-c", "2"])
            .args(["-o", "json", "--addr", &addr])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawning grpc-demo bench");
        let stop = Arc::new(AtomicBool::new(false));
        let done = Arc::clone(&stop);
        let fresh = thread::spawn(move || {
            let (ok, total) = (AtomicU64::new(0), AtomicU64::new(0));
            // Bounded: at most 100 calls, each bounded by its --timeout.
            for _ in 0..100 {
                if done.load(Ordering::Relaxed) {
                    break;
                }
                let output = run(&[
                    "hello",
                    "--name",
                    "good",
                    "--timeout",
                    "5s",
                    "--addr",
                    &addr,
                ]);
                total.fetch_add(1, Ordering::Relaxed);
                if stdout(&output) == "hello, good\n" {
                    ok.fetch_add(1, Ordering::Relaxed);
                }
                thread::sleep(Duration::from_millis(100));
            }
            (ok.into_inner(), total.into_inner())
        });
        Self { bench, stop, fresh }
    }

    /// Stops the fresh-connection calls, waits for the bench, and asserts
    /// that at least 99% of all calls succeeded.
    fn assert_served(self) {
        self.stop.store(true, Ordering::Relaxed);
        let (fresh_ok, fresh_total) = self.fresh.join().expect("fresh-call thread");
        let output = self.bench.wait_with_output().expect("waiting for bench");
        let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
            panic!(
                "bench printed no report: {}",
                String::from_utf8_lossy(&output.stderr)
            )
        });
        let bench_ok = report["ok"].as_u64().expect("ok");
        let bench_total = bench_ok + report["failed"].as_u64().expect("failed");
        assert!(bench_total > 0 && fresh_total > 0, "the good client ran");
        for (what, ok, total) in [
            ("on its open connection", bench_ok, bench_total),
            ("on new connections", fresh_ok, fresh_total),
        ] {
            assert!(
                ok * 100 >= total * 99,
                "good client {what}: {ok} of {total} RPCs succeeded (bench report: {report})"
            );
        }
    }
}

/// Log lines written since `before` that are not about the good client
/// (127.0.0.1), per second of `seconds` (the attack and its aftermath).
fn attacker_log_rate(server: &Server, before: usize, seconds: f64) -> (f64, String) {
    let log = server.log();
    let new = &log[before.min(log.len())..];
    let lines: Vec<&str> = new
        .lines()
        .filter(|line| !line.contains("peer=127.0.0.1:"))
        .collect();
    (lines.len() as f64 / seconds, lines.join("\n"))
}

fn count(report: &Value, what: &str, code: &str) -> u64 {
    report[what][code].as_u64().unwrap_or(0)
}

fn connections(report: &Value) -> u64 {
    report["connections"].as_u64().expect("connections")
}

/// Starts a server, records its descriptors, runs `attack` with a good
/// client, checks the good client, the descriptors and the server; returns
/// the attack's report and the attacker's log lines per second.
fn under_attack(server_args: &[&str], name: &str, seconds: f64, extra: &[&str]) -> Outcome {
    let server = Server::start(server_args);
    alive(&server);
    let baseline = fds(&server);
    let rss_before_kib = status_kib(&server, "VmRSS");
    let vm_peak_before_kib = status_kib(&server, "VmPeak");
    let log_before = server.log().len();
    let attack_started = Instant::now();
    let good = GoodClient::start(&server, seconds.ceil() as u32 + 1);
    let report = attack(&server, name, seconds, extra);
    good.assert_served();
    alive(&server);
    let after = fds_settle(&server, baseline);
    assert!(
        after <= baseline,
        "open descriptors: {after} after the attack, {baseline} before ({report})"
    );
    // Not waited for: the once-a-second summary of suppressed lines (one
    // line per attacking address, by construction). What is counted is
    // every line the attack itself caused.
    let (log_rate, log_lines) = attacker_log_rate(
        &server,
        log_before,
        attack_started.elapsed().as_secs_f64().max(seconds),
    );
    Outcome {
        report,
        log_rate,
        log_lines,
        server,
        rss_before_kib,
        vm_peak_before_kib,
    }
}

struct Outcome {
    report: Value,
    log_rate: f64,
    log_lines: String,
    server: Server,
    rss_before_kib: u64,
    vm_peak_before_kib: u64,
}

impl Outcome {
    fn assert_log_rate(&self) {
        assert!(
            self.log_rate <= 10.0,
            "{:.1} log lines a second about the attacker:\n{}",
            self.log_rate,
            self.log_lines.chars().take(3000).collect::<String>()
        );
    }
}

#[test]
fn rapid_reset_gets_goaway_enhance_your_calm() {
    let outcome = under_attack(&[], "rapid-reset", 2.0, &["--connections", "4"]);
    assert_closed_for(
        &outcome,
        "remotely-reset pending-accept streams reached limit",
    );
    outcome.assert_log_rate();
}

#[test]
fn continuation_ping_and_settings_floods_do_not_hurt_the_good_client() {
    let outcome = under_attack(&[], "continuation-flood", 1.5, &["--connections", "4"]);
    let report = &outcome.report;
    assert_eq!(
        report["closed_by_server"].as_u64(),
        Some(connections(report)),
        "{report}"
    );
    outcome.assert_log_rate();
    let outcome = under_attack(&[], "ping-flood", 1.5, &["--connections", "4"]);
    outcome.assert_log_rate();
    let outcome = under_attack(&[], "settings-flood", 1.5, &["--connections", "4"]);
    outcome.assert_log_rate();
}

/// Every attacking connection was closed with GOAWAY ENHANCE_YOUR_CALM,
/// and the log says why. The attacker may not read each GOAWAY: the server
/// closes a socket it has not read to the end, so the attacker's kernel
/// gets a reset, which may discard the frame; so only the codes that were
/// read are checked.
fn assert_closed_for(outcome: &Outcome, why: &str) {
    let report = &outcome.report;
    assert_all_closed(report);
    let codes: Vec<&String> = report["goaway"]
        .as_object()
        .expect("goaway")
        .keys()
        .collect();
    assert!(
        codes.iter().all(|code| *code == "ENHANCE_YOUR_CALM"),
        "{report}"
    );
    assert!(
        outcome.server.log().contains(why),
        "the log says {why:?}:\n{}",
        outcome.server.log()
    );
}

fn assert_all_closed(report: &Value) {
    assert_eq!(
        report["closed_by_server"].as_u64(),
        Some(connections(report)),
        "every attacking connection is closed: {report}"
    );
}

#[test]
fn stalled_handshakes_are_closed_at_the_handshake_timeout() {
    let args = ["--handshake-timeout", "1s"];
    let outcome = under_attack(&args, "stall-preface", 2.5, &["--connections", "50"]);
    assert_all_closed(&outcome.report);
    outcome.assert_log_rate();
}

#[test]
fn stalled_header_blocks_are_closed_at_the_header_timeout() {
    let args = ["--header-timeout", "1s"];
    let outcome = under_attack(&args, "stall-headers", 2.5, &["--connections", "50"]);
    assert_all_closed(&outcome.report);
    outcome.assert_log_rate();
}

#[test]
fn idle_connections_get_goaway_after_max_connection_idle() {
    let args = ["--max-connection-idle", "1s"];
    let outcome = under_attack(&args, "idle-connections", 2.5, &["--connections", "50"]);
    let report = &outcome.report;
    assert_all_closed(report);
    assert_eq!(
        count(report, "goaway", "NO_ERROR"),
        connections(report),
        "{report}"
    );
    outcome.assert_log_rate();
}

#[test]
fn a_full_server_closes_idle_connections_before_refusing_new_ones() {
    // One address may take every connection here; the default idle time.
    let args = [
        "--max-connections",
        "100",
        "--max-connections-per-ip",
        "1000",
    ];
    let outcome = under_attack(&args, "idle-connections", 2.5, &["--connections", "150"]);
    let report = &outcome.report;
    // 150 connections for 100 places: at least 50 idle ones were closed to
    // make room, each with GOAWAY NO_ERROR after its handshake; a
    // connection refused on arrival gets no GOAWAY, so none was.
    let closed = report["closed_by_server"]
        .as_u64()
        .expect("closed_by_server");
    assert!(closed >= 50, "{report}");
    assert_eq!(count(report, "goaway", "NO_ERROR"), closed, "{report}");
    assert_eq!(report["refused"], 0, "{report}");
    outcome.assert_log_rate();
}

#[test]
fn one_address_cannot_take_every_connection() {
    // Connections holding streams that never send their request are busy,
    // not idle: the per-address cap (default 100) keeps room for others.
    let args = ["--max-connections", "150"];
    let outcome = under_attack(&args, "idle-streams", 2.5, &["--connections", "200"]);
    let report = &outcome.report;
    assert!(
        report["closed_by_server"].as_u64() >= Some(100),
        "connections over the per-address cap are closed: {report}"
    );
    outcome.assert_log_rate();
}

#[test]
fn made_you_reset_gets_goaway_enhance_your_calm() {
    // Two connections for 3 s: on a loaded machine four for 2 s did not
    // all reach the limit (1 run in 3 closed none).
    let outcome = under_attack(&[], "made-you-reset", 3.0, &["--connections", "2"]);
    // h2 logs the limit on one of its paths only (a refused stream counts
    // too, silently), so the log is not checked here. Every connection is
    // closed, and any GOAWAY read is ENHANCE_YOUR_CALM; one need not be
    // read at all (the server closes a socket it has not read to the end,
    // and the reset that follows may discard the GOAWAY: 2 runs in 4 read
    // none), so what is required besides is the mechanism itself: the
    // server reset the attacker's streams (FLOW_CONTROL_ERROR).
    assert_closed_for(&outcome, "");
    let report = &outcome.report;
    assert!(
        count(report, "rst", "FLOW_CONTROL_ERROR") >= 1,
        "the server reset no stream itself: {report}"
    );
    outcome.assert_log_rate();
}

#[test]
fn announced_message_lengths_reserve_no_memory() {
    // 1,024 streams each announcing a 4 MiB message and sending 5 bytes:
    // tonic alone reserved the announced 4 GiB of address space.
    let extra = ["--connections", "4", "--streams", "256"];
    let outcome = under_attack(&[], "announced-length", 2.0, &extra);
    let grown_mib = (status_kib(&outcome.server, "VmPeak") - outcome.vm_peak_before_kib) / 1024;
    assert!(
        grown_mib <= 512,
        "address space grew by {grown_mib} MiB for announced lengths ({})",
        outcome.report
    );
    outcome.assert_log_rate();
}

#[test]
fn a_zero_window_peer_cannot_pin_more_than_the_request_buffer() {
    // Bidi streams that each send a 1 MiB message and never read the reply.
    let args = ["--max-request-buffer", "32MiB"];
    let extra = ["--connections", "4", "--streams", "64"];
    let outcome = under_attack(&args, "zero-window", 2.5, &extra);
    let server = &outcome.server;
    let peak_mib = status_kib(server, "VmHWM") / 1024;
    assert!(
        peak_mib <= 160,
        "peak RSS {peak_mib} MiB ({})",
        outcome.report
    );
    // Freed memory goes back to the OS (jemalloc decay, ~1 s).
    let idle_kib = outcome.rss_before_kib;
    let started = Instant::now();
    while status_kib(server, "VmRSS") > 2 * idle_kib && started.elapsed() < Duration::from_secs(10)
    {
        thread::sleep(Duration::from_millis(100));
    }
    let after_kib = status_kib(server, "VmRSS");
    assert!(
        after_kib <= 2 * idle_kib,
        "RSS {after_kib} KiB after the attack, {idle_kib} KiB idle before"
    );
    outcome.assert_log_rate();
}

#[test]
fn a_peer_that_never_reads_its_large_replies_cannot_pin_more_than_the_response_buffer() {
    // sayHello calls with a 1 MiB name (so a 1 MiB reply), up to 300 on
    // each of 8 connections, with a receive window of 0: no reply can be
    // sent. Before the response budget the server kept every reply that
    // the request budget let through.
    // At most 10 s: the attack ends once every call is sent.
    let extra = ["--connections", "4", "--streams", "300", "--until-sent"];
    // A request buffer large enough that it is not what stops the attack.
    let outcome = under_attack(
        &[
            "--metrics-addr",
            "127.0.0.1:0",
            "--max-request-buffer",
            "256MiB",
        ],
        "large-response",
        10.0,
        &extra,
    );
    let server = &outcome.server;
    let peak_mib = status_kib(server, "VmHWM") / 1024;
    assert!(
        peak_mib <= 256,
        "peak RSS {peak_mib} MiB ({})",
        outcome.report
    );
    let refused = outcome.report["answered"]["8"].as_u64().unwrap_or(0);
    assert!(refused > 0, "no stream refused: {}", outcome.report);
    let (_, _, metrics) =
        common::http_get(common::metrics_port(server), "/metrics", None).expect("metrics");
    assert!(
        metrics
            .lines()
            .filter_map(|line| line.strip_prefix("grpc_demo_response_buffer_refused_total "))
            .any(|value| value.parse::<u64>().is_ok_and(|value| value > 0)),
        "the refusals are counted:\n{metrics}"
    );
    outcome.assert_log_rate();

    // From the good client's own address, with a short unread timeout:
    // the attacker's connections are closed with GOAWAY, the good client
    // (which reads its replies) is served throughout.
    let same_address = [
        "--source",
        "127.0.0.1",
        "--connections",
        "4",
        "--streams",
        "300",
    ];
    // At most 10 s: the attack ends when its last connection is closed.
    // The request buffer as above: the good client shares the attacker's
    // address, so with the default (a 16 MiB quarter per address) the
    // attacker's requests in transit can refuse the good client's
    // (RESOURCE_EXHAUSTED), which is the request budget, not this test.
    let outcome = under_attack(
        &[
            "--unread-response-timeout",
            "1s",
            "--max-request-buffer",
            "256MiB",
        ],
        "large-response",
        10.0,
        &same_address,
    );
    assert_all_closed(&outcome.report);
    assert!(
        outcome
            .server
            .log()
            .contains("responses unread past --unread-response-timeout"),
        "the log says why:\n{}",
        outcome.server.log()
    );
    let peak_mib = status_kib(&outcome.server, "VmHWM") / 1024;
    assert!(
        peak_mib <= 256,
        "peak RSS {peak_mib} MiB ({})",
        outcome.report
    );
}
