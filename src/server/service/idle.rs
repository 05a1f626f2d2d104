//! The idle timeout of a client-sending stream (`--idle-stream-timeout`),
//! kept without reading the clock per message: a message only sets a flag
//! ([`IdleTimer::touch`]); a timer ticks every quarter of the timeout and
//! the stream is idle after four ticks in a row without a message. So a
//! stream is ended after between 1 and 1.25 times the timeout of silence.
//! (Reading the clock per message cost client streaming ~20 ns a reading,
//! about a sixth of its cost per reading under load: BENCHMARKS.md.) The
//! timer itself is made at the first poll, when the stream first has
//! nothing to read: a stream whose messages are all there at once (a
//! pipelined bidi call) never allocates or registers one.
//!
//! A stream that also has a deadline (the client's `grpc-timeout`) keeps it
//! on the same timer: it fires at the next tick or at the deadline,
//! whichever is sooner, so such a stream holds one timer, not two (one boxed
//! `Sleep` is ~110 bytes of every open stream: BENCHMARKS.md, "memory per
//! idle stream").

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use tokio::time::{Instant, Sleep};

/// Quiet ticks in a row that make a stream idle.
const TICKS: u8 = 4;

/// Why [`IdleTimer::poll_idle`] is ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expired {
    /// Nothing came for the idle timeout.
    Idle,
    /// The stream's deadline passed.
    Deadline,
}

pub struct IdleTimer {
    timeout: Duration,
    tick: Duration,
    /// When the stream's deadline passes, if it has one.
    deadline: Option<Instant>,
    /// Made at the first [`poll_idle`](Self::poll_idle).
    sleep: Option<Pin<Box<Sleep>>>,
    /// A message came since the last tick.
    active: bool,
    quiet_ticks: u8,
}

impl IdleTimer {
    pub fn new(timeout: Duration) -> Self {
        let tick = timeout / u32::from(TICKS);
        Self {
            timeout,
            tick,
            deadline: None,
            sleep: None,
            active: false,
            quiet_ticks: 0,
        }
    }

    /// Also ends the stream at `deadline`.
    pub fn with_deadline(mut self, deadline: Option<Instant>) -> Self {
        self.deadline = deadline;
        self
    }

    /// The next instant to wake at: a tick from `now`, or the deadline if
    /// that is sooner.
    fn next_wake(tick: Duration, deadline: Option<Instant>, now: Instant) -> Instant {
        let tick = now + tick;
        deadline.map_or(tick, |deadline| deadline.min(tick))
    }

    /// A message came.
    #[inline]
    pub fn touch(&mut self) {
        self.active = true;
    }

    /// The timeout, for messages.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Whether the next [`poll_idle`](Self::poll_idle) has a tick to look
    /// at (false: polling it again with the same waker is not needed).
    pub fn is_elapsed(&self) -> bool {
        self.sleep.as_ref().is_some_and(|sleep| sleep.is_elapsed())
    }

    /// Ready once the stream has sent nothing for the timeout, or its
    /// deadline has passed; otherwise the timer is armed with `cx`'s waker.
    pub fn poll_idle(&mut self, cx: &mut Context<'_>) -> Poll<Expired> {
        let (tick, deadline) = (self.tick, self.deadline);
        let sleep = self.sleep.get_or_insert_with(|| {
            Box::pin(tokio::time::sleep_until(Self::next_wake(
                tick,
                deadline,
                Instant::now(),
            )))
        });
        // Bounded: each round re-arms the timer ahead of now, or returns.
        while sleep.as_mut().poll(cx).is_ready() {
            let now = Instant::now();
            if self.deadline.is_some_and(|deadline| deadline <= now) {
                return Poll::Ready(Expired::Deadline);
            }
            // Not the deadline (it is only ever woken for at the deadline
            // itself), so a tick.
            if std::mem::take(&mut self.active) {
                self.quiet_ticks = 0;
            } else {
                self.quiet_ticks += 1;
                if self.quiet_ticks >= TICKS {
                    return Poll::Ready(Expired::Idle);
                }
            }
            let wake = Self::next_wake(self.tick, self.deadline, now);
            sleep.as_mut().reset(wake);
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn idle(timer: &mut IdleTimer) -> Expired {
        std::future::poll_fn(|cx| timer.poll_idle(cx)).await
    }

    #[tokio::test(start_paused = true)]
    async fn silence_for_the_timeout_ends_the_stream() {
        let start = Instant::now();
        let mut timer = IdleTimer::new(Duration::from_secs(4));
        assert_eq!(idle(&mut timer).await, Expired::Idle);
        assert_eq!(start.elapsed(), Duration::from_secs(4));
    }

    #[tokio::test(start_paused = true)]
    async fn a_deadline_before_the_idle_timeout_ends_the_stream_at_the_deadline() {
        let start = Instant::now();
        let deadline = start + Duration::from_millis(2500);
        let mut timer = IdleTimer::new(Duration::from_secs(4)).with_deadline(Some(deadline));
        // Messages keep it from being idle; the deadline still comes, between
        // two ticks.
        let first = tokio::time::timeout(Duration::from_millis(1500), idle(&mut timer)).await;
        assert!(first.is_err(), "ended at {:?}", start.elapsed());
        timer.touch();
        assert_eq!(idle(&mut timer).await, Expired::Deadline);
        assert_eq!(start.elapsed(), Duration::from_millis(2500));
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_timeout_before_the_deadline_ends_the_stream_as_idle() {
        let start = Instant::now();
        let deadline = start + Duration::from_secs(60);
        let mut timer = IdleTimer::new(Duration::from_secs(4)).with_deadline(Some(deadline));
        assert_eq!(idle(&mut timer).await, Expired::Idle);
        assert_eq!(start.elapsed(), Duration::from_secs(4));
    }

    #[tokio::test(start_paused = true)]
    async fn a_deadline_already_passed_ends_the_stream_at_the_first_poll() {
        let start = Instant::now();
        tokio::time::advance(Duration::from_secs(1)).await;
        let mut timer = IdleTimer::new(Duration::from_secs(4)).with_deadline(Some(start));
        assert_eq!(idle(&mut timer).await, Expired::Deadline);
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn messages_keep_it_alive_and_silence_after_them_ends_it() {
        let start = Instant::now();
        let mut timer = IdleTimer::new(Duration::from_secs(4));
        // A message every 3 s (less than the timeout) for 30 s.
        for _ in 0..10 {
            let waited = tokio::time::timeout(Duration::from_secs(3), idle(&mut timer)).await;
            assert!(waited.is_err(), "idle at {:?}", start.elapsed());
            timer.touch();
        }
        assert_eq!(start.elapsed(), Duration::from_secs(30));
        // Silence from 30 s: idle after 4 to 5 s of it.
        assert_eq!(idle(&mut timer).await, Expired::Idle);
        let ended = start.elapsed();
        assert!(
            (Duration::from_secs(34)..=Duration::from_secs(35)).contains(&ended),
            "{ended:?}"
        );
    }
}
