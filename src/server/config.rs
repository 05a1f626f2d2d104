//! What `serve` is told: the flags as given ([`ServeFlags`], nothing read
//! yet) and, once the TLS and token files are read, the configuration the
//! server runs with ([`ServeConfig`]). Defaults come from `crate::defaults`.

use std::{
    net::IpAddr,
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::Context as _;

use super::transport::connection_age::ConnectionAge;
use crate::defaults;

/// Where to listen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listen {
    Tcp { host: IpAddr, port: u16 },
    Unix(PathBuf),
}

/// Limits and timeouts; the defaults suit a shared server.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest message accepted or sent, each direction.
    pub max_message_size: usize,
    /// HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS, per connection.
    pub max_concurrent_streams: u32,
    /// Open connections at once; more are closed on accept.
    pub max_connections: usize,
    /// HTTP/2 PING interval; off by default (see `defaults::KEEPALIVE_TIMEOUT`).
    pub keepalive_interval: Option<Duration>,
    /// How long a PING may go unanswered before the connection is dropped.
    pub keepalive_timeout: Duration,
    /// A bidi or client stream that sends nothing for this long is ended.
    pub idle_stream_timeout: Duration,
    /// Bytes of request messages held, over all connections: partly
    /// received messages and the buffers of open streams (raised to
    /// `max_message_size` if lower); a quarter per client address.
    pub max_request_buffer: usize,
    /// Bytes of responses owed to peers (handed to HTTP/2, not yet taken
    /// by the peer's window), over all connections (at least
    /// `max_message_size`); a quarter per client address.
    pub max_response_buffer: usize,
    /// A connection owing a MiB or more of responses that takes none of
    /// them for this long is closed.
    pub unread_response_timeout: Duration,
    /// Open connections per client address; more are closed on accept.
    pub max_connections_per_ip: usize,
    /// A connection must send the HTTP/2 preface and SETTINGS within this
    /// long (under TLS: finish its TLS handshake, then send them, each
    /// within this long).
    pub handshake_timeout: Duration,
    /// A HEADERS block, once started, must be finished within this long.
    pub header_timeout: Duration,
    /// A connection with no RPC in flight this long gets GOAWAY.
    pub max_connection_idle: Option<Duration>,
    /// Streams a connection may make the server reset (protocol errors of
    /// the peer) before it gets GOAWAY.
    pub max_local_error_resets: usize,
    /// GOAWAY after this age (± 10%), then a grace for RPCs in flight
    /// (connection_age.rs); `None`: connections live as long as the client
    /// wants.
    pub max_connection_age: Option<ConnectionAge>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_message_size: defaults::MAX_MESSAGE_SIZE,
            max_concurrent_streams: defaults::MAX_CONCURRENT_STREAMS,
            max_connections: defaults::MAX_CONNECTIONS as usize,
            keepalive_interval: None,
            keepalive_timeout: defaults::KEEPALIVE_TIMEOUT,
            idle_stream_timeout: defaults::IDLE_STREAM_TIMEOUT,
            max_request_buffer: defaults::MAX_REQUEST_BUFFER,
            max_response_buffer: defaults::MAX_RESPONSE_BUFFER,
            unread_response_timeout: defaults::UNREAD_RESPONSE_TIMEOUT,
            max_connections_per_ip: defaults::MAX_CONNECTIONS_PER_IP as usize,
            handshake_timeout: defaults::HANDSHAKE_TIMEOUT,
            header_timeout: defaults::HEADER_TIMEOUT,
            max_connection_idle: Some(defaults::MAX_CONNECTION_IDLE),
            max_local_error_resets: defaults::MAX_LOCAL_ERROR_RESETS,
            max_connection_age: None,
        }
    }
}

/// `serve`'s flags as given: paths, not yet read. [`ServeFlags::load`]
/// reads the files and gives the [`ServeConfig`] the server runs with.
#[derive(Debug, Clone)]
pub struct ServeFlags {
    pub listen: Listen,
    /// SO_REUSEPORT: several processes may listen on the same TCP port.
    pub reuse_port: bool,
    pub tls: Option<TlsFiles>,
    pub token: TokenSource,
    pub shutdown_timeout: Duration,
    /// Between turning NOT_SERVING and closing the listener.
    pub drain_delay: Duration,
    pub reflection: bool,
    pub limits: Limits,
    /// `--metrics-addr`, `--metrics-buckets`.
    pub metrics: Option<super::telemetry::metrics::MetricsOptions>,
    /// `--otlp-endpoint`: export a span per RPC there.
    pub otlp_endpoint: Option<String>,
    /// `--access-log`: a FILE is reopened on SIGHUP.
    pub access_log: crate::logging::AccessLogTarget,
    /// `--register`: publish this replica in etcd.
    pub register: Option<super::registry::Registration>,
    /// `--web`: gRPC-Web and the page on the same port.
    pub web: Option<super::web::WebOptions>,
}

