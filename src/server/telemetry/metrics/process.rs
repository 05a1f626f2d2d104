//! The standard `process_*` metrics (as every official Prometheus client
//! exports them), read from /proc at each scrape with the `procfs` crate.

use prometheus_client::{
    collector::Collector,
    encoding::{DescriptorEncoder, NoLabelSet},
    metrics::MetricType,
};

type NoExemplar = prometheus_client::metrics::exemplar::Exemplar<NoLabelSet, u64>;

#[derive(Debug)]
pub struct ProcessCollector {
    ticks_per_second: f64,
    page_size: u64,
    /// Boot time, for the start time (seconds since the epoch).
    boot_time: Option<u64>,
}

impl ProcessCollector {
    pub fn new() -> Self {
        Self {
            ticks_per_second: procfs::ticks_per_second() as f64,
            page_size: procfs::page_size(),
            boot_time: procfs::boot_time_secs().ok(),
        }
    }
}

fn gauge(encoder: &mut DescriptorEncoder, name: &str, help: &str, value: f64) -> std::fmt::Result {
    encoder
        .encode_descriptor(name, help, None, MetricType::Gauge)?
        .encode_gauge(&value)
}

impl Collector for ProcessCollector {
    /// What /proc does not give (a process without access to it) is left
    /// out of the scrape rather than failing it.
    fn encode(&self, mut encoder: DescriptorEncoder) -> std::fmt::Result {
        let Ok(process) = procfs::process::Process::myself() else {
            return Ok(());
        };
        if let Ok(stat) = process.stat() {
            let cpu = (stat.utime + stat.stime) as f64 / self.ticks_per_second;
            encoder
                .encode_descriptor(
                    "process_cpu_seconds",
                    "Total user and system CPU time spent in seconds.",
                    None,
                    MetricType::Counter,
                )?
                .encode_counter(&cpu, None::<&NoExemplar>)?;
            gauge(
                &mut encoder,
                "process_resident_memory_bytes",
                "Resident memory size in bytes.",
                stat.rss.saturating_mul(self.page_size) as f64,
            )?;
            gauge(
                &mut encoder,
                "process_virtual_memory_bytes",
                "Virtual memory size in bytes.",
                stat.vsize as f64,
            )?;
            if let Some(boot_time) = self.boot_time {
                gauge(
                    &mut encoder,
                    "process_start_time_seconds",
                    "Start time of the process since unix epoch in seconds.",
                    boot_time as f64 + stat.starttime as f64 / self.ticks_per_second,
                )?;
            }
        }
        if let Ok(fds) = process.fd_count() {
            gauge(
                &mut encoder,
                "process_open_fds",
                "Number of open file descriptors.",
                fds as f64,
            )?;
        }
        if let Ok(limits) = process.limits() {
            if let procfs::process::LimitValue::Value(max) = limits.max_open_files.soft_limit {
                gauge(
                    &mut encoder,
                    "process_max_fds",
                    "Maximum number of open file descriptors.",
                    max as f64,
                )?;
            }
        }
        Ok(())
    }
}
