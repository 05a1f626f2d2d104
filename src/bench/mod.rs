//! `grpc-demo bench`: a load generator for the four services, in the spirit
//! of ghz, with open-loop pacing that is honest about queueing.
//!
//! Files: schedule.rs (when each RPC is due), worker.rs (making them),
//! stats.rs (what was measured), summary.rs (the report), direct.rs (the
//! plaintext transport), patterns.rs (the watch and report streams),
//! sweep.rs (`--sweep`: one run per setting) and plot.rs (its SVG plot).
//!
//! Workers each own their statistics (an HDR histogram, status counts) and
//! share nothing on the hot path but an atomic ticket counter; the
//! statistics are merged once at the end.
//!
//! At the `-z` deadline no RPC is started any more, and those in flight are
//! given up to [`DRAIN`] to end as they would have (and are counted as they
//! end): the report and the server's own counts then agree, RPC for RPC.
//! Cancelling them at once could not be exact: an RPC the bench would call
//! cancelled may already be answered on the server (its answer on the
//! wire), or may never have reached it (its request still in the client's
//! buffers). What is still running after the drain (a `--hold` stream, a
//! long watch) is cut, and so is everything on an interrupt (Ctrl-C): the
//! plaintext connections are closed (no RST_STREAM burst for the server),
//! each worker is dropped where it is, its in-flight RPC cancelled (counted
//! apart), and its statistics so far are kept.

mod call;
mod direct;
mod patterns;
pub mod plot;
mod schedule;
mod server_metrics;
mod stats;
mod summary;
pub mod sweep;
mod worker;

use std::{
    sync::{atomic::Ordering, Arc},
    time::Duration,
};

use tokio::{sync::watch, time::Instant};
use tonic::metadata::MetadataMap;

pub use call::DynamicCall;
pub use server_metrics::{MetricsUrl, ServerMetrics};
pub(crate) use stats::{PhaseOutcome, WorkerStats};
pub use summary::Report;
pub(crate) use worker::{Reopened, Transport};

use self::{schedule::Schedule, worker::Worker};
use crate::client::{self, CallOptions};

/// Which RPC to load.
#[derive(Debug, Clone, PartialEq)]
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
    /// Any method of any service (`bench call`).
    Call(Arc<DynamicCall>),
}

