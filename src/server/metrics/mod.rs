//! Prometheus metrics of the server (`serve --metrics-addr`), named and
//! labelled as go-grpc-middleware's `providers/prometheus` names them, so
//! that existing dashboards and alerts work unchanged:
//!
//! - `grpc_server_started_total`, `grpc_server_handled_total` (+ `grpc_code`),
//!   `grpc_server_msg_received_total`, `grpc_server_msg_sent_total` and the
//!   `grpc_server_handling_seconds` histogram, labelled `grpc_type`,
//!   `grpc_service`, `grpc_method`;
//! - `grpc_server_open_connections` and `grpc_server_in_flight_streams`;
//! - the standard `process_*` metrics, read from /proc at each scrape.
//!
//! The hot path is a hash lookup of the method's path in a table built at
//! start-up (every method the server serves, with its labels) and relaxed
//! atomic adds on that method's counters: no allocation, no lock. Methods the
//! server does not know all count under one label set
//! (`grpc_service="unknown"`, `grpc_method="unknown"`), so a scanner calling
//! random names cannot grow the number of series.
//!
//! The exposition itself (text formats, escaping, `_total` suffixes) is done
//! by the `prometheus-client` crate: the counters here are plain atomics and
//! a [`Collector`] hands their values to its encoder at each scrape.

mod connections;
mod exposition;
mod layer;
mod process;

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::atomic::{AtomicI64, AtomicU64, Ordering},
    time::Duration,
};

use prometheus_client::{
    collector::Collector,
    encoding::{DescriptorEncoder, NoLabelSet},
    metrics::MetricType,
    registry::Registry,
};
use tonic::Code;

pub use connections::{CountedConn, CountedIncoming};
pub use exposition::{bind, MetricsListener};
pub use layer::MetricsLayer;

/// `prometheus.DefBuckets`, go-grpc-middleware's default for
/// `grpc_server_handling_seconds`.
pub const DEFAULT_BUCKETS: [f64; 11] = crate::defaults::METRICS_BUCKETS;

/// The label value of every method the server does not serve.
pub const UNKNOWN: &str = "unknown";

/// `serve --metrics-addr ADDR [--metrics-buckets LIST]`.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsOptions {
    pub addr: SocketAddr,
    /// Upper bounds of the handling-time buckets, in seconds, increasing.
    pub buckets: Vec<f64>,
}

/// Checks `--metrics-buckets`: finite, positive, strictly increasing.
pub fn check_buckets(buckets: &[f64]) -> Result<(), String> {
    if buckets.is_empty() {
        return Err("--metrics-buckets needs at least one bound".into());
    }
    if let Some(bad) = buckets.iter().find(|b| !b.is_finite() || **b <= 0.0) {
        return Err(format!(
            "--metrics-buckets: {bad} is not a positive number of seconds"
        ));
    }
    if let Some(pair) = buckets.windows(2).find(|pair| pair[0] >= pair[1]) {
        return Err(format!(
            "--metrics-buckets must increase: {} then {}",
            pair[0], pair[1]
        ));
    }
    Ok(())
}

/// go-grpc-middleware's `grpc_type` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RpcType {
    Unary,
    ClientStream,
    ServerStream,
    BidiStream,
    /// A method the server does not serve.
    Unknown,
}

impl RpcType {
    fn label(self) -> &'static str {
        match self {
            Self::Unary => "unary",
            Self::ClientStream => "client_stream",
            Self::ServerStream => "server_stream",
            Self::BidiStream => "bidi_stream",
            Self::Unknown => UNKNOWN,
        }
    }

    fn of(client_streaming: bool, server_streaming: bool) -> Self {
        match (client_streaming, server_streaming) {
            (false, false) => Self::Unary,
            (true, false) => Self::ClientStream,
            (false, true) => Self::ServerStream,
            (true, true) => Self::BidiStream,
        }
    }
}