impl Default for ServeFlags {
    fn default() -> Self {
        Self {
            listen: Listen::Tcp {
                host: defaults::HOST,
                port: defaults::PORT,
            },
            reuse_port: false,
            tls: None,
            token: TokenSource::None,
            shutdown_timeout: defaults::SHUTDOWN_TIMEOUT,
            drain_delay: defaults::DRAIN_DELAY,
            reflection: true,
            limits: Limits::default(),
            metrics: None,
            otlp_endpoint: None,
            access_log: crate::logging::AccessLogTarget::Stderr,
            register: None,
            web: None,
        }
    }
}

/// Where the bearer token comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// No token: the application services are open.
    None,
    /// `--token-file`: its first line.
    File(PathBuf),
    /// `--token` / `GRPC_DEMO_TOKEN` (empty means none).
    Value(String),
}

impl ServeFlags {
    /// Reads the TLS and token files.
    pub fn load(&self) -> anyhow::Result<ServeConfig> {
        Ok(ServeConfig {
            shutdown_timeout: self.shutdown_timeout,
            drain_delay: self.drain_delay,
            reflection: self.reflection,
            tls: self.tls.as_ref().map(load_tls).transpose()?,
            token: match &self.token {
                TokenSource::None => None,
                TokenSource::File(path) => Some(load_token(path)?),
                TokenSource::Value(token) => Some(token.clone()).filter(|token| !token.is_empty()),
            },
            limits: self.limits.clone(),
            // Made by `run` once the metrics listener is bound.
            metrics: None,
            web: self.web.clone(),
        })
    }
}

/// Everything `serve` needs, files already read.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// How long in-flight RPCs may run once a shutdown starts.
    pub shutdown_timeout: Duration,
    /// How long, once a shutdown starts, health reports NOT_SERVING while
    /// new connections and RPCs are still served, before draining.
    pub drain_delay: Duration,
    /// Serve grpc.reflection.v1 and v1alpha.
    pub reflection: bool,
    pub tls: Option<super::transport::tls::Tls>,
    /// Bearer token required on the application services.
    pub token: Option<String>,
    pub limits: Limits,
    /// Where RPCs are counted (`--metrics-addr`); `None`: not counted.
    pub metrics: Option<&'static super::telemetry::metrics::Metrics>,
    /// gRPC-Web over HTTP/1.1 and HTTP/2, and the page (`--web`).
    pub web: Option<super::web::WebOptions>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        let flags = ServeFlags::default();
        Self {
            shutdown_timeout: flags.shutdown_timeout,
            drain_delay: flags.drain_delay,
            reflection: flags.reflection,
            tls: None,
            token: None,
            limits: flags.limits,
            metrics: None,
            web: None,
        }
    }
}

/// PEM files for TLS; with `client_ca`, clients must present a certificate
/// signed by it (mutual TLS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
    pub client_ca: Option<PathBuf>,
}

fn read_file(path: &Path, what: &str) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {what} {}", path.display()))
}

/// Reads the PEM files into a TLS configuration.
pub fn load_tls(files: &TlsFiles) -> anyhow::Result<super::transport::tls::Tls> {
    let cert = read_file(&files.cert, "TLS certificate")?;
    let key = read_file(&files.key, "TLS key")?;
    let client_ca = match &files.client_ca {
        Some(path) => Some((
            read_file(path, "client CA")?,
            format!("client CA {}", path.display()),
        )),
        None => None,
    };
    super::transport::tls::Tls::from_pem(
        (&cert, &format!("TLS certificate {}", files.cert.display())),
        (&key, &format!("TLS key {}", files.key.display())),
        client_ca
            .as_ref()
            .map(|(pem, name)| (pem.as_slice(), name.as_str())),
    )
}

/// Reads a token file: its first line, trimmed; empty is an error.
pub fn load_token(path: &Path) -> anyhow::Result<String> {
    let bytes = read_file(path, "token file")?;
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("token file {} is not UTF-8 text", path.display()))?;
    let token = text.lines().next().unwrap_or_default().trim().to_owned();
    anyhow::ensure!(!token.is_empty(), "token file {} is empty", path.display());
    Ok(token)
}
