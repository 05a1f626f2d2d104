//! `bench --metrics-url`: the server's own counters for the measured run,
//! read from its Prometheus endpoint before and after (after the warm-up,
//! so that it does not count). Any server that exposes go-grpc-middleware's
//! metric names and the standard `process_*` ones works: `serve
//! --metrics-addr`, or a Go server with `providers/prometheus`.

use std::{collections::BTreeMap, time::Duration};

use anyhow::{bail, Context as _};
use http::Uri;
use http_body_util::{BodyExt as _, Empty, Limited};
use hyper_util::rt::TokioIo;
use serde::Serialize;

use crate::status::{code_from_go_name, code_name};

/// A scrape larger than this is refused (ours is ~60 KiB).
const MAX_SCRAPE_BYTES: usize = 16 << 20;
/// For the whole fetch: connect, request, page.
const SCRAPE_TIMEOUT: Duration = Duration::from_secs(5);

/// Where to scrape: `http://HOST:PORT/PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsUrl(Uri);

impl MetricsUrl {
    pub fn parse(text: &str) -> Result<Self, String> {
        let uri: Uri = text
            .parse()
            .map_err(|err| format!("not a URL ({err}); expected http://HOST:PORT/metrics"))?;
        if uri.scheme_str() != Some("http") {
            return Err("only http:// is supported, e.g. http://127.0.0.1:9090/metrics".to_owned());
        }
        if uri.authority().is_none() {
            return Err("no host; expected http://HOST:PORT/metrics".to_owned());
        }
        Ok(Self(uri))
    }

    fn host_port(&self) -> String {
        let authority = self.0.authority().map_or("", |a| a.as_str());
        if self.0.port_u16().is_some() {
            authority.to_owned()
        } else {
            format!("{authority}:80")
        }
    }
}

impl std::fmt::Display for MetricsUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// One scrape: the samples, `name{labels}` → value.
#[derive(Debug, Default)]
pub struct Scrape {
    samples: Vec<Sample>,
}

#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// How long the server is given to count what the client just finished or
/// cancelled (the end of the warm-up or of a `-z` run cancels RPCs in
/// flight) before the page is read.
const SETTLE: Duration = Duration::from_millis(100);

/// The page once the server has settled: after [`SETTLE`].
pub async fn settled_scrape(url: &MetricsUrl) -> anyhow::Result<Scrape> {
    tokio::time::sleep(SETTLE).await;
    scrape(url).await
}

/// GETs the metrics page (HTTP/1.1, one connection).
pub async fn scrape(url: &MetricsUrl) -> anyhow::Result<Scrape> {
    let fetch = async {
        let stream = tokio::net::TcpStream::connect(url.host_port())
            .await
            .context("connecting")?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .context("HTTP handshake")?;
        let connection = tokio::spawn(connection);
        let request = http::Request::get(url.0.path_and_query().map_or("/", |p| p.as_str()))
            .header(
                http::header::HOST,
                url.0.authority().map_or("", |a| a.as_str()),
            )
            .header(http::header::ACCEPT, "text/plain")
            .body(Empty::<bytes::Bytes>::new())
            .context("building the request")?;
        let response = sender.send_request(request).await.context("sending")?;
        if !response.status().is_success() {
            bail!("HTTP {}", response.status());
        }
        let body = Limited::new(response.into_body(), MAX_SCRAPE_BYTES)
            .collect()
            .await
            .map_err(|err| anyhow::anyhow!("reading the page: {err}"))?
            .to_bytes();
        connection.abort();
        anyhow::Ok(Scrape::parse(&String::from_utf8_lossy(&body)))
    };
    match tokio::time::timeout(SCRAPE_TIMEOUT, fetch).await {
        Ok(result) => result.with_context(|| format!("--metrics-url {url}")),
        Err(_) => bail!("--metrics-url {url}: no answer within {SCRAPE_TIMEOUT:?}"),
    }
}

impl Scrape {
    /// The Prometheus text format (and OpenMetrics, whose sample lines are
    /// the same): `name{label="value",...} value [timestamp]`; comments and
    /// lines that do not parse are skipped.
    fn parse(text: &str) -> Self {
        let samples = text
            .lines()
            .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
            .filter_map(parse_sample)
            .collect();
        Self { samples }
    }

