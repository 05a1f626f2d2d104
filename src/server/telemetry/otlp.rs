//! `serve --otlp-endpoint URL`: one span per RPC, exported over OTLP/gRPC
//! with the `opentelemetry-otlp` crate's exporter.
//!
//! An RPC never waits for the export: its span (ids, name, times, status)
//! goes into a bounded queue with a `try_send`; when the queue is full — the
//! collector is slow or down — the span is dropped and counted. A task takes
//! the queue in batches (up to 512 spans, or what came within a second) and
//! exports each batch; a failed batch is dropped and counted too. Failures
//! are logged once when they start, then at most every 30 s with the count
//! so far, and once more when the collector is back: no error storm.

use std::{
    borrow::Cow,
    net::SocketAddr,
    sync::{
        atomic::{AtomicU64, Ordering},
        OnceLock,
    },
    time::{Duration, Instant, SystemTime},
};

use anyhow::Context as _;
use opentelemetry::{
    trace::{SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState},
    InstrumentationScope, KeyValue,
};
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::{
    trace::{SpanData, SpanEvents, SpanExporter as _, SpanLinks},
    Resource,
};
use tokio::sync::{mpsc, Notify};
use tonic::Code;

use crate::{status::code_name, trace_context::TraceContext};

/// Spans waiting for export; more are dropped.
const QUEUE: usize = 2048;
/// Spans per export call, at most.
const BATCH: usize = 512;
/// How long a span may wait for its batch to fill.
const BATCH_DELAY: Duration = Duration::from_secs(1);
/// One export call, retries included, at most.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(10);

/// What the access log knows of one finished RPC.
#[derive(Debug)]
pub struct SpanRecord {
    pub trace: TraceContext,
    /// `/package.Service/Method`.
    pub path: Option<http::uri::PathAndQuery>,
    pub peer: Option<SocketAddr>,
    pub end: SystemTime,
    pub duration: Duration,
    pub status: Code,
}

static QUEUE_TX: OnceLock<mpsc::Sender<SpanRecord>> = OnceLock::new();
static DROPPED: AtomicU64 = AtomicU64::new(0);
static EXPORTED: AtomicU64 = AtomicU64::new(0);

/// Whether spans are exported (`--otlp-endpoint` given).
pub fn enabled() -> bool {
    QUEUE_TX.get().is_some()
}

/// Spans dropped so far (queue full or export failed).
pub fn dropped() -> u64 {
    DROPPED.load(Ordering::Relaxed)
}

/// Spans exported so far.
pub fn exported() -> u64 {
    EXPORTED.load(Ordering::Relaxed)
}

/// Queues one RPC's span, unless its caller does not sample the trace
/// (W3C flags, parent-based sampling). Never waits.
pub fn record(span: SpanRecord) {
    let Some(queue) = QUEUE_TX.get() else {
        return;
    };
    if span.trace.sampled && queue.try_send(span).is_err() {
        DROPPED.fetch_add(1, Ordering::Relaxed);
    }
}

/// The export task; [`Exporter::shutdown`] exports what is queued (within
/// a few seconds) and stops it.
pub struct Exporter {
    stop: std::sync::Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
}

/// Starts exporting to `endpoint` (`http://host:4317`). One exporter per
/// process: a second call fails.
pub fn start(endpoint: &str) -> anyhow::Result<Exporter> {
    let mut exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .with_endpoint(endpoint)
        .with_timeout(EXPORT_TIMEOUT)
        .build()
        .with_context(|| format!("--otlp-endpoint {endpoint}"))?;
    exporter.set_resource(&Resource::builder().with_service_name("grpc-demo").build());
    let (tx, mut rx) = mpsc::channel(QUEUE);
    QUEUE_TX
        .set(tx)
        .map_err(|_| anyhow::anyhow!("an OTLP exporter is already running"))?;
    let stop = std::sync::Arc::new(Notify::new());
    let stopped = std::sync::Arc::clone(&stop);
    let endpoint = endpoint.to_owned();
    let task = tokio::spawn(async move {
        let scope = InstrumentationScope::builder("grpc-demo")
            .with_version(env!("CARGO_PKG_VERSION"))
            .build();
        let mut health = ExportHealth::new(endpoint);
        let mut batch = Vec::with_capacity(BATCH);
        let mut stopping = false;
        while !stopping {
            let deadline = tokio::time::sleep(BATCH_DELAY);
            tokio::pin!(deadline);
            while batch.len() < BATCH {
                let room = BATCH - batch.len();
                tokio::select! {
                    received = rx.recv_many(&mut batch, room) => {
                        if received == 0 {
                            stopping = true;
                            break;
                        }
                    }
                    () = &mut deadline => break,
                    () = stopped.notified() => {
                        while batch.len() < BATCH {
                            match rx.try_recv() {
                                Ok(span) => batch.push(span),
                                Err(_) => break,
                            }
                        }
                        stopping = true;
                        break;
                    }
                }
            }
            if batch.is_empty() {
                continue;
            }
            let count = batch.len() as u64;
            let spans = batch
                .drain(..)
                .map(|span| span_data(span, &scope))
                .collect();
            let result = tokio::time::timeout(EXPORT_TIMEOUT, exporter.export(spans)).await;
            match result {
                Ok(Ok(())) => {
                    EXPORTED.fetch_add(count, Ordering::Relaxed);
                    health.succeeded();
                }
                Ok(Err(err)) => health.failed(count, &err.to_string()),
                Err(_) => health.failed(count, "timed out"),
            }
        }
    });
    Ok(Exporter { stop, task })
}

