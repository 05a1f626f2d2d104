//! The registry (issue 24) on a real etcd: Debian's etcd-server, installed
//! by tests/etcd/setup.sh when missing, started here on loopback ports the
//! test picks with a data dir of its own, and ended by PID. Replicas
//! publish themselves with `serve --register`, clients and `bench` find
//! them with `--addr etcd://…`.

mod common;

use std::{
    path::PathBuf,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use common::{
    grpc_demo, metrics_port, run, run_bounded, run_setup, stderr, stdout, wait_for_port,
    wait_for_sample, wait_until, KillOnDrop, Server,
};
use serde_json::Value;

const SERVICE: &str = "greeter";

/// A single-member etcd on two free loopback ports.
struct Etcd {
    child: Option<KillOnDrop>,
    etcd: PathBuf,
    etcdctl: PathBuf,
    client_port: u16,
    peer_port: u16,
    dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    free_ports::<1>()[0]
}

/// `N` distinct free loopback ports (the probes are held together, so the
/// kernel cannot hand out one twice).
fn free_ports<const N: usize>() -> [u16; N] {
    let probes: Vec<std::net::TcpListener> = (0..N)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").expect("bind a probe"))
        .collect();
    std::array::from_fn(|i| probes[i].local_addr().expect("probe address").port())
}

impl Etcd {
    fn start() -> Self {
        let installed = run_setup("tests/etcd/setup.sh");
        let [client_port, peer_port] = free_ports();
        let mut etcd = Self {
            child: None,
            etcd: installed.get("ETCD"),
            etcdctl: installed.get("ETCDCTL"),
            client_port,
            peer_port,
            dir: tempfile::tempdir().expect("temp dir"),
        };
        etcd.run();
        etcd
    }

    /// Starts etcd (again: same ports, same data) and waits until it
    /// answers.
    fn run(&mut self) {
        let client = format!("http://{}", self.endpoint());
        let peer = format!("http://127.0.0.1:{}", self.peer_port);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("etcd.log"))
            .expect("etcd.log");
        let child = Command::new(&self.etcd)
            .args(["--name", "registry-test", "--data-dir"])
            .arg(self.dir.path().join("data"))
            .args(["--listen-client-urls", &client])
            .args(["--advertise-client-urls", &client])
            .args(["--listen-peer-urls", &peer])
            .args(["--initial-advertise-peer-urls", &peer])
            .args(["--initial-cluster", &format!("registry-test={peer}")])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawning etcd");
        self.child = Some(KillOnDrop(child));
        assert!(
            wait_for_port(&self.endpoint(), Duration::from_secs(30)),
            "etcd did not listen on {}: {}",
            self.endpoint(),
            self.log()
        );
        let healthy = wait_until(Duration::from_secs(30), || {
            self.etcdctl(&["endpoint", "health"]).status.success()
        });
        assert!(healthy, "etcd is not healthy: {}", self.log());
    }

    /// SIGTERM, and its exit.
    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.signal(libc::SIGTERM);
            assert!(
                child.wait(Duration::from_secs(30)).is_some(),
                "etcd did not stop"
            );
        }
    }

    fn endpoint(&self) -> String {
        format!("127.0.0.1:{}", self.client_port)
    }

    fn url(&self, service: &str) -> String {
        format!("etcd://{}/{service}", self.endpoint())
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("etcd.log")).unwrap_or_default()
    }

    fn etcdctl(&self, args: &[&str]) -> std::process::Output {
        Command::new(&self.etcdctl)
            .env("ETCDCTL_API", "3")
            .args(["--endpoints", &self.endpoint()])
            .args(["--dial-timeout", "2s", "--command-timeout", "5s"])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("running etcdctl")
    }

    /// `etcdctl get --prefix SERVICE/`: (key, value) pairs.
    fn registered(&self, service: &str) -> Vec<(String, String)> {
        let output = self.etcdctl(&["get", "--prefix", &format!("{service}/")]);
        assert!(output.status.success(), "etcdctl get: {}", stderr(&output));
        let text = stdout(&output);
        let lines: Vec<&str> = text.lines().collect();
        lines
            .chunks(2)
            .map(|pair| (pair[0].to_owned(), pair.get(1).unwrap_or(&"").to_string()))
            .collect()
    }

    fn has_key(&self, key: &str) -> bool {
        let output = self.etcdctl(&["get", "--keys-only", key]);
        assert!(output.status.success(), "etcdctl get: {}", stderr(&output));
        stdout(&output).lines().any(|line| line == key)
    }
}

