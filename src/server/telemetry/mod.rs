//! What the server tells its operator: Prometheus metrics (metrics/), one
//! access-log line per RPC (access_log/) and OTLP span export (otlp.rs).

pub mod access_log;
pub mod metrics;
pub mod otlp;