/// All 17 status codes, in code order.
const CODES: [Code; 17] = [
    Code::Ok,
    Code::Cancelled,
    Code::Unknown,
    Code::InvalidArgument,
    Code::DeadlineExceeded,
    Code::NotFound,
    Code::AlreadyExists,
    Code::PermissionDenied,
    Code::ResourceExhausted,
    Code::FailedPrecondition,
    Code::Aborted,
    Code::OutOfRange,
    Code::Unimplemented,
    Code::Internal,
    Code::Unavailable,
    Code::DataLoss,
    Code::Unauthenticated,
];

/// The `grpc_code` label: grpc-go's `codes.Code.String()`, which is what the
/// Go middleware (and so every dashboard built on it) uses — `Canceled`
/// with one l, as Go spells it.
pub fn go_code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "Canceled",
        Code::Unknown => "Unknown",
        Code::InvalidArgument => "InvalidArgument",
        Code::DeadlineExceeded => "DeadlineExceeded",
        Code::NotFound => "NotFound",
        Code::AlreadyExists => "AlreadyExists",
        Code::PermissionDenied => "PermissionDenied",
        Code::ResourceExhausted => "ResourceExhausted",
        Code::FailedPrecondition => "FailedPrecondition",
        Code::Aborted => "Aborted",
        Code::OutOfRange => "OutOfRange",
        Code::Unimplemented => "Unimplemented",
        Code::Internal => "Internal",
        Code::Unavailable => "Unavailable",
        Code::DataLoss => "DataLoss",
        Code::Unauthenticated => "Unauthenticated",
    }
}

/// The counters of one method (one label set).
#[derive(Debug)]
pub struct MethodStats {
    rpc_type: RpcType,
    service: String,
    method: String,
    started: AtomicU64,
    /// Indexed by status code.
    handled: [AtomicU64; 17],
    msg_received: AtomicU64,
    msg_sent: AtomicU64,
    handling: AtomicHistogram,
}

impl MethodStats {
    fn new(rpc_type: RpcType, service: &str, method: &str, buckets: &[f64]) -> Self {
        Self {
            rpc_type,
            service: service.to_owned(),
            method: method.to_owned(),
            started: AtomicU64::new(0),
            handled: std::array::from_fn(|_| AtomicU64::new(0)),
            msg_received: AtomicU64::new(0),
            msg_sent: AtomicU64::new(0),
            handling: AtomicHistogram::new(buckets),
        }
    }

    fn labels(&self) -> [(&str, &str); 3] {
        [
            ("grpc_type", self.rpc_type.label()),
            ("grpc_service", &self.service),
            ("grpc_method", &self.method),
        ]
    }
}

/// A histogram of durations whose observations are lock-free: one atomic
/// add on the bucket, one on the sum (kept in whole nanoseconds, so it is
/// exact and needs no compare-and-swap loop on an f64).
#[derive(Debug)]
struct AtomicHistogram {
    /// Upper bounds in seconds; the implicit last bucket is +Inf.
    bounds: Box<[f64]>,
    /// Per bucket (not cumulative), `bounds.len() + 1` of them.
    counts: Box<[AtomicU64]>,
    sum_nanos: AtomicU64,
}

impl AtomicHistogram {
    fn new(bounds: &[f64]) -> Self {
        Self {
            bounds: bounds.into(),
            counts: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum_nanos: AtomicU64::new(0),
        }
    }