impl Drop for Etcd {
    fn drop(&mut self) {
        // KillOnDrop ends it (by PID); its log helps a failed test.
        if std::thread::panicking() {
            eprintln!("etcd log:\n{}", self.log());
        }
    }
}

/// A replica registered under [`SERVICE`] (listening once its key is put).
fn replica(etcd: &Etcd, extra: &[&str]) -> Server {
    let url = etcd.url(SERVICE);
    let mut args = vec!["--register", url.as_str(), "--register-ttl", "2s"];
    args.extend_from_slice(extra);
    Server::start(&args)
}

fn naming_value(addr: &str) -> String {
    format!(r#"{{"Addr":"{addr}","Metadata":null}}"#)
}

fn rpcs_logged(server: &Server) -> usize {
    server
        .log()
        .lines()
        .filter(|line| line.contains("method=/packages.GreetService/sayHello"))
        .count()
}

/// Seconds since midnight of a log line's timestamp
/// (`2026-12-02T05:28:52.485839Z …`).
fn log_time(line: &str) -> Option<f64> {
    let time = line.split_whitespace().next()?.split('T').nth(1)?;
    let mut parts = time.trim_end_matches('Z').split(':');
    let hours: f64 = parts.next()?.parse().ok()?;
    let minutes: f64 = parts.next()?.parse().ok()?;
    let seconds: f64 = parts.next()?.parse().ok()?;
    Some(hours * 3600.0 + minutes * 60.0 + seconds)
}

/// From the server's `SIGTERM received` to the end of the last RPC it
/// served (its access line): how long clients took to leave it.
fn time_to_leave(server: &Server) -> Option<f64> {
    let log = server.log();
    let signalled = log_time(log.lines().find(|line| line.contains("SIGTERM received"))?)?;
    let last_rpc = log_time(
        log.lines()
            .rev()
            .find(|line| line.contains("method=/packages.GreetService/sayHello"))?,
    )?;
    Some(last_rpc - signalled)
}

fn total_logged(servers: &[&Server]) -> usize {
    servers.iter().map(|server| rpcs_logged(server)).sum()
}

fn wait_for_rpcs(servers: &[&Server], count: usize) {
    let mut logged = 0;
    let reached = wait_until(Duration::from_secs(60), || {
        logged = total_logged(servers);
        logged >= count
    });
    assert!(
        reached,
        "the servers logged {logged} RPCs, expected {count}"
    );
}

/// `bench hello` through the registry, paced (`n` RPCs at 300/s), still
/// running.
fn spawn_bench(etcd: &Etcd, n: u32) -> KillOnDrop {
    KillOnDrop(
        grpc_demo()
            .args([
                "bench",
                "hello",
                "-n",
                &n.to_string(),
                "--rate",
                "300",
                "-c",
                "8",
            ])
            .args(["-o", "json", "--addr", &etcd.url(SERVICE)])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawning bench"),
    )
}

/// The bench's report, once it ended (within 120 s).
fn report_of(bench: KillOnDrop) -> Value {
    report_and_log(bench).0
}

/// The bench's report and what it wrote on stderr.
fn report_and_log(mut bench: KillOnDrop) -> (Value, String) {
    assert!(
        bench.wait(Duration::from_secs(120)).is_some(),
        "bench still running after 120 s"
    );
    let mut out = String::new();
    let mut err = String::new();
    if let Some(mut pipe) = bench.0.stdout.take() {
        std::io::Read::read_to_string(&mut pipe, &mut out).expect("bench stdout");
    }
    if let Some(mut pipe) = bench.0.stderr.take() {
        std::io::Read::read_to_string(&mut pipe, &mut err).expect("bench stderr");
    }
    let report =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("bench printed no JSON ({e}): {err}"));
    (report, err)
}

