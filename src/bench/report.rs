//! The benchmark report: computed once from the merged statistics, rendered
//! as text for people or JSON (durations in microseconds, unit in the key).

use std::{collections::BTreeMap, fmt::Write as _, time::Duration};

use hdrhistogram::Histogram;
use serde_json::json;
use tonic::Code;

use super::{BenchConfig, PhaseOutcome, Stop, Workload};
use crate::exit::code_name;

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
    /// In flight when the run stopped, cancelled; not in `count`.
    pub cancelled: u64,
    /// Stopped by Ctrl-C.
    pub interrupted: bool,
    /// Open loop only: how the schedule was kept.
    pub schedule: Option<ScheduleReport>,
    pub stop: Stop,
    /// Several endpoints: RPCs sent to each (retries included), by address.
    pub endpoints: BTreeMap<String, u64>,
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
            workload: config.workload,
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
            stop: config.stop,
            endpoints: BTreeMap::new(),
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

    fn name(&self) -> &'static str {
        self.workload.name()
    }

    /// Ten buckets from min to max, with counts, for the text histogram.
    fn buckets(&self) -> Vec<(u64, u64)> {
        if self.latency_us.is_empty() {
            return Vec::new();
        }
        let (min, max) = (self.latency_us.min(), self.latency_us.max());
        let step = ((max - min) / 10).max(1);
        let mut buckets = Vec::new();
        let mut low = min;
        while low <= max {
            let high = (low + step).min(max);
            let count = self.latency_us.count_between(low, high);
            buckets.push((high, count));
            if high == max {
                break;
            }
            low = high + 1;
        }
        buckets
    }

    pub fn to_json(&self) -> serde_json::Value {
        let us = |duration: Duration| u64::try_from(duration.as_micros()).unwrap_or(u64::MAX);
        let round = |value: f64| (value * 10.0).round() / 10.0;
        let mut latency = serde_json::Map::new();
        latency.insert("count".into(), self.latency_us.len().into());
        // No made-up zeros when no latency was recorded.
        if !self.latency_us.is_empty() {
            latency.insert("min".into(), self.latency_us.min().into());
            latency.insert("mean".into(), json!(round(self.latency_us.mean())));
            for (name, p) in PERCENTILES {
                latency.insert(name.into(), self.percentile(p).into());
            }
            latency.insert("max".into(), self.latency_us.max().into());
        }
        let schedule = self.schedule.as_ref().map(|schedule| {
            json!({
                "scheduled": schedule.scheduled,
                "started": schedule.started,
                "not_started": schedule.not_started(),
                "max_lag_us": us(schedule.max_lag),
                "final_lag_us": us(schedule.final_lag()),
            })
        });
        json!({
            "workload": self.name(),
            "messages_per_stream": self.workload.messages_per_stream(),
            "concurrency": self.concurrency,
            "connections": self.connections,
            "rate_per_sec": self.rate,
            "achieved_rate_per_sec": self.achieved_rate().map(round),
            "schedule": schedule,
            "count": self.count,
            "ok": self.ok,
            "failed": self.failed(),
            "cancelled": self.cancelled,
            "interrupted": self.interrupted,
            "messages": self.messages,
            "duration_us": us(self.duration),
            "rpcs_per_sec": round(self.rpcs_per_sec()),
            "messages_per_sec": round(self.messages_per_sec()),
            "count_errors": self.count_errors,
            "latency_us": latency,
            "histogram": self.buckets().iter().map(|(le, count)| json!({"le_us": le, "count": count})).collect::<Vec<_>>(),
            "status_codes": self.statuses,
            "errors": self.errors,
            "endpoints": self.endpoints,
        })
    }

    pub fn to_text(&self) -> String {
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
                "  Cancelled:\t{} (in flight at the stop; not in the count)",
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
        out
    }
}
