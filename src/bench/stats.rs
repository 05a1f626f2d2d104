//! What the workers measure: each owns a [`WorkerStats`] (an HDR
//! histogram, counts per status and error), merged once at the end of a
//! phase into a [`PhaseOutcome`].

use std::{collections::BTreeMap, time::Duration};

use hdrhistogram::Histogram;
use tonic::Status;

use super::BenchConfig;
use crate::client;

/// gRPC status codes 0 (OK) to 16 (UNAUTHENTICATED): one counter each.
pub(crate) const STATUS_CODES: usize = 17;

/// What one worker saw; merged into the report.
pub(crate) struct WorkerStats {
    /// Successful RPCs only, unless `count_errors`.
    pub latency_us: Histogram<u64>,
    pub statuses: [u64; STATUS_CODES],
    pub errors: BTreeMap<String, u64>,
    pub messages: u64,
    /// RPCs cut at the stop (still in flight after the -z drain, or at a
    /// Ctrl-C), cancelled (not in
    /// `statuses`).
    pub cancelled: u64,
    /// Open loop: the latest an RPC started after its scheduled time.
    pub max_lag: Duration,
    count_errors: bool,
    /// An RPC of this worker is under way (started, not yet recorded).
    pub(super) in_flight: bool,
}

impl WorkerStats {
    pub(super) fn new(count_errors: bool) -> Self {
        Self {
            // 1 µs to 1 h at 3 significant figures; grows if ever needed.
            latency_us: Histogram::new_with_bounds(1, 3_600_000_000, 3)
                .expect("valid histogram bounds"),
            statuses: [0; STATUS_CODES],
            errors: BTreeMap::new(),
            messages: 0,
            cancelled: 0,
            max_lag: Duration::ZERO,
            count_errors,
            in_flight: false,
        }
    }

    fn record_latency(&mut self, latency: Duration) {
        let micros = u64::try_from(latency.as_micros())
            .unwrap_or(u64::MAX)
            .max(1);
        self.latency_us.saturating_record(micros);
    }

    pub(super) fn record(&mut self, latency: Duration, outcome: Result<u64, Status>) {
        match outcome {
            Ok(messages) => {
                self.record_latency(latency);
                self.statuses[0] += 1;
                self.messages += messages;
            }
            Err(status) => {
                if self.count_errors {
                    self.record_latency(latency);
                }
                // Errors are the slow path: an allocation here is fine.
                // Counted under the code the user is told (a broken
                // connection is UNAVAILABLE, whatever tonic called it).
                let error = client::describe_status(status, None);
                self.statuses[error.code as usize] += 1;
                *self.errors.entry(error.to_string()).or_default() += 1;
            }
        }
    }

    pub(crate) fn merge(&mut self, other: &Self) {
        // Same bounds on both sides: adding cannot fail.
        let _ = self.latency_us.add(&other.latency_us);
        for (mine, theirs) in self.statuses.iter_mut().zip(other.statuses) {
            *mine += theirs;
        }
        for (message, count) in &other.errors {
            *self.errors.entry(message.clone()).or_default() += count;
        }
        self.messages += other.messages;
        self.cancelled += other.cancelled;
        self.max_lag = self.max_lag.max(other.max_lag);
    }
}

/// How a phase went: the merged statistics and how it ended.
pub(crate) struct PhaseOutcome {
    pub stats: WorkerStats,
    /// Stopped by the interrupt (Ctrl-C), not by -n / -z.
    pub interrupted: bool,
    /// Open loop: RPCs due before the run stopped.
    pub scheduled: Option<u64>,
    /// From the start to the stop (-z, Ctrl-C) or to the last RPC's end;
    /// the cancelled RPCs' wind-down is not part of it.
    pub elapsed: Duration,
}

impl PhaseOutcome {
    /// Interrupted before any RPC was made.
    pub(super) fn nothing_ran(config: &BenchConfig) -> Self {
        Self {
            stats: WorkerStats::new(config.count_errors),
            interrupted: true,
            scheduled: config.rate.map(|_| 0),
            elapsed: Duration::ZERO,
        }
    }
}
