//! The benchmark report: computed once from the merged statistics, rendered
//! as text for people or JSON (durations in microseconds, unit in the key).

use std::{collections::BTreeMap, fmt::Write as _, time::Duration};

use hdrhistogram::Histogram;
use serde::Serialize;
use tonic::Code;

use super::{BenchConfig, PhaseOutcome, ServerMetrics, Workload};
use crate::status::code_name;

pub struct Report {
    pub workload: Workload,
    pub concurrency: usize,
    pub connections: usize,
    pub rate: Option<f64>,
    /// RPCs (streams) finished, whatever their status.
    pub count: u64,
    pub ok: u64,
    /// Stream messages answered (1 per OK unary call).
    pub messages: u64,
    pub duration: Duration,
    /// Successful RPCs only, unless `count_errors`.
    pub latency_us: Histogram<u64>,
    pub count_errors: bool,
    pub statuses: BTreeMap<&'static str, u64>,
    pub errors: BTreeMap<String, u64>,
    /// Cut at the stop (in flight after the -z drain, or at Ctrl-C),
    /// cancelled; not in `count`.
    pub cancelled: u64,
    /// Stopped by Ctrl-C.
    pub interrupted: bool,
    /// Open loop only: how the schedule was kept.
    pub schedule: Option<ScheduleReport>,
    /// Several endpoints: RPCs sent to each (retries included), by address.
    pub endpoints: BTreeMap<String, u64>,
    /// `--metrics-url`: what the server counted during the run.
    pub server: Option<ServerMetrics>,
}

/// Open loop: the rate asked for against what the client managed.
pub struct ScheduleReport {
    /// RPCs due before the run stopped.
    pub scheduled: u64,
    /// RPCs started (finished or cancelled at the stop).
    pub started: u64,
    /// The latest an RPC started after its scheduled time.
    pub max_lag: Duration,
    /// The rate asked for, RPCs per second.
    pub rate: f64,
}

impl ScheduleReport {
    /// Due before the stop but never started: the client fell behind.
    pub fn not_started(&self) -> u64 {
        self.scheduled.saturating_sub(self.started)
    }

    /// How far behind schedule the run was when it stopped.
    pub fn final_lag(&self) -> Duration {
        Duration::from_secs_f64(self.not_started() as f64 / self.rate)
    }
}

/// `bench`'s exit 1: more RPCs failed than `--max-error-rate` allows.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{failed} of {count} RPCs failed ({:.2}%), above --max-error-rate {limit}", rate * 100.0)]
pub struct ErrorRateExceeded {
    pub failed: u64,
    pub count: u64,
    pub rate: f64,
    pub limit: f64,
}

/// The JSON form of a [`Report`] (`-o json`): one object.
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    workload: &'static str,
    messages_per_stream: Option<u32>,
    concurrency: usize,
    connections: usize,
    rate_per_sec: Option<f64>,
    achieved_rate_per_sec: Option<f64>,
    schedule: Option<JsonSchedule>,
    count: u64,
    ok: u64,
    failed: u64,
    cancelled: u64,
    interrupted: bool,
    messages: u64,
    duration_us: u64,
    rpcs_per_sec: f64,
    messages_per_sec: f64,
    count_errors: bool,
    latency_us: JsonLatency,
    histogram: Vec<JsonBucket>,
    status_codes: &'a BTreeMap<&'static str, u64>,
    errors: &'a BTreeMap<String, u64>,
    /// RPCs sent to each endpoint (empty with one endpoint).
    endpoints: &'a BTreeMap<String, u64>,
    server_metrics: Option<&'a ServerMetrics>,
}

#[derive(Debug, Serialize)]
struct JsonSchedule {
    scheduled: u64,
    started: u64,
    not_started: u64,
    max_lag_us: u64,
    final_lag_us: u64,
}

#[derive(Debug, Serialize)]
struct JsonLatency {
    count: u64,
    #[serde(flatten)]
    stats: Option<LatencyStats>,
}

#[derive(Debug, Serialize)]
struct LatencyStats {
    min: u64,
    mean: f64,
    /// p10 … p99.9, in that order (they sort so).
    #[serde(flatten)]
    percentiles: BTreeMap<&'static str, u64>,
    max: u64,
}

#[derive(Debug, Serialize)]
struct JsonBucket {
    le_us: u64,
    count: u64,
}