    fn observe(&self, duration: Duration) {
        let seconds = duration.as_secs_f64();
        let bucket = self
            .bounds
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(self.bounds.len());
        self.counts[bucket].fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// `(sum in seconds, count, [(upper bound, count in that bucket)])`.
    fn snapshot(&self) -> (f64, u64, Vec<(f64, u64)>) {
        let buckets: Vec<(f64, u64)> = self
            .bounds
            .iter()
            .copied()
            .chain(std::iter::once(f64::INFINITY))
            .zip(
                self.counts
                    .iter()
                    .map(|count| count.load(Ordering::Relaxed)),
            )
            .collect();
        let count = buckets.iter().map(|(_, count)| count).sum();
        let sum = self.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
        (sum, count, buckets)
    }
}

/// Everything the server counts. Made once per `serve` and never freed
/// (see [`Metrics::install`]): the hot path holds plain `&'static`
/// references, no reference counts.
#[derive(Debug)]
pub struct Metrics {
    /// `/package.Service/Method` → its counters.
    methods: HashMap<String, &'static MethodStats>,
    /// The same, in a stable order for the exposition.
    ordered: Vec<&'static MethodStats>,
    unknown: &'static MethodStats,
    open_connections: AtomicI64,
    in_flight_streams: AtomicI64,
}

/// A gRPC method the server serves.
#[derive(Debug, Clone)]
pub struct ServedMethod {
    pub service: String,
    pub method: String,
    pub rpc_type: RpcType,
}

/// The methods of `services` found in an encoded FileDescriptorSet.
pub fn methods_of(
    file_descriptor_set: &[u8],
    services: &[&str],
) -> anyhow::Result<Vec<ServedMethod>> {
    let pool = prost_reflect::DescriptorPool::decode(file_descriptor_set)?;
    let mut methods = Vec::new();
    for service in pool.services() {
        if !services.contains(&service.full_name()) {
            continue;
        }
        for method in service.methods() {
            methods.push(ServedMethod {
                service: service.full_name().to_owned(),
                method: method.name().to_owned(),
                rpc_type: RpcType::of(method.is_client_streaming(), method.is_server_streaming()),
            });
        }
    }
    Ok(methods)
}

impl Metrics {
    /// The counters for `methods`, made to live as long as the process:
    /// a server makes them once.
    pub fn install(methods: &[ServedMethod], buckets: &[f64]) -> &'static Self {
        let leak = |stats: MethodStats| -> &'static MethodStats { Box::leak(Box::new(stats)) };
        let ordered: Vec<&'static MethodStats> = methods
            .iter()
            .map(|m| leak(MethodStats::new(m.rpc_type, &m.service, &m.method, buckets)))
            .collect();
        let methods = ordered
            .iter()
            .map(|stats| (format!("/{}/{}", stats.service, stats.method), *stats))
            .collect();
        Box::leak(Box::new(Self {
            methods,
            ordered,
            unknown: leak(MethodStats::new(
                RpcType::Unknown,
                UNKNOWN,
                UNKNOWN,
                buckets,
            )),
            open_connections: AtomicI64::new(0),
            in_flight_streams: AtomicI64::new(0),
        }))
    }

    /// The counters of the method at `path`; unknown methods share one set.
    fn method(&self, path: &str) -> &'static MethodStats {
        self.methods.get(path).copied().unwrap_or(self.unknown)
    }

    fn all_methods(&self) -> impl Iterator<Item = &'static MethodStats> + '_ {
        self.ordered
            .iter()
            .copied()
            .chain(std::iter::once(self.unknown))
    }

    /// A registry with these metrics and the process metrics.
    pub fn registry(&'static self) -> Registry {
        let mut registry = Registry::default();
        registry.register_collector(Box::new(GrpcCollector(self)));
        registry.register_collector(Box::new(process::ProcessCollector::new()));
        registry
    }
}

