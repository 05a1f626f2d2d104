//! The work itself: a [`Worker`] makes RPCs one after the other through
//! the generated clients, on a [`Transport`] (the bench's own `direct` h2
//! connection for plaintext, tonic's `Channel` for TLS).

use std::{
    sync::{atomic::Ordering, Arc},
    time::Duration,
};

use tokio::time::Instant;
use tonic::{
    body::Body,
    client::GrpcService,
    codegen::{Bytes, StdError},
    metadata::MetadataMap,
    Code, Status,
};

use super::{direct, patterns, schedule::Schedule, stats::WorkerStats, Workload};
use crate::{
    client::{self, CallOptions},
    proto::{
        greet_service_client::GreetServiceClient, message_service_client::MessageServiceClient,
        report_service_client::ReportServiceClient, stock_service_client::StockServiceClient,
        HelloRequest, MessageRequest, Role,
    },
};

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

    /// At a phase's stop, before the workers (and their RPCs) are dropped:
    /// a transport that can close its connection at once does, so that the
    /// server is not sent one RST_STREAM per RPC in flight.
    fn close_now(&self) -> impl std::future::Future<Output = ()> + Send {
        std::future::ready(())
    }
}

impl Transport for direct::Direct {
    fn origin(&self) -> tonic::transport::Uri {
        direct::Direct::origin(self)
    }

    async fn ensure_open(&mut self) -> Result<Reopened, Status> {
        direct::Direct::ensure_open(self).await
    }

    async fn close_now(&self) {
        direct::Direct::close_now(self).await;
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

/// The generated clients on one transport, with the run's limits and
/// compression.
struct Clients<T> {
    /// `bench call`: any method, through the dynamic codec.
    grpc: tonic::client::Grpc<T>,
    greet: GreetServiceClient<T>,
    messages: MessageServiceClient<T>,
    stock: StockServiceClient<T>,
    report: ReportServiceClient<T>,
}

impl<T: Transport> Clients<T> {
    fn new(channel: &T, call: &CallOptions) -> Self {
        macro_rules! configured {
            ($client:ident) => {
                client::configured_client!(
                    $client::with_origin(channel.clone(), channel.origin()),
                    call
                )
            };
        }
        Clients {
            grpc: client::configured_client!(
                tonic::client::Grpc::with_origin(channel.clone(), channel.origin()),
                call
            ),
            greet: configured!(GreetServiceClient),
            messages: configured!(MessageServiceClient),
            stock: configured!(StockServiceClient),
            report: configured!(ReportServiceClient),
        }
    }
}

/// One worker: RPCs one after the other on its connection until the
/// schedule is done.
pub(super) struct Worker<T> {
    pub channel: T,
    pub call: CallOptions,
    /// The metadata of every request, built once for the run.
    pub metadata: MetadataMap,
    pub workload: Workload,
    /// The `--payload-size` string.
    pub payload: Arc<str>,
    pub schedule: Arc<Schedule>,
}

impl<T: Transport> Worker<T> {
    /// Runs until the schedule is done. The statistics live outside, so
    /// that they survive the worker being stopped mid-RPC.
    pub(super) async fn run(self, stats: &mut WorkerStats) {
        let Self {
            mut channel,
            call,
            metadata,
            workload,
            payload,
            schedule,
        } = self;
        let open_loop = schedule.interval.is_some();
        let mut clients = Clients::new(&channel, &call);
        // The stream workload sends the same sequence as `grpc-demo stream`.
        let script = match &workload {
            Workload::Stream { messages, .. } => {
                client::counted_sequence(*messages, Role::Customer, &payload).collect()
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
                        // The deadline is sent as grpc-timeout and also kept
                        // here: a server that never answers must not stall
                        // the run. The timer has 1 ms resolution, so the
                        // clock decides whether an answer came in time.
                        let started = Instant::now();
                        let work = run_one(&mut clients, &workload, &metadata, &payload, &script);
                        if call.timeout.is_zero() {
                            // --timeout 0s: no deadline.
                            work.await
                        } else {
                            match tokio::time::timeout(call.timeout, work).await {
                                Ok(_) if started.elapsed() >= call.timeout => {
                                    Err(no_answer_within(call.timeout))
                                }
                                Ok(outcome) => outcome,
                                Err(_) => Err(no_answer_within(call.timeout)),
                            }
                        }
                    }
                };
                // A GOAWAY (--max-connection-age, a draining server) refused
                // the RPC before the server processed it: it goes out again
                // on a new connection, once. --retries (unary, several
                // endpoints): the same for any RPC no server processed, to
                // whichever endpoint the balancer picks, after a backoff.
                match &outcome {
                    Err(status) if attempts < 2 && direct::never_sent(status) => {}
                    Err(status)
                        if matches!(workload, Workload::Hello)
                            && attempts <= call.retries()
                            && client::balance::not_processed(status) =>
                    {
                        tokio::time::sleep(client::balance::retry_backoff(attempts)).await;
                    }
                    _ => break outcome,
                }
                // No retry after the stop, nor in the -z drain.
                if schedule.is_stopped() || schedule.past_end(Instant::now()) {
                    break outcome;
                }
            };
            if schedule.is_stopped() {
                // Cut by the stop (its connection closed under it):
                // cancelled, as an RPC dropped in flight is, not failed.
                stats.cancelled += 1;
                stats.in_flight = false;
                return;
            }
            stats.record(due.elapsed(), outcome);
            stats.in_flight = false;
            schedule.finished.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// DEADLINE_EXCEEDED for a unit of work past `--timeout`.
fn no_answer_within(timeout: Duration) -> Status {
    Status::deadline_exceeded(format!(
        "no answer within {} (--timeout)",
        humantime::format_duration(timeout)
    ))
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
    workload: &Workload,
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
            ping_pong(&mut clients.messages, metadata, script, *hold).await
        }
        Workload::Watch { quotes } => patterns::watch(&mut clients.stock, metadata, *quotes).await,
        Workload::Report { readings } => {
            let device = if payload.is_empty() { "bench" } else { payload };
            patterns::report(&mut clients.report, metadata, *readings, device).await
        }
        Workload::Call(call) => super::call::call_once(&mut clients.grpc, metadata, call).await,
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
