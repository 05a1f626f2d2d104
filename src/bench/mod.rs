//! `grpc-demo bench`: a load generator for the four services, in the spirit
//! of ghz, with open-loop pacing that is honest about queueing.
//!
//! Workers each own their statistics (an HDR histogram, status counts) and
//! share nothing on the hot path but an atomic ticket counter; the
//! statistics are merged once at the end.

mod direct;
mod patterns;
mod report;

use std::{
    collections::BTreeMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use hdrhistogram::Histogram;
use tokio::time::Instant;
use tonic::{
    body::Body,
    client::GrpcService,
    codegen::{Bytes, StdError},
    metadata::MetadataMap,
    Code, Status,
};

pub use report::Report;

use crate::{
    client::{self, CallOptions},
    proto::{
        greet_service_client::GreetServiceClient, message_service_client::MessageServiceClient,
        report_service_client::ReportServiceClient, stock_service_client::StockServiceClient,
        HelloRequest, MessageRequest, Role,
    },
};

/// Which RPC to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// One sayHello per unit of work.
    Hello,
    /// One iter_message stream per unit of work: `messages` requests,
    /// START…END, each answered before the next is sent (ping-pong). With
    /// `hold`, each stream stays open and idle that long after START is
    /// answered (for measuring the cost of many open streams).
    Stream {
        messages: u32,
        hold: Option<Duration>,
    },
    /// One watch stream of `quotes` quotes per unit of work, `interval_ms` 0.
    Watch { quotes: u32 },
    /// One report stream of `readings` readings per unit of work.
    Report { readings: u32 },
}

impl Workload {
    /// The subcommand's name, for the report.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Hello => "hello",
            Self::Stream { .. } => "stream",
            Self::Watch { .. } => "watch",
            Self::Report { .. } => "report",
        }
    }

    /// Messages per stream, for the streaming workloads.
    pub fn messages_per_stream(&self) -> Option<u32> {
        match *self {
            Self::Hello => None,
            Self::Stream { messages, .. } => Some(messages),
            Self::Watch { quotes } => Some(quotes),
            Self::Report { readings } => Some(readings),
        }
    }
}

/// When a run ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// After this many RPCs (streams).
    Total(u64),
    /// After this long.
    Duration(Duration),
}

#[derive(Debug, Clone)]
pub struct BenchConfig {
    pub call: CallOptions,
    pub workload: Workload,
    /// RPCs (streams) in flight at once.
    pub concurrency: usize,
    /// HTTP/2 connections; the workers are spread evenly over them.
    pub connections: usize,
    pub stop: Stop,
    /// Run this long first, without counting.
    pub warmup: Duration,
    /// Open loop: start this many RPCs per second, on schedule, and measure
    /// latency from the scheduled start (so queueing is not hidden).
    pub rate: Option<f64>,
    /// Size in bytes of `name` (hello) or `data` (stream).
    pub payload_size: usize,
}

/// Runs the benchmark. `on_progress` is called with the number of finished
/// RPCs from time to time (for a progress bar).
pub async fn run(
    config: &BenchConfig,
    on_progress: Option<&(dyn Fn(u64) + Sync)>,
) -> anyhow::Result<Report> {
    let connections = config.connections.max(1);
    // Every RPC carries the same metadata (-H, token, grpc-timeout): built
    // once, not formatted per RPC (formatting grpc-timeout alone was ~2% of
    // the client's instructions).
    let metadata = config.call.request((), config.call.timeout).into_parts().0;
    if !config.call.target.is_tls() {
        // The direct transport adds the fixed headers itself, after tonic's
        // own: no metadata map to clone and sanitize per RPC.
        let headers = direct::sanitized(metadata.into_headers());
        let mut transports = Vec::with_capacity(connections);
        for _ in 0..connections {
            transports.push(direct::Direct::connect(&config.call, headers.clone()).await?);
        }
        return run_on(config, &transports, &MetadataMap::new(), on_progress).await;
    }
    let mut channels = Vec::with_capacity(connections);
    for _ in 0..connections {
        channels.push(client::connect(&config.call).await?);
    }
    run_on(config, &channels, &metadata, on_progress).await
}

