//! `grpc-demo bench`: a load generator for the four services, in the spirit
//! of ghz, with open-loop pacing that is honest about queueing.
//!
//! Workers each own their statistics (an HDR histogram, status counts) and
//! share nothing on the hot path but an atomic ticket counter; the
//! statistics are merged once at the end.
//!
//! A run stops sharp: at the `-z` deadline or on an interrupt (Ctrl-C), each
//! worker is dropped where it is, its in-flight RPC cancelled (counted
//! apart), and its statistics so far are kept.

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
use tokio::{sync::watch, time::Instant};
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
    /// Failed RPCs go into the latency histogram too (ghz's
    /// `--count-errors`); by default only successful ones do.
    pub count_errors: bool,
}

/// Runs the benchmark. `on_progress` is called with the number of finished
/// RPCs from time to time (for a progress bar). When `interrupt` turns true
/// the run stops at once and reports what ran so far.
pub async fn run(
    config: &BenchConfig,
    on_progress: Option<&(dyn Fn(u64) + Sync)>,
    interrupt: watch::Receiver<bool>,
) -> anyhow::Result<Report> {
    let connections = config.connections.max(1);
    // Connecting can take up to --connect-timeout: an interrupt then ends
    // the run with nothing done.
    let nothing_ran = || Ok(Report::new(config, PhaseOutcome::nothing_ran(config)));
    // Every RPC carries the same metadata (-H, token, grpc-timeout): built
    // once, not formatted per RPC (formatting grpc-timeout alone was ~2% of
    // the client's instructions).
    let metadata = config.call.request((), config.call.timeout).into_parts().0;
    if config.call.is_balanced() {
        // Several endpoints: tonic channels behind tower's balancer (the
        // direct transport speaks to one endpoint); one connection per
        // endpoint, whatever --connections says.
        let open = client::balance::open(&config.call);
        let Some(channel) = unless_interrupted(&interrupt, open).await else {
            return nothing_ran();
        };
        let channel = channel?;
        let mut report = run_on(
            config,
            std::slice::from_ref(&channel),
            &metadata,
            on_progress,
            interrupt,
        )
        .await?;
        report.endpoints = channel.distribution().unwrap_or_default();
        return Ok(report);
    }
    if !config.call.target.is_tls() {
        // The direct transport adds the fixed headers itself, after tonic's
        // own: no metadata map to clone and sanitize per RPC.
        let headers = direct::sanitized(metadata.into_headers());
        let connect = async {
            let mut transports = Vec::with_capacity(connections);
            for _ in 0..connections {
                transports.push(direct::Direct::connect(&config.call, headers.clone()).await?);
            }
            anyhow::Ok(transports)
        };
        let Some(transports) = unless_interrupted(&interrupt, connect).await else {
            return nothing_ran();
        };
        return run_on(
            config,
            &transports?,
            &MetadataMap::new(),
            on_progress,
            interrupt,
        )
        .await;
    }
    let connect = async {
        let mut channels = Vec::with_capacity(connections);
        for _ in 0..connections {
            channels.push(client::connect(&config.call).await?);
        }
        anyhow::Ok(channels)
    };
    let Some(channels) = unless_interrupted(&interrupt, connect).await else {
        return nothing_ran();
    };
    run_on(config, &channels?, &metadata, on_progress, interrupt).await
}

/// Runs `work` to its end, or None if `interrupt` turns true first.
async fn unless_interrupted<F: std::future::Future>(
    interrupt: &watch::Receiver<bool>,
    work: F,
) -> Option<F::Output> {
    let mut interrupt = interrupt.clone();
    tokio::select! {
        biased;
        () = interrupted(&mut interrupt) => None,
        output = work => Some(output),
    }
}

