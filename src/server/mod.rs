//! The server: binds the listener, builds the router (our four services,
//! health, reflection, compression, auth, limits, access log) and serves
//! until shutdown.

mod access_log;
mod auth;
mod conn_guard;
mod fast_path;
mod greet;
mod listener;
mod message;
mod report;
mod request_budget;
pub mod session;
mod stock;

use std::{
    future::Future,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::Context;
use tonic::{
    codec::CompressionEncoding,
    transport::{Certificate, Identity, Server, ServerTlsConfig},
    Status,
};
use tonic_health::{server::HealthReporter, ServingStatus};

pub use access_log::AccessLogLayer;
pub use auth::TokenCheck;
pub use greet::Greeter;
pub use listener::Listener;
pub use message::{parse_grpc_timeout, Messenger};
pub use report::Reporter;
pub use stock::Stocks;

use crate::exit::is_message_too_large;
use crate::proto::{
    greet_service_server::{self, GreetServiceServer},
    message_service_server::{self, MessageServiceServer},
    report_service_server::{self, ReportServiceServer},
    stock_service_server::{self, StockServiceServer},
    FILE_DESCRIPTOR_SET,
};

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
    /// HTTP/2 PING interval; off by default (see `Limits::default`).
    pub keepalive_interval: Option<Duration>,
    /// How long a PING may go unanswered before the connection is dropped.
    pub keepalive_timeout: Duration,
    /// A bidi stream that sends nothing for this long is ended.
    pub idle_stream_timeout: Duration,
    /// Open connections per client address; more are closed on accept.
    pub max_connections_per_ip: usize,
    /// A plaintext connection must send the HTTP/2 preface and SETTINGS
    /// within this long.
    pub handshake_timeout: Duration,
    /// A HEADERS block, once started, must be finished within this long.
    pub header_timeout: Duration,
    /// A connection with no RPC in flight this long gets GOAWAY.
    pub max_connection_idle: Option<Duration>,
    /// Bytes of request messages held, over all connections: partly
    /// received messages and the buffers of open streams (raised to
    /// `max_message_size` if lower).
    pub max_request_buffer: usize,
    /// Streams a connection may make the server reset (protocol errors of
    /// the peer) before it gets GOAWAY: MadeYouReset, CVE-2025-8671.
    pub max_local_error_resets: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_message_size: 4 * 1024 * 1024,
            max_concurrent_streams: 256,
            max_connections: 1000,
            // hyper's HTTP/2 keep-alive stamps every frame with the time:
            // measured ~5% of unary throughput. Dead peers are found by TCP
            // keep-alive instead (listener.rs), which costs nothing per RPC.
            keepalive_interval: None,
            keepalive_timeout: Duration::from_secs(20),
            idle_stream_timeout: Duration::from_secs(300),
            max_connections_per_ip: 100,
            max_request_buffer: 64 * 1024 * 1024,
            handshake_timeout: Duration::from_secs(5),
            header_timeout: Duration::from_secs(5),
            max_connection_idle: Some(Duration::from_secs(300)),
            // hyper's default, which tonic 0.14 replaces with None (no limit)
            // unless it is set.
            max_local_error_resets: 1024,
        }
    }
}

/// Everything `serve` needs, files already read.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// How long in-flight RPCs may run once a shutdown starts.
    pub shutdown_timeout: Duration,
    /// Serve grpc.reflection.v1 and v1alpha.
    pub reflection: bool,
    pub tls: Option<ServerTlsConfig>,
    /// Bearer token required on the application services.
    pub token: Option<String>,
    pub limits: Limits,
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            shutdown_timeout: Duration::from_secs(10),
            reflection: true,
            tls: None,
            token: None,
            limits: Limits::default(),
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

/// `serve`'s options as given, before any file is read.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub listen: Listen,
    pub tls: Option<TlsFiles>,
    pub token_file: Option<PathBuf>,
    /// A token given directly (env `GRPC_DEMO_TOKEN`); the file wins.
    pub token: Option<String>,
    pub config: ServeConfig,
}