/// What the workers need of a connection: a tonic transport they can
/// share, that can be brought back after the server closed it.
pub(crate) trait Transport:
    GrpcService<
        Body,
        Error: Into<StdError>,
        Future: Send,
        ResponseBody: http_body::Body<Data = Bytes, Error: Into<StdError> + Send> + Send + 'static,
    > + Clone
    + Send
    + 'static
{
    /// Scheme and authority for the generated clients to put in every
    /// request (`/` when the transport adds them itself).
    fn origin(&self) -> tonic::transport::Uri;

    /// Reconnects if the connection was closed; fails if that fails.
    fn ensure_open(&mut self)
        -> impl std::future::Future<Output = Result<Reopened, Status>> + Send;
}

impl Transport for direct::Direct {
    fn origin(&self) -> tonic::transport::Uri {
        direct::Direct::origin(self)
    }

    async fn ensure_open(&mut self) -> Result<Reopened, Status> {
        direct::Direct::ensure_open(self).await
    }
}

impl Transport for tonic::transport::Channel {
    fn origin(&self) -> tonic::transport::Uri {
        tonic::transport::Uri::default()
    }

    async fn ensure_open(&mut self) -> Result<Reopened, Status> {
        // Channel reconnects by itself.
        Ok(Reopened::No)
    }
}

async fn run_on<T: Transport>(
    config: &BenchConfig,
    channels: &[T],
    metadata: &MetadataMap,
    on_progress: Option<&(dyn Fn(u64) + Sync)>,
) -> anyhow::Result<Report> {
    let payload: Arc<str> = Arc::from("x".repeat(config.payload_size));
    if !config.warmup.is_zero() {
        phase(
            config,
            channels,
            metadata,
            &payload,
            Stop::Duration(config.warmup),
            None,
        )
        .await;
    }
    let started = Instant::now();
    let stats = phase(
        config,
        channels,
        metadata,
        &payload,
        config.stop,
        on_progress,
    )
    .await;
    Ok(Report::new(config, stats, started.elapsed()))
}

/// What one worker saw; merged into the report.
pub(crate) struct WorkerStats {
    pub latency_us: Histogram<u64>,
    pub statuses: [u64; 17],
    pub errors: BTreeMap<String, u64>,
    pub messages: u64,
}

impl WorkerStats {
    fn new() -> Self {
        Self {
            // 1 µs to 1 h at 3 significant figures; grows if ever needed.
            latency_us: Histogram::new_with_bounds(1, 3_600_000_000, 3)
                .expect("valid histogram bounds"),
            statuses: [0; 17],
            errors: BTreeMap::new(),
            messages: 0,
        }
    }

    fn record(&mut self, latency: Duration, outcome: Result<u64, Status>) {
        let micros = u64::try_from(latency.as_micros())
            .unwrap_or(u64::MAX)
            .max(1);
        self.latency_us.saturating_record(micros);
        match outcome {
            Ok(messages) => {
                self.statuses[0] += 1;
                self.messages += messages;
            }
            Err(status) => {
                self.statuses[status.code() as usize] += 1;
                // Errors are the slow path: an allocation here is fine.
                *self
                    .errors
                    .entry(client::describe_status(status, None).to_string())
                    .or_default() += 1;
            }
        }
    }

    pub(crate) fn merge(&mut self, other: &Self) {
        // Same bounds on both sides: adding cannot fail.
        let _ = self.latency_us.add(&other.latency_us);
        for (mine, theirs) in self.statuses.iter_mut().zip(other.statuses) {
            *mine += theirs;
        }
        for (message, count) in &other.errors {
            *self.errors.entry(message.clone()).or_default() += count;
        }
        self.messages += other.messages;
    }
}