/// Resolves when `interrupt` turns true (never, if its sender is gone).
async fn interrupted(interrupt: &mut watch::Receiver<bool>) {
    if interrupt
        .wait_for(|interrupted| *interrupted)
        .await
        .is_err()
    {
        std::future::pending::<()>().await;
    }
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

impl Transport for client::balance::ClientChannel {
    fn origin(&self) -> tonic::transport::Uri {
        tonic::transport::Uri::default()
    }

    async fn ensure_open(&mut self) -> Result<Reopened, Status> {
        // Each endpoint's channel reconnects by itself.
        Ok(Reopened::No)
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
    mut interrupt: watch::Receiver<bool>,
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
            &mut interrupt,
        )
        .await;
    }
    let outcome = phase(
        config,
        channels,
        metadata,
        &payload,
        config.stop,
        on_progress,
        &mut interrupt,
    )
    .await;
    Ok(Report::new(config, outcome))
}

/// What one worker saw; merged into the report.
pub(crate) struct WorkerStats {
    /// Successful RPCs only, unless `count_errors`.
    pub latency_us: Histogram<u64>,
    pub statuses: [u64; 17],
    pub errors: BTreeMap<String, u64>,
    pub messages: u64,
    /// RPCs in flight when the run was stopped, cancelled (not in
    /// `statuses`).
    pub cancelled: u64,
    /// Open loop: the latest an RPC started after its scheduled time.
    pub max_lag: Duration,
    count_errors: bool,
    /// An RPC of this worker is under way (started, not yet recorded).
    in_flight: bool,
}

impl WorkerStats {
    fn new(count_errors: bool) -> Self {
        Self {
            // 1 µs to 1 h at 3 significant figures; grows if ever needed.
            latency_us: Histogram::new_with_bounds(1, 3_600_000_000, 3)
                .expect("valid histogram bounds"),
            statuses: [0; 17],
            errors: BTreeMap::new(),
            messages: 0,
            cancelled: 0,
            max_lag: Duration::ZERO,
            count_errors,
            in_flight: false,
        }
    }

    fn record_latency(&mut self, latency: Duration) {
        let micros = u64::try_from(latency.as_micros())
            .unwrap_or(u64::MAX)
            .max(1);
        self.latency_us.saturating_record(micros);
    }