#[derive(Debug)]
struct GrpcCollector(&'static Metrics);

type NoExemplar = prometheus_client::metrics::exemplar::Exemplar<NoLabelSet, u64>;

impl GrpcCollector {
    fn counter(
        &self,
        encoder: &mut DescriptorEncoder,
        name: &str,
        help: &str,
        value: impl Fn(&MethodStats) -> u64,
    ) -> std::fmt::Result {
        let mut family = encoder.encode_descriptor(name, help, None, MetricType::Counter)?;
        for stats in self.0.all_methods() {
            family
                .encode_family(&stats.labels())?
                .encode_counter(&value(stats), None::<&NoExemplar>)?;
        }
        Ok(())
    }
}

impl Collector for GrpcCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> std::fmt::Result {
        self.counter(
            &mut encoder,
            "grpc_server_started",
            "Total number of RPCs started on the server.",
            |stats| stats.started.load(Ordering::Relaxed),
        )?;
        {
            let mut family = encoder.encode_descriptor(
                "grpc_server_handled",
                "Total number of RPCs completed on the server, regardless of success or failure.",
                None,
                MetricType::Counter,
            )?;
            for stats in self.0.all_methods() {
                let [grpc_type, service, method] = stats.labels();
                for code in CODES {
                    let labels = [
                        grpc_type,
                        service,
                        method,
                        ("grpc_code", go_code_name(code)),
                    ];
                    let value = stats.handled[code as usize].load(Ordering::Relaxed);
                    family
                        .encode_family(&labels)?
                        .encode_counter(&value, None::<&NoExemplar>)?;
                }
            }
        }
        self.counter(
            &mut encoder,
            "grpc_server_msg_received",
            "Total number of RPC stream messages received on the server.",
            |stats| stats.msg_received.load(Ordering::Relaxed),
        )?;
        self.counter(
            &mut encoder,
            "grpc_server_msg_sent",
            "Total number of gRPC stream messages sent by the server.",
            |stats| stats.msg_sent.load(Ordering::Relaxed),
        )?;
        {
            let mut family = encoder.encode_descriptor(
                "grpc_server_handling_seconds",
                "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.",
                None,
                MetricType::Histogram,
            )?;
            for stats in self.0.all_methods() {
                let (sum, count, buckets) = stats.handling.snapshot();
                family
                    .encode_family(&stats.labels())?
                    .encode_histogram::<NoLabelSet>(sum, count, &buckets, None)?;
            }
        }
        let gauges = [
            (
                "grpc_server_open_connections",
                "Connections open to the gRPC server (under TLS, from the end of their handshake).",
                &self.0.open_connections,
            ),
            (
                "grpc_server_in_flight_streams",
                "RPCs (HTTP/2 streams) the gRPC server is handling now.",
                &self.0.in_flight_streams,
            ),
        ];
        for (name, help, value) in gauges {
            encoder
                .encode_descriptor(name, help, None, MetricType::Gauge)?
                .encode_gauge(&value.load(Ordering::Relaxed))?;
        }
        if super::otlp::enabled() {
            let spans = [
                (
                    "grpc_demo_otlp_spans_exported",
                    "Spans exported to the OTLP collector.",
                    super::otlp::exported(),
                ),
                (
                    "grpc_demo_otlp_spans_dropped",
                    "Spans dropped: export queue full or the collector unreachable.",
                    super::otlp::dropped(),
                ),
            ];
            for (name, help, value) in spans {
                encoder
                    .encode_descriptor(name, help, None, MetricType::Counter)?
                    .encode_counter(&value, None::<&NoExemplar>)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_fall_in_the_first_bucket_that_holds_them() {
        let histogram = AtomicHistogram::new(&[0.01, 0.1, 1.0]);
        histogram.observe(Duration::from_millis(10));
        histogram.observe(Duration::from_millis(50));
        histogram.observe(Duration::from_millis(50));
        histogram.observe(Duration::from_secs(5));
        let (sum, count, buckets) = histogram.snapshot();
        assert_eq!(count, 4);
        assert!((sum - 5.11).abs() < 1e-9, "{sum}");
        assert_eq!(
            buckets,
            vec![(0.01, 1), (0.1, 2), (1.0, 0), (f64::INFINITY, 1)]
        );
    }

    #[test]
    fn buckets_are_checked() {
        assert!(check_buckets(&DEFAULT_BUCKETS).is_ok());
        assert!(check_buckets(&[]).is_err());
        assert!(check_buckets(&[0.1, 0.1]).is_err());
        assert!(check_buckets(&[1.0, 0.5]).is_err());
        assert!(check_buckets(&[0.0, 1.0]).is_err());
        assert!(check_buckets(&[f64::NAN]).is_err());
    }

    #[test]
    fn go_code_names_cover_every_code_in_order() {
        for (index, code) in CODES.into_iter().enumerate() {
            assert_eq!(code as usize, index);
        }
        assert_eq!(go_code_name(Code::Cancelled), "Canceled");
        assert_eq!(go_code_name(Code::Unauthenticated), "Unauthenticated");
    }
}