fn read_file(path: &Path, what: &str) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {what} {}", path.display()))
}

/// Reads the PEM files into a TLS configuration.
pub fn load_tls(files: &TlsFiles) -> anyhow::Result<ServerTlsConfig> {
    let cert = read_file(&files.cert, "TLS certificate")?;
    let key = read_file(&files.key, "TLS key")?;
    let mut tls = ServerTlsConfig::new().identity(Identity::from_pem(cert, key));
    if let Some(client_ca) = &files.client_ca {
        tls = tls.client_ca_root(Certificate::from_pem(read_file(client_ca, "client CA")?));
    }
    Ok(tls)
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

/// The service names health reports on, besides the overall "".
pub const HEALTH_SERVICES: [&str; 4] = [
    greet_service_server::SERVICE_NAME,
    message_service_server::SERVICE_NAME,
    stock_service_server::SERVICE_NAME,
    report_service_server::SERVICE_NAME,
];

/// Binds `host:port`. For the unspecified IPv6 address the socket is dual
/// stack; where IPv6 is unavailable it falls back to 0.0.0.0.
pub fn bind(host: IpAddr, port: u16) -> anyhow::Result<Listener> {
    let addr = SocketAddr::new(host, port);
    let listener = match bind_tcp(addr) {
        Ok(listener) => listener,
        Err(err)
            if host == IpAddr::from([0u16; 8])
                && matches!(
                    err.raw_os_error(),
                    Some(libc::EAFNOSUPPORT | libc::EADDRNOTAVAIL)
                ) =>
        {
            tracing::info!("IPv6 unavailable ({err}), listening on IPv4 only");
            let fallback = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port);
            bind_tcp(fallback).with_context(|| format!("cannot listen on {fallback}"))?
        }
        Err(err) => return Err(err).with_context(|| format!("cannot listen on {addr}")),
    };
    Ok(Listener::Tcp(listener))
}

fn bind_tcp(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    if addr.is_ipv6() {
        // Dual stack whatever the system default (net.ipv6.bindv6only).
        socket.set_only_v6(false)?;
    }
    socket.set_reuse_address(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    tokio::net::TcpListener::from_std(socket.into())
}

/// Binds a Unix domain socket at `path`, replacing a stale socket file but
/// never any other kind of file.
pub fn bind_unix(path: &Path) -> anyhow::Result<Listener> {
    use std::os::unix::fs::FileTypeExt;
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_socket() => {
            if std::os::unix::net::UnixStream::connect(path).is_ok() {
                anyhow::bail!(
                    "cannot listen on {}: a server is already listening there",
                    path.display()
                );
            }
            std::fs::remove_file(path)
                .with_context(|| format!("removing stale socket {}", path.display()))?;
        }
        Ok(_) => anyhow::bail!(
            "cannot listen on {}: it exists and is not a socket (not removing it)",
            path.display()
        ),
        Err(_) => {}
    }
    let listener = tokio::net::UnixListener::bind(path)
        .with_context(|| format!("cannot listen on {}", path.display()))?;
    Ok(Listener::Unix {
        listener,
        path: path.to_owned(),
    })
}

/// The client's address, over TCP with or without TLS; `None` for a Unix
/// socket.
pub(crate) fn peer_addr(extensions: &http::Extensions) -> Option<SocketAddr> {
    conn_guard::ConnInfo::of(extensions).and_then(|info| info.tcp.remote_addr())
}

pub(crate) fn map_size_status(status: Status) -> Status {
    if is_message_too_large(status.code(), status.message()) {
        Status::resource_exhausted(status.message().to_owned())
    } else {
        status
    }
}

