//! When each RPC of a phase is due: a shared ticket counter, closed loop
//! (now) or open loop (start + interval × ticket), until -n or -z.

use std::{
    sync::atomic::{AtomicBool, AtomicU64, Ordering},
    time::Duration,
};

use tokio::time::Instant;

use super::Stop;

/// Shared by the workers of one phase.
pub(super) struct Schedule {
    tickets: AtomicU64,
    /// Units of work finished (for the progress bar).
    pub(super) finished: AtomicU64,
    start: Instant,
    total: Option<u64>,
    pub(super) end: Option<Instant>,
    /// Open loop: the gap between two scheduled starts.
    pub(super) interval: Option<Duration>,
    /// Set at the stop (-z, Ctrl-C), before the connections are closed: an
    /// RPC that ends after it was cut, not failed.
    stopped: AtomicBool,
}

impl Schedule {
    /// A phase from now: until `stop`, closed loop, or `rate` RPCs a second.
    pub(super) fn new(stop: Stop, rate: Option<f64>) -> Self {
        let start = Instant::now();
        Self {
            tickets: AtomicU64::new(0),
            finished: AtomicU64::new(0),
            start,
            total: match stop {
                Stop::Total(total) => Some(total),
                Stop::Duration(_) => None,
            },
            end: match stop {
                Stop::Duration(duration) => Some(start + duration),
                Stop::Total(_) => None,
            },
            interval: rate
                .filter(|rate| *rate > 0.0)
                .map(|rate| Duration::from_secs_f64(1.0 / rate)),
            stopped: AtomicBool::new(false),
        }
    }

    /// The phase is being stopped: what ends now was cut.
    pub(super) fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
    }

    pub(super) fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::Acquire)
    }

    /// When the phase started.
    pub(super) fn start(&self) -> Instant {
        self.start
    }

    /// Open loop: how many RPCs were due before `stop` (the tickets with
    /// `start + interval × i < stop`), at most `total`.
    pub(super) fn due_before(&self, stop: Instant) -> Option<u64> {
        let interval = self.interval?.as_nanos().max(1);
        let elapsed = stop.saturating_duration_since(self.start).as_nanos();
        let due = u64::try_from(elapsed.div_ceil(interval)).unwrap_or(u64::MAX);
        Some(self.total.map_or(due, |total| due.min(total)))
    }

    /// The next RPC to make and when it is due, or None when the phase is over.
    pub(super) fn next(&self) -> Option<Instant> {
        let ticket = self.tickets.fetch_add(1, Ordering::Relaxed);
        if self.total.is_some_and(|total| ticket >= total) {
            return None;
        }
        let due = match self.interval {
            Some(interval) => self.start + interval.mul_f64(ticket as f64),
            None => Instant::now(),
        };
        // Nothing starts after the end, not even an RPC that was due
        // before it (an open loop that fell behind): the -z drain only
        // lets what is in flight end.
        // (Closed loop: `due` is already now.)
        let late = self.interval.is_some() && self.past_end(Instant::now());
        if self.past_end(due) || late {
            return None;
        }
        Some(due)
    }

    /// Whether `at` is at or after the -z end, if there is one.
    pub(super) fn past_end(&self, at: Instant) -> bool {
        self.end.is_some_and(|end| at >= end)
    }
}
