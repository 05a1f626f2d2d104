//! `--max-connection-age` / `--max-connection-age-grace`, with grpc-go's
//! MaxConnectionAge semantics: after the age (± 10% jitter) a connection gets
//! a GOAWAY, so long-lived clients reconnect and spread over replicas added
//! since; RPCs in flight then get the grace to finish, after which the
//! connection is closed.
//!
//! The GOAWAY comes from tonic's `Server::max_connection_age` (hyper's
//! graceful shutdown of the connection). tonic's own
//! `max_connection_age_grace` is not used: in tonic 0.14 setting it skips the
//! GOAWAY altogether (the connection is cut at age + grace without warning,
//! `connection_timeout_future` in tonic's transport/server/mod.rs). The grace
//! is enforced on the socket instead ([`GraceDeadline`], used by
//! listener.rs). tonic applies one age to every connection of a server, so
//! the jitter is drawn once per process: replicas started together do not
//! age their connections in step, though the connections of one replica
//! opened at the same moment do.

use std::{
    future::Future as _,
    io,
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use tokio::time::{Instant, Sleep};

/// The configured age and grace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionAge {
    /// This process's age: the configured one ± 10%.
    pub age: Duration,
    /// How long RPCs in flight at the GOAWAY may still run; `None`: as long
    /// as they take (grpc-go's default).
    pub grace: Option<Duration>,
}

impl ConnectionAge {
    /// Draws this process's jittered age from the configured one.
    pub fn new(age: Duration, grace: Option<Duration>) -> Self {
        Self {
            age: jittered(age, fastrand::f64()),
            grace,
        }
    }

    /// When an accepted connection is closed whatever it is doing: age +
    /// grace after it was accepted (`None` without a grace).
    pub fn close_after(&self) -> Option<Duration> {
        self.grace.map(|grace| self.age.saturating_add(grace))
    }
}

/// `age` scaled by a factor from 0.9 to 1.1, `unit` in [0, 1) choosing it.
fn jittered(age: Duration, unit: f64) -> Duration {
    age.mul_f64(0.9 + 0.2 * unit.clamp(0.0, 1.0))
}

/// Closes a connection at a fixed time: checked on every read, which hyper
/// always has pending on a live connection, so the timer's wake-up reaches
/// the connection's task.
pub(crate) struct GraceDeadline {
    sleep: Pin<Box<Sleep>>,
}

impl GraceDeadline {
    pub(crate) fn after(delay: Duration) -> Self {
        Self {
            sleep: Box::pin(tokio::time::sleep_until(Instant::now() + delay)),
        }
    }

    /// `Ready(error)` once the deadline has passed.
    pub(crate) fn poll_expired(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        match self.sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "max connection age grace passed",
            )),
            Poll::Pending => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_within_ten_percent() {
        let age = Duration::from_secs(100);
        assert_eq!(jittered(age, 0.0), Duration::from_secs(90));
        assert_eq!(jittered(age, 0.5), Duration::from_secs(100));
        assert!(jittered(age, 0.999_999) <= Duration::from_secs(110));
        for _ in 0..100 {
            let drawn = ConnectionAge::new(age, None).age;
            assert!((Duration::from_secs(90)..=Duration::from_secs(110)).contains(&drawn));
        }
    }

    #[test]
    fn the_connection_is_closed_at_age_plus_grace_only_with_a_grace() {
        let mut age = ConnectionAge::new(Duration::from_secs(10), None);
        assert_eq!(age.close_after(), None);
        age.grace = Some(Duration::from_secs(5));
        assert_eq!(age.close_after(), Some(age.age + Duration::from_secs(5)));
    }
}