const PERCENTILES: [(&str, f64); 8] = [
    ("p10", 10.0),
    ("p25", 25.0),
    ("p50", 50.0),
    ("p75", 75.0),
    ("p90", 90.0),
    ("p95", 95.0),
    ("p99", 99.0),
    ("p99.9", 99.9),
];

impl Report {
    pub(crate) fn new(config: &BenchConfig, outcome: PhaseOutcome) -> Self {
        let duration = outcome.elapsed;
        let stats = outcome.stats;
        let count = stats.statuses.iter().sum::<u64>();
        let schedule = match (config.rate, outcome.scheduled) {
            (Some(rate), Some(scheduled)) => Some(ScheduleReport {
                scheduled,
                started: count + stats.cancelled,
                max_lag: stats.max_lag,
                rate,
            }),
            _ => None,
        };
        let statuses = stats
            .statuses
            .iter()
            .enumerate()
            .filter(|(_, count)| **count > 0)
            .map(|(code, count)| (code_name(Code::from_i32(code as i32)), *count))
            .collect();
        Self {
            workload: config.workload.clone(),
            concurrency: config.concurrency,
            connections: config.connections,
            rate: config.rate,
            count,
            ok: stats.statuses[0],
            messages: stats.messages,
            duration,
            latency_us: stats.latency_us,
            count_errors: config.count_errors,
            statuses,
            errors: stats.errors,
            cancelled: stats.cancelled,
            interrupted: outcome.interrupted,
            schedule,
            endpoints: BTreeMap::new(),
            server: None,
        }
    }

    pub fn failed(&self) -> u64 {
        self.count - self.ok
    }

