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

mod collector;
mod connections;
mod exposition;
mod histogram;
mod layer;
mod process;

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::atomic::{AtomicI64, AtomicU64},
};

use prometheus_client::registry::Registry;

use collector::GrpcCollector;
use histogram::AtomicHistogram;

pub use connections::CountedIncoming;
pub use exposition::bind;
pub use layer::MetricsLayer;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_checked() {
        assert!(check_buckets(&crate::defaults::METRICS_BUCKETS).is_ok());
        assert!(check_buckets(&[]).is_err());
        assert!(check_buckets(&[0.1, 0.1]).is_err());
        assert!(check_buckets(&[1.0, 0.5]).is_err());
        assert!(check_buckets(&[0.0, 1.0]).is_err());
        assert!(check_buckets(&[f64::NAN]).is_err());
    }
}