/// Shared by the workers of one phase.
struct Schedule {
    tickets: AtomicU64,
    finished: AtomicU64,
    start: Instant,
    total: Option<u64>,
    end: Option<Instant>,
    /// Open loop: the gap between two scheduled starts.
    interval: Option<Duration>,
}

impl Schedule {
    /// The next RPC to make and when it is due, or None when the phase is over.
    fn next(&self) -> Option<Instant> {
        let ticket = self.tickets.fetch_add(1, Ordering::Relaxed);
        if self.total.is_some_and(|total| ticket >= total) {
            return None;
        }
        let due = match self.interval {
            Some(interval) => self.start + interval.mul_f64(ticket as f64),
            None => Instant::now(),
        };
        if self.end.is_some_and(|end| due >= end) {
            return None;
        }
        Some(due)
    }
}

async fn phase<T: Transport>(
    config: &BenchConfig,
    channels: &[T],
    metadata: &MetadataMap,
    payload: &Arc<str>,
    stop: Stop,
    on_progress: Option<&(dyn Fn(u64) + Sync)>,
) -> WorkerStats {
    let start = Instant::now();
    let schedule = Arc::new(Schedule {
        tickets: AtomicU64::new(0),
        finished: AtomicU64::new(0),
        start,
        total: match stop {
            Stop::Total(total) => Some(total),
            Stop::Duration(_) => None,
        },
        end: match stop {
            Stop::Duration(duration) => Some(start + duration),
            Stop::Total(_) => None,
        },
        interval: config
            .rate
            .filter(|rate| *rate > 0.0)
            .map(|rate| Duration::from_secs_f64(1.0 / rate)),
    });
    let mut workers = tokio::task::JoinSet::new();
    for index in 0..config.concurrency.max(1) {
        let channel = channels[index % channels.len()].clone();
        let schedule = Arc::clone(&schedule);
        let call = config.call.clone();
        let payload = Arc::clone(payload);
        let workload = config.workload;
        let metadata = metadata.clone();
        workers.spawn(
            async move { worker(channel, call, metadata, workload, payload, schedule).await },
        );
    }
    let mut merged = WorkerStats::new();
    let mut ticker = tokio::time::interval(Duration::from_millis(100));
    loop {
        tokio::select! {
            joined = workers.join_next() => match joined {
                Some(Ok(stats)) => merged.merge(&stats),
                Some(Err(_)) => {} // a worker cannot panic on network input; nothing to merge
                None => break,
            },
            _ = ticker.tick(), if on_progress.is_some() => {
                if let Some(progress) = on_progress {
                    progress(schedule.finished.load(Ordering::Relaxed));
                }
            }
        }
    }
    merged
}

/// The generated clients on one transport, with the run's limits and
/// compression.
struct Clients<T> {
    greet: GreetServiceClient<T>,
    messages: MessageServiceClient<T>,
    stock: StockServiceClient<T>,
    report: ReportServiceClient<T>,
}

impl<T: Transport> Clients<T> {
    fn new(channel: &T, call: &CallOptions) -> Self {
        macro_rules! configured {
            ($client:ident) => {{
                let client = $client::with_origin(channel.clone(), channel.origin())
                    .max_decoding_message_size(call.max_message_size)
                    .max_encoding_message_size(call.max_message_size);
                match call.compression {
                    Some(encoding) => client.send_compressed(encoding).accept_compressed(encoding),
                    None => client,
                }
            }};
        }
        Clients {
            greet: configured!(GreetServiceClient),
            messages: configured!(MessageServiceClient),
            stock: configured!(StockServiceClient),
            report: configured!(ReportServiceClient),
        }
    }
}

