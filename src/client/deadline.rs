//! The whole-RPC deadline of `--timeout`, checked against the clock.
//!
//! tokio's timers have 1 ms resolution, so a timer alone lets an answer that
//! arrives within the first millisecond beat a `--timeout 1us`. The deadline
//! is therefore also compared with the clock before the request goes out and
//! whenever an answer arrives: past it, the call is DEADLINE_EXCEEDED, every
//! time.

use std::future::Future;

use tokio::time::{Duration, Instant};

use super::describe::deadline_exceeded;
use crate::status::RpcError;

/// When the call must be over, if ever.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Deadline {
    timeout: Duration,
    at: Option<Instant>,
}

impl Deadline {
    /// A deadline `timeout` from now; zero means none (`--timeout 0s`, the
    /// streaming commands' default).
    pub(crate) fn new(timeout: Duration) -> Self {
        let at = (!timeout.is_zero()).then(|| Instant::now() + timeout);
        Self { timeout, at }
    }

    /// What is left, to send as `grpc-timeout`; `None` when there is no
    /// deadline.
    pub(crate) fn remaining(&self) -> Option<Duration> {
        self.at
            .map(|at| at.saturating_duration_since(Instant::now()))
    }

    /// DEADLINE_EXCEEDED once the deadline has passed, by the clock.
    pub(crate) fn check(&self) -> Result<(), RpcError> {
        match self.at {
            Some(at) if Instant::now() >= at => Err(deadline_exceeded(self.timeout)),
            _ => Ok(()),
        }
    }

    /// Runs `call` under the deadline: checked before it starts, raced by a
    /// timer while it runs, and checked again when it ends, whatever it
    /// ended with (an answer that came too late is not an answer).
    pub(crate) async fn run<T>(
        &self,
        call: impl Future<Output = anyhow::Result<T>>,
    ) -> anyhow::Result<T> {
        let Some(at) = self.at else {
            return call.await;
        };
        self.check()?;
        match tokio::time::timeout_at(at, call).await {
            Ok(result) => {
                self.check()?;
                result
            }
            Err(_) => Err(deadline_exceeded(self.timeout).into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tonic::Code;

    fn code(err: &anyhow::Error) -> Option<Code> {
        err.downcast_ref::<RpcError>().map(|err| err.code)
    }

    #[tokio::test]
    async fn an_answer_ready_at_once_is_too_late_for_a_passed_deadline() {
        let deadline = Deadline::new(Duration::from_nanos(1));
        let err = deadline
            .run(async { Ok(()) })
            .await
            .expect_err("a 1 ns deadline has passed before the call");
        assert_eq!(code(&err), Some(Code::DeadlineExceeded));
    }

    #[tokio::test]
    async fn an_answer_after_the_deadline_is_deadline_exceeded() {
        let deadline = Deadline::new(Duration::from_millis(5));
        // The answer comes after the deadline but before the timer can fire
        // (the call does not yield): only the clock check sees it.
        let err = deadline
            .run(async {
                std::thread::sleep(Duration::from_millis(10));
                Ok(())
            })
            .await
            .expect_err("the answer came 5 ms late");
        assert_eq!(code(&err), Some(Code::DeadlineExceeded));
    }

    #[tokio::test]
    async fn an_answer_within_the_deadline_is_kept() {
        let deadline = Deadline::new(Duration::from_secs(60));
        assert_eq!(deadline.run(async { Ok(7) }).await.ok(), Some(7));
        assert!(deadline
            .remaining()
            .is_some_and(|left| left > Duration::ZERO));
    }

    #[tokio::test]
    async fn zero_is_no_deadline() {
        let deadline = Deadline::new(Duration::ZERO);
        assert!(deadline.check().is_ok());
        assert_eq!(deadline.remaining(), None);
        assert_eq!(deadline.run(async { Ok(1) }).await.ok(), Some(1));
    }
}
