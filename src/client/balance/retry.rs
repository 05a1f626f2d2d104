//! What may be sent again, and how long to wait: gRPC's retry backoff for
//! an RPC no server processed, and its connection backoff for an endpoint
//! that could not be reached.

use std::time::Duration;

use tonic::{Code, Status};

use crate::client::describe_status;
use crate::status::error_chain;

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

/// How an attempt at an RPC failed: `sent` is false when no call was made
/// (the channel was not ready), so there are no trailers to show.
pub struct Failed {
    pub status: Status,
    pub sent: bool,
}

impl Failed {
    /// The channel was not ready: no call was made.
    pub fn unsent(err: Box<dyn std::error::Error + Send + Sync>) -> Self {
        Self {
            status: Status::from_error(err),
            sent: false,
        }
    }

    /// The call went out and failed with `status`.
    pub fn sent(status: Status) -> Self {
        Self { status, sent: true }
    }

    /// What the user is told: a call that went out by `on_sent` (which
    /// shows its trailers with `-v`), one that did not as its status is.
    pub fn into_error(
        self,
        options: &crate::client::CallOptions,
        on_sent: impl FnOnce(Status) -> crate::status::RpcError,
    ) -> crate::status::RpcError {
        if self.sent {
            on_sent(self.status)
        } else {
            describe_status(self.status, Some(options))
        }
    }
}

/// Makes `attempt` until it succeeds, fails in a way that may have run on a
/// server, or `retries` retries are spent (`--retries`, unary RPCs): an
/// attempt that failed [`not_processed`] goes out again after
/// [`retry_backoff`]. The deadline is checked by the clock before each
/// attempt (DEADLINE_EXCEEDED is the outer error).
pub async fn retrying<T, F, Fut>(
    retries: u32,
    deadline: &crate::client::Deadline,
    mut attempt: F,
) -> anyhow::Result<Result<T, Failed>>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, Failed>>,
{
    let mut retried = 0;
    loop {
        deadline.check()?;
        match attempt().await {
            Err(failed) if retried < retries && not_processed(&failed.status) => {
                retried += 1;
                tracing::debug!(
                    retries = retried,
                    "retrying an RPC no server processed: {}",
                    failed.status
                );
                tokio::time::sleep(retry_backoff(retried)).await;
            }
            done => return Ok(done),
        }
    }
}

/// gRPC's retry backoff: the n-th retry (from 1) waits a random time up to
/// min(100 ms × 2^(n-1), 1 s).
pub fn retry_backoff(retry: u32) -> Duration {
    let ceiling = Duration::from_millis(100)
        .saturating_mul(1 << retry.saturating_sub(1).min(10))
        .min(Duration::from_secs(1));
    ceiling.mul_f64(fastrand::f64())
}

/// gRPC's connection backoff (connection-backoff.md): 1 s, × 1.6 per
/// failure, ± 20% jitter, at most 120 s; reset by a good connection.
pub(super) struct Backoff {
    next: Duration,
}

impl Backoff {
    const INITIAL: Duration = Duration::from_secs(1);
    const MAX: Duration = Duration::from_secs(120);

    pub(super) fn new() -> Self {
        Self {
            next: Self::INITIAL,
        }
    }

    pub(super) fn reset(&mut self) {
        self.next = Self::INITIAL;
    }

    /// The time to wait now; the next one grows.
    pub(super) fn step(&mut self) -> Duration {
        let wait = self.next.mul_f64(0.8 + 0.4 * fastrand::f64());
        self.next = self.next.mul_f64(1.6).min(Self::MAX);
        wait
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn connection_backoff_grows_by_1_6_with_jitter_up_to_the_cap() {
        let mut backoff = Backoff::new();
        // The n-th wait is 1 s × 1.6^n (at most 120 s), ± 20%.
        let mut base = 1.0_f64;
        let mut waits = Vec::new();
        for step in 0..20 {
            let wait = backoff.step().as_secs_f64();
            let (low, high) = (base * 0.8, base * 1.2);
            assert!(
                (low - 1e-9..=high + 1e-9).contains(&wait),
                "step {step}: {wait} s outside {low}..={high} s"
            );
            waits.push(wait);
            base = (base * 1.6).min(120.0);
        }
        // Growth the jitter cannot hide: each wait is more than the one two
        // steps before (1.6² × 0.8 > 1.2) until the cap.
        for step in 2..11 {
            assert!(waits[step] > waits[step - 2], "step {step}: {waits:?}");
        }
        assert!(waits[19] >= 120.0 * 0.8, "capped at 120 s ± 20%: {waits:?}");
        backoff.reset();
        assert!(backoff.step() <= Duration::from_millis(1200));
    }

    #[test]
    fn retry_backoff_ceiling_doubles_from_100_ms_to_1_s() {
        // Random up to the ceiling: the largest of many draws nears it.
        for (retry, ceiling_ms) in [
            (1, 100),
            (2, 200),
            (3, 400),
            (4, 800),
            (5, 1000),
            (12, 1000),
        ] {
            let ceiling = Duration::from_millis(ceiling_ms);
            let draws: Vec<Duration> = (0..200).map(|_| retry_backoff(retry)).collect();
            let largest = draws.iter().max().copied().unwrap_or_default();
            assert!(
                largest <= ceiling,
                "retry {retry}: {largest:?} > {ceiling:?}"
            );
            assert!(
                largest >= ceiling.mul_f64(0.9),
                "retry {retry}: never near {ceiling:?}: {largest:?}"
            );
        }
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
}
