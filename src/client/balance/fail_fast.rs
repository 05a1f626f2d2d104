//! Failing fast: while every endpoint has failed, an RPC gets UNAVAILABLE
//! at once, naming each endpoint's failure.

use std::{
    collections::BTreeMap,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    task::{Context, Poll},
};

use tonic::Status;
use tower::{BoxError, Service};

use super::{Request, Response, ResponseFuture};

/// What each endpoint is doing, for failing fast: when every endpoint has
/// failed (connection refused, health NOT_SERVING or its watch broken), an
/// RPC fails at once with UNAVAILABLE, as gRPC's pickers do when every
/// subchannel is in TRANSIENT_FAILURE, instead of waiting for its deadline;
/// while one is connecting, RPCs wait for it.
#[derive(Default)]
pub(super) struct States {
    map: Mutex<BTreeMap<String, State>>,
    /// `etcd://`: why there is no endpoint at all (an empty prefix): RPCs
    /// then fail at once with it.
    empty_reason: Mutex<Option<String>>,
    /// Every endpoint failed (and there is at least one): read per RPC.
    all_failed: AtomicBool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum State {
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
        let empty_has_reason = self
            .empty_reason
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_some();
        let all_failed = if map.is_empty() {
            empty_has_reason
        } else {
            map.values().all(|state| matches!(state, State::Failed(_)))
        };
        self.all_failed.store(all_failed, Ordering::Release);
    }

    pub(super) fn set(&self, key: &str, state: State) {
        self.update(|map| {
            map.insert(key.to_owned(), state);
        });
    }

    pub(super) fn remove(&self, key: &str) {
        self.update(|map| {
            map.remove(key);
        });
    }

    /// `etcd://`: the registry lists no endpoint (`Some(why)`), or some.
    pub(super) fn set_empty_reason(&self, reason: Option<String>) {
        *self
            .empty_reason
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = reason;
        self.update(|_| {});
    }

    /// When every endpoint has failed: why, endpoint by endpoint (or why
    /// there is none), as the UNAVAILABLE message.
    pub(super) fn failure(&self) -> Option<String> {
        if !self.all_failed.load(Ordering::Acquire) {
            return None;
        }
        let map = self
            .map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.is_empty() {
            return self
                .empty_reason
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone();
        }
        let why: Vec<String> = map
            .iter()
            .filter_map(|(key, state)| match state {
                State::Failed(why) => Some(format!("{key}: {why}")),
                _ => None,
            })
            .collect();
        (!why.is_empty()).then(|| format!("no endpoint is up: {}", why.join("; ")))
    }
}

/// The balancer, failing RPCs at once while every endpoint has failed.
pub(super) struct FailFast<S> {
    pub(super) inner: S,
    pub(super) states: Arc<States>,
    /// Decided in `poll_ready`, so that `call` follows it: the inner
    /// balancer is called only after it said it was ready.
    pub(super) failing: Option<String>,
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
                let status = Status::unavailable(why);
                Box::pin(std::future::ready(Err(Box::new(status) as BoxError)))
            }
            None => Box::pin(self.inner.call(request)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_registry_fails_fast_with_its_reason() {
        let states = States::default();
        // No endpoint and no reason (a fixed list still starting): wait.
        assert_eq!(states.failure(), None);
        states.set_empty_reason(Some("no endpoint registered under greeter".into()));
        assert_eq!(
            states.failure().as_deref(),
            Some("no endpoint registered under greeter")
        );
        // One registered and connecting: RPCs wait for it.
        states.set_empty_reason(None);
        states.set("127.0.0.1:1", State::Connecting);
        assert_eq!(states.failure(), None);
        states.set("127.0.0.1:1", State::Failed("connection refused".into()));
        assert_eq!(
            states.failure().as_deref(),
            Some("no endpoint is up: 127.0.0.1:1: connection refused")
        );
        // Deregistered: the reason is the registry's again.
        states.set_empty_reason(Some("no endpoint registered under greeter".into()));
        states.remove("127.0.0.1:1");
        assert_eq!(
            states.failure().as_deref(),
            Some("no endpoint registered under greeter")
        );
    }
}
