//! Several endpoints (`--addr A --addr B`, `--addr A,B`, `dns:///HOST:PORT`):
//! RPCs are spread over the endpoints that are up by tower's balancer
//! (`tower::balance::p2c`, the one tonic's `Channel::balance_channel` uses:
//! of two endpoints picked at random, the one with fewer RPCs pending; tower
//! has no round-robin balancer, and under even load the two spread alike).
//!
//! Which endpoints are up is decided here, one task per endpoint: it opens a
//! connection (retrying a refused or dropped endpoint with exponential
//! backoff and jitter, gRPC's connection-backoff parameters) and, with
//! health checking, watches `grpc.health.v1.Health/Watch` on it. The
//! endpoint joins the balancer while it reports SERVING and leaves it as
//! soon as it reports anything else or the watch breaks — a replica that
//! starts draining (NOT_SERVING first, server/mod.rs) is avoided before its
//! connections close. Without health checking an endpoint joins once its
//! connection opens. `dns:///` names are resolved again every 30 s and
//! whenever an endpoint fails.
//!
//! An endpoint whose connection is going away (an RPC on it met a GOAWAY,
//! or a connection closed before the request went out) leaves the balancer
//! until it has reconnected (after 100–200 ms), as a grpc-go subchannel
//! leaves READY.
//!
//! When every endpoint has failed, RPCs fail at once with UNAVAILABLE
//! ([`FailFast`]) instead of waiting for their deadline.
//!
//! `--retries N` (unary RPCs): an RPC that failed UNAVAILABLE without
//! having reached a server ([`not_processed`]: the connection could not be
//! opened, the request never went out, or the server refused the stream
//! with a graceful GOAWAY or REFUSED_STREAM) is sent again, to whichever
//! endpoint the balancer picks (one whose connection just went away is out
//! of it once its task has seen that, normally well within the backoff),
//! after a backoff with jitter (gRPC's retry policy). An RPC that may have run is
//! never retried.

use std::{
    collections::{BTreeMap, HashMap},
    convert::Infallible,
    future::Future,
    pin::Pin,
    str::FromStr,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, Mutex,
    },
    task::{Context, Poll},
    time::Duration,
};

use tokio::sync::{mpsc, Notify};
use tokio_stream::{wrappers::UnboundedReceiverStream, StreamExt as _};
use tonic::{
    body::Body,
    transport::{Channel, Endpoint, Uri},
    Code, Status,
};
use tonic_health::pb::{
    health_check_response::ServingStatus, health_client::HealthClient, HealthCheckRequest,
};
use tower::{
    balance::p2c::Balance,
    buffer::Buffer,
    discover::Change,
    load::{CompleteOnResponse, PendingRequestsDiscover},
    util::BoxService,
    BoxError, Service,
};

use super::{describe_status, CallOptions, Target};
use crate::{
    exit::UsageError,
    status::{error_chain, RpcError},
};

/// The balancing flags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Balancing {
    /// Endpoints after the first (`CallOptions::target`).
    pub more: Vec<Target>,
    /// `--health-check`; `None`: on when there are several endpoints.
    pub health_check: Option<bool>,
    /// `--retries`; `None`: 0 for one endpoint, [`DEFAULT_RETRIES`] for
    /// several.
    pub retries: Option<u32>,
}

/// Retries of an unprocessed unary RPC when there are several endpoints.
pub const DEFAULT_RETRIES: u32 = 2;

impl CallOptions {
    /// Whether calls go through the balancer: several endpoints, or a name
    /// that may resolve to several.
    pub fn is_balanced(&self) -> bool {
        !self.balancing.more.is_empty() || self.target.dns_name().is_some()
    }

    /// Every endpoint given, the first one first.
    pub fn targets(&self) -> impl Iterator<Item = &Target> {
        std::iter::once(&self.target).chain(&self.balancing.more)
    }

    fn health_check(&self) -> bool {
        self.balancing.health_check.unwrap_or(self.is_balanced())
    }

    /// How many times an unprocessed unary RPC is sent again.
    pub fn retries(&self) -> u32 {
        self.balancing.retries.unwrap_or(if self.is_balanced() {
            DEFAULT_RETRIES
        } else {
            0
        })
    }

