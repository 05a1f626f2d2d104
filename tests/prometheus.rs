//! `serve --metrics-addr` scraped by a real Prometheus (Debian's package,
//! installed by `tests/prometheus/setup.sh` when missing): a known mix of
//! traffic, then exact values read back through Prometheus's query API, and
//! `promtool check metrics` on the exposition.

mod common;

use std::{
    collections::HashMap,
    io::Write,
    net::TcpListener,
    path::PathBuf,
    process::{Command, Stdio},
    sync::OnceLock,
    thread,
    time::{Duration, Instant},
};

use common::{http_get, metrics_port, run, stderr, stdout, wait_for_sample, KillOnDrop, Server};
use grpc_demo::proto::HelloRequest;
use tonic::{transport::Channel, Code};
use tonic_health::pb::{health_client::HealthClient, HealthCheckRequest};

const TOKEN: &str = "s3cret";

struct Tools {
    prometheus: PathBuf,
    promtool: PathBuf,
}

fn tools() -> &'static Tools {
    static TOOLS: OnceLock<Tools> = OnceLock::new();
    TOOLS.get_or_init(|| {
        let installed = common::run_setup("tests/prometheus/setup.sh");
        let get = |key: &str| installed.get(key);
        Tools {
            prometheus: get("PROMETHEUS"),
            promtool: get("PROMTOOL"),
        }
    })
}

/// A Prometheus started by the test on a free loopback port, killed (by
/// PID) on drop.
struct Prometheus {
    _child: KillOnDrop,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Prometheus {
    /// Scrapes `target` (HOST:PORT) every second.
    fn start(target: &str) -> Self {
        let mut failures = String::new();
        // The port is picked free, then handed over: another process may
        // take it in between, so a failed start is retried (3 tries).
        for _ in 0..3 {
            let dir = tempfile::tempdir().expect("temp dir");
            let config = dir.path().join("prometheus.yml");
            std::fs::write(
                &config,
                format!(
                    "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n\
                     scrape_configs:\n  - job_name: grpc-demo\n    static_configs:\n      - targets: ['{target}']\n"
                ),
            )
            .expect("writing prometheus.yml");
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|listener| listener.local_addr())
                .expect("a free port")
                .port();
            let log = std::fs::File::create(dir.path().join("prometheus.log")).expect("log file");
            let child = Command::new(&tools().prometheus)
                .arg(format!("--config.file={}", config.display()))
                .arg(format!(
                    "--storage.tsdb.path={}",
                    dir.path().join("data").display()
                ))
                .arg(format!("--web.listen-address=127.0.0.1:{port}"))
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("log file"))
                .stderr(log)
                .spawn()
                .expect("starting prometheus");
            let mut child = KillOnDrop(child);
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(60) {
                if let Ok(Some(_)) = child.0.try_wait() {
                    break;
                }
                if matches!(http_get(port, "/-/ready", None), Ok((200, _, _))) {
                    return Self {
                        _child: child,
                        port,
                        _dir: dir,
                    };
                }
                thread::sleep(Duration::from_millis(100));
            }
            failures.push_str(
                &std::fs::read_to_string(dir.path().join("prometheus.log")).unwrap_or_default(),
            );
        }
        panic!("prometheus did not become ready:\n{failures}");
    }

    /// An instant query: each series' labels and value.
    fn query(&self, promql: &str) -> Vec<(HashMap<String, String>, f64)> {
        let encoded =
            percent_encoding::utf8_percent_encode(promql, percent_encoding::NON_ALPHANUMERIC);
        let (status, _, body) =
            http_get(self.port, &format!("/api/v1/query?query={encoded}"), None)
                .unwrap_or_else(|err| panic!("querying {promql}: {err}"));
        assert_eq!(status, 200, "{promql}: {body}");
        let json: serde_json::Value = serde_json::from_str(&body).expect("JSON answer");
        json["data"]["result"]
            .as_array()
            .unwrap_or_else(|| panic!("{promql}: no result in {body}"))
            .iter()
            .map(|series| {
                let labels = series["metric"]
                    .as_object()
                    .map(|labels| {
                        labels
                            .iter()
                            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                            .collect()
                    })
                    .unwrap_or_default();
                let value = series["value"][1]
                    .as_str()
                    .and_then(|value| value.parse().ok())
                    .unwrap_or_else(|| panic!("{promql}: no value in {series}"));
                (labels, value)
            })
            .collect()
    }

    /// The single value of `promql`, or `None` when it has no series.
    fn value(&self, promql: &str) -> Option<f64> {
        let result = self.query(promql);
        assert!(result.len() <= 1, "{promql}: several series: {result:?}");
        result.first().map(|(_, value)| *value)
    }

    /// Waits (at most a minute) until `promql` has the value `expected`.
    fn wait_for(&self, promql: &str, expected: f64) {
        let started = Instant::now();
        let mut last = None;
        while started.elapsed() < Duration::from_secs(60) {
            last = self.value(promql);
            if last == Some(expected) {
                return;
            }
            thread::sleep(Duration::from_millis(200));
        }
        panic!("{promql} is {last:?}, never {expected}");
    }
}