/// Serves on `listener` until `shutdown` completes, then drains: health
/// turns NOT_SERVING, the listener closes, GOAWAY is sent, and in-flight RPCs
/// get up to `shutdown_timeout` to finish.
pub async fn serve(
    listener: Listener,
    config: &ServeConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    let limits = &config.limits;
    let (health, health_service) = tonic_health::server::health_reporter();
    set_health(&health, ServingStatus::Serving).await;

    let token_check = TokenCheck::new(config.token.as_deref());
    // The same compression and size limits on every application service,
    // and the token check around it.
    macro_rules! app_service {
        ($server:expr) => {
            token_check.protect(
                $server
                    .accept_compressed(CompressionEncoding::Gzip)
                    .accept_compressed(CompressionEncoding::Zstd)
                    .send_compressed(CompressionEncoding::Gzip)
                    .send_compressed(CompressionEncoding::Zstd)
                    .max_decoding_message_size(limits.max_message_size)
                    .max_encoding_message_size(limits.max_message_size),
            )
        };
    }
    let greet = app_service!(GreetServiceServer::new(Greeter));
    let message = app_service!(MessageServiceServer::new(Messenger::new(
        limits.idle_stream_timeout
    )));
    let (reflection_v1, reflection_v1alpha) = if config.reflection {
        let builder = || {
            tonic_reflection::server::Builder::configure()
                .register_encoded_file_descriptor_set(FILE_DESCRIPTOR_SET)
                .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        };
        (
            Some(builder().build_v1().context("building reflection v1")?),
            Some(
                builder()
                    .build_v1alpha()
                    .context("building reflection v1alpha")?,
            ),
        )
    } else {
        (None, None)
    };

    let mut builder = Server::builder()
        .max_concurrent_streams(limits.max_concurrent_streams)
        .http2_keepalive_interval(limits.keepalive_interval)
        .http2_keepalive_timeout(Some(limits.keepalive_timeout))
        .http2_max_local_error_reset_streams(Some(limits.max_local_error_resets));
    if let Some(tls) = &config.tls {
        builder = builder.tls_config(tls.clone()).context("configuring TLS")?;
    }
    // The access log sees every RPC. The unary and bidi services are
    // dispatched ahead of tonic's router (fast_path.rs), which serves the
    // rest: the streaming services below pay its per-RPC routing cost once
    // per stream, not per message.
    let fast_path = fast_path::FastPathLayer::new(greet, message);
    let router = builder
        .layer(conn_guard::ActivityLayer)
        .layer(request_budget::RequestBudgetLayer::new(
            limits.max_request_buffer,
            limits.max_message_size,
        ))
        .layer(AccessLogLayer)
        .layer(fast_path)
        .add_service(app_service!(StockServiceServer::new(Stocks)))
        .add_service(app_service!(ReportServiceServer::new(Reporter::new(
            limits.idle_stream_timeout
        ))))
        .add_service(health_service)
        .add_optional_service(reflection_v1)
        .add_optional_service(reflection_v1alpha);

    // Under TLS the first bytes are a ClientHello, not the HTTP/2 preface.
    let guards = conn_guard::GuardLimits {
        handshake_timeout: limits.handshake_timeout,
        header_timeout: limits.header_timeout,
        max_connection_idle: limits.max_connection_idle,
        max_connections_per_ip: limits.max_connections_per_ip,
    };
    let incoming = listener::Incoming::new(
        listener,
        limits.max_connections,
        config.tls.is_none(),
        guards,
    );
    let (draining_tx, draining_rx) = tokio::sync::oneshot::channel::<()>();
    let drain_health = health.clone();
    let graceful = router.serve_with_incoming_shutdown(incoming, async move {
        shutdown.await;
        // Tell load balancers first, before in-flight work drains.
        set_health(&drain_health, ServingStatus::NotServing).await;
        tracing::info!("shutting down: no new connections, draining in-flight RPCs");
        let _ = draining_tx.send(());
    });
    let deadline = async {
        match draining_rx.await {
            Ok(()) => tokio::time::sleep(config.shutdown_timeout).await,
            Err(_) => std::future::pending().await,
        }
    };
    // Queued access-log lines reach stderr within 100 ms (logging.rs); the
    // count of rate-limited h2 warnings is reported once a second.
    let flusher = tokio::spawn(async {
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        let mut ticks = 0u32;
        loop {
            tick.tick().await;
            ticks = ticks.wrapping_add(1);
            if ticks.is_multiple_of(10) {
                crate::logging::report_suppressed_peer_warnings();
                crate::warn_limit::report_suppressed();
            }
            crate::logging::flush_lines();
        }
    });
    let _stop_flusher = AbortOnDrop(flusher);
    tokio::select! {
        result = graceful => result.context("serving")?,
        () = deadline => tracing::warn!(
            "shutdown timeout of {} passed, cutting the RPCs still in flight",
            humantime::format_duration(config.shutdown_timeout)
        ),
    }
    crate::logging::flush_lines();
    tracing::info!("server stopped");
    Ok(())
}

