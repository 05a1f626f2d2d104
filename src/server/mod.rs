//! The server. `serve` below is where it is assembled: listener →
//! connection guards → HTTP/2 → layers → services. Our four services (with
//! their compression, size limits and token check), health and reflection
//! are registered here; everything else lives in a room of its own:
//!
//! - service/: the tutorial's four services (greet, stock, report,
//!   message + its session state machine) and the idle-stream timer;
//! - transport/: bind, the accept loop, the accepted connection, TLS, the
//!   connection guards, connection age;
//! - layer/: the tower layers every RPC passes (auth, observe, over-limit,
//!   request budget, fast path);
//! - telemetry/: Prometheus metrics, the access log, OTLP export;
//! - web.rs: `--web`, gRPC-Web (HTTP/1.1 too), CORS and the page at `/`.
//!
//! config.rs turns flags into configuration; shutdown.rs holds the
//! signals; registry.rs publishes the replica in etcd (`--register`).

pub mod config;
pub(crate) mod layer;
pub mod registry;
pub mod service;
mod shutdown;
pub(crate) mod telemetry;
pub(crate) mod transport;
pub mod web;

use std::future::Future;

use anyhow::Context;
use tokio_util::task::AbortOnDropHandle;
use tonic::transport::Server;
use tonic_health::{server::HealthReporter, ServingStatus};

pub use config::{
    load_tls, load_token, Limits, Listen, ServeConfig, ServeFlags, TlsFiles, TokenSource,
};
pub use shutdown::{hold_shutdown_signals, release_shutdown_signals, shutdown_signal};
pub use transport::bind::{bind, bind_shared, bind_unix, Listener};
pub use transport::connection_age::ConnectionAge;

use layer::{
    auth::TokenCheck, fast_path, observe::ObserveLayer, over_limit::OverLimit, request_budget,
    response_budget,
};
use service::{greet::Greeter, message::Messenger, report::Reporter, stock::Stocks};
use telemetry::{
    access_log::{self, AccessLog},
    metrics, otlp,
};
use transport::{conn_guard, incoming::Incoming};