/// One health check, one reflection stream (one request, one answer) and
/// one call of a method the server does not have, with tonic clients.
fn health_reflection_and_unknown_method(addr: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let channel = Channel::from_shared(format!("http://{addr}"))
            .expect("uri")
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .connect()
            .await
            .expect("connect");
        let health = HealthClient::new(channel.clone())
            .check(HealthCheckRequest {
                service: String::new(),
            })
            .await
            .expect("health check");
        assert_eq!(health.into_inner().status, 1, "SERVING");

        use tonic_reflection::pb::v1::{
            server_reflection_client::ServerReflectionClient,
            server_reflection_request::MessageRequest, ServerReflectionRequest,
        };
        let request = ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::ListServices(String::new())),
        };
        let mut answers = ServerReflectionClient::new(channel.clone())
            .server_reflection_info(tokio_stream::iter([request]))
            .await
            .expect("reflection")
            .into_inner();
        let mut count = 0;
        while let Some(answer) = answers.message().await.expect("reflection answer") {
            assert!(answer.message_response.is_some());
            count += 1;
        }
        assert_eq!(count, 1);

        let mut grpc = tonic::client::Grpc::new(channel);
        grpc.ready().await.expect("ready");
        let status = grpc
            .unary::<_, HelloRequest, _>(
                tonic::Request::new(HelloRequest {
                    name: "scanner".into(),
                }),
                http::uri::PathAndQuery::from_static("/packages.NoSuchService/probe"),
                tonic_prost::ProstCodec::default(),
            )
            .await
            .expect_err("an unknown method fails");
        assert_eq!(status.code(), Code::Unimplemented, "{status:?}");
    });
}