/// Aborts a background task when the scope that started it ends.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn set_health(health: &HealthReporter, status: ServingStatus) {
    health.set_service_status("", status).await;
    for service in HEALTH_SERVICES {
        health.set_service_status(service, status).await;
    }
}

/// Holds SIGINT and SIGTERM pending from the first instruction of `serve`
/// until [`shutdown_signal`] has installed its handlers, so that a signal
/// sent right after start (`grpc-demo serve & kill $!`) is a graceful
/// shutdown instead of the default death by signal. Call it before any
/// thread is started: threads inherit the mask.
pub fn hold_shutdown_signals() {
    set_shutdown_signal_mask(libc::SIG_BLOCK);
}

/// Undoes [`hold_shutdown_signals`]; a pending signal is delivered now.
pub fn release_shutdown_signals() {
    set_shutdown_signal_mask(libc::SIG_UNBLOCK);
}

fn set_shutdown_signal_mask(how: libc::c_int) {
    // SAFETY: sigemptyset/sigaddset fill a zeroed sigset_t we own, and
    // pthread_sigmask only changes this thread's mask.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::pthread_sigmask(how, &set, std::ptr::null_mut());
    }
}

/// Resolves on the first SIGINT or SIGTERM. After that, a second one exits
/// the process at once with 130 (SIGINT) or 143 (SIGTERM). The handlers are
/// installed when this is called, not when it is first polled, so call it
/// before announcing the listener.
pub fn shutdown_signal() -> anyhow::Result<impl Future<Output = ()> + Send> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt()).context("installing SIGINT handler")?;
    let mut terminate = signal(SignalKind::terminate()).context("installing SIGTERM handler")?;
    // A signal that came while starting up was held pending: it is handled
    // now, as a graceful shutdown.
    release_shutdown_signals();
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => tracing::info!("SIGINT received"),
            _ = terminate.recv() => tracing::info!("SIGTERM received"),
        }
        tokio::spawn(async move {
            let code = tokio::select! {
                _ = interrupt.recv() => 130,
                _ = terminate.recv() => 143,
            };
            eprintln!("second signal: exiting at once");
            std::process::exit(code);
        });
    })
}

/// `grpc-demo serve`: read the TLS and token files, bind, announce
/// `listening on ADDR` through `announce`, serve until SIGINT/SIGTERM.
pub async fn run(options: ServeOptions, announce: impl FnOnce(&str)) -> anyhow::Result<()> {
    let mut config = options.config;
    if let Some(files) = &options.tls {
        config.tls = Some(load_tls(files)?);
    }
    config.token = match &options.token_file {
        Some(path) => Some(load_token(path)?),
        None => options.token.filter(|token| !token.is_empty()),
    };
    let shutdown = shutdown_signal()?;
    let listener = match &options.listen {
        Listen::Tcp { host, port } => bind(*host, *port)?,
        Listen::Unix(path) => bind_unix(path)?,
    };
    let bound = listener.describe().context("reading the bound address")?;
    announce(&bound);
    tracing::info!(
        %bound,
        tls = config.tls.is_some(),
        mutual_tls = options.tls.as_ref().is_some_and(|tls| tls.client_ca.is_some()),
        auth = config.token.is_some(),
        reflection = config.reflection,
        "serving"
    );
    serve(listener, &config, shutdown).await
}
