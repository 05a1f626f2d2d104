//! The benchmark report: computed once from the merged statistics, rendered
//! as text for people or JSON (durations in microseconds, unit in the key).

use std::{collections::BTreeMap, fmt::Write as _, time::Duration};

use hdrhistogram::Histogram;
use serde_json::json;
use tonic::Code;

use super::{BenchConfig, Stop, WorkerStats, Workload};
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
    pub latency_us: Histogram<u64>,
    pub statuses: BTreeMap<&'static str, u64>,
    pub errors: BTreeMap<String, u64>,
    pub stop: Stop,
}

const PERCENTILES: [(&str, f64); 5] = [
    ("p50", 50.0),
    ("p90", 90.0),
    ("p95", 95.0),
    ("p99", 99.0),
    ("p99.9", 99.9),
];

impl Report {
    pub(crate) fn new(config: &BenchConfig, stats: WorkerStats, duration: Duration) -> Self {
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
            count: stats.statuses.iter().sum(),
            ok: stats.statuses[0],
            messages: stats.messages,
            duration,
            latency_us: stats.latency_us,
            statuses,
            errors: stats.errors,
            stop: config.stop,
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
        let mut latency = serde_json::Map::new();
        latency.insert("min".into(), self.latency_us.min().into());
        latency.insert(
            "mean".into(),
            json!((self.latency_us.mean() * 10.0).round() / 10.0),
        );
        for (name, p) in PERCENTILES {
            latency.insert(name.into(), self.percentile(p).into());
        }
        latency.insert("max".into(), self.latency_us.max().into());
        json!({
            "workload": self.name(),
            "messages_per_stream": self.workload.messages_per_stream(),
            "concurrency": self.concurrency,
            "connections": self.connections,
            "rate_per_sec": self.rate,
            "count": self.count,
            "ok": self.ok,
            "failed": self.failed(),
            "messages": self.messages,
            "duration_us": u64::try_from(self.duration.as_micros()).unwrap_or(u64::MAX),
            "rpcs_per_sec": (self.rpcs_per_sec() * 10.0).round() / 10.0,
            "messages_per_sec": (self.messages_per_sec() * 10.0).round() / 10.0,
            "latency_us": latency,
            "histogram": self.buckets().iter().map(|(le, count)| json!({"le_us": le, "count": count})).collect::<Vec<_>>(),
            "status_codes": self.statuses,
            "errors": self.errors,
        })
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let ms = |us: u64| format!("{:.3} ms", us as f64 / 1000.0);
        let _ = writeln!(out, "Summary ({}):", self.name());
        let _ = writeln!(out, "  Count:\t{}", self.count);
        let _ = writeln!(out, "  Total:\t{:.3} s", self.duration.as_secs_f64());
        let _ = writeln!(out, "  Slowest:\t{}", ms(self.latency_us.max()));
        let _ = writeln!(out, "  Fastest:\t{}", ms(self.latency_us.min()));
        let _ = writeln!(out, "  Average:\t{:.3} ms", self.latency_us.mean() / 1000.0);
        let _ = writeln!(out, "  RPCs/sec:\t{:.1}", self.rpcs_per_sec());
        if let Some(messages) = self.workload.messages_per_stream() {
            let _ = writeln!(
                out,
                "  Messages/sec:\t{:.1} ({messages} per stream)",
                self.messages_per_sec()
            );
        }
        let _ = writeln!(out, "\nLatency distribution:");
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
        out
    }
}