    /// The sum of the samples of `name` whose labels include `labels`.
    fn sum(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.matching(name, labels).map(|sample| sample.value).sum()
    }

    fn matching<'a>(
        &'a self,
        name: &'a str,
        labels: &'a [(&'a str, &'a str)],
    ) -> impl Iterator<Item = &'a Sample> + 'a {
        self.samples.iter().filter(move |sample| {
            sample.name == name
                && labels
                    .iter()
                    .all(|(key, value)| sample.labels.get(*key).map(String::as_str) == Some(value))
        })
    }
}

/// `name value`, `name{labels} value`, either followed by a timestamp or an
/// OpenMetrics exemplar (`# {labels} value`), which are ignored.
fn parse_sample(line: &str) -> Option<Sample> {
    let name_end = line
        .find(|c: char| c == '{' || c.is_whitespace())
        .unwrap_or(line.len());
    let (name, rest) = line.split_at(name_end);
    let (labels, rest) = match rest.strip_prefix('{') {
        Some(inner) => {
            let close = closing_brace(inner)?;
            (parse_labels(&inner[..close])?, &inner[close + 1..])
        }
        None => (BTreeMap::new(), rest),
    };
    let value: f64 = rest.split_whitespace().next()?.parse().ok()?;
    Some(Sample {
        name: name.to_owned(),
        labels,
        value,
    })
}

/// The index of the `}` that closes a label set, skipping quoted values.
fn closing_brace(text: &str) -> Option<usize> {
    let (mut quoted, mut escaped) = (false, false);
    for (at, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '}' if !quoted => return Some(at),
            _ => {}
        }
    }
    None
}

/// `a="x",b="y"` (values with `\"`, `\\` and `\n` escapes).
fn parse_labels(text: &str) -> Option<BTreeMap<String, String>> {
    let mut labels = BTreeMap::new();
    let mut rest = text.trim_start_matches(',').trim();
    while !rest.is_empty() {
        let (key, after) = rest.split_once("=\"")?;
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next()? {
                (_, '\\') => match chars.next()?.1 {
                    'n' => value.push('\n'),
                    other => value.push(other),
                },
                (at, '"') => break at,
                (_, other) => value.push(other),
            }
        };
        labels.insert(key.trim().to_owned(), value);
        rest = after[end + 1..].trim_start_matches(',').trim();
    }
    Some(labels)
}

/// What the server counted for the benchmarked method during the run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerMetrics {
    pub url: String,
    /// RPCs handled, by status (canonical names, as in the client's own
    /// distribution).
    pub handled: BTreeMap<String, u64>,
    pub msg_received: u64,
    pub msg_sent: u64,
    /// `process_cpu_seconds_total` used during the run.
    pub cpu_seconds: f64,
    pub resident_bytes_before: u64,
    pub resident_bytes_after: u64,
}

impl ServerMetrics {
    /// The difference between two scrapes, for `service`/`method`.
    pub fn between(
        url: &MetricsUrl,
        before: &Scrape,
        after: &Scrape,
        service: &str,
        method: &str,
    ) -> Self {
        let method_labels = [("grpc_service", service), ("grpc_method", method)];
        let delta = |name: &str| {
            let grown = after.sum(name, &method_labels) - before.sum(name, &method_labels);
            grown.max(0.0).round() as u64
        };
        let codes: std::collections::BTreeSet<&str> = after
            .matching("grpc_server_handled_total", &method_labels)
            .filter_map(|sample| sample.labels.get("grpc_code").map(String::as_str))
            .collect();
        let mut handled = BTreeMap::new();
        for code in codes {
            let mut labels = method_labels.to_vec();
            labels.push(("grpc_code", code));
            let grown = (after.sum("grpc_server_handled_total", &labels)
                - before.sum("grpc_server_handled_total", &labels))
            .round();
            if grown.is_finite() && grown >= 1.0 {
                let entry: &mut u64 = handled.entry(canonical_code(code)).or_default();
                *entry = entry.saturating_add(grown as u64);
            }
        }
        let gauge = |scrape: &Scrape| scrape.sum("process_resident_memory_bytes", &[]) as u64;
        Self {
            url: url.to_string(),
            handled,
            msg_received: delta("grpc_server_msg_received_total"),
            msg_sent: delta("grpc_server_msg_sent_total"),
            cpu_seconds: (after.sum("process_cpu_seconds_total", &[])
                - before.sum("process_cpu_seconds_total", &[]))
            .max(0.0),
            resident_bytes_before: gauge(before),
            resident_bytes_after: gauge(after),
        }
    }
}

