//! The handling-time histogram: lock-free observations.

use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

/// A histogram of durations whose observations are lock-free: one atomic
/// add on the bucket, one on the sum (kept in whole nanoseconds, so it is
/// exact and needs no compare-and-swap loop on an f64).
#[derive(Debug)]
pub(super) struct AtomicHistogram {
    /// Upper bounds in seconds; the implicit last bucket is +Inf.
    bounds: Box<[f64]>,
    /// Per bucket (not cumulative), `bounds.len() + 1` of them.
    counts: Box<[AtomicU64]>,
    sum_nanos: AtomicU64,
}

impl AtomicHistogram {
    pub(super) fn new(bounds: &[f64]) -> Self {
        Self {
            bounds: bounds.into(),
            counts: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum_nanos: AtomicU64::new(0),
        }
    }

    pub(super) fn observe(&self, duration: Duration) {
        let seconds = duration.as_secs_f64();
        let bucket = self
            .bounds
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(self.bounds.len());
        self.counts[bucket].fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// `(sum in seconds, count, [(upper bound, count in that bucket)])`.
    pub(super) fn snapshot(&self) -> (f64, u64, Vec<(f64, u64)>) {
        let buckets: Vec<(f64, u64)> = self
            .bounds
            .iter()
            .copied()
            .chain(std::iter::once(f64::INFINITY))
            .zip(
                self.counts
                    .iter()
                    .map(|count| count.load(Ordering::Relaxed)),
            )
            .collect();
        let count = buckets.iter().map(|(_, count)| count).sum();
        let sum = self.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
        (sum, count, buckets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_fall_in_the_first_bucket_that_holds_them() {
        let histogram = AtomicHistogram::new(&[0.01, 0.1, 1.0]);
        histogram.observe(Duration::from_millis(10));
        histogram.observe(Duration::from_millis(50));
        histogram.observe(Duration::from_millis(50));
        histogram.observe(Duration::from_secs(5));
        let (sum, count, buckets) = histogram.snapshot();
        assert_eq!(count, 4);
        assert!((sum - 5.11).abs() < 1e-9, "{sum}");
        assert_eq!(
            buckets,
            vec![(0.01, 1), (0.1, 2), (1.0, 0), (f64::INFINITY, 1)]
        );
    }
}
