//! One endpoint's task: connect (with backoff), watch its health, and tell
//! the balancer when it is in or out; and the channel it is in the
//! balancer as, counting the RPCs sent through it.

use std::{
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    task::{Context, Poll},
    time::Duration,
};

use tokio::sync::{mpsc, Notify};
use tonic::{
    transport::{Channel, Endpoint},
    Code,
};
use tonic_health::pb::{
    health_check_response::ServingStatus, health_client::HealthClient, HealthCheckRequest,
};
use tower::{discover::Change, BoxError, Service};

use crate::status::error_chain;

use super::{
    fail_fast::{State, States},
    retry::Backoff,
    FirstOutcome, Request, Response, ResponseFuture,
};

/// A channel to one endpoint, counting the RPCs sent through it.
pub(super) struct Counted {
    pub(super) channel: Channel,
    pub(super) sent: Arc<AtomicU64>,
    /// Told when an RPC finds the connection going away (GOAWAY, or closed
    /// before the request went out): the endpoint task then takes the
    /// endpoint out until it reconnects, as grpc-go's subchannel leaves
    /// READY, so that a retry goes to another endpoint.
    pub(super) went_away: Arc<Notify>,
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

/// Aborts a task when dropped (an endpoint gone from DNS, the client done).
pub(super) struct AbortOnDrop(pub(super) tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One endpoint: connect (with backoff), watch its health, and tell the
/// balancer when it is in or out.
pub(super) struct EndpointTask {
    pub(super) key: String,
    pub(super) endpoint: Endpoint,
    pub(super) connect_timeout: Duration,
    pub(super) health_check: bool,
    pub(super) sent: Arc<AtomicU64>,
    pub(super) changes: mpsc::UnboundedSender<Change<String, Counted>>,
    pub(super) first: mpsc::UnboundedSender<FirstOutcome>,
    pub(super) failed: Arc<Notify>,
    pub(super) states: Arc<States>,
    /// Takes the endpoint out of the balancer and the states when the task
    /// ends (aborted when the name no longer resolves to it): after its
    /// last poll, so that nothing it does later can put it back.
    pub(super) _leave: Leave,
}

pub(super) struct Leave {
    pub(super) key: String,
    pub(super) states: Arc<States>,
    pub(super) changes: mpsc::UnboundedSender<Change<String, Counted>>,
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

    pub(super) async fn run(self) {
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
                    Self::AFTER_UP.mul_f64(1.0 + fastrand::f64())
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
        // Within --connect-timeout: TCP, TLS and the server's first bytes.
        let connecting = crate::client::connect_heard(&self.endpoint);
        let channel = match tokio::time::timeout(self.connect_timeout, connecting).await {
            Ok(Ok(channel)) => channel,
            Ok(Err(err)) => return Err(crate::client::root_cause(&err)),
            Err(_) => {
                return Err(format!(
                    "no HTTP/2 answer within {} (--connect-timeout)",
                    humantime::format_duration(self.connect_timeout)
                ))
            }
        };
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