    /// The flags that do not go with several endpoints.
    pub(crate) fn validate_balancing(&self) -> Result<(), UsageError> {
        if !self.is_balanced() {
            return Ok(());
        }
        for target in self.targets() {
            if target.unix_path().is_some() {
                return Err(UsageError(format!(
                    "{target}: a Unix socket cannot be one of several endpoints"
                )));
            }
        }
        if self.tls.insecure {
            return Err(UsageError(
                "--insecure works with one endpoint only".to_owned(),
            ));
        }
        let tls: Vec<bool> = self.targets().map(Target::is_tls).collect();
        if tls.iter().any(|is_tls| *is_tls != tls[0]) {
            return Err(UsageError(
                "the endpoints mix https:// and plaintext addresses".to_owned(),
            ));
        }
        Ok(())
    }
}

/// Whether an RPC failed before any server processed it, so that sending it
/// again cannot run it twice: no connection could be opened, the request
/// never left the client (hyper cancelled it when its connection closed),
/// or the server refused the stream (a graceful GOAWAY whose last stream is
/// below it, REFUSED_STREAM). Only an RPC the user is told is UNAVAILABLE
/// qualifies (tonic calls a GOAWAY-refused stream INTERNAL and a cancelled
/// request CANCELLED; `describe_status` makes both UNAVAILABLE).
pub fn not_processed(status: &Status) -> bool {
    if describe_status(status.clone(), None).code != Code::Unavailable {
        return false;
    }
    let Some(source) = std::error::Error::source(status) else {
        return false;
    };
    error_chain(source).any(|err| {
        if err.is::<tonic::ConnectError>() {
            return true;
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return io.kind() == std::io::ErrorKind::ConnectionRefused;
        }
        if let Some(hyper) = err.downcast_ref::<hyper::Error>() {
            return hyper.is_canceled();
        }
        if let Some(h2) = err.downcast_ref::<h2::Error>() {
            // A GOAWAY with an error code also fails streams at or below
            // its last stream id, which may have run: only NO_ERROR (a
            // graceful drain) fails just the streams above it.
            let graceful_go_away =
                h2.is_go_away() && h2.is_remote() && h2.reason() == Some(h2::Reason::NO_ERROR);
            return graceful_go_away || h2.reason() == Some(h2::Reason::REFUSED_STREAM);
        }
        false
    })
}

/// gRPC's retry backoff: the n-th retry (from 1) waits a random time up to
/// min(100 ms × 2^(n-1), 1 s).
pub fn retry_backoff(retry: u32) -> Duration {
    let ceiling = Duration::from_millis(100)
        .saturating_mul(1 << retry.saturating_sub(1).min(10))
        .min(Duration::from_secs(1));
    ceiling.mul_f64(random_unit())
}

/// A number in [0, 1), different on each call (std's per-instance random
/// hasher keys, mixed with a counter).
fn random_unit() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// gRPC's connection backoff (connection-backoff.md): 1 s, × 1.6 per
/// failure, ± 20% jitter, at most 120 s; reset by a good connection.
struct Backoff {
    next: Duration,
}

impl Backoff {
    const INITIAL: Duration = Duration::from_secs(1);
    const MAX: Duration = Duration::from_secs(120);

    fn new() -> Self {
        Self {
            next: Self::INITIAL,
        }
    }

    fn reset(&mut self) {
        self.next = Self::INITIAL;
    }

    /// The time to wait now; the next one grows.
    fn step(&mut self) -> Duration {
        let wait = self.next.mul_f64(0.8 + 0.4 * random_unit());
        self.next = self.next.mul_f64(1.6).min(Self::MAX);
        wait
    }
}

type Request = http::Request<Body>;
type Response = http::Response<Body>;
type ResponseFuture = Pin<Box<dyn Future<Output = Result<Response, BoxError>> + Send>>;

/// A channel to one endpoint, counting the RPCs sent through it.
struct Counted {
    channel: Channel,
    sent: Arc<AtomicU64>,
    /// Told when an RPC finds the connection going away (GOAWAY, or closed
    /// before the request went out): the endpoint task then takes the
    /// endpoint out until it reconnects, as grpc-go's subchannel leaves
    /// READY, so that a retry goes to another endpoint.
    went_away: Arc<Notify>,
}

impl Service<Request> for Counted {
    type Response = Response;
    type Error = BoxError;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.channel.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        self.sent.fetch_add(1, Ordering::Relaxed);
        let call = self.channel.call(request);
        let went_away = Arc::clone(&self.went_away);
        Box::pin(async move {
            call.await.map_err(|err| {
                if is_going_away(&err) {
                    went_away.notify_one();
                }
                err.into()
            })
        })
    }
}

