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

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use tokio::time::{Instant, Sleep};

/// Quiet ticks in a row that make a stream idle.
const TICKS: u8 = 4;

pub struct IdleTimer {
    timeout: Duration,
    tick: Duration,
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
            sleep: None,
            active: false,
            quiet_ticks: 0,
        }
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

    /// Ready once the stream has sent nothing for the timeout; otherwise
    /// the timer is armed with `cx`'s waker.
    pub fn poll_idle(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let tick = self.tick;
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(tick)));
        // Bounded: each round re-arms the timer a tick ahead of now, or
        // returns.
        while sleep.as_mut().poll(cx).is_ready() {
            if std::mem::take(&mut self.active) {
                self.quiet_ticks = 0;
            } else {
                self.quiet_ticks += 1;
                if self.quiet_ticks >= TICKS {
                    return Poll::Ready(());
                }
            }
            sleep.as_mut().reset(Instant::now() + tick);
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn idle(timer: &mut IdleTimer) {
        std::future::poll_fn(|cx| timer.poll_idle(cx)).await;
    }

    #[tokio::test(start_paused = true)]
    async fn silence_for_the_timeout_ends_the_stream() {
        let start = Instant::now();
        let mut timer = IdleTimer::new(Duration::from_secs(4));
        idle(&mut timer).await;
        assert_eq!(start.elapsed(), Duration::from_secs(4));
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
        idle(&mut timer).await;
        let ended = start.elapsed();
        assert!(
            (Duration::from_secs(34)..=Duration::from_secs(35)).contains(&ended),
            "{ended:?}"
        );
    }
}