use crate::proto::{
    greet_service_server::GreetServiceServer, message_service_server::MessageServiceServer,
    report_service_server::ReportServiceServer, stock_service_server::StockServiceServer,
    FILE_DESCRIPTOR_SET,
};

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
    // Every application service gets the same compression, the same size
    // limits, and the token check around it. (A macro: the generated
    // servers share these builder methods but no trait.)
    macro_rules! app_service {
        ($server:expr) => {{
            let server = $server;
            // Without the `compression` feature (bench/compare.sh's bare
            // tonic floor), tonic has no codecs to offer.
            #[cfg(feature = "compression")]
            use tonic::codec::CompressionEncoding;
            #[cfg(feature = "compression")]
            let server = server
                .accept_compressed(CompressionEncoding::Gzip)
                .accept_compressed(CompressionEncoding::Zstd)
                .send_compressed(CompressionEncoding::Gzip)
                .send_compressed(CompressionEncoding::Zstd);
            token_check.protect(
                server
                    .max_decoding_message_size(limits.max_message_size)
                    .max_encoding_message_size(limits.max_message_size),
            )
        }};
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
        .http2_max_local_error_reset_streams(Some(limits.max_local_error_resets))
        // Browsers and `buf curl --protocol grpcweb` speak HTTP/1.1 to a
        // plaintext server.
        .accept_http1(config.web.is_some());
    if let Some(age) = &limits.max_connection_age {
        builder = builder.max_connection_age(age.age);
    }
    // TLS is terminated by the accept loop (tls.rs), ahead of the guards.
    let guards = conn_guard::GuardLimits {
        handshake_timeout: limits.handshake_timeout,
        header_timeout: limits.header_timeout,
        max_connection_idle: limits.max_connection_idle,
        max_connections_per_ip: limits.max_connections_per_ip,
        unread_response_timeout: limits.unread_response_timeout,
    };
    let incoming = Incoming::new(listener, limits.max_connections, config.tls.clone(), guards)
        .accept_http1(config.web.is_some())
        .close_connections_after(
            limits
                .max_connection_age
                .as_ref()
                .and_then(ConnectionAge::close_after),
        );
    let incoming = metrics::CountedIncoming::new(incoming, config.metrics);
    let (draining_tx, draining_rx) = tokio::sync::oneshot::channel::<()>();
    let drain_health = health.clone();
    let drain_delay = config.drain_delay;
    let drain = async move {
        shutdown.await;
        // Tell load balancers first, before in-flight work drains.
        set_health(&drain_health, ServingStatus::NotServing).await;
        if !drain_delay.is_zero() {
            tracing::info!(
                "shutting down: NOT_SERVING, still serving for {} (--drain-delay)",
                humantime::format_duration(drain_delay)
            );
            tokio::time::sleep(drain_delay).await;
        }
        tracing::info!("shutting down: no new connections, draining in-flight RPCs");
        let _ = draining_tx.send(());
    };

    // Outermost first: the metrics and the access log see every RPC with
    // its final (corrected) status. The unary and bidi services are
    // dispatched ahead of tonic's router (fast_path.rs); it serves the rest,
    // where the streaming services pay its routing cost once per stream.
    let fast_path = fast_path::FastPathLayer::new(greet, message);
    // The layers and services every configuration has, inside whatever
    // `$builder` already holds (a macro: each layer changes the builder's
    // type).
    macro_rules! serve_stack {
        ($builder:expr) => {
            $builder
                .layer(request_budget::RequestBudgetLayer::new(
                    limits.max_request_buffer,
                    limits.max_message_size,
                ))
                // One layer, three observers in this order: the status
                // correction first, so the access log (and the metrics,
                // outside) see the corrected status; and the connection's
                // in-flight count (observe.rs says why they share a layer).
                .layer(ObserveLayer((OverLimit, (AccessLog, conn_guard::Activity))))
                .layer(response_budget::ResponseBudgetLayer::new(
                    limits.max_response_buffer,
                    limits.max_message_size,
                ))
                .layer(fast_path)
                .add_service(app_service!(StockServiceServer::new(Stocks)))
                .add_service(app_service!(ReportServiceServer::new(Reporter::new(
                    limits.idle_stream_timeout
                ))))
                .add_service(health_service)
                .add_optional_service(reflection_v1)
                .add_optional_service(reflection_v1alpha)
                .serve_with_incoming_shutdown(incoming, drain)
        };
    }
    type Serving<'a> =
        std::pin::Pin<Box<dyn Future<Output = Result<(), tonic::transport::Error>> + Send + 'a>>;
    let graceful: Serving<'_> = if config.web.is_none() && config.metrics.is_none() {
        // The default: without --web and --metrics-addr, neither layer is
        // in the stack, not even as a pass-through: each is code that every
        // RPC runs (issue 22 item 3, BENCHMARKS.md).
        Box::pin(serve_stack!(builder))
    } else {
        Box::pin(serve_stack!(builder
            // gRPC-Web becomes gRPC here, before anything else sees it;
            // the page at `/` is answered here too. Without --web: passes
            // through.
            .layer(web::WebLayer::new(config.web.as_ref()))
            .layer(metrics::MetricsLayer::new(config.metrics))))
    };
    let deadline = async {
        match draining_rx.await {
            Ok(()) => tokio::time::sleep(config.shutdown_timeout).await,
            Err(_) => std::future::pending().await,
        }
    };
    let _access_log = access_log::Flusher::start();
    let _warnings = crate::logging::SuppressedWarningsReport::start();
    tokio::select! {
        result = graceful => result.context("serving")?,
        () = deadline => {
            access_log::cut_in_flight();
            tracing::warn!(
                "shutdown timeout of {} passed, cutting the RPCs still in flight",
                humantime::format_duration(config.shutdown_timeout)
            );
        }
    }
    tracing::info!("server stopped");
    Ok(())
}

async fn set_health(health: &HealthReporter, status: ServingStatus) {
    health.set_service_status("", status).await;
    // Every service of proto/, all of them served.
    for service in crate::proto::service_names() {
        health.set_service_status(service, status).await;
    }
}

/// Writes out the access lines still pending: for the RPCs the shutdown
/// timeout cut, whose lines are written when the runtime ends them.
pub fn flush_access_log() {
    access_log::flush();
}