/// Whether a failed call found its connection going or gone: the server
/// sent GOAWAY, the connection closed or broke, or reconnecting failed (a
/// false positive costs one reconnect).
fn is_going_away(err: &(dyn std::error::Error + 'static)) -> bool {
    error_chain(err).any(|err| {
        if err.is::<tonic::ConnectError>() {
            return true;
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionRefused
                    | std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::BrokenPipe
            );
        }
        if let Some(h2) = err.downcast_ref::<h2::Error>() {
            return (h2.is_go_away() && h2.is_remote()) || h2.is_io();
        }
        if let Some(hyper) = err.downcast_ref::<hyper::Error>() {
            return hyper.is_canceled() || hyper.is_closed();
        }
        false
    })
}

/// What each endpoint is doing, for failing fast: when every endpoint has
/// failed (connection refused, health NOT_SERVING or its watch broken), an
/// RPC fails at once with UNAVAILABLE, as gRPC's pickers do when every
/// subchannel is in TRANSIENT_FAILURE, instead of waiting for its deadline;
/// while one is connecting, RPCs wait for it.
#[derive(Default)]
struct States {
    map: Mutex<BTreeMap<String, State>>,
    /// Every endpoint failed (and there is at least one): read per RPC.
    all_failed: AtomicBool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Connecting,
    Ready,
    Failed(String),
}

impl States {
    fn update(&self, change: impl FnOnce(&mut BTreeMap<String, State>)) {
        let mut map = self
            .map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        change(&mut map);
        let all_failed =
            !map.is_empty() && map.values().all(|state| matches!(state, State::Failed(_)));
        self.all_failed.store(all_failed, Ordering::Release);
    }

    fn set(&self, key: &str, state: State) {
        self.update(|map| {
            map.insert(key.to_owned(), state);
        });
    }

    fn remove(&self, key: &str) {
        self.update(|map| {
            map.remove(key);
        });
    }

    /// When every endpoint has failed: why, endpoint by endpoint.
    fn failure(&self) -> Option<String> {
        if !self.all_failed.load(Ordering::Acquire) {
            return None;
        }
        let map = self
            .map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let why: Vec<String> = map
            .iter()
            .filter_map(|(key, state)| match state {
                State::Failed(why) => Some(format!("{key}: {why}")),
                _ => None,
            })
            .collect();
        (!why.is_empty()).then(|| why.join("; "))
    }
}

/// The balancer, failing RPCs at once while every endpoint has failed.
struct FailFast<S> {
    inner: S,
    states: Arc<States>,
    /// Decided in `poll_ready`, so that `call` follows it: the inner
    /// balancer is called only after it said it was ready.
    failing: Option<String>,
}

impl<S> Service<Request> for FailFast<S>
where
    S: Service<Request, Response = Response, Error = BoxError>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = BoxError;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.failing = None;
        if self.states.failure().is_none() {
            if let Poll::Ready(ready) = self.inner.poll_ready(cx) {
                return Poll::Ready(ready);
            }
        }
        // Checked again after the balancer: an endpoint task changes the
        // states before it tells the balancer, so a change the balancer
        // consumed while it found nothing ready is seen here, and a later
        // one wakes it.
        self.failing = self.states.failure();
        if self.failing.is_some() {
            Poll::Ready(Ok(()))
        } else {
            Poll::Pending
        }
    }

    fn call(&mut self, request: Request) -> Self::Future {
        match self.failing.take() {
            Some(why) => {
                let status = Status::unavailable(format!("no endpoint is up: {why}"));
                Box::pin(std::future::ready(Err(Box::new(status) as BoxError)))
            }
            None => Box::pin(self.inner.call(request)),
        }
    }
}

/// What the client calls: one endpoint's channel, or the balancer.
#[derive(Clone)]
pub enum ClientChannel {
    Single(Channel),
    Balanced(Balanced),
}

impl Service<Request> for ClientChannel {
    type Response = Response;
    type Error = BoxError;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        match self {
            Self::Single(channel) => channel.poll_ready(cx).map_err(Into::into),
            Self::Balanced(balanced) => balanced.service.poll_ready(cx),
        }
    }

    fn call(&mut self, request: Request) -> Self::Future {
        match self {
            Self::Single(channel) => {
                let call = channel.call(request);
                Box::pin(async move { call.await.map_err(Into::into) })
            }
            Self::Balanced(balanced) => Box::pin(balanced.service.call(request)),
        }
    }
}

