//! The server: binds the listener, builds the router (our two services,
//! health, reflection, compression, access log) and serves until shutdown.

mod access_log;
mod greet;
mod message;
pub mod session;

use std::{
    future::Future,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    time::Duration,
};

use anyhow::Context;
use tokio::net::TcpListener;
use tonic::{
    codec::CompressionEncoding,
    transport::{server::TcpIncoming, Server},
};
use tonic_health::{server::HealthReporter, ServingStatus};

pub use access_log::AccessLogLayer;
pub use greet::Greeter;
pub use message::Messenger;

use crate::proto::{
    greet_service_server::{self, GreetServiceServer},
    message_service_server::{self, MessageServiceServer},
    FILE_DESCRIPTOR_SET,
};

/// What `serve` was asked for, free of clap types.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub host: IpAddr,
    pub port: u16,
    /// How long in-flight RPCs may run once a shutdown starts.
    pub shutdown_timeout: Duration,
    /// Serve grpc.reflection.v1 and v1alpha.
    pub reflection: bool,
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            host: IpAddr::from([0u16; 8]),
            port: 50000,
            shutdown_timeout: Duration::from_secs(10),
            reflection: true,
        }
    }
}

/// The service names health reports on, besides the overall "".
pub const HEALTH_SERVICES: [&str; 2] = [
    greet_service_server::SERVICE_NAME,
    message_service_server::SERVICE_NAME,
];

/// Binds `host:port`. For the unspecified IPv6 address the socket is dual
/// stack; where IPv6 is unavailable it falls back to 0.0.0.0.
pub fn bind(host: IpAddr, port: u16) -> anyhow::Result<TcpListener> {
    let addr = SocketAddr::new(host, port);
    match bind_socket(addr) {
        Ok(listener) => Ok(listener),
        Err(err)
            if host == IpAddr::from([0u16; 8])
                && matches!(
                    err.raw_os_error(),
                    Some(libc::EAFNOSUPPORT | libc::EADDRNOTAVAIL)
                ) =>
        {
            tracing::info!("IPv6 unavailable ({err}), listening on IPv4 only");
            let fallback = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port);
            bind_socket(fallback).with_context(|| format!("cannot listen on {fallback}"))
        }
        Err(err) => Err(err).with_context(|| format!("cannot listen on {addr}")),
    }
}

fn bind_socket(addr: SocketAddr) -> std::io::Result<TcpListener> {
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
    TcpListener::from_std(socket.into())
}

/// Serves on `listener` until `shutdown` completes, then drains: health
/// turns NOT_SERVING, the listener closes, GOAWAY is sent, and in-flight RPCs
/// get up to `shutdown_timeout` to finish.
pub async fn serve(
    listener: TcpListener,
    config: &ServeConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    let (health, health_service) = tonic_health::server::health_reporter();
    set_health(&health, ServingStatus::Serving).await;

    let greet = GreetServiceServer::new(Greeter)
        .accept_compressed(CompressionEncoding::Gzip)
        .accept_compressed(CompressionEncoding::Zstd)
        .send_compressed(CompressionEncoding::Gzip)
        .send_compressed(CompressionEncoding::Zstd);
    let message = MessageServiceServer::new(Messenger)
        .accept_compressed(CompressionEncoding::Gzip)
        .accept_compressed(CompressionEncoding::Zstd)
        .send_compressed(CompressionEncoding::Gzip)
        .send_compressed(CompressionEncoding::Zstd);
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

    let router = Server::builder()
        .layer(AccessLogLayer)
        .add_service(health_service)
        .add_service(greet)
        .add_service(message)
        .add_optional_service(reflection_v1)
        .add_optional_service(reflection_v1alpha);

    let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
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
    tokio::select! {
        result = graceful => result.context("serving")?,
        () = deadline => tracing::warn!(
            "shutdown timeout of {} passed, cutting the RPCs still in flight",
            humantime::format_duration(config.shutdown_timeout)
        ),
    }
    tracing::info!("server stopped");
    Ok(())
}

async fn set_health(health: &HealthReporter, status: ServingStatus) {
    health.set_service_status("", status).await;
    for service in HEALTH_SERVICES {
        health.set_service_status(service, status).await;
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

/// `grpc-demo serve`: bind, announce `listening on IP:PORT` through
/// `announce`, serve until SIGINT/SIGTERM.
pub async fn run(config: ServeConfig, announce: impl FnOnce(SocketAddr)) -> anyhow::Result<()> {
    let shutdown = shutdown_signal()?;
    let listener = bind(config.host, config.port)?;
    let bound_addr = listener.local_addr().context("reading the bound address")?;
    announce(bound_addr);
    tracing::info!(%bound_addr, reflection = config.reflection, "serving");
    serve(listener, &config, shutdown).await
}
