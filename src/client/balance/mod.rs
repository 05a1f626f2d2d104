//! Several endpoints (`--addr A --addr B`, `--addr A,B`, `dns:///HOST:PORT`,
//! `etcd://HOST:PORT/SERVICE`):
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

//!
//! The pieces: resolver.rs (addresses, resolved again), etcd.rs (the
//! registry's prefix, read then watched), endpoint.rs (one
//! task per endpoint: connect, watch health, join and leave the balancer),
//! fail_fast.rs (UNAVAILABLE at once when every endpoint has failed),
//! retry.rs (what may be sent again, and the backoffs). This file holds
//! the channel the clients call and [`open`], which puts them together.

mod endpoint;
mod etcd;
mod fail_fast;
mod resolver;
mod retry;

use std::{
    collections::BTreeMap,
    convert::Infallible,
    future::Future,
    pin::Pin,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    task::{Context, Poll},
};

use tokio::sync::mpsc;
use tokio_stream::{wrappers::UnboundedReceiverStream, StreamExt as _};
use tonic::{body::Body, transport::Channel, Code};
use tower::{
    balance::p2c::Balance,
    buffer::Buffer,
    discover::Change,
    load::{CompleteOnResponse, PendingRequestsDiscover},
    util::BoxService,
    BoxError, Service,
};

use super::{CallOptions, Target};
use crate::{status::RpcError, status::UsageError};

use endpoint::Counted;
use fail_fast::{FailFast, States};
use resolver::Resolver;
pub use retry::{not_processed, retry_backoff, retrying, Failed};

pub(crate) type Request = http::Request<Body>;
pub(crate) type Response = http::Response<Body>;
pub(crate) type ResponseFuture = Pin<Box<dyn Future<Output = Result<Response, BoxError>> + Send>>;

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
        !self.balancing.more.is_empty()
            || self.target.dns_name().is_some()
            || self.target.etcd_name().is_some()
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
            if target.etcd_name().is_some() && !self.balancing.more.is_empty() {
                return Err(UsageError(format!(
                    "{target}: an etcd:// address is the only --addr (its replicas are the endpoints)"
                )));
            }
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
            Some(FirstOutcome::NoEndpoint(why)) => {
                return Err(RpcError::new(Code::Unavailable, why).into());
            }
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
    /// None, and why (`etcd://`: an empty prefix, or etcd unreachable).
    NoEndpoint(String),
    Up,
    Failed {
        endpoint: String,
        why: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_addresses_parse() {
        let target = Target::parse("dns:///localhost:50000").expect("valid");
        assert_eq!(target.dns_name(), Some(("localhost", 50000)));
        assert_eq!(target.to_string(), "dns:///localhost:50000");
        assert!(Target::parse("dns:///localhost").is_err());
        assert!(Target::parse("dns://8.8.8.8/localhost:1").is_err());
    }
}