impl ClientChannel {
    /// RPCs sent to each endpoint so far (balanced only).
    pub fn distribution(&self) -> Option<BTreeMap<String, u64>> {
        match self {
            Self::Single(_) => None,
            Self::Balanced(balanced) => Some(balanced.endpoints.distribution()),
        }
    }
}

/// The balancer over the endpoints that are up; clones share it. The
/// endpoint tasks stop when the last clone is dropped.
#[derive(Clone)]
pub struct Balanced {
    service: Buffer<Request, ResponseFuture>,
    endpoints: Arc<Endpoints>,
}

/// The endpoint tasks' owner, and what they counted.
struct Endpoints {
    sent: Arc<Counters>,
    resolver: tokio::task::JoinHandle<()>,
}

impl Endpoints {
    fn distribution(&self) -> BTreeMap<String, u64> {
        let sent = self
            .sent
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        sent.iter()
            .map(|(key, count)| (key.clone(), count.load(Ordering::Relaxed)))
            .collect()
    }
}

/// Per endpoint: RPCs sent, whatever became of them.
#[derive(Default)]
struct Counters(Mutex<BTreeMap<String, Arc<AtomicU64>>>);

impl Counters {
    fn counter(&self, key: &str) -> Arc<AtomicU64> {
        let mut sent = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(sent.entry(key.to_owned()).or_default())
    }
}

impl Drop for Endpoints {
    fn drop(&mut self) {
        self.resolver.abort();
    }
}