/// `grpc-demo serve`: read the TLS and token files, bind, announce
/// `listening on ADDR` through `announce`, serve until SIGINT/SIGTERM.
pub async fn run(flags: ServeFlags, announce: impl FnOnce(&str)) -> anyhow::Result<()> {
    let mut config = flags.load()?;
    let shutdown = shutdown_signal()?;
    let listener = match &flags.listen {
        Listen::Tcp { host, port } => bind_shared(*host, *port, flags.reuse_port)?,
        Listen::Unix(path) => bind_unix(path)?,
    };
    let exporter = match &flags.otlp_endpoint {
        Some(endpoint) => {
            tracing::info!(%endpoint, "exporting a span per RPC over OTLP");
            Some(otlp::start(endpoint)?)
        }
        None => None,
    };
    let _reopen_on_hup = match &flags.access_log {
        crate::logging::AccessLogTarget::File(path) => Some(reopen_on_sighup(path)?),
        _ => None,
    };
    let _metrics_server = match &flags.metrics {
        Some(metrics_flags) => {
            let metrics_listener = metrics::bind(metrics_flags.addr).await?;
            let metrics = metrics::Metrics::install(
                &served_methods(config.reflection)?,
                &metrics_flags.buckets,
            );
            config.metrics = Some(metrics);
            let addr = metrics_listener.local_addr()?;
            tracing::info!("metrics on http://{addr}/metrics");
            Some(AbortOnDropHandle::new(
                metrics_listener.serve(metrics.registry()),
            ))
        }
        None => None,
    };
    let bound = listener.describe().context("reading the bound address")?;
    // Published once bound (connections wait in the backlog until the
    // accept loop starts, a moment later), and before `listening on`.
    let registered = match &flags.register {
        Some(registration) => {
            let addr = advertised_addr(registration, &listener)?;
            Some(registry::Registered::start(registration, addr).await?)
        }
        None => None,
    };
    // Draining takes the key out first, before NOT_SERVING and GOAWAY.
    let shutdown = async move {
        shutdown.await;
        if let Some(registered) = registered {
            registered.deregister().await;
        }
    };
    announce(&bound);
    tracing::info!(
        %bound,
        tls = config.tls.is_some(),
        mutual_tls = flags.tls.as_ref().is_some_and(|tls| tls.client_ca.is_some()),
        auth = config.token.is_some(),
        reflection = config.reflection,
        web = config.web.is_some(),
        reuse_port = flags.reuse_port,
        max_connection_age = ?config.limits.max_connection_age.as_ref().map(|age| age.age),
        "serving"
    );
    let served = serve(listener, &config, shutdown).await;
    if let Some(exporter) = exporter {
        exporter.shutdown().await;
    }
    served
}

/// What callers dial: `--advertise-addr`, else the bound address (a
/// wildcard address is refused earlier, in app.rs, as a usage error).
fn advertised_addr(
    registration: &registry::Registration,
    listener: &Listener,
) -> anyhow::Result<String> {
    if let Some(addr) = &registration.advertise {
        return Ok(addr.clone());
    }
    match listener.local_addr() {
        Some(addr) if !addr.ip().is_unspecified() => Ok(addr.to_string()),
        Some(addr) => anyhow::bail!(
            "--register: {addr} is a wildcard address, callers cannot dial it (give --advertise-addr HOST:PORT)"
        ),
        None => anyhow::bail!("--register: a Unix socket cannot be registered"),
    }
}

/// With `--access-log FILE`: on each SIGHUP, the file is reopened by name
/// (logrotate renames it, then sends HUP).
fn reopen_on_sighup(path: &std::path::Path) -> anyhow::Result<AbortOnDropHandle<()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut hangup = signal(SignalKind::hangup()).context("installing SIGHUP handler")?;
    let path = path.display().to_string();
    Ok(AbortOnDropHandle::new(tokio::spawn(async move {
        while hangup.recv().await.is_some() {
            tracing::info!(%path, "SIGHUP received: reopening the access log");
            crate::logging::reopen_access_log();
        }
    })))
}

/// Every method this server serves, for the metrics' label sets.
fn served_methods(reflection: bool) -> anyhow::Result<Vec<metrics::ServedMethod>> {
    let ours = crate::proto::service_names();
    let ours: Vec<&str> = ours.iter().map(String::as_str).collect();
    let mut methods = metrics::methods_of(FILE_DESCRIPTOR_SET, &ours)?;
    methods.extend(metrics::methods_of(
        tonic_health::pb::FILE_DESCRIPTOR_SET,
        &["grpc.health.v1.Health"],
    )?);
    if reflection {
        methods.extend(metrics::methods_of(
            tonic_reflection::pb::v1::FILE_DESCRIPTOR_SET,
            &["grpc.reflection.v1.ServerReflection"],
        )?);
        methods.extend(metrics::methods_of(
            tonic_reflection::pb::v1alpha::FILE_DESCRIPTOR_SET,
            &["grpc.reflection.v1alpha.ServerReflection"],
        )?);
    }
    Ok(methods)
}
