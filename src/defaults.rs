//! Every default of a flag or a configuration field, defined once: clap's
//! `--help` shows these (cli.rs renders them) and the `Default` impls use
//! the same constants.

use std::{
    net::{IpAddr, Ipv6Addr},
    time::Duration,
};

// ---- serve ----

/// `serve --port` (also `GRPC_DEMO_PORT`).
pub const PORT: u16 = 50000;
/// The environment variable read when `serve --port` is not given.
pub const PORT_ENV: &str = "GRPC_DEMO_PORT";
/// `serve --host`: the unspecified IPv6 address, dual stack.
pub const HOST: IpAddr = IpAddr::V6(Ipv6Addr::UNSPECIFIED);
/// `serve --shutdown-timeout`.
pub const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);
/// `serve --drain-delay`: none; health-watching clients and balancers that
/// probe health may want a second or two (docs/scaling.md).
pub const DRAIN_DELAY: Duration = Duration::ZERO;
/// `serve --max-concurrent-streams` (HTTP/2 SETTINGS, per connection).
pub const MAX_CONCURRENT_STREAMS: u32 = 256;
/// `serve --max-connections`.
pub const MAX_CONNECTIONS: u32 = 1000;
/// `serve --keepalive-timeout` (with `--keepalive-interval`, off by default:
/// hyper time-stamps every frame while it is on, BENCHMARKS.md "HTTP/2
/// keep-alive PINGs opt-in"; TCP keep-alive finds dead hosts, listener.rs).
pub const KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(20);
/// `serve --idle-stream-timeout`.
pub const IDLE_STREAM_TIMEOUT: Duration = Duration::from_secs(300);
/// `serve --max-request-buffer`: request bytes held over all connections
/// (a quarter per client address); see server/layer/request_budget.rs.
pub const MAX_REQUEST_BUFFER: usize = 64 * 1024 * 1024;
/// `serve --max-response-buffer`: responses owed to peers that do not read.
pub const MAX_RESPONSE_BUFFER: usize = 64 * 1024 * 1024;
/// `serve --unread-response-timeout`.
pub const UNREAD_RESPONSE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// `serve --max-connections-per-ip`: a tenth of `MAX_CONNECTIONS`.
pub const MAX_CONNECTIONS_PER_IP: u32 = 100;
/// `serve --handshake-timeout`: the HTTP/2 preface and SETTINGS.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);
/// `serve --header-timeout`: a started HEADERS block.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// `serve --max-connection-idle`: GOAWAY after this long without an RPC.
pub const MAX_CONNECTION_IDLE: Duration = Duration::from_secs(300);
/// Streams a connection may make the server reset for its protocol errors
/// before GOAWAY (MadeYouReset, CVE-2025-8671): hyper's default, which
/// tonic 0.14 replaces with "no limit" unless it is set. Not a flag.
pub const MAX_LOCAL_ERROR_RESETS: usize = 1024;
/// `serve --metrics-buckets`: Prometheus's `DefBuckets`, go-grpc-middleware's
/// default for `grpc_server_handling_seconds`.
pub const METRICS_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// `serve --access-log`.
pub const ACCESS_LOG: &str = "stderr";

// ---- both sides ----

/// `--max-message-size`, server and clients: gRPC's usual 4 MiB.
pub const MAX_MESSAGE_SIZE: usize = 4 * 1024 * 1024;

// ---- clients ----

/// `--addr` when neither it nor [`ADDR_ENV`] is given.
pub const ADDR: &str = "http://localhost:50000";
/// The environment variable read when `--addr` is not given.
pub const ADDR_ENV: &str = "GRPC_DEMO_ADDR";
/// `--timeout` of `hello` and `bench` (`stream`, `watch` and `report`: none).
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// `--connect-timeout`.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

// ---- bench ----

/// `bench -c`.
pub const BENCH_CONCURRENCY: u32 = 50;
/// `bench --connections`.
pub const BENCH_CONNECTIONS: u32 = 1;
/// `bench -n` when `-z` is not given.
pub const BENCH_TOTAL: u64 = 1000;
/// `bench stream --messages`: START, 8 PROGRESS, END.
pub const BENCH_STREAM_MESSAGES: u32 = 10;
/// `bench watch --messages`: quotes per stream.
pub const BENCH_WATCH_QUOTES: u32 = 100;
/// `bench report --messages`: readings per stream.
pub const BENCH_REPORT_READINGS: u32 = 1000;

/// `serve --register-ttl`: the lease the registry key lives under; a
/// crashed replica's key goes after this long.
pub const REGISTER_TTL: Duration = Duration::from_secs(10);
/// How long one request to etcd may take (register, deregister, read the
/// prefix) before it counts as etcd being unreachable.
pub const ETCD_REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