/// A `grpc_code` label (grpc-go's spelling: `Canceled`, `InvalidArgument`)
/// as the gRPC spec names it (`CANCELLED`, `INVALID_ARGUMENT`); an unknown
/// one is kept as it is.
fn canonical_code(label: &str) -> String {
    code_from_go_name(label).map_or_else(|| label.to_owned(), |code| code_name(code).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"# HELP grpc_server_handled_total Total number of RPCs completed on the server, regardless of success or failure.
# TYPE grpc_server_handled_total counter
grpc_server_handled_total{grpc_type="unary",grpc_service="packages.GreetService",grpc_method="sayHello",grpc_code="OK"} 10
grpc_server_handled_total{grpc_type="unary",grpc_service="packages.GreetService",grpc_method="sayHello",grpc_code="Canceled"} 1
grpc_server_handled_total{grpc_type="bidi_stream",grpc_service="packages.MessageService",grpc_method="iter_message",grpc_code="OK"} 7
grpc_server_msg_received_total{grpc_type="unary",grpc_service="packages.GreetService",grpc_method="sayHello"} 11
grpc_server_msg_sent_total{grpc_type="unary",grpc_service="packages.GreetService",grpc_method="sayHello"} 10
process_cpu_seconds_total 1.5
process_resident_memory_bytes 1.0e7
weird{a="x\"y,z",b="\\"} 3 1700000000
exemplar_total{a="}"} 10 # {trace_id="abc"} 1
tabbed	5
"#;

    #[test]
    fn samples_parse_with_escaped_labels_and_timestamps() {
        let scrape = Scrape::parse(PAGE);
        assert_eq!(scrape.samples.len(), 10);
        assert_eq!(scrape.sum("weird", &[("a", "x\"y,z"), ("b", "\\")]), 3.0);
        assert_eq!(scrape.sum("exemplar_total", &[("a", "}")]), 10.0);
        assert_eq!(scrape.sum("tabbed", &[]), 5.0);
        assert_eq!(scrape.sum("process_resident_memory_bytes", &[]), 1.0e7);
    }

    #[test]
    fn the_difference_is_for_the_method_with_canonical_codes() {
        let url = MetricsUrl::parse("http://127.0.0.1:9/metrics").expect("url");
        let before = Scrape::parse(PAGE);
        let after = Scrape::parse(
            &PAGE
                .replace("grpc_code=\"OK\"} 10", "grpc_code=\"OK\"} 110")
                .replace(
                    "iter_message\",grpc_code=\"OK\"} 7",
                    "iter_message\",grpc_code=\"OK\"} 9",
                )
                .replace("sayHello\"} 11", "sayHello\"} 111")
                .replace("sayHello\"} 10", "sayHello\"} 110")
                .replace(
                    "process_cpu_seconds_total 1.5",
                    "process_cpu_seconds_total 2.25",
                ),
        );
        let metrics =
            ServerMetrics::between(&url, &before, &after, "packages.GreetService", "sayHello");
        assert_eq!(metrics.handled, BTreeMap::from([("OK".to_owned(), 100)]));
        assert_eq!((metrics.msg_received, metrics.msg_sent), (100, 100));
        assert!((metrics.cpu_seconds - 0.75).abs() < 1e-9);
        assert_eq!(canonical_code("Canceled"), "CANCELLED");
        assert_eq!(canonical_code("Mystery"), "Mystery");
    }

    #[test]
    fn only_http_urls_with_a_host() {
        assert!(MetricsUrl::parse("http://127.0.0.1:9090/metrics").is_ok());
        assert!(MetricsUrl::parse("https://127.0.0.1:9090/metrics").is_err());
        assert!(MetricsUrl::parse("/metrics").is_err());
        assert!(MetricsUrl::parse("not a url").is_err());
        let url = MetricsUrl::parse("http://localhost/metrics").expect("url");
        assert_eq!(url.host_port(), "localhost:80");
    }
}