/// Opens what `options` asks for: a plain channel to one endpoint, or the
/// balancer over several, once one of them is up (UNAVAILABLE naming each
/// endpoint's failure when none is).
pub async fn open(options: &CallOptions) -> anyhow::Result<ClientChannel> {
    if !options.is_balanced() {
        return Ok(ClientChannel::Single(super::connect(options).await?));
    }
    options.validate_balancing()?;
    let (changes_tx, changes_rx) = mpsc::unbounded_channel::<Change<String, Counted>>();
    // The balancer must not see its discovery end: it would fail.
    let discover = UnboundedReceiverStream::new(changes_rx)
        .map(Ok::<_, Infallible>)
        .chain(tokio_stream::pending());
    let balance = Balance::new(PendingRequestsDiscover::new(
        discover,
        CompleteOnResponse::default(),
    ));
    let states = Arc::new(States::default());
    let service = Buffer::new(
        BoxService::new(FailFast {
            inner: balance,
            states: Arc::clone(&states),
            failing: None,
        }),
        1024,
    );
    let (first_tx, mut first_rx) = mpsc::unbounded_channel();
    let sent = Arc::new(Counters::default());
    let resolver = Resolver {
        options: options.clone(),
        changes: changes_tx,
        first: first_tx,
        counters: Arc::clone(&sent),
        states,
    };
    let endpoints = Arc::new(Endpoints {
        sent,
        resolver: tokio::spawn(resolver.run()),
    });
    // Wait for the first endpoint up, or for every one to have failed once.
    // By endpoint: one may report more than once (NOT_SERVING, then its
    // watch breaking).
    let mut failures: BTreeMap<String, String> = BTreeMap::new();
    let mut expected = None;
    loop {
        match first_rx.recv().await {
            Some(FirstOutcome::Resolved(count)) => expected = Some(count),
            Some(FirstOutcome::Up) => break,
            Some(FirstOutcome::Failed { endpoint, why }) => {
                failures.entry(endpoint).or_insert(why);
            }
            None => {
                return Err(RpcError::new(Code::Unavailable, "no endpoint is up").into());
            }
        }
        if expected.is_some_and(|count| failures.len() >= count) {
            let why = if failures.is_empty() {
                format!("{} resolves to no address", options.target)
            } else {
                failures
                    .iter()
                    .map(|(endpoint, why)| format!("{endpoint}: {why}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            return Err(
                RpcError::new(Code::Unavailable, format!("no endpoint is up: {why}")).into(),
            );
        }
    }
    Ok(ClientChannel::Balanced(Balanced { service, endpoints }))
}

enum FirstOutcome {
    /// How many endpoints the first resolution gave.
    Resolved(usize),
    Up,
    Failed {
        endpoint: String,
        why: String,
    },
}

/// Keeps one task per endpoint address, resolving `dns:///` names again
/// every 30 s and when an endpoint fails.
struct Resolver {
    options: CallOptions,
    changes: mpsc::UnboundedSender<Change<String, Counted>>,
    first: mpsc::UnboundedSender<FirstOutcome>,
    counters: Arc<Counters>,
    states: Arc<States>,
}

const RESOLVE_INTERVAL: Duration = Duration::from_secs(30);
/// At most one resolution per second, however many endpoints fail.
const MIN_RESOLVE_INTERVAL: Duration = Duration::from_secs(1);

impl Resolver {
    async fn run(self) {
        let failed = Arc::new(Notify::new());
        let mut tasks: HashMap<String, AbortOnDrop> = HashMap::new();
        let mut first_resolution = true;
        loop {
            let resolved = self.resolve().await;
            if first_resolution {
                let _ = self.first.send(FirstOutcome::Resolved(resolved.len()));
                first_resolution = false;
            }
            let keep: Vec<String> = resolved.iter().map(|(key, _)| key.clone()).collect();
            // New endpoints join before the ones the name no longer gives
            // leave, and count as connecting from now (not from their task's
            // first poll): an RPC sent in between waits for them instead of
            // failing with "no endpoint is up".
            for (key, endpoint) in resolved {
                if tasks.contains_key(&key) {
                    continue;
                }
                self.states.set(&key, State::Connecting);
                let task = EndpointTask {
                    sent: self.counters.counter(&key),
                    key: key.clone(),
                    endpoint,
                    health_check: self.options.health_check(),
                    changes: self.changes.clone(),
                    first: self.first.clone(),
                    failed: Arc::clone(&failed),
                    states: Arc::clone(&self.states),
                    _leave: Leave {
                        key: key.clone(),
                        states: Arc::clone(&self.states),
                        changes: self.changes.clone(),
                    },
                };
                tasks.insert(key, AbortOnDrop(tokio::spawn(task.run())));
            }
            if !keep.is_empty() || self.options.target.dns_name().is_none() {
                // A dropped task's `Leave` guard takes the endpoint out once
                // the aborted task has stopped.
                tasks.retain(|key, _| keep.contains(key));
            }
            if self.options.target.dns_name().is_none()
                && self
                    .options
                    .balancing
                    .more
                    .iter()
                    .all(|t| t.dns_name().is_none())
            {
                // Fixed addresses: nothing to resolve again.
                std::future::pending::<()>().await;
            }
            tokio::select! {
                () = tokio::time::sleep(RESOLVE_INTERVAL) => {}
                () = failed.notified() => tokio::time::sleep(MIN_RESOLVE_INTERVAL).await,
            }
        }
    }

    /// Every endpoint: fixed addresses as given, `dns:///` names resolved.
    async fn resolve(&self) -> Vec<(String, Endpoint)> {
        let mut resolved = Vec::new();
        for target in self.options.targets() {
            if let Some((host, port)) = target.dns_name() {
                match tokio::net::lookup_host((host, port)).await {
                    Ok(addrs) => {
                        for addr in addrs {
                            let scheme = if target.is_tls() { "https" } else { "http" };
                            let key = addr.to_string();
                            let authority = format!("{host}:{port}");
                            if let Ok(endpoint) =
                                self.endpoint(&format!("{scheme}://{key}"), Some(&authority))
                            {
                                resolved.push((key, endpoint));
                            }
                        }
                    }
                    Err(err) => {
                        tracing::warn!("resolving {target}: {err}");
                    }
                }
            } else if let Some(uri) = target.http_uri() {
                let key = uri
                    .authority()
                    .map_or_else(|| target.to_string(), ToString::to_string);
                if let Ok(endpoint) = self.endpoint(&uri.to_string(), None) {
                    resolved.push((key, endpoint));
                }
            }
        }
        resolved.sort_by(|a, b| a.0.cmp(&b.0));
        resolved.dedup_by(|a, b| a.0 == b.0);
        resolved
    }

    /// A tonic endpoint with the client's timeouts, TLS and `:authority`.
    fn endpoint(&self, uri: &str, authority: Option<&str>) -> anyhow::Result<Endpoint> {
        let options = &self.options;
        let mut endpoint = Endpoint::from(Uri::from_str(uri)?)
            .connect_timeout(options.connect_timeout)
            .tcp_nodelay(true);
        let scheme = if uri.starts_with("https") {
            "https"
        } else {
            "http"
        };
        if let Some(authority) = options.authority.as_deref().or(authority) {
            endpoint = endpoint.origin(Uri::from_str(&format!("{scheme}://{authority}"))?);
        }
        if scheme == "https" {
            let mut tls = options.tls.load()?;
            let name = options.tls.server_name.clone().or_else(|| {
                let authority = options.authority.as_deref().or(authority)?;
                let authority = http::uri::Authority::from_str(authority).ok()?;
                Some(authority.host().trim_matches(['[', ']']).to_owned())
            });
            if let Some(name) = name {
                tls = tls.domain_name(name);
            }
            endpoint = endpoint.tls_config(tls)?;
        }
        Ok(endpoint)
    }
}

/// Aborts a task when dropped (an endpoint gone from DNS, the client done).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One endpoint: connect (with backoff), watch its health, and tell the
/// balancer when it is in or out.
struct EndpointTask {
    key: String,
    endpoint: Endpoint,
    health_check: bool,
    sent: Arc<AtomicU64>,
    changes: mpsc::UnboundedSender<Change<String, Counted>>,
    first: mpsc::UnboundedSender<FirstOutcome>,
    failed: Arc<Notify>,
    states: Arc<States>,
    /// Takes the endpoint out of the balancer and the states when the task
    /// ends (aborted when the name no longer resolves to it): after its
    /// last poll, so that nothing it does later can put it back.
    _leave: Leave,
}

struct Leave {
    key: String,
    states: Arc<States>,
    changes: mpsc::UnboundedSender<Change<String, Counted>>,
}

impl Drop for Leave {
    fn drop(&mut self) {
        self.states.remove(&self.key);
        let _ = self.changes.send(Change::Remove(self.key.clone()));
    }
}

impl EndpointTask {
    /// The pause before reconnecting an endpoint that was up (doubled at
    /// most by jitter); failed connections back off as [`Backoff`] says.
    const AFTER_UP: Duration = Duration::from_millis(100);

    async fn run(self) {
        self.states.set(&self.key, State::Connecting);
        let mut backoff = Backoff::new();
        let mut reported_first = false;
        loop {
            let outcome = self.serve_while_up().await;
            // The state first: the Remove wakes the balancer, which then
            // sees it (FailFast).
            match &outcome {
                Ok(()) => self.states.set(&self.key, State::Connecting),
                Err(why) => self.states.set(&self.key, State::Failed(why.clone())),
            }
            let _ = self.changes.send(Change::Remove(self.key.clone()));
            let wait = match outcome {
                // It was up: reconnect soon, as gRPC reconnects a READY
                // subchannel that went away (a short pause, so that a
                // server closing every connection is not hammered).
                Ok(()) => {
                    backoff.reset();
                    Self::AFTER_UP.mul_f64(1.0 + random_unit())
                }
                Err(why) => {
                    tracing::debug!(endpoint = %self.key, "endpoint down: {why}");
                    if !reported_first {
                        let _ = self.first.send(FirstOutcome::Failed {
                            endpoint: self.key.clone(),
                            why: why.clone(),
                        });
                        reported_first = true;
                    }
                    backoff.step()
                }
            };
            self.failed.notify_one();
            tokio::time::sleep(wait).await;
        }
    }

    /// Connects and keeps the endpoint in the balancer while it is up.
    /// Ok when it was up for a while and then went down.
    async fn serve_while_up(&self) -> Result<(), String> {
        let channel = self
            .endpoint
            .connect()
            .await
            .map_err(|err| super::root_cause(&err))?;
        // One per connection, so that a late failure on an old connection
        // cannot take a new one out.
        let went_away = Arc::new(Notify::new());
        // An atomic only because the task's future must be Send.
        let inserted = AtomicBool::new(false);
        let insert = || {
            self.states.set(&self.key, State::Ready);
            let _ = self.changes.send(Change::Insert(
                self.key.clone(),
                Counted {
                    channel: channel.clone(),
                    sent: Arc::clone(&self.sent),
                    went_away: Arc::clone(&went_away),
                },
            ));
            let _ = self.first.send(FirstOutcome::Up);
            inserted.store(true, Ordering::Relaxed);
        };
        tokio::select! {
            outcome = self.watch(&channel, insert) => outcome,
            () = went_away.notified() => {
                tracing::debug!(endpoint = %self.key, "connection going away: taken out until it reconnects");
                if inserted.load(Ordering::Relaxed) {
                    Ok(())
                } else {
                    Err("the server closed the connection".to_owned())
                }
            }
        }
    }

    /// Inserts the endpoint while it is serving: while connected without
    /// health checking, or while its health watch says SERVING.
    async fn watch(&self, channel: &Channel, insert: impl Fn()) -> Result<(), String> {
        if !self.health_check {
            insert();
            // Up until dropped; a connection that breaks is reopened by the
            // channel itself, and --retries covers what it refuses.
            return std::future::pending().await;
        }
        let mut health = HealthClient::new(channel.clone());
        let request = HealthCheckRequest {
            service: String::new(),
        };
        let mut statuses = match health.watch(request).await {
            Ok(response) => response.into_inner(),
            Err(status) if status.code() == Code::Unimplemented => {
                // A server without the health service: up while connected.
                tracing::debug!(endpoint = %self.key, "no health service; taken as serving");
                insert();
                return std::future::pending().await;
            }
            Err(status) => return Err(format!("health watch failed: {}", status.message())),
        };
        let mut inserted = false;
        loop {
            match statuses.message().await {
                Ok(Some(response)) => {
                    let serving = response.status == ServingStatus::Serving as i32;
                    if serving && !inserted {
                        insert();
                        inserted = true;
                    } else if !serving {
                        // Failed from the first NOT_SERVING on, inserted or
                        // not (a draining server may say so first thing);
                        // a client still waiting for its first endpoint is
                        // told, so that it does not wait for its deadline.
                        let why = "the server reports NOT_SERVING";
                        self.states.set(&self.key, State::Failed(why.to_owned()));
                        let _ = self.first.send(FirstOutcome::Failed {
                            endpoint: self.key.clone(),
                            why: why.to_owned(),
                        });
                        if inserted {
                            tracing::debug!(endpoint = %self.key, "endpoint NOT_SERVING: taken out");
                            let _ = self.changes.send(Change::Remove(self.key.clone()));
                            inserted = false;
                        }
                    }
                }
                Ok(None) | Err(_) if inserted => return Ok(()),
                Ok(None) => return Err("health watch ended".to_owned()),
                Err(status) => return Err(format!("health watch failed: {}", status.message())),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_backoff_grows_with_jitter_up_to_the_cap() {
        let mut backoff = Backoff::new();
        let first = backoff.step();
        assert!((Duration::from_millis(800)..=Duration::from_millis(1200)).contains(&first));
        for _ in 0..30 {
            assert!(backoff.step() <= Backoff::MAX.mul_f64(1.2));
        }
        backoff.reset();
        assert!(backoff.step() <= Duration::from_millis(1200));
    }

    #[test]
    fn retry_backoff_is_capped() {
        for retry in 1..20 {
            assert!(retry_backoff(retry) <= Duration::from_secs(1));
        }
        assert!(retry_backoff(1) <= Duration::from_millis(100));
    }

    #[test]
    fn only_unprocessed_unavailable_rpcs_are_retryable() {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let mut status = Status::unavailable("connection refused");
        status.set_source(Arc::new(refused));
        assert!(not_processed(&status));
        assert!(!not_processed(&Status::unavailable(
            "the server died mid-call"
        )));
        // A status the server sent has no transport error inside.
        assert!(!not_processed(&Status::internal("x")));
        let mut refused_stream = Status::unavailable("refused");
        refused_stream.set_source(Arc::new(h2::Error::from(h2::Reason::REFUSED_STREAM)));
        assert!(not_processed(&refused_stream));
        // A stream reset with another reason may have run.
        let mut reset = Status::internal("reset");
        reset.set_source(Arc::new(h2::Error::from(h2::Reason::INTERNAL_ERROR)));
        assert!(!not_processed(&reset));
    }

    #[test]
    fn dns_addresses_parse() {
        let target = Target::parse("dns:///localhost:50000").expect("valid");
        assert_eq!(target.dns_name(), Some(("localhost", 50000)));
        assert_eq!(target.to_string(), "dns:///localhost:50000");
        assert!(Target::parse("dns:///localhost").is_err());
        assert!(Target::parse("dns://8.8.8.8/localhost:1").is_err());
    }
}