    /// The share of RPCs that failed, 0 to 1.
    pub fn error_rate(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.failed() as f64 / self.count as f64
        }
    }

    pub fn rpcs_per_sec(&self) -> f64 {
        self.count as f64 / self.duration.as_secs_f64().max(f64::MIN_POSITIVE)
    }

    pub fn messages_per_sec(&self) -> f64 {
        self.messages as f64 / self.duration.as_secs_f64().max(f64::MIN_POSITIVE)
    }

    /// Open loop: RPCs started per second, to set against the rate asked.
    pub fn achieved_rate(&self) -> Option<f64> {
        let schedule = self.schedule.as_ref()?;
        Some(schedule.started as f64 / self.duration.as_secs_f64().max(f64::MIN_POSITIVE))
    }

    fn percentile(&self, p: f64) -> u64 {
        self.latency_us.value_at_percentile(p)
    }

    /// The latency at percentile `p` (0 to 100), in µs; 0 when none was
    /// recorded.
    pub fn latency_at(&self, p: f64) -> u64 {
        self.percentile(p)
    }

    fn name(&self) -> &'static str {
        self.workload.name()
    }

    fn buckets(&self) -> Vec<(u64, u64)> {
        buckets(&self.latency_us)
    }

    /// The report as JSON: durations in microseconds, the unit in the key.
    pub fn json(&self) -> JsonReport<'_> {
        let us = |duration: Duration| u64::try_from(duration.as_micros()).unwrap_or(u64::MAX);
        let round = |value: f64| (value * 10.0).round() / 10.0;
        // No made-up zeros when no latency was recorded.
        let stats = (!self.latency_us.is_empty()).then(|| LatencyStats {
            min: self.latency_us.min(),
            mean: round(self.latency_us.mean()),
            percentiles: PERCENTILES
                .into_iter()
                .map(|(name, p)| (name, self.percentile(p)))
                .collect(),
            max: self.latency_us.max(),
        });
        JsonReport {
            workload: self.name(),
            messages_per_stream: self.workload.messages_per_stream(),
            concurrency: self.concurrency,
            connections: self.connections,
            rate_per_sec: self.rate,
            achieved_rate_per_sec: self.achieved_rate().map(round),
            schedule: self.schedule.as_ref().map(|schedule| JsonSchedule {
                scheduled: schedule.scheduled,
                started: schedule.started,
                not_started: schedule.not_started(),
                max_lag_us: us(schedule.max_lag),
                final_lag_us: us(schedule.final_lag()),
            }),
            count: self.count,
            ok: self.ok,
            failed: self.failed(),
            cancelled: self.cancelled,
            interrupted: self.interrupted,
            messages: self.messages,
            duration_us: us(self.duration),
            rpcs_per_sec: round(self.rpcs_per_sec()),
            messages_per_sec: round(self.messages_per_sec()),
            count_errors: self.count_errors,
            latency_us: JsonLatency {
                count: self.latency_us.len(),
                stats,
            },
            histogram: self
                .buckets()
                .into_iter()
                .map(|(le_us, count)| JsonBucket { le_us, count })
                .collect(),
            status_codes: &self.statuses,
            errors: &self.errors,
            endpoints: &self.endpoints,
            server_metrics: self.server.as_ref(),
        }
    }

    /// `--max-error-rate`: an error when more than `limit` (0 to 1) of the
    /// RPCs failed.
    pub fn check_error_rate(&self, limit: f64) -> Result<(), ErrorRateExceeded> {
        let rate = self.error_rate();
        if rate > limit {
            return Err(ErrorRateExceeded {
                failed: self.failed(),
                count: self.count,
                rate,
                limit,
            });
        }
        Ok(())
    }

    fn text(&self) -> String {
        let mut out = String::new();
        let ms = |us: u64| format!("{:.3} ms", us as f64 / 1000.0);
        let _ = writeln!(out, "Summary ({}):", self.name());
        if self.interrupted {
            let _ = writeln!(
                out,
                "  Stopped:\tinterrupted (Ctrl-C), the report covers what ran"
            );
        }
        let _ = writeln!(out, "  Count:\t{}", self.count);
        let _ = writeln!(out, "  Total:\t{:.3} s", self.duration.as_secs_f64());
        if !self.latency_us.is_empty() {
            let _ = writeln!(out, "  Slowest:\t{}", ms(self.latency_us.max()));
            let _ = writeln!(out, "  Fastest:\t{}", ms(self.latency_us.min()));
            let _ = writeln!(out, "  Average:\t{:.3} ms", self.latency_us.mean() / 1000.0);
        }
        let _ = writeln!(out, "  RPCs/sec:\t{:.1}", self.rpcs_per_sec());
        if let Some(messages) = self.workload.messages_per_stream() {
            let _ = writeln!(
                out,
                "  Messages/sec:\t{:.1} ({messages} per stream)",
                self.messages_per_sec()
            );
        }
        if self.cancelled > 0 {
            let _ = writeln!(
                out,
                "  Cancelled:\t{} (cut at the stop; not in the count)",
                self.cancelled
            );
        }
        if let (Some(schedule), Some(achieved)) = (&self.schedule, self.achieved_rate()) {
            let _ = writeln!(
                out,
                "  Rate:\t\t{:.1}/s asked, {achieved:.1}/s achieved (RPCs started)",
                schedule.rate
            );
            let _ = writeln!(
                out,
                "  Late starts:\tup to {:.3} ms after the scheduled time",
                schedule.max_lag.as_secs_f64() * 1000.0
            );
            if schedule.not_started() > 0 {
                let _ = writeln!(
                    out,
                    "  Behind:\t{:.3} s behind schedule at the stop: {} of {} scheduled RPCs never started",
                    schedule.final_lag().as_secs_f64(),
                    schedule.not_started(),
                    schedule.scheduled
                );
            }
        }
        let which = if self.count_errors {
            "all RPCs, --count-errors"
        } else {
            "successful RPCs only"
        };
        let _ = writeln!(out, "\nLatency distribution ({which}):");
        if self.latency_us.is_empty() {
            let _ = writeln!(out, "  no latencies recorded");
        } else {
            for (name, p) in PERCENTILES {
                let _ = writeln!(out, "  {name:>6} in {}", ms(self.percentile(p)));
            }
            let buckets = self.buckets();
            let tallest = buckets
                .iter()
                .map(|(_, count)| *count)
                .max()
                .unwrap_or(0)
                .max(1);
            let _ = writeln!(out, "\nResponse time histogram:");
            for (le, count) in &buckets {
                let bar = "∎".repeat(usize::try_from(count * 40 / tallest).unwrap_or(40));
                let _ = writeln!(out, "  {:>10} [{count}]\t|{bar}", ms(*le));
            }
        }
        let _ = writeln!(out, "\nStatus code distribution:");
        for (code, count) in &self.statuses {
            let _ = writeln!(out, "  [{code}]\t{count} responses");
        }
        if !self.errors.is_empty() {
            let _ = writeln!(out, "\nError distribution:");
            for (message, count) in &self.errors {
                let _ = writeln!(out, "  [{count}]\t{message}");
            }
        }
        if !self.endpoints.is_empty() {
            let total = self.endpoints.values().sum::<u64>().max(1);
            let _ = writeln!(
                out,
                "\nEndpoint distribution (RPCs sent, retries included):"
            );
            for (endpoint, count) in &self.endpoints {
                let share = *count as f64 * 100.0 / total as f64;
                let _ = writeln!(out, "  [{count}]\t{share:.1}%\t{endpoint}");
            }
        }
        if let Some(server) = &self.server {
            self.server_text(server, &mut out);
        }
        out
    }
}