async fn worker<T: Transport>(
    mut channel: T,
    call: CallOptions,
    metadata: MetadataMap,
    workload: Workload,
    payload: Arc<str>,
    schedule: Arc<Schedule>,
) -> WorkerStats {
    let mut stats = WorkerStats::new();
    let mut clients = Clients::new(&channel, &call);
    // The stream workload sends the same sequence as `grpc-demo stream`.
    let script = match workload {
        Workload::Stream { messages, .. } => {
            client::scripted_sequence(messages, Role::Customer, &payload)
        }
        _ => Vec::new(),
    };
    while let Some(due) = schedule.next() {
        // Closed loop: `due` is now. (Sleeping until now would still wait
        // for the timer wheel's next tick, about 1 ms.)
        if due > Instant::now() {
            tokio::time::sleep_until(due).await;
        }
        // Open loop: `due` is the scheduled start, so a late start counts.
        let outcome = match channel.ensure_open().await {
            Err(status) => Err(status),
            Ok(reopened) => {
                if let Reopened::Yes = reopened {
                    clients = Clients::new(&channel, &call);
                }
                // The deadline is sent as grpc-timeout and also kept here:
                // a server that never answers must not stall the run.
                let work = run_one(&mut clients, workload, &metadata, &payload, &script);
                match tokio::time::timeout(call.timeout, work).await {
                    Ok(outcome) => outcome,
                    Err(_) => Err(Status::deadline_exceeded(format!(
                        "no answer within {} (--timeout)",
                        humantime::format_duration(call.timeout)
                    ))),
                }
            }
        };
        stats.record(due.elapsed(), outcome);
        schedule.finished.fetch_add(1, Ordering::Relaxed);
    }
    stats
}

/// Whether `ensure_open` had to open a new connection.
pub(crate) enum Reopened {
    No,
    Yes,
}

/// One unit of work: an RPC, or a whole stream. Ok is the number of
/// responses.
async fn run_one<T: Transport>(
    clients: &mut Clients<T>,
    workload: Workload,
    metadata: &MetadataMap,
    payload: &str,
    script: &[MessageRequest],
) -> Result<u64, Status> {
    match workload {
        Workload::Hello => {
            let request = tonic::Request::from_parts(
                metadata.clone(),
                tonic::Extensions::default(),
                HelloRequest {
                    name: payload.to_owned(),
                },
            );
            clients.greet.say_hello(request).await.map(|_| 1)
        }
        Workload::Stream { hold, .. } => {
            ping_pong(&mut clients.messages, metadata, script, hold).await
        }
        Workload::Watch { quotes } => patterns::watch(&mut clients.stock, metadata, quotes).await,
        Workload::Report { readings } => {
            let device = if payload.is_empty() { "bench" } else { payload };
            patterns::report(&mut clients.report, metadata, readings, device).await
        }
    }
}

/// One stream: send a message, wait for its answer, send the next.
async fn ping_pong(
    client: &mut MessageServiceClient<impl Transport>,
    metadata: &MetadataMap,
    script: &[MessageRequest],
    hold: Option<Duration>,
) -> Result<u64, Status> {
    let Some(first) = script.first() else {
        return Ok(0);
    };
    let (outbound, receiver) = tokio::sync::mpsc::channel(1);
    let _ = outbound.send(first.clone()).await;
    let request = tonic::Request::from_parts(
        metadata.clone(),
        tonic::Extensions::default(),
        tokio_stream::wrappers::ReceiverStream::new(receiver),
    );
    let mut inbound = client.iter_message(request).await?.into_inner();
    let mut answered = 0u64;
    for (index, message) in script.iter().enumerate() {
        // The first message went with the call itself.
        if index > 0 && outbound.send(message.clone()).await.is_err() {
            break;
        }
        match inbound.message().await? {
            Some(_) => answered += 1,
            None => {
                return Err(Status::new(
                    Code::DataLoss,
                    "stream ended before END was answered",
                ))
            }
        }
        if let (0, Some(hold)) = (index, hold) {
            tokio::time::sleep(hold).await;
        }
    }
    drop(outbound);
    // After END the server closes with OK.
    while inbound.message().await?.is_some() {}
    Ok(answered)
}