#[test]
fn three_replicas_register_in_the_naming_format_and_bench_spreads_over_them() {
    let etcd = Etcd::start();
    let servers = [
        replica(&etcd, &["--metrics-addr", "127.0.0.1:0"]),
        replica(&etcd, &[]),
        replica(&etcd, &[]),
    ];
    let mut expected: Vec<(String, String)> = servers
        .iter()
        .map(|server| {
            (
                format!("{SERVICE}/{}", server.addr()),
                naming_value(&server.addr()),
            )
        })
        .collect();
    expected.sort();
    assert_eq!(etcd.registered(SERVICE), expected);
    wait_for_sample(metrics_port(&servers[0]), "grpc_demo_registered", 1.0);

    let output = run(&[
        "bench",
        "hello",
        "-n",
        "3000",
        "-c",
        "8",
        "-o",
        "json",
        "--addr",
        &etcd.url(SERVICE),
    ]);
    let report: Value = serde_json::from_str(&stdout(&output))
        .unwrap_or_else(|err| panic!("bench printed no JSON ({err}): {}", stderr(&output)));
    assert_eq!(report["ok"], 3000, "{}", stderr(&output));
    let endpoints = report["endpoints"].as_object().expect("endpoints");
    assert_eq!(endpoints.len(), 3, "{report}");
    for server in &servers {
        let sent = endpoints[&server.addr()].as_u64().unwrap_or(0);
        assert!((690..=1310).contains(&sent), "uneven spread: {endpoints:?}");
        // What the bench counts, the server served (its access lines are
        // written in batches: waited for).
        let served = wait_until(Duration::from_secs(20), || {
            rpcs_logged(server) as u64 >= sent
        });
        assert!(served, "{} sent, {} logged", sent, rpcs_logged(server));
    }

    // Every client subcommand takes the address.
    let output = run(&["hello", "--addr", &etcd.url(SERVICE), "--name", "registry"]);
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn sigterm_takes_the_key_out_before_the_listener_closes_and_sigkill_after_the_ttl() {
    let etcd = Etcd::start();
    // A drain delay as for any client-side balancing; 3 s also leaves
    // etcdctl (a process per poll) time to see the key gone while the
    // listener is certainly still open, on a loaded machine.
    let mut drained = replica(&etcd, &["--drain-delay", "3s"]);
    let servers = [
        replica(&etcd, &["--drain-delay", "3s"]),
        replica(&etcd, &["--drain-delay", "3s"]),
    ];
    let key = |server: &Server| format!("{SERVICE}/{}", server.addr());

    // SIGTERM one while bench runs: its key goes first, while its
    // listener still accepts (NOT_SERVING and the drain delay come after);
    // no RPC fails.
    let bench = spawn_bench(&etcd, 1500);
    wait_for_rpcs(&[&drained, &servers[0], &servers[1]], 300);
    let signalled = Instant::now();
    drained.signal(libc::SIGTERM);
    let gone = wait_until(Duration::from_secs(10), || !etcd.has_key(&key(&drained)));
    assert!(
        gone,
        "the drained replica's key is still there: {}",
        drained.log()
    );
    let took = signalled.elapsed();
    assert!(
        std::net::TcpStream::connect(drained.addr()).is_ok(),
        "the listener closed before the key was deleted: {}",
        drained.log()
    );
    eprintln!("SIGTERM: key gone {took:?} after the signal, the listener still open");
    let report = report_of(bench);
    eprintln!(
        "SIGTERM: {} OK, {} failed {}",
        report["ok"], report["failed"], report["errors"]
    );
    assert_eq!(report["failed"], 0, "a drained replica cost RPCs: {report}");
    assert_eq!(report["ok"], 1500, "{report}");
    let status = drained.wait(Duration::from_secs(30));
    assert_eq!(status.and_then(|s| s.code()), Some(0), "{}", drained.log());
    eprintln!(
        "SIGTERM: its last RPC ended {:?} s after the signal",
        time_to_leave(&drained)
    );
    let all: Vec<&Server> = servers.iter().collect();

    // SIGKILL another: its key stays until its lease expires (TTL 2 s),
    // then goes; only what was in flight on it may fail.
    let before = total_logged(&all);
    let bench = spawn_bench(&etcd, 1500);
    wait_for_rpcs(&all, before + 300);
    let killed = &servers[0];
    let signalled = Instant::now();
    killed.signal(libc::SIGKILL);
    let gone = wait_until(Duration::from_secs(30), || !etcd.has_key(&key(killed)));
    assert!(gone, "the killed replica's key outlived its lease");
    eprintln!("SIGKILL: key gone {:?} after the kill", signalled.elapsed());
    let report = report_of(bench);
    let failed = report["failed"].as_u64().expect("failed");
    eprintln!(
        "SIGKILL: {} OK, {failed} failed {}",
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
    assert!(etcd.has_key(&key(&servers[1])));
}

#[test]
fn a_replica_started_mid_run_gets_rpcs_without_a_client_restart() {
    let etcd = Etcd::start();
    let first = [
        replica(&etcd, &[]),
        replica(&etcd, &[]),
        replica(&etcd, &[]),
    ];
    let all: Vec<&Server> = first.iter().collect();
    let bench = spawn_bench(&etcd, 3000);
    wait_for_rpcs(&all, 300);
    // A fourth; `listening on` comes once its key is put.
    let started = Instant::now();
    let late = replica(&etcd, &[]);
    let registered = started.elapsed();
    wait_for_rpcs(&[&late], 1);
    eprintln!(
        "a new replica: registered {registered:?} after its start, its first RPC {:?} after",
        started.elapsed()
    );
    wait_for_rpcs(&[&late], 100);
    let report = report_of(bench);
    assert_eq!(
        report["endpoints"].as_object().map(|e| e.len()),
        Some(4),
        "{report}"
    );
    assert_eq!(report["failed"], 0, "{report}");
    assert_eq!(report["ok"], 3000, "{report}");
    assert!(
        report["endpoints"][&late.addr()].as_u64().unwrap_or(0) >= 100,
        "{report}"
    );
}

#[test]
fn keys_written_by_etcdctl_in_the_naming_format_are_found() {
    let etcd = Etcd::start();
    // A server that does not register itself: etcdctl does it, as a grpc-go
    // service using etcd's endpoints manager would.
    let server = Server::start(&[]);
    let key = format!("interop/{}", server.addr());
    let put = etcd.etcdctl(&["put", &key, &naming_value(&server.addr())]);
    assert!(put.status.success(), "{}", stderr(&put));
    // Not in the format: skipped, not an error.
    let junk = etcd.etcdctl(&["put", "interop/junk", "not json"]);
    assert!(junk.status.success(), "{}", stderr(&junk));
    let output = run(&["hello", "--addr", &etcd.url("interop"), "--name", "etcdctl"]);
    assert!(output.status.success(), "{}", stderr(&output));
    wait_for_rpcs(&[&server], 1);

    // Deleted: nothing registered any more, UNAVAILABLE at once.
    let deleted = etcd.etcdctl(&["del", &key]);
    assert!(deleted.status.success(), "{}", stderr(&deleted));
    let output = run(&["hello", "--addr", &etcd.url("interop"), "--name", "etcdctl"]);
    assert_eq!(output.status.code(), Some(78), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("no endpoint registered under interop"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn registry_errors_are_one_line_with_their_exit_code() {
    let etcd = Etcd::start();
    // etcd unreachable at start: exit 1, one line.
    let nothing_there = format!("etcd://127.0.0.1:{}/{SERVICE}", free_port());
    let output = run_bounded(
        &[
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--register",
            &nothing_there,
        ],
        Duration::from_secs(60),
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    let error_lines: Vec<&str> = err.lines().filter(|line| line.contains("error")).collect();
    assert_eq!(error_lines.len(), 1, "{err}");
    assert!(error_lines[0].contains(&nothing_there), "{err}");
    assert!(
        stdout(&output).is_empty(),
        "announced a listener it never served"
    );

    // A wildcard bind without --advertise-addr: a usage error.
    let output = run_bounded(
        &["serve", "--port", "0", "--register", &etcd.url(SERVICE)],
        Duration::from_secs(30),
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("--advertise-addr"),
        "{}",
        stderr(&output)
    );

    // With it, the advertised address is what is registered.
    let server = Server::start_at(
        "0.0.0.0",
        0,
        &[
            "--register",
            &etcd.url("advertised"),
            "--advertise-addr",
            "127.0.0.1:1",
        ],
    );
    assert_eq!(
        etcd.registered("advertised"),
        [(
            "advertised/127.0.0.1:1".to_owned(),
            naming_value("127.0.0.1:1")
        )]
    );
    drop(server);

    // An empty prefix: UNAVAILABLE (64 + 14) at once, saying so.
    let output = run(&["hello", "--addr", &etcd.url("nobody")]);
    assert_eq!(output.status.code(), Some(78), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("no endpoint registered under nobody"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn register_flags_are_checked_before_anything_starts() {
    let url = "etcd://127.0.0.1:2379/greeter";
    for (args, expected) in [
        (
            vec![
                "--host",
                "127.0.0.1",
                "--register",
                url,
                "--register-ttl",
                "500ms",
            ],
            "whole number of seconds",
        ),
        (vec!["--register-ttl", "5s"], "--register"),
        (vec!["--advertise-addr", "127.0.0.1:1"], "--register"),
        (
            vec!["--register", url, "--advertise-addr", "0.0.0.0:50000"],
            "wildcard",
        ),
        (
            vec!["--register", url, "--advertise-addr", "host"],
            "HOST:PORT",
        ),
        (
            vec!["--register", "etcd://127.0.0.1:2379"],
            "no service name",
        ),
        (vec!["--register", url, "--uds", "/tmp/x.sock"], "--uds"),
    ] {
        let mut all = vec!["serve", "--port", "0"];
        all.extend(&args);
        if args.contains(&"--uds") {
            all.drain(1..3);
        }
        let output = run_bounded(&all, Duration::from_secs(30));
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(expected),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    // A client address: etcd:// is the only one.
    let output = run(&[
        "hello",
        "--addr",
        "etcd://127.0.0.1:2379/greeter,127.0.0.1:1",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("only --addr"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn etcd_restarted_mid_run_servers_register_again_and_no_rpc_fails() {
    let mut etcd = Etcd::start();
    let servers = [
        replica(&etcd, &["--metrics-addr", "127.0.0.1:0"]),
        replica(&etcd, &[]),
    ];
    let all: Vec<&Server> = servers.iter().collect();
    let metrics = metrics_port(&servers[0]);
    let bench = spawn_bench(&etcd, 3000);
    wait_for_rpcs(&all, 300);
    etcd.stop();
    // The servers notice (their keep-alive breaks) and keep serving.
    for server in &servers {
        assert!(
            server.wait_for_log("unreachable, still serving", Duration::from_secs(30)),
            "{}",
            server.log()
        );
    }
    wait_for_sample(metrics, "grpc_demo_registered", 0.0);
    let before = total_logged(&all);
    wait_for_rpcs(&all, before + 100);
    etcd.run();
    for server in &servers {
        assert!(
            server.wait_for_log("registered again", Duration::from_secs(30)),
            "{}",
            server.log()
        );
    }
    wait_for_sample(metrics, "grpc_demo_registered", 1.0);
    assert_eq!(etcd.registered(SERVICE).len(), 2);
    let (report, log) = report_and_log(bench);
    assert_eq!(report["failed"], 0, "{report}");
    assert_eq!(report["ok"], 3000, "{report}");
    // The client saw etcd go and kept its endpoints meanwhile.
    assert!(log.contains("keeping the 2 endpoints known"), "{log}");
}

/// deploy/systemd/grpc-demo@.service: its ExecStart, with the instance
/// (`%i`) and the environment file's variables filled in as systemd
/// would, registers a replica and drains it within the unit's stop
/// timeout.
#[test]
fn the_systemd_unit_registers_and_drains_within_its_stop_timeout() {
    let unit = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/systemd/grpc-demo@.service"),
    )
    .expect("deploy/systemd/grpc-demo@.service");
    let setting = |name: &str| -> String {
        unit.lines()
            .find_map(|line| line.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name}= in the unit"))
            .to_owned()
    };
    let etcd = Etcd::start();
    let port = free_port().to_string();
    let registry = etcd.url("unit");
    let exec_start = setting("ExecStart")
        .replace("%i", &port)
        .replace("${GRPC_DEMO_REGISTRY}", &registry)
        .replace("${GRPC_DEMO_ADVERTISE_HOST}", "127.0.0.1");
    assert!(
        !exec_start.contains('$') && !exec_start.contains('%'),
        "{exec_start}"
    );
    let mut words = exec_start.split_whitespace();
    assert_eq!(words.next(), Some("/usr/local/bin/grpc-demo"));
    let args: Vec<&str> = words.collect();
    let flag = |name: &str| -> Duration {
        let at = args
            .iter()
            .position(|arg| *arg == name)
            .unwrap_or_else(|| panic!("no {name}"));
        humantime::parse_duration(args[at + 1]).expect("a duration")
    };
    // The stop timeout outlasts a drain: deregistering (at most 2 s), the
    // drain delay and the shutdown timeout.
    let stop_timeout = Duration::from_secs(setting("TimeoutStopSec").parse().expect("seconds"));
    assert!(
        stop_timeout > Duration::from_secs(2) + flag("--drain-delay") + flag("--shutdown-timeout"),
        "TimeoutStopSec={stop_timeout:?} is shorter than a drain"
    );
    assert_eq!(setting("KillSignal"), "SIGTERM");

    let mut command = grpc_demo();
    command.args(&args);
    let mut server = Server::start_command("127.0.0.1", command);
    let key = format!("unit/127.0.0.1:{port}");
    assert_eq!(
        etcd.registered("unit"),
        [(key.clone(), naming_value(&format!("127.0.0.1:{port}")))]
    );
    let output = run(&["hello", "--addr", &registry]);
    assert!(output.status.success(), "{}", stderr(&output));
    server.signal(libc::SIGTERM);
    let gone = wait_until(Duration::from_secs(10), || !etcd.has_key(&key));
    assert!(gone, "{}", server.log());
    let status = server.wait(stop_timeout);
    assert_eq!(status.and_then(|s| s.code()), Some(0), "{}", server.log());
}