    fn record(&mut self, latency: Duration, outcome: Result<u64, Status>) {
        match outcome {
            Ok(messages) => {
                self.record_latency(latency);
                self.statuses[0] += 1;
                self.messages += messages;
            }
            Err(status) => {
                if self.count_errors {
                    self.record_latency(latency);
                }
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
        self.cancelled += other.cancelled;
        self.max_lag = self.max_lag.max(other.max_lag);
    }
}

/// How a phase went: the merged statistics and how it ended.
pub(crate) struct PhaseOutcome {
    pub stats: WorkerStats,
    /// Stopped by the interrupt (Ctrl-C), not by -n / -z.
    pub interrupted: bool,
    /// Open loop: RPCs due before the run stopped.
    pub scheduled: Option<u64>,
    /// From the start to the stop (-z, Ctrl-C) or to the last RPC's end;
    /// the cancelled RPCs' wind-down is not part of it.
    pub elapsed: Duration,
}

impl PhaseOutcome {
    /// Interrupted before any RPC was made.
    fn nothing_ran(config: &BenchConfig) -> Self {
        Self {
            stats: WorkerStats::new(config.count_errors),
            interrupted: true,
            scheduled: config.rate.map(|_| 0),
            elapsed: Duration::ZERO,
        }
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
    /// Open loop: how many RPCs were due before `stop` (the tickets with
    /// `start + interval × i < stop`), at most `total`.
    fn due_before(&self, stop: Instant) -> Option<u64> {
        let interval = self.interval?.as_nanos().max(1);
        let elapsed = stop.saturating_duration_since(self.start).as_nanos();
        let due = u64::try_from(elapsed.div_ceil(interval)).unwrap_or(u64::MAX);
        Some(self.total.map_or(due, |total| due.min(total)))
    }

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
    interrupt: &mut watch::Receiver<bool>,
) -> PhaseOutcome {
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
    if *interrupt.borrow() {
        // Interrupted during the warm-up: nothing more to run.
        return PhaseOutcome::nothing_ran(config);
    }
    let mut merged = WorkerStats::new(config.count_errors);
    let mut workers = tokio::task::JoinSet::new();
    // One stop signal per worker, so that no worker shares a waker list
    // with the others on its hot path; dropping the senders stops them.
    let mut stops = Vec::with_capacity(config.concurrency.max(1));
    for index in 0..config.concurrency.max(1) {
        let channel = channels[index % channels.len()].clone();
        let schedule = Arc::clone(&schedule);
        let call = config.call.clone();
        let payload = Arc::clone(payload);
        let workload = config.workload;
        let metadata = metadata.clone();
        let count_errors = config.count_errors;
        let (stop_sender, stop_receiver) = tokio::sync::oneshot::channel::<()>();
        stops.push(stop_sender);
        workers.spawn(async move {
            let mut stats = WorkerStats::new(count_errors);
            tokio::select! {
                biased;
                () = worker(channel, call, metadata, workload, payload, schedule, &mut stats) => {}
                // Stopped: the RPC under way, if any, is cancelled with
                // the worker's future.
                _ = stop_receiver => {
                    if stats.in_flight {
                        stats.cancelled += 1;
                    }
                }
            }
            stats
        });
    }
    let deadline = async {
        match schedule.end {
            Some(end) => tokio::time::sleep_until(end).await,
            None => std::future::pending().await,
        }
    };
    let on_interrupt = interrupted(interrupt);
    tokio::pin!(deadline, on_interrupt);
    let mut stopped_at = None;
    let mut was_interrupted = false;
    let mut ticker = tokio::time::interval(Duration::from_millis(100));
    loop {
        tokio::select! {
            joined = workers.join_next() => match joined {
                Some(Ok(stats)) => merged.merge(&stats),
                Some(Err(_)) => {} // a worker cannot panic on network input; nothing to merge
                None => break,
            },
            () = &mut deadline, if stopped_at.is_none() => {
                stopped_at = schedule.end;
                stops.clear();
            }
            () = &mut on_interrupt, if stopped_at.is_none() => {
                stopped_at = Some(Instant::now());
                was_interrupted = true;
                stops.clear();
            }
            _ = ticker.tick(), if on_progress.is_some() => {
                if let Some(progress) = on_progress {
                    progress(schedule.finished.load(Ordering::Relaxed));
                }
            }
        }
    }
    let ended = stopped_at.unwrap_or_else(Instant::now);
    PhaseOutcome {
        stats: merged,
        interrupted: was_interrupted,
        // A run that was not cut short went through its whole schedule.
        scheduled: schedule.due_before(stopped_at.or(schedule.end).unwrap_or(ended)),
        elapsed: ended - start,
    }
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

/// One worker: RPCs one after the other until the schedule is done. The
/// statistics live outside, so that they survive the worker being stopped.
async fn worker<T: Transport>(
    mut channel: T,
    call: CallOptions,
    metadata: MetadataMap,
    workload: Workload,
    payload: Arc<str>,
    schedule: Arc<Schedule>,
    stats: &mut WorkerStats,
) {
    let open_loop = schedule.interval.is_some();
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
        let now = Instant::now();
        if due > now {
            tokio::time::sleep_until(due).await;
        } else if open_loop {
            stats.max_lag = stats.max_lag.max(now - due);
        }
        stats.in_flight = true;
        // Open loop: `due` is the scheduled start, so a late start counts.
        let mut attempts = 0;
        let outcome = loop {
            attempts += 1;
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
            // A GOAWAY (--max-connection-age, a draining server) refused the
            // RPC before the server processed it: it goes out again on a
            // new connection, once.
            // --retries (unary): an RPC no server processed goes out again,
            // to whichever endpoint the balancer picks, after a backoff.
            match &outcome {
                Err(status) if attempts < 2 && direct::never_sent(status) => continue,
                Err(status)
                    if matches!(workload, Workload::Hello)
                        && attempts <= call.retries()
                        && client::balance::not_processed(status) =>
                {
                    tokio::time::sleep(client::balance::retry_backoff(attempts)).await;
                }
                _ => break outcome,
            }
        };
        stats.record(due.elapsed(), outcome);
        stats.in_flight = false;
        schedule.finished.fetch_add(1, Ordering::Relaxed);
    }
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
