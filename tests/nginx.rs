//! nginx as a gRPC load balancer (deploy/nginx/grpc-demo.conf):
//! three replicas and Debian's nginx on loopback, the config as shipped with
//! only its addresses and ports changed. Checks that RPCs spread evenly, that
//! a replica drained with SIGTERM costs no failed RPC, and that one killed
//! with SIGKILL costs at most the RPCs that were in flight on it.
//! nginx is installed by tests/nginx/setup.sh when missing (apt-get, as
//! root); a missing nginx fails these tests, it does not skip them.

mod common;

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::OnceLock,
    thread,
    time::{Duration, Instant},
};

use common::{grpc_demo, stderr, stdout, Server};
use serde_json::Value;

const CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/nginx/grpc-demo.conf");

/// The client's RPCs in flight at once: the most a killed replica can have.
const CONCURRENCY: u64 = 8;

fn nginx_binary() -> &'static Path {
    static NGINX: OnceLock<PathBuf> = OnceLock::new();
    NGINX.get_or_init(|| common::run_setup("tests/nginx/setup.sh").get("NGINX"))
}

/// A free loopback port (nginx binds it right after; nothing else on this
/// machine's loopback takes ports at random in between).
fn free_port() -> u16 {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    probe.local_addr().expect("local_addr").port()
}

/// nginx with deploy/nginx/grpc-demo.conf, the replicas' and its own
/// addresses replaced, in a prefix directory of its own. Stopped (SIGTERM,
/// nginx's fast shutdown, which ends its workers too) on drop.
struct Nginx {
    child: Child,
    port: u16,
    _prefix: tempfile::TempDir,
}

impl Nginx {
    fn start(replicas: &[&Server]) -> Self {
        let nginx = nginx_binary();
        let mut config = std::fs::read_to_string(CONFIG).expect("reading the nginx config");
        let port = free_port();
        let mut replace = |from: &str, to: &str| {
            assert_eq!(
                config.matches(from).count(),
                1,
                "deploy/nginx/grpc-demo.conf should have `{from}` once"
            );
            config = config.replace(from, to);
        };
        replace(
            "listen 127.0.0.1:50000 ",
            &format!("listen 127.0.0.1:{port} "),
        );
        for (replica, default) in replicas.iter().zip(["50001", "50002", "50003"]) {
            replace(
                &format!("server 127.0.0.1:{default} "),
                &format!("server {} ", replica.addr()),
            );
        }
        let prefix = tempfile::tempdir().expect("tempdir");
        let conf = prefix.path().join("nginx.conf");
        std::fs::write(&conf, config).expect("writing nginx.conf");
        // Run as the test's own user: as root, nginx would otherwise hand
        // its workers to `nobody`.
        // SAFETY: geteuid has no preconditions.
        let globals = if unsafe { libc::geteuid() } == 0 {
            "daemon off; user root;"
        } else {
            "daemon off;"
        };
        let child = Command::new(nginx)
            .arg("-p")
            .arg(prefix.path())
            .arg("-c")
            .arg(&conf)
            .args(["-e", "stderr", "-g", globals])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawning nginx");
        let nginx = Self {
            child,
            port,
            _prefix: prefix,
        };
        nginx.wait_until_listening();
        nginx
    }

    fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn wait_until_listening(&self) {
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "nginx did not listen on {} within 10 s",
                self.addr()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let pid = i32::try_from(self.child.id()).expect("pid fits i32");
            // SAFETY: kill(2) on the PID of a child we started and still own.
            unsafe { libc::kill(pid, libc::SIGTERM) };
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(10) {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                thread::sleep(Duration::from_millis(20));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// sayHello RPCs in a replica's access log.
fn rpcs(replica: &Server) -> u64 {
    replica
        .log()
        .lines()
        .filter(|line| line.contains("method=/packages.GreetService/sayHello"))
        .count() as u64
}

fn total_rpcs(replicas: &[&Server]) -> u64 {
    replicas.iter().map(|replica| rpcs(replica)).sum()
}

/// Waits (at most 30 s) until the replicas logged `count` RPCs in all.
fn wait_for_rpcs(replicas: &[&Server], count: u64) {
    let started = Instant::now();
    while total_rpcs(replicas) < count {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the replicas logged {} RPCs, expected {count}",
            total_rpcs(replicas)
        );
        thread::sleep(Duration::from_millis(10));
    }
}

/// `bench hello` through nginx, `total` RPCs at `rate`/s (unpaced when
/// `None`), still running.
fn spawn_bench(nginx: &Nginx, total: u64, rate: Option<u32>) -> Child {
    let mut command = grpc_demo();
    command.args([
        "bench",
        "hello",
        "-n",
        &total.to_string(),
        "-c",
        &CONCURRENCY.to_string(),
        "-o",
        "json",
        "--addr",
        &nginx.addr(),
    ]);
    if let Some(rate) = rate {
        command.args(["--rate", &rate.to_string()]);
    }
    command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawning bench")
}

/// Waits for the bench (bounded by its own schedule and --timeout) and
/// parses its report.
fn bench_report(bench: Child) -> Value {
    let output = bench.wait_with_output().expect("waiting for bench");
    serde_json::from_str(&stdout(&output))
        .unwrap_or_else(|err| panic!("bench printed no JSON ({err}): {}", stderr(&output)))
}

#[test]
fn nginx_spreads_rpcs_evenly_and_rides_out_a_drained_and_a_killed_replica() {
    let replicas = [Server::start(&[]), Server::start(&[]), Server::start(&[])];
    let all: Vec<&Server> = replicas.iter().collect();
    let nginx = Nginx::start(&all);

    // 1. Spread: 3,000 RPCs, each replica within 33% ± 10%.
    let report = bench_report(spawn_bench(&nginx, 3000, None));
    assert_eq!(report["ok"], 3000, "{report}");
    wait_for_rpcs(&all, 3000);
    let counts: Vec<u64> = all.iter().map(|replica| rpcs(replica)).collect();
    eprintln!("RPCs per replica: {counts:?}");
    for count in &counts {
        assert!(
            (690..=1290).contains(count),
            "uneven spread over the replicas: {counts:?}"
        );
    }

    // 2. Drain: SIGTERM a replica once a third of the run has gone by.
    // Its in-flight RPCs finish, nginx sends new ones elsewhere.
    let before = total_rpcs(&all);
    let bench = spawn_bench(&nginx, 1500, Some(300));
    wait_for_rpcs(&all, before + 500);
    replicas[0].signal(libc::SIGTERM);
    let report = bench_report(bench);
    eprintln!(
        "drained replica: {} OK, {} failed {}",
        report["ok"], report["failed"], report["errors"]
    );
    assert_eq!(report["failed"], 0, "a drained replica cost RPCs: {report}");
    assert_eq!(report["ok"], 1500, "{report}");

    // 3. Kill: SIGKILL another replica mid-run. Only what was in flight on
    // it may fail, as UNAVAILABLE (the config's answer for a dead upstream).
    let before = total_rpcs(&all);
    let bench = spawn_bench(&nginx, 1500, Some(300));
    wait_for_rpcs(&all, before + 500);
    replicas[1].signal(libc::SIGKILL);
    let report = bench_report(bench);
    let failed = report["failed"].as_u64().expect("failed count");
    eprintln!(
        "killed replica: {} OK, {failed} failed {}",
        report["ok"], report["errors"]
    );
    assert!(
        failed <= CONCURRENCY,
        "more RPCs failed ({failed}) than can have been in flight on the killed replica: {report}"
    );
    assert_eq!(
        report["ok"].as_u64().unwrap_or(0) + failed,
        1500,
        "{report}"
    );
    let codes = report["status_codes"].as_object().expect("status codes");
    assert!(
        codes
            .keys()
            .all(|code| code == "OK" || code == "UNAVAILABLE"),
        "{report}"
    );
}
