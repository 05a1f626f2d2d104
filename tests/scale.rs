//! Scale-out: several replicas on one port (`--reuse-port`),
//! connections aged out with GOAWAY (`--max-connection-age`), real processes
//! and sockets on loopback.

mod common;

use std::{collections::BTreeSet, time::Duration};

use common::{grpc_demo, run, stderr, stdout, Server};
use serde_json::Value;

/// `bench ... -o json`, its report parsed.
fn bench_json(args: &[&str]) -> (Value, std::process::Output) {
    let output = run(args);
    (report_json(&output), output)
}

/// The report a `bench -o json` printed.
fn report_json(output: &std::process::Output) -> Value {
    serde_json::from_str(&stdout(output))
        .unwrap_or_else(|err| panic!("bench printed no JSON ({err}): {}", stderr(output)))
}

/// The client ports of the RPCs in a server's access log: one per
/// connection.
fn peers(log: &str) -> BTreeSet<String> {
    log.lines()
        .filter(|line| line.contains("rpc method="))
        .filter_map(|line| {
            let peer = line
                .split_whitespace()
                .find(|word| word.starts_with("peer="))?;
            Some(peer.trim_start_matches("peer=").to_owned())
        })
        .collect()
}

fn rpcs_logged(server: &Server) -> usize {
    server
        .log()
        .lines()
        .filter(|line| line.contains("method=/packages.GreetService/sayHello"))
        .count()
}

#[test]
fn reuse_port_lets_two_servers_share_a_port_and_the_kernel_spreads_connections() {
    let first = Server::start(&["--reuse-port"]);
    let second = Server::start_on(first.port, &["--reuse-port"]);
    assert_eq!(second.port, first.port);

    // Without the flag the port is taken.
    let output = grpc_demo()
        .args([
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            &first.port.to_string(),
        ])
        .output()
        .expect("running serve");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("Address already in use"),
        "{}",
        stderr(&output)
    );

    // 32 connections, hashed over the two listeners by the kernel: all on
    // one of them has a chance of 2^-31.
    let (report, output) = bench_json(&[
        "bench",
        "hello",
        "-n",
        "320",
        "-c",
        "32",
        "--connections",
        "32",
        "-o",
        "json",
        "--addr",
        &first.addr(),
    ]);
    assert_eq!(report["ok"], 320, "{}", stderr(&output));
    let logged = |server: &Server| rpcs_logged(server);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while logged(&first) + logged(&second) < 320 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(logged(&first) + logged(&second), 320);
    assert!(logged(&first) > 0, "the first server got no RPC");
    assert!(logged(&second) > 0, "the second server got no RPC");
}

/// `grpc-demo serve ARGS`, which must stop at once with a usage error
/// starting with `expected`; bounded, so that a server that starts instead
/// fails the test rather than hanging it.
fn assert_serve_usage_error(args: &[&str], expected: &str) {
    let output = common::run_bounded(&[&["serve"], args].concat(), Duration::from_secs(10));
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.starts_with(expected), "{args:?}: {err}");
    assert_eq!(stdout(&output), "", "{args:?}: never listened");
}

#[test]
fn reuse_port_needs_tcp() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("x.sock");
    assert_serve_usage_error(
        &["--uds", path.to_str().expect("utf-8 path"), "--reuse-port"],
        "error: the argument '--uds <PATH>' cannot be used with '--reuse-port'",
    );
}