#[test]
fn prometheus_scrapes_exact_counts_of_a_known_traffic_mix() {
    let server = Server::start(&["--metrics-addr", "127.0.0.1:0", "--token", TOKEN]);
    let metrics = metrics_port(&server);
    let prometheus = Prometheus::start(&format!("127.0.0.1:{metrics}"));
    // A first scrape before any traffic, so rate() sees it start from zero.
    prometheus.wait_for(r#"up{job="grpc-demo"}"#, 1.0);

    let addr = server.addr();
    for _ in 0..7 {
        let output = run(&["hello", "--addr", &addr, "--token", TOKEN]);
        assert!(output.status.success(), "{}", stderr(&output));
    }
    for _ in 0..2 {
        let output = run(&["hello", "--addr", &addr]);
        assert_eq!(output.status.code(), Some(64 + 16), "{}", stderr(&output));
    }
    for _ in 0..3 {
        let output = run(&["stream", "--addr", &addr, "--token", TOKEN, "--count", "4"]);
        assert!(output.status.success(), "{}", stderr(&output));
        assert_eq!(stdout(&output).lines().count(), 4);
    }
    health_reflection_and_unknown_method(&addr);

    // 7 + 2 + 3 + 1 + 1 + 1 RPCs; all handled, none in flight, no
    // connection left open.
    prometheus.wait_for("sum(grpc_server_handled_total)", 15.0);
    prometheus.wait_for("grpc_server_in_flight_streams", 0.0);
    prometheus.wait_for("grpc_server_open_connections", 0.0);

    let hello = r#"grpc_type="unary",grpc_service="packages.GreetService",grpc_method="sayHello""#;
    let stream = r#"grpc_type="bidi_stream",grpc_service="packages.MessageService",grpc_method="iter_message""#;
    let health = r#"grpc_type="unary",grpc_service="grpc.health.v1.Health",grpc_method="Check""#;
    let unknown = r#"grpc_type="unknown",grpc_service="unknown",grpc_method="unknown""#;
    let reflection = r#"grpc_type="bidi_stream",grpc_service="grpc.reflection.v1.ServerReflection",grpc_method="ServerReflectionInfo""#;
    let expected = [
        (format!("grpc_server_started_total{{{hello}}}"), 9.0),
        (format!(r#"grpc_server_handled_total{{{hello},grpc_code="OK"}}"#), 7.0),
        (
            format!(r#"grpc_server_handled_total{{{hello},grpc_code="Unauthenticated"}}"#),
            2.0,
        ),
        // The server reads no request it refuses for want of a token.
        (format!("grpc_server_msg_received_total{{{hello}}}"), 7.0),
        (format!("grpc_server_msg_sent_total{{{hello}}}"), 7.0),
        (format!("grpc_server_handling_seconds_count{{{hello}}}"), 9.0),
        (format!("grpc_server_started_total{{{stream}}}"), 3.0),
        (format!(r#"grpc_server_handled_total{{{stream},grpc_code="OK"}}"#), 3.0),
        (format!("grpc_server_msg_received_total{{{stream}}}"), 12.0),
        (format!("grpc_server_msg_sent_total{{{stream}}}"), 12.0),
        (format!(r#"grpc_server_handled_total{{{health},grpc_code="OK"}}"#), 1.0),
        (format!(r#"grpc_server_handled_total{{{reflection},grpc_code="OK"}}"#), 1.0),
        (format!("grpc_server_msg_received_total{{{reflection}}}"), 1.0),
        (format!("grpc_server_msg_sent_total{{{reflection}}}"), 1.0),
        (
            format!(r#"grpc_server_handled_total{{{unknown},grpc_code="Unimplemented"}}"#),
            1.0,
        ),
        // The unknown name itself is no label value anywhere.
        (
            r#"count(grpc_server_started_total{grpc_service="packages.NoSuchService"}) or vector(0)"#
                .to_owned(),
            0.0,
        ),
        ("sum(grpc_server_started_total)".to_owned(), 15.0),
        (
            r#"sum(grpc_server_handled_total{grpc_code!~"OK|Unauthenticated|Unimplemented"})"#
                .to_owned(),
            0.0,
        ),
    ];
    let wrong: Vec<String> = expected
        .iter()
        .filter_map(|(promql, want)| {
            let got = prometheus.value(promql);
            (got != Some(*want)).then(|| format!("{promql}: {got:?}, expected {want}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    let p99 = format!(
        "histogram_quantile(0.99, sum by (le) (rate(grpc_server_handling_seconds_bucket{{{hello}}}[1m])))"
    );
    let p99 = prometheus
        .value(&p99)
        .unwrap_or_else(|| panic!("{p99}: no result"));
    assert!(p99.is_finite() && p99 > 0.0, "p99 of sayHello: {p99}");

    for process_metric in [
        "process_resident_memory_bytes",
        "process_cpu_seconds_total",
        "process_open_fds",
        "process_start_time_seconds",
    ] {
        let value = prometheus
            .value(process_metric)
            .unwrap_or_else(|| panic!("no {process_metric}"));
        assert!(value > 0.0, "{process_metric} = {value}");
    }
}

#[test]
fn the_exposition_passes_promtool_and_speaks_openmetrics_when_asked() {
    let server = Server::start(&["--metrics-addr", "127.0.0.1:0"]);
    let metrics = metrics_port(&server);
    let output = run(&["hello", "--addr", &server.addr()]);
    assert!(output.status.success(), "{}", stderr(&output));

    let (status, content_type, text) = http_get(metrics, "/metrics", None).expect("GET /metrics");
    assert_eq!(status, 200);
    assert_eq!(content_type, "text/plain; version=0.0.4; charset=utf-8");
    assert!(
        text.contains("# TYPE grpc_server_handled_total counter\n"),
        "{text}"
    );
    let mut promtool = Command::new(&tools().promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running promtool");
    promtool
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("writing to promtool");
    let checked = promtool.wait_with_output().expect("promtool");
    assert!(
        checked.status.success() && checked.stdout.is_empty() && checked.stderr.is_empty(),
        "promtool check metrics: {:?}\n{}{}",
        checked.status,
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );

    let (status, content_type, openmetrics) = http_get(
        metrics,
        "/metrics",
        Some("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"),
    )
    .expect("GET /metrics");
    assert_eq!(status, 200);
    assert_eq!(
        content_type,
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    assert!(openmetrics.ends_with("# EOF\n"), "{openmetrics}");
    assert!(
        openmetrics.contains("# TYPE grpc_server_handled counter\n"),
        "{openmetrics}"
    );

    let (status, _, _) = http_get(metrics, "/", None).expect("GET /");
    assert_eq!(status, 404);
}

/// `serve` on a free loopback port with `args`, which must stop at once:
/// bounded, so that one that serves instead fails the test.
fn serve_bounded(args: &[&str]) -> std::process::Output {
    let serve = ["serve", "--host", "127.0.0.1", "--port", "0"];
    common::run_bounded(&[&serve[..], args].concat(), Duration::from_secs(10))
}

#[test]
fn bad_metrics_buckets_are_a_usage_error() {
    for bad in ["1,0.5", "0.1,0.1", "0,1", "x"] {
        let output = serve_bounded(&["--metrics-addr", "127.0.0.1:0", "--metrics-buckets", bad]);
        assert_eq!(output.status.code(), Some(2), "{bad}: {}", stderr(&output));
        assert!(
            stderr(&output).contains("--metrics-buckets"),
            "{}",
            stderr(&output)
        );
        assert!(output.stdout.is_empty(), "never listened");
    }
}

#[test]
fn a_metrics_address_in_use_is_one_error_line_and_exit_1() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let output = serve_bounded(&["--metrics-addr", &addr]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    let errors: Vec<&str> = err
        .lines()
        .filter(|line| line.starts_with("error:"))
        .collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(
        errors[0].starts_with(&format!("error: cannot listen on {addr} (--metrics-addr)")),
        "{err}"
    );
    assert!(output.stdout.is_empty(), "never announced");
}

#[test]
fn the_gauges_follow_open_connections_and_streams() {
    let server = Server::start(&["--metrics-addr", "127.0.0.1:0"]);
    let metrics = metrics_port(&server);
    wait_for_sample(metrics, "grpc_server_open_connections", 0.0);
    // START now, the rest a minute apart: one connection, one stream open.
    let client = KillOnDrop(common::spawn_slow_stream(&server, "3", "60s"));
    wait_for_sample(metrics, "grpc_server_open_connections", 1.0);
    wait_for_sample(metrics, "grpc_server_in_flight_streams", 1.0);
    drop(client);
    wait_for_sample(metrics, "grpc_server_in_flight_streams", 0.0);
    wait_for_sample(metrics, "grpc_server_open_connections", 0.0);
}

#[test]
fn bench_reports_the_servers_own_counters_for_its_run() {
    let server = Server::start(&["--metrics-addr", "127.0.0.1:0"]);
    let url = format!("http://127.0.0.1:{}/metrics", metrics_port(&server));
    // Traffic before the run, and the warm-up, are not the run's.
    let output = run(&["hello", "--addr", &server.addr()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let output = run(&[
        "bench",
        "hello",
        "-n",
        "300",
        "--warmup",
        "200ms",
        "-o",
        "json",
        "--metrics-url",
        &url,
        "--addr",
        &server.addr(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON report");
    let server_metrics = &report["server_metrics"];
    assert_eq!(server_metrics["url"], url.as_str());
    assert_eq!(
        server_metrics["handled"],
        serde_json::json!({"OK": 300}),
        "{report}"
    );
    assert_eq!(server_metrics["msg_received"], 300, "{report}");
    assert_eq!(server_metrics["msg_sent"], 300, "{report}");
    assert!(server_metrics["cpu_seconds"].is_f64(), "{report}");
    assert!(server_metrics["resident_bytes_after"]
        .as_u64()
        .is_some_and(|b| b > 0));

    // A streaming workload: its own method, messages counted one by one.
    let output = run(&[
        "bench",
        "report",
        "-n",
        "4",
        "--messages",
        "100",
        "--metrics-url",
        &url,
        "--addr",
        &server.addr(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains(&format!("Server metrics ({url}), during the run:\n  RPCs handled:\t4 OK\n  Messages:\t400 received, 4 sent\n")),
        "{text}"
    );

    // A page that cannot be read: one line, exit 1, before any load.
    let output = run(&[
        "bench",
        "hello",
        "-n",
        "5",
        "--metrics-url",
        "http://127.0.0.1:1/metrics",
        "--addr",
        &server.addr(),
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output)
            .starts_with("error: --metrics-url http://127.0.0.1:1/metrics: connecting: "),
        "{}",
        stderr(&output)
    );
    assert_eq!(stderr(&output).lines().count(), 1, "{}", stderr(&output));
    let output = run(&[
        "bench",
        "hello",
        "--metrics-url",
        "https://127.0.0.1:1/metrics",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}

#[test]
fn custom_metrics_buckets_are_the_histograms_le_labels() {
    let server = Server::start(&[
        "--metrics-addr",
        "127.0.0.1:0",
        "--metrics-buckets",
        "0.0005,0.25,7",
    ]);
    let metrics = metrics_port(&server);
    let output = run(&["hello", "--addr", &server.addr()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let bucket = "grpc_server_handling_seconds_bucket{";
    let say_hello = "grpc_method=\"sayHello\"";
    let mut les = Vec::new();
    common::wait_until(Duration::from_secs(10), || {
        let Ok((_, _, text)) = http_get(metrics, "/metrics", None) else {
            return false;
        };
        les = text
            .lines()
            .filter(|line| line.starts_with(bucket) && line.contains(say_hello))
            .filter_map(|line| Some(line.split("le=\"").nth(1)?.split('"').next()?.to_owned()))
            .collect();
        !les.is_empty()
    });
    assert_eq!(les, ["0.0005", "0.25", "7", "+Inf"]);
}