impl Exporter {
    /// Exports the spans still queued (a few seconds at most), then stops.
    pub async fn shutdown(self) {
        self.stop.notify_one();
        let mut task = self.task;
        if tokio::time::timeout(Duration::from_secs(3), &mut task)
            .await
            .is_err()
        {
            task.abort();
        }
    }
}

/// Logs export failures without flooding: once when they start, every 30 s
/// while they last, once when they end.
struct ExportHealth {
    endpoint: String,
    failing_since: Option<Instant>,
    last_report: Instant,
}

impl ExportHealth {
    fn new(endpoint: String) -> Self {
        Self {
            endpoint,
            failing_since: None,
            last_report: Instant::now(),
        }
    }

    fn failed(&mut self, spans: u64, why: &str) {
        DROPPED.fetch_add(spans, Ordering::Relaxed);
        let now = Instant::now();
        if self.failing_since.is_none() {
            self.failing_since = Some(now);
            self.last_report = now;
            tracing::warn!(
                endpoint = %self.endpoint,
                "exporting spans failed ({why}); dropping spans until the collector answers"
            );
        } else if now.duration_since(self.last_report) >= Duration::from_secs(30) {
            self.last_report = now;
            tracing::warn!(
                endpoint = %self.endpoint,
                dropped = dropped(),
                "exporting spans still fails ({why})"
            );
        }
    }

    fn succeeded(&mut self) {
        if self.failing_since.take().is_some() {
            tracing::info!(
                endpoint = %self.endpoint,
                dropped = dropped(),
                "exporting spans works again"
            );
        }
    }
}

/// The OpenTelemetry span of one RPC, after the semantic conventions for
/// gRPC servers: name `package.Service/Method`, kind SERVER, `rpc.*`
/// attributes, status ERROR for the codes that mean a server fault.
fn span_data(span: SpanRecord, scope: &InstrumentationScope) -> SpanData {
    let path = span.path.as_ref().map_or("", |path| path.path());
    let name = path.strip_prefix('/').unwrap_or(path).to_owned();
    let (service, method) = name.split_once('/').unwrap_or((&name, ""));
    let mut attributes = vec![
        KeyValue::new("rpc.system", "grpc"),
        KeyValue::new("rpc.service", service.to_owned()),
        KeyValue::new("rpc.method", method.to_owned()),
        KeyValue::new("rpc.grpc.status_code", span.status as i64),
    ];
    if let Some(peer) = span.peer {
        attributes.push(KeyValue::new(
            "client.address",
            peer.ip().to_canonical().to_string(),
        ));
        attributes.push(KeyValue::new("client.port", i64::from(peer.port())));
    }
    let status = if matches!(
        span.status,
        Code::Unknown
            | Code::DeadlineExceeded
            | Code::Unimplemented
            | Code::Internal
            | Code::Unavailable
            | Code::DataLoss
    ) {
        Status::error(code_name(span.status))
    } else {
        Status::Unset
    };
    SpanData {
        span_context: SpanContext::new(
            TraceId::from_bytes(span.trace.trace_id),
            SpanId::from_bytes(crate::trace_context::new_span_id()),
            TraceFlags::SAMPLED,
            false,
            TraceState::default(),
        ),
        parent_span_id: span
            .trace
            .parent_span_id
            .map_or(SpanId::INVALID, SpanId::from_bytes),
        parent_span_is_remote: span.trace.parent_span_id.is_some(),
        span_kind: SpanKind::Server,
        name: Cow::Owned(name),
        start_time: span.end.checked_sub(span.duration).unwrap_or(span.end),
        end_time: span.end,
        attributes,
        dropped_attributes_count: 0,
        events: SpanEvents::default(),
        links: SpanLinks::default(),
        status,
        instrumentation_scope: scope.clone(),
    }
}