impl Workload {
    /// The subcommand's name, for the report.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Hello => "hello",
            Self::Stream { .. } => "stream",
            Self::Watch { .. } => "watch",
            Self::Report { .. } => "report",
            Self::Call(_) => "call",
        }
    }

    /// The gRPC service and method it calls.
    pub fn grpc_method(&self) -> (&str, &str) {
        match self {
            Self::Hello => ("packages.GreetService", "sayHello"),
            Self::Stream { .. } => ("packages.MessageService", "iter_message"),
            Self::Watch { .. } => ("packages.StockService", "watch"),
            Self::Report { .. } => ("packages.ReportService", "report"),
            Self::Call(call) => (call.method.parent_service().full_name(), call.method.name()),
        }
    }

    /// Messages per stream, for the streaming workloads.
    pub fn messages_per_stream(&self) -> Option<u32> {
        match *self {
            Self::Hello => None,
            Self::Stream { messages, .. } => Some(messages),
            Self::Watch { quotes } => Some(quotes),
            Self::Report { readings } => Some(readings),
            Self::Call(ref call) => call.messages_per_stream(),
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
    /// Scrape the server's metrics before and after the measured run.
    pub metrics_url: Option<MetricsUrl>,
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
    // once, not formatted per RPC (BENCHMARKS.md, "metadata built once per
    // run").
    let mut metadata = config
        .call
        .request(
            (),
            Some(config.call.timeout).filter(|timeout| !timeout.is_zero()),
        )
        .into_parts()
        .0;
    // One traceparent for every RPC would make them all one trace: the load
    // goes without, unless -H gave one.
    if !config
        .call
        .headers
        .iter()
        .any(|header| header.key() == crate::trace_context::TRACEPARENT)
    {
        metadata.remove(crate::trace_context::TRACEPARENT);
    }
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

async fn run_on<T: Transport>(
    config: &BenchConfig,
    channels: &[T],
    metadata: &MetadataMap,
    on_progress: Option<&(dyn Fn(u64) + Sync)>,
    mut interrupt: watch::Receiver<bool>,
) -> anyhow::Result<Report> {
    let payload: Arc<str> = Arc::from("x".repeat(config.payload_size));
    if let Some(url) = &config.metrics_url {
        // Fail before any load when the page cannot be read.
        server_metrics::scrape(url).await?;
    }
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
    // The warm-up's stop closed the connections: open them again before
    // the measured phase, so that its first RPCs do not pay for it.
    for channel in channels {
        let _ = channel.clone().ensure_open().await;
    }
    let before = match &config.metrics_url {
        Some(url) => Some(server_metrics::settled_scrape(url).await?),
        None => None,
    };
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
    let mut report = Report::new(config, outcome);
    if let (Some(url), Some(before)) = (&config.metrics_url, before) {
        // The run is done: a page that cannot be read now costs the
        // server's part of the report, not the report.
        match server_metrics::settled_scrape(url).await {
            Ok(after) => {
                let (service, method) = config.workload.grpc_method();
                report.server = Some(ServerMetrics::between(
                    url, &before, &after, service, method,
                ));
            }
            Err(err) => eprintln!("warning: {err:#}; the report has no server metrics"),
        }
    }
    Ok(report)
}

/// How long RPCs in flight at the `-z` deadline may take to end before
/// they are cut (at most `--timeout`).
const DRAIN: Duration = Duration::from_secs(1);

/// Closes every connection at once, and returns when they are closed (see
/// [`Transport::close_now`]).
async fn close_now<T: Transport>(channels: &[T]) {
    // Each wait is short: the task's future is dropped on its next turn.
    for channel in channels {
        channel.close_now().await;
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
    let schedule = Arc::new(Schedule::new(stop, config.rate));
    let start = schedule.start();
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
        let worker = Worker {
            channel: channels[index % channels.len()].clone(),
            call: config.call.clone(),
            metadata: metadata.clone(),
            workload: config.workload.clone(),
            payload: Arc::clone(payload),
            schedule: Arc::clone(&schedule),
        };
        let count_errors = config.count_errors;
        let (stop_sender, stop_receiver) = tokio::sync::oneshot::channel::<()>();
        stops.push(stop_sender);
        workers.spawn(async move {
            let mut stats = WorkerStats::new(count_errors);
            tokio::select! {
                biased;
                () = worker.run(&mut stats) => {}
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
    // After the deadline: when what is still in flight is cut.
    let drain_timeout = if config.call.timeout.is_zero() {
        DRAIN
    } else {
        DRAIN.min(config.call.timeout)
    };
    let drained = tokio::time::sleep(Duration::MAX / 4);
    let mut draining = false;
    tokio::pin!(deadline, on_interrupt, drained);
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
                // No new RPC starts (the schedule ends here); those in
                // flight may end, for DRAIN.
                stopped_at = schedule.end;
                draining = true;
                drained.as_mut().reset(Instant::now() + drain_timeout);
            }
            () = &mut drained, if draining => {
                draining = false;
                schedule.stop();
                close_now(channels).await;
                stops.clear();
            }
            () = &mut on_interrupt, if stopped_at.is_none() || draining => {
                draining = false;
                stopped_at = stopped_at.or_else(|| Some(Instant::now()));
                was_interrupted = true;
                schedule.stop();
                close_now(channels).await;
                stops.clear();
            }
            _ = ticker.tick(), if on_progress.is_some() => {
                if let Some(progress) = on_progress {
                    progress(schedule.finished.load(Ordering::Relaxed));
                }
            }
        }
    }
    // The run lasted until its last RPC ended: at -z, through the drain
    // (the RPCs that ended in it are counted, so their time is too); on
    // Ctrl-C, until the interrupt.
    let ended = match stopped_at {
        Some(at) if was_interrupted => at,
        _ => Instant::now(),
    };
    PhaseOutcome {
        stats: merged,
        interrupted: was_interrupted,
        // A run that was not cut short went through its whole schedule.
        scheduled: schedule.due_before(stopped_at.or(schedule.end).unwrap_or(ended)),
        elapsed: ended - start,
    }
}
