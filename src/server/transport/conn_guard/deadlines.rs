//! The deadlines of one connection, checked as it reads.

use std::{
    future::Future,
    pin::Pin,
    sync::{atomic::Ordering, Arc},
    task::{Context, Waker},
    time::{Duration, Instant},
};

use tokio::time::Sleep;

use super::{http1::Http1Head, now_ms, Closing, ConnState, FrameTracker, GuardLimits};

/// The deadlines of one connection, checked as it reads.
#[derive(Debug)]
pub struct Guard {
    limits: GuardLimits,
    pub(crate) state: Arc<ConnState>,
    /// The HTTP/2 frames read and written.
    pub(crate) read: FrameTracker,
    pub(crate) written: FrameTracker,
    /// Set when the peer speaks HTTP/1 (`serve --web`): the handshake is
    /// then its first request head, and there are no HTTP/2 frames to follow.
    http1: Option<Http1Head>,
    handshake_deadline: Option<Instant>,
    header_deadline: Option<Instant>,
    timer: Pin<Box<Sleep>>,
    /// The waker the timer and the eviction flag were last polled with.
    /// While it is still the connection's, and nothing since moved the
    /// timer, fired it, evicted the connection or made it owe the floor, a
    /// read that finds nothing need not poll them again (one pending read
    /// per pipelined burst of streams paid a timer poll: issue 22 item 3).
    armed: Option<Waker>,
    /// Set once a guard fired: reads end, writes fail.
    pub(crate) closing: Option<Closing>,
}

impl Guard {
    pub fn new(limits: GuardLimits, state: Arc<ConnState>) -> Self {
        let handshake_deadline = Instant::now() + limits.handshake_timeout;
        Self {
            limits,
            state,
            read: FrameTracker::new(true),
            written: FrameTracker::new(false),
            http1: None,
            handshake_deadline: Some(handshake_deadline),
            header_deadline: None,
            timer: Box::pin(tokio::time::sleep_until(handshake_deadline.into())),
            armed: None,
            closing: None,
        }
    }

    /// After bytes were read: follow the frames, start or stop the header
    /// deadline, and check the deadlines that already passed.
    pub fn on_read(&mut self, bytes: &[u8]) -> Option<Closing> {
        let (handshake_done, in_header) = match &mut self.http1 {
            Some(head) => {
                head.feed(bytes);
                (head.done(), false)
            }
            None => {
                let tracker = &mut self.read;
                tracker.feed(bytes);
                (tracker.handshake_done(), tracker.in_header_block())
            }
        };
        if handshake_done && self.handshake_deadline.take().is_some() {
            // The timer was set for the handshake: the idle deadline is next.
            if let Some(idle) = self.limits.max_connection_idle {
                self.timer.as_mut().reset((Instant::now() + idle).into());
                self.armed = None;
            }
        }
        match (in_header, self.header_deadline) {
            (true, None) => {
                let deadline = Instant::now() + self.limits.header_timeout;
                self.header_deadline = Some(deadline);
                if self.timer.deadline().into_std() > deadline {
                    self.timer.as_mut().reset(deadline.into());
                    self.armed = None;
                }
            }
            (false, Some(_)) => self.header_deadline = None,
            _ => {}
        }
        // A peer that keeps sending, slowly, still meets the deadlines.
        if self.handshake_deadline.is_some() || self.header_deadline.is_some() {
            let now = Instant::now();
            if self.handshake_deadline.is_some_and(|at| now >= at) {
                return Some(Closing::Handshake);
            }
            if self.header_deadline.is_some_and(|at| now >= at) {
                return Some(Closing::Header);
            }
        }
        None
    }

    /// The peer speaks HTTP/1 (`serve --web`), having sent `already`
    /// before this was known. Its first request head must still arrive
    /// within the handshake timeout; the other deadlines stay as they are.
    pub fn speaks_http1(&mut self, already: &[u8]) {
        let mut head = Http1Head::default();
        head.feed(already);
        self.http1 = Some(head);
    }

    /// HTTP/1: no HTTP/2 frame (GOAWAY) may be written on it.
    pub fn is_http1(&self) -> bool {
        self.http1.is_some()
    }

    /// How long until the connection is closed for owing responses it
    /// does not read (`--unread-response-timeout` after the peer last took
    /// any; zero: now); `None` while it owes less than the floor.
    fn unread_left(&self) -> Option<Duration> {
        let since = self.state.unread_since_ms()?;
        let timeout_ms =
            u64::try_from(self.limits.unread_response_timeout.as_millis()).unwrap_or(u64::MAX);
        let left = (since.saturating_add(timeout_ms)).saturating_sub(now_ms());
        Some(Duration::from_millis(left))
    }

    /// While the connection waits for bytes: the eviction flag and the
    /// timer (which wakes the connection when a deadline passes).
    pub fn poll_deadlines(&mut self, cx: &mut Context<'_>) -> Option<Closing> {
        // Whatever wakes the connection (the accept loop's eviction, owing
        // the floor, the timer) also changes what is checked here first.
        if self
            .armed
            .as_ref()
            .is_some_and(|waker| waker.will_wake(cx.waker()))
            && !self.timer.is_elapsed()
            && !self.state.evict.load(Ordering::Acquire)
            && self.state.unread_since_ms().is_none()
        {
            return None;
        }
        self.armed = None;
        self.state.waker.register(cx.waker());
        if self.state.evict.load(Ordering::Acquire) {
            return Some(Closing::Evicted);
        }
        // Owing responses started (or moved) the unread deadline: the timer
        // must not sleep past it.
        if let Some(left) = self.unread_left() {
            let at = Instant::now() + left;
            if self.timer.deadline().into_std() > at {
                self.timer.as_mut().reset(at.into());
            }
        }
        // Bounded: each round either returns or moves the timer forward.
        for _ in 0..4 {
            if self.timer.as_mut().poll(cx).is_pending() {
                self.armed = Some(cx.waker().clone());
                return None;
            }
            let now = Instant::now();
            if self.handshake_deadline.is_some_and(|at| now >= at) {
                return Some(Closing::Handshake);
            }
            if self.header_deadline.is_some_and(|at| now >= at) {
                return Some(Closing::Header);
            }
            let mut next = now + Duration::from_secs(86_400);
            if let Some(left) = self.unread_left() {
                if left.is_zero() {
                    return Some(Closing::Unread);
                }
                next = next.min(now + left);
            }
            if let Some(idle) = self.limits.max_connection_idle {
                match self.state.idle_since_ms() {
                    Some(since) => {
                        let idle_ms = u64::try_from(idle.as_millis()).unwrap_or(u64::MAX);
                        let elapsed = now_ms().saturating_sub(since);
                        if elapsed >= idle_ms {
                            return Some(Closing::Idle);
                        }
                        next = next.min(now + Duration::from_millis(idle_ms - elapsed));
                    }
                    // Busy: look again one idle period from now.
                    None => next = next.min(now + idle),
                }
            }
            for at in [self.handshake_deadline, self.header_deadline]
                .into_iter()
                .flatten()
            {
                next = next.min(at);
            }
            self.timer.as_mut().reset(next.into());
        }
        None
    }
}