impl crate::output::Document for Report {
    fn to_text(&self) -> String {
        self.text()
    }

    fn write_json(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer(out, &self.json()).map_err(std::io::Error::from)
    }
}

impl Report {
    /// The `--metrics-url` section: the server's side of the same run.
    fn server_text(&self, server: &ServerMetrics, out: &mut String) {
        let _ = writeln!(out, "\nServer metrics ({}), during the run:", server.url);
        let handled = server
            .handled
            .iter()
            .map(|(code, count)| format!("{count} {code}"))
            .collect::<Vec<_>>();
        let handled = if handled.is_empty() {
            "none".to_owned()
        } else {
            handled.join(", ")
        };
        let _ = writeln!(out, "  RPCs handled:\t{handled}");
        let _ = writeln!(
            out,
            "  Messages:\t{} received, {} sent",
            server.msg_received, server.msg_sent
        );
        let seconds = self.duration.as_secs_f64().max(1e-9);
        let per_rpc = if self.count > 0 {
            format!(
                ", {:.1} µs per RPC",
                server.cpu_seconds * 1e6 / self.count as f64
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  CPU:\t\t{:.2} s ({:.0}% of one core){per_rpc}",
            server.cpu_seconds,
            server.cpu_seconds * 100.0 / seconds
        );
        let _ = writeln!(
            out,
            "  Resident:\t{} before, {} after",
            bytesize::ByteSize(server.resident_bytes_before)
                .display()
                .iec(),
            bytesize::ByteSize(server.resident_bytes_after)
                .display()
                .iec()
        );
    }
}

/// About ten buckets of equal width from min to max, each with its upper
/// bound and the latencies recorded in it: every recorded value, through
/// hdrhistogram's iterator, counted once.
fn buckets(histogram: &Histogram<u64>) -> Vec<(u64, u64)> {
    if histogram.is_empty() {
        return Vec::new();
    }
    let (min, max) = (histogram.min(), histogram.max());
    let width = ((max - min) / 10).max(1) + 1;
    let last = (max - min) / width;
    let mut buckets: Vec<(u64, u64)> = (0..=last)
        .map(|index| ((min + index * width + width - 1).min(max), 0))
        .collect();
    let top = buckets.len() - 1;
    for recorded in histogram.iter_recorded() {
        let value = recorded.value_iterated_to().clamp(min, max);
        let index = usize::try_from((value - min) / width).map_or(top, |index| index.min(top));
        buckets[index].1 += recorded.count_at_value();
    }
    buckets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_latency_is_in_one_bucket_and_the_last_ends_at_the_max() {
        let mut histogram = Histogram::<u64>::new_with_bounds(1, 3_600_000_000, 3).expect("bounds");
        for value in [100, 150, 151, 200, 999, 1000, 5000, 5001, 10_000] {
            histogram.record(value).expect("in bounds");
        }
        let found = buckets(&histogram);
        assert_eq!(found.iter().map(|(_, count)| count).sum::<u64>(), 9);
        assert_eq!(found.last().map(|(le, _)| *le), Some(histogram.max()));
        assert!(found.len() <= 11, "{found:?}");
        assert!(
            found.windows(2).all(|pair| pair[0].0 < pair[1].0),
            "{found:?}"
        );
        // 100, 150, 151, 200, 999 and 1000 are in the first bucket (up to ~1,090).
        assert_eq!(found[0].1, 6, "{found:?}");

        let mut one = Histogram::<u64>::new_with_bounds(1, 3_600_000_000, 3).expect("bounds");
        one.record(42).expect("in bounds");
        assert_eq!(buckets(&one), vec![(42, 1)]);
    }
}