#[test]
fn max_connection_age_sends_goaway_and_a_long_lived_client_reconnects_without_errors() {
    let server = Server::start(&["--max-connection-age", "300ms"]);
    // One client connection for 3 s, an RPC every 2 ms: with a GOAWAY every
    // 270-330 ms it has to reconnect about ten times.
    let (report, output) = bench_json(&[
        "bench",
        "hello",
        "-z",
        "3s",
        "--rate",
        "500",
        "-c",
        "10",
        "-o",
        "json",
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(report["failed"], 0, "{report}\n{}", stderr(&output));
    assert!(report["ok"].as_u64().unwrap_or(0) > 0, "{report}");
    let ok = report["ok"].as_u64().unwrap_or(0) as usize;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while rpcs_logged(&server) < ok && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let connections = peers(&server.log());
    assert!(
        connections.len() >= 3,
        "expected the client to reconnect after each GOAWAY, saw connections from {connections:?}"
    );
}

#[test]
fn without_max_connection_age_the_connection_lives_on() {
    let server = Server::start(&[]);
    let (report, output) = bench_json(&[
        "bench",
        "hello",
        "-z",
        "1s",
        "--rate",
        "200",
        "-c",
        "4",
        "-o",
        "json",
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(report["failed"], 0, "{report}\n{}", stderr(&output));
    let ok = report["ok"].as_u64().unwrap_or(0) as usize;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while rpcs_logged(&server) < ok && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(peers(&server.log()).len(), 1);
}

/// A stream of 3 quotes one second apart outlives the connection's age.
fn slow_watch(server: &Server) -> std::process::Output {
    run(&[
        "watch",
        "--symbol",
        "aapl",
        "--count",
        "3",
        "--interval",
        "1s",
        "--addr",
        &server.addr(),
    ])
}

#[test]
fn an_rpc_in_flight_at_the_goaway_finishes_without_a_grace_limit() {
    let server = Server::start(&["--max-connection-age", "300ms"]);
    let output = slow_watch(&server);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output).lines().count(), 3);
}

#[test]
fn an_rpc_still_in_flight_after_the_grace_is_cut() {
    let server = Server::start(&[
        "--max-connection-age",
        "300ms",
        "--max-connection-age-grace",
        "300ms",
    ]);
    let output = slow_watch(&server);
    // UNAVAILABLE: the connection was closed under it.
    assert_eq!(output.status.code(), Some(64 + 14), "{}", stderr(&output));
    assert!(stdout(&output).lines().count() < 3, "{}", stdout(&output));
    // The server itself is fine: a new connection works.
    let output = run(&["hello", "--addr", &server.addr()]);
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn grace_needs_an_age() {
    // On loopback, should a regression make it serve.
    assert_serve_usage_error(
        &["--host", "127.0.0.1", "--port", "0", "--max-connection-age-grace", "1s"],
        "error: the following required arguments were not provided:\n  --max-connection-age <DURATION>\n",
    );
}

/// Waits (at most 30 s) until the servers logged `count` sayHello RPCs in all.
fn wait_for_rpcs(servers: &[&Server], count: usize) {
    let started = std::time::Instant::now();
    loop {
        let logged: usize = servers.iter().map(|server| rpcs_logged(server)).sum();
        if logged >= count {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the servers logged {logged} RPCs, expected {count}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn total_logged(servers: &[&Server]) -> usize {
    servers.iter().map(|server| rpcs_logged(server)).sum()
}

/// `bench hello` over several endpoints, paced, still running.
fn spawn_paced_bench(addrs: &str, extra: &[&str]) -> std::process::Child {
    grpc_demo()
        .args([
            "bench", "hello", "-n", "1500", "--rate", "300", "-c", "8", "-o", "json", "--addr",
            addrs,
        ])
        .args(extra)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawning bench")
}

fn report_of(bench: std::process::Child) -> Value {
    let output = bench.wait_with_output().expect("waiting for bench");
    serde_json::from_str(&stdout(&output))
        .unwrap_or_else(|err| panic!("bench printed no JSON ({err}): {}", stderr(&output)))
}

#[test]
fn bench_over_three_endpoints_spreads_and_rides_out_a_drained_and_a_killed_replica() {
    // As docs/scaling.md advises for client-side balancing: a drain delay, so
    // that health watching moves the clients away before the GOAWAY.
    let flags = ["--drain-delay", "1s"];
    let servers = [
        Server::start(&flags),
        Server::start(&flags),
        Server::start(&flags),
    ];
    let all: Vec<&Server> = servers.iter().collect();
    let addrs = all
        .iter()
        .map(|server| server.addr())
        .collect::<Vec<_>>()
        .join(",");

    // All up: every endpoint gets its share, and the report says so.
    let (report, output) = bench_json(&[
        "bench", "hello", "-n", "3000", "-c", "8", "-o", "json", "--addr", &addrs,
    ]);
    assert_eq!(report["ok"], 3000, "{}", stderr(&output));
    let endpoints = report["endpoints"].as_object().expect("endpoints");
    assert_eq!(endpoints.len(), 3, "{report}");
    for server in &all {
        let sent = endpoints[&server.addr()].as_u64().unwrap_or(0);
        assert!((690..=1310).contains(&sent), "uneven spread: {endpoints:?}");
    }

    // Drain one mid-run: health watching takes it out as it turns
    // NOT_SERVING, a second before its GOAWAY; RPCs a GOAWAY still refuses
    // unprocessed are retried elsewhere (the default --retries): no RPC
    // fails.
    let before = total_logged(&all);
    let bench = spawn_paced_bench(&addrs, &[]);
    wait_for_rpcs(&all, before + 500);
    servers[0].signal(libc::SIGTERM);
    let report = report_of(bench);
    eprintln!(
        "drained: {} OK, {} failed {}",
        report["ok"], report["failed"], report["errors"]
    );
    assert_eq!(
        report["failed"], 0,
        "a drained endpoint cost RPCs: {report}"
    );
    assert_eq!(report["ok"], 1500, "{report}");

    // Kill another mid-run: at most what was in flight on it fails.
    let before = total_logged(&all);
    let bench = spawn_paced_bench(&addrs, &[]);
    wait_for_rpcs(&all, before + 500);
    servers[1].signal(libc::SIGKILL);
    let report = report_of(bench);
    let failed = report["failed"].as_u64().expect("failed");
    eprintln!(
        "killed: {} OK, {failed} failed {}",
        report["ok"], report["errors"]
    );
    assert!(
        failed <= 8,
        "more RPCs failed than were in flight: {report}"
    );
    assert_eq!(
        report["ok"].as_u64().unwrap_or(0) + failed,
        1500,
        "{report}"
    );
}

#[test]
fn without_health_checks_or_retries_a_drained_endpoint_costs_rpcs() {
    // What the health watching and retries above are for.
    let servers = [Server::start(&[]), Server::start(&[])];
    let all: Vec<&Server> = servers.iter().collect();
    let addrs = format!("{},{}", servers[0].addr(), servers[1].addr());
    let bench = spawn_paced_bench(&addrs, &["--health-check=false", "--retries", "0"]);
    wait_for_rpcs(&all, 500);
    servers[0].signal(libc::SIGTERM);
    let report = report_of(bench);
    assert!(report["failed"].as_u64().unwrap_or(0) > 0, "{report}");
    assert_eq!(
        report["status_codes"]["UNAVAILABLE"], report["failed"],
        "{report}"
    );
}

#[test]
fn hello_uses_the_endpoints_that_are_up() {
    let server = Server::start(&[]);
    let dead = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        probe.local_addr().expect("addr").to_string()
    };
    for addrs in [
        format!("{dead},{}", server.addr()),
        format!("{},{dead}", server.addr()),
    ] {
        let output = run(&["hello", "--addr", &addrs]);
        assert!(output.status.success(), "{addrs}: {}", stderr(&output));
        assert_eq!(stdout(&output), "hello, world\n");
    }
    // Repeated flags are the same as a comma list.
    let output = run(&["hello", "--addr", &dead, "--addr", &server.addr()]);
    assert!(output.status.success(), "{}", stderr(&output));

    // None up: UNAVAILABLE, naming each endpoint's failure.
    let output = run(&["hello", "--addr", &format!("{dead},{dead}")]);
    assert_eq!(output.status.code(), Some(64 + 14), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("no endpoint is up"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("connection refused"),
        "{}",
        stderr(&output)
    );
}

/// Replica A on 127.0.0.1 and B on 127.0.0.2, one port, and a hosts file
/// (in a temporary directory, returned to be kept) holding `hosts`.
fn two_replicas(hosts: &str) -> (Server, Server, tempfile::TempDir, std::path::PathBuf) {
    let a = Server::start(&[]);
    let b = Server::start_at("127.0.0.2", a.port, &[]);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("hosts");
    std::fs::write(&path, hosts).expect("hosts");
    (a, b, dir, path)
}

#[test]
fn dns_addresses_balance_over_what_the_name_resolves_to() {
    const NAME: &str = "both.grpc-demo.test";
    // The name resolves to both replicas.
    let (a, b, _dir, hosts) = two_replicas(&format!("127.0.0.1 {NAME}\n127.0.0.2 {NAME}\n"));
    let addr = format!("dns:///{NAME}:{}", a.port);
    let bench = [
        "bench", "hello", "-n", "200", "-c", "4", "-o", "json", "--addr", &addr,
    ];
    let output = with_hosts_file(&hosts, &bench)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("running unshare (util-linux) for bench");
    let report = report_json(&output);
    assert_eq!(report["ok"], 200, "{report}\n{}", stderr(&output));
    wait_for_rpcs(&[&a, &b], 200);
    let (on_a, on_b) = (rpcs_logged(&a), rpcs_logged(&b));
    assert_eq!(on_a + on_b, 200);
    // Round robin over two endpoints that are both up: about half each.
    assert!(
        on_a >= 50 && on_b >= 50,
        "RPCs on 127.0.0.1: {on_a}, on 127.0.0.2: {on_b}"
    );

    // One server under the name: a dns:/// address needs a port.
    let output = run(&["hello", "--addr", "dns:///localhost"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("missing port"),
        "{}",
        stderr(&output)
    );
}

/// `grpc-demo ARGS` with `hosts` as its /etc/hosts (a bind mount in a
/// mount namespace of its own: `unshare -m`, as root), so that a test can
/// change what a name resolves to while the client runs. `RESOLV_MULTI`:
/// every line of a name counts, whatever /etc/host.conf says.
fn with_hosts_file(hosts: &std::path::Path, args: &[&str]) -> std::process::Command {
    let preflight = std::process::Command::new("unshare")
        .args(["-m", "true"])
        .output()
        .expect("running unshare (util-linux)");
    assert!(
        preflight.status.success(),
        "this test needs a mount namespace of its own (unshare -m, as root): {}",
        stderr(&preflight)
    );
    let mut command = std::process::Command::new("unshare");
    command
        .env("RESOLV_MULTI", "on")
        .args([
            "-m",
            "sh",
            "-c",
            r#"mount --bind "$0" /etc/hosts && exec "$@""#,
        ])
        .arg(hosts)
        .arg(grpc_demo().get_program())
        .args(args);
    command
}

#[test]
fn a_dns_name_is_resolved_again_and_endpoints_follow_its_answers() {
    const NAME: &str = "replicas.grpc-demo.test";
    // A on 127.0.0.1 and B on 127.0.0.2, one port; nothing on 127.0.0.3,
    // whose connection fails again and again (backoff 1 s, × 1.6 each
    // time) and so makes the client resolve the name again: about 1, 2,
    // 3.6, 6.2 and 10.3 s after it starts, within the bench's 15 s.
    let (a, b, dir, hosts) = two_replicas(&format!("127.0.0.1 {NAME}\n127.0.0.3 {NAME}\n"));
    let addr = format!("dns:///{NAME}:{}", a.port);
    let bench = with_hosts_file(
        &hosts,
        &[
            "bench", "hello", "-n", "4500", "--rate", "300", "-c", "8", "-o", "json", "--addr",
            &addr,
        ],
    )
    .stdout(std::process::Stdio::piped())
    .stderr(std::fs::File::create(dir.path().join("bench.err")).expect("bench.err"))
    .spawn()
    .expect("spawning unshare (util-linux) for bench");
    let mut bench = common::KillOnDrop(bench);
    wait_for_rpcs(&[&a], 300);
    assert_eq!(rpcs_logged(&b), 0, "B is not in the answers yet");

    // The name moves from A to B while A is still up: B joins, and A
    // leaves although nothing is wrong with it.
    // Overwritten in place, same length, one write: the bind mount follows
    // the file's inode, and a lookup never sees it empty.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(&hosts)
        .expect("hosts");
    std::io::Write::write_all(
        &mut file,
        format!("127.0.0.2 {NAME}\n127.0.0.3 {NAME}\n").as_bytes(),
    )
    .expect("hosts");
    drop(file);
    wait_for_rpcs(&[&b], 100);
    // A's last RPCs (in flight when it left) are logged once A's count
    // stands still while B serves 30 more (bounded: 20 rounds).
    let mut on_a = rpcs_logged(&a);
    for _ in 0..20 {
        wait_for_rpcs(&[&b], rpcs_logged(&b) + 30);
        let now = rpcs_logged(&a);
        if now == on_a {
            break;
        }
        on_a = now;
    }
    wait_for_rpcs(&[&b], rpcs_logged(&b) + 300);
    assert_eq!(
        rpcs_logged(&a),
        on_a,
        "A still gets RPCs after the name stopped resolving to it"
    );
    let mut out = String::new();
    std::io::Read::read_to_string(&mut bench.0.stdout.take().expect("piped stdout"), &mut out)
        .expect("bench output");
    let status = bench.0.wait().expect("bench");
    let err = std::fs::read_to_string(dir.path().join("bench.err")).unwrap_or_default();
    assert!(status.success(), "bench: {status}: {err}");
    let report: Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("bench printed no JSON ({e}): {err}"));
    assert_eq!(report["failed"], 0, "{report}");
    assert_eq!(report["ok"], 4500, "{report}");
}

#[test]
fn grpc_demo_addr_takes_a_comma_list_too() {
    let server = Server::start(&[]);
    let dead = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        probe.local_addr().expect("addr").to_string()
    };
    let output = grpc_demo()
        .args(["hello"])
        .env("GRPC_DEMO_ADDR", format!("{dead},{}", server.addr()))
        .output()
        .expect("running hello");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "hello, world\n");
    let output = grpc_demo()
        .args(["hello"])
        .env("GRPC_DEMO_ADDR", format!("{},ftp://x:1", server.addr()))
        .output()
        .expect("running hello");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("GRPC_DEMO_ADDR"),
        "{}",
        stderr(&output)
    );
}

/// `tests/interop/goaway_server.py`: answers every request with GOAWAY
/// (NO_ERROR, last stream 0), as a draining server does to a stream that
/// crossed its GOAWAY. Held until dropped.
struct GoawayServer {
    _child: common::KillOnDrop,
    addr: String,
}

impl GoawayServer {
    fn start() -> Self {
        use std::process::{Command, Stdio};
        let python = common::run_setup("tests/interop/setup.sh").get("PYTHON");
        let script =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/goaway_server.py");
        let mut child = Command::new(python)
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("starting goaway_server.py");
        let mut out = child.stdout.take().expect("stdout");
        let child = common::KillOnDrop(child);
        let line = common::read_line(&mut out).expect("goaway_server.py printed its port");
        let port = line.trim().trim_start_matches("PORT=");
        Self {
            _child: child,
            addr: format!("127.0.0.1:{port}"),
        }
    }
}

#[test]
fn an_rpc_refused_by_a_goaway_is_unavailable_and_retried_on_another_endpoint() {
    let refusing = GoawayServer::start();
    let good = Server::start(&[]);

    // Alone: the client says UNAVAILABLE (exit 78), as grpc-go and grpcio do.
    let output = run(&["hello", "--addr", &refusing.addr]);
    assert_eq!(output.status.code(), Some(78), "{}", stderr(&output));
    assert!(
        stderr(&output).starts_with("error: UNAVAILABLE: "),
        "{}",
        stderr(&output)
    );

    // Without retries, bench counts the refused RPCs as UNAVAILABLE in its
    // status counts too, not only in the error texts.
    let addrs = format!("{},{}", refusing.addr, good.addr());
    let bench_with_retries = |retries: &str| {
        bench_json(&[
            "bench",
            "hello",
            "-n",
            "40",
            "-c",
            "1",
            "-o",
            "json",
            "--health-check=false",
            "--retries",
            retries,
            "--addr",
            &addrs,
        ])
    };
    let (report, output) = bench_with_retries("0");
    let failed = report["failed"].as_u64().unwrap_or(0);
    assert!(failed > 0, "{}\n{report}", stderr(&output));
    assert_eq!(
        report["status_codes"]["UNAVAILABLE"].as_u64(),
        Some(failed),
        "{report}"
    );

    // The server never saw those RPCs: with --retries they go to the other
    // endpoint, unary hello and bench alike.
    let (report, output) = bench_with_retries("3");
    assert_eq!(report["failed"], 0, "{}\n{report}", stderr(&output));
    assert_eq!(report["ok"], 40, "{report}");
    for _ in 0..6 {
        let output = run(&[
            "hello",
            "--health-check=false",
            "--retries",
            "3",
            "--addr",
            &addrs,
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
        assert_eq!(stdout(&output), "hello, world\n");
    }
    // `call` too, for a unary method (the schema from files: reflection
    // would meet the refusing server as well).
    let proto = concat!(env!("CARGO_MANIFEST_DIR"), "/proto");
    for _ in 0..10 {
        let output = run(&[
            "call",
            "--health-check=false",
            "--retries",
            "3",
            "--proto",
            &format!("{proto}/greet.proto"),
            "-I",
            proto,
            "--addr",
            &addrs,
            "-o",
            "json",
            "packages.GreetService/sayHello",
            "-d",
            r#"{"name":"world"}"#,
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
        assert_eq!(stdout(&output), "{\"msg\":\"hello, world\"}\n");
    }
}

#[test]
fn when_every_endpoint_is_down_rpcs_fail_at_once_with_unavailable() {
    every_endpoint_down(&[]);
}

#[test]
fn without_health_checks_too_rpcs_fail_at_once_when_every_endpoint_is_down() {
    // Then the failed calls themselves (refused reconnects) take the
    // endpoints out.
    every_endpoint_down(&["--health-check=false"]);
}

fn every_endpoint_down(flags: &[&str]) {
    let servers = [Server::start(&[]), Server::start(&[])];
    let all: Vec<&Server> = servers.iter().collect();
    let addrs = format!("{},{}", servers[0].addr(), servers[1].addr());
    // 1,500 RPCs over 5 s, each with a 60 s deadline; both replicas die
    // early on.
    let mut args = vec!["--timeout", "60s"];
    args.extend_from_slice(flags);
    let bench = spawn_paced_bench(&addrs, &args);
    wait_for_rpcs(&all, 300);
    for server in &servers {
        server.signal(libc::SIGKILL);
    }
    let report = report_of(bench);
    // Nothing waited for its deadline: once both were found down, every RPC
    // failed at once, UNAVAILABLE, naming why for each endpoint (as gRPC's
    // pickers fail RPCs when every subchannel is in TRANSIENT_FAILURE).
    assert!(
        report["status_codes"]["DEADLINE_EXCEEDED"].is_null(),
        "{report}"
    );
    let failed = report["failed"].as_u64().unwrap_or(0);
    assert!(failed >= 500, "{report}");
    assert_eq!(
        report["status_codes"]["UNAVAILABLE"].as_u64(),
        Some(failed),
        "{report}"
    );
    let errors = report["errors"].as_object().expect("errors");
    assert!(
        errors
            .keys()
            .any(|error| error.starts_with("UNAVAILABLE: no endpoint is up: ")),
        "{report}"
    );
}

#[test]
fn hello_to_endpoints_that_all_report_not_serving_fails_at_once() {
    // Draining replicas: NOT_SERVING on health, still accepting for 30 s.
    let servers = [
        Server::start(&["--drain-delay", "30s"]),
        Server::start(&["--drain-delay", "30s"]),
    ];
    for server in &servers {
        server.signal(libc::SIGTERM);
        assert!(server.wait_for_log("shutting down", Duration::from_secs(5)));
    }
    let addrs = format!("{},{}", servers[0].addr(), servers[1].addr());
    let output = run(&["hello", "--timeout", "20s", "--addr", &addrs]);
    assert_eq!(output.status.code(), Some(78), "{}", stderr(&output));
    let error = stderr(&output);
    assert!(
        error.starts_with("error: UNAVAILABLE: no endpoint is up: ")
            && error.matches("the server reports NOT_SERVING").count() == 2,
        "{error}"
    );
}
