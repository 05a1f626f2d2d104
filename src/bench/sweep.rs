//! `bench --sweep`: the same run at several settings, one after the other,
//! for the curve a single point cannot show (where latency turns up as the
//! offered rate grows, how throughput scales with concurrency or with
//! connections).
//!
//! What is swept and how (`rate=1k..100k`, `concurrency=1,4,16`,
//! `connections=1..64`), when to
//! stop early (`--stop-at p99>50ms`), and one row per step: the step's
//! setting and its [`Report`]. Printing is the caller's (rows as they
//! come); the plot is plot.rs's.

use std::{io::Write, time::Duration};

use tokio::sync::watch;

use super::{BenchConfig, Report};
use crate::output::Format;

/// What a sweep changes from step to step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// Open loop: RPCs started per second (`--rate`).
    Rate,
    /// Closed loop: RPCs in flight (`-c`).
    Concurrency,
    /// HTTP/2 connections (`--connections`), the RPCs in flight (`-c`)
    /// spread over them.
    Connections,
}

impl Setting {
    pub fn name(self) -> &'static str {
        match self {
            Self::Rate => "rate",
            Self::Concurrency => "concurrency",
            Self::Connections => "connections",
        }
    }

    /// Counted in whole units (RPCs in flight, connections), not a rate.
    fn whole(self) -> bool {
        matches!(self, Self::Concurrency | Self::Connections)
    }
}

/// The values as given: a range (`A..B`, spread by `--steps` and
/// `--steps-scale`) or a list.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    Range(f64, f64),
    List(Vec<f64>),
}

/// `--sweep SETTING=VALUES`, as parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepSpec {
    pub setting: Setting,
    pub values: Values,
}

/// How a range is spread over the steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Scale {
    /// Equal differences: 1k..10k in 10 steps is 1k, 2k, … 10k.
    #[default]
    Linear,
    /// Equal ratios: 1..1024 in 11 steps is 1, 2, 4, … 1024.
    Log,
}

/// A number with an optional k (thousand) or M (million) suffix.
fn number(text: &str) -> Result<f64, String> {
    let text = text.trim();
    let (digits, factor) = match text.strip_suffix(['k', 'K']) {
        Some(digits) => (digits, 1e3),
        None => match text.strip_suffix('M') {
            Some(digits) => (digits, 1e6),
            None => (text, 1.0),
        },
    };
    match digits.parse::<f64>() {
        Ok(value) if value.is_finite() && value > 0.0 => Ok(value * factor),
        _ => Err(format!(
            "'{text}' is not a positive number (e.g. 500, 2.5k, 1M)"
        )),
    }
}

impl SweepSpec {
    /// `rate=1k..100k`, `rate=1k,2k,5k`, `concurrency=1,4,16,64`,
    /// `concurrency=1..1024`, `connections=1,4,16,64`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let Some((name, values)) = text.split_once('=') else {
            return Err(format!(
                "'{text}' is not SETTING=VALUES (e.g. rate=1k..10k, concurrency=1,4,16, connections=1..64)"
            ));
        };
        let setting = match name.trim() {
            "rate" => Setting::Rate,
            "concurrency" | "c" => Setting::Concurrency,
            "connections" => Setting::Connections,
            other => {
                return Err(format!(
                    "cannot sweep '{other}': the settings are rate, concurrency and connections"
                ))
            }
        };
        let values = match values.split_once("..") {
            Some((from, to)) => {
                let (from, to) = (number(from)?, number(to)?);
                if from >= to {
                    return Err(format!("'{values}': a range goes up (from {from} to more)"));
                }
                Values::Range(from, to)
            }
            None => Values::List(values.split(',').map(number).collect::<Result<_, _>>()?),
        };
        Ok(Self { setting, values })
    }

    /// The value of each step, in order: a range spread over `steps`
    /// (at least 2) by `scale`; concurrency and connections values rounded
    /// to whole RPCs or connections, repeats dropped.
    pub fn steps(&self, steps: u32, scale: Scale) -> Vec<f64> {
        let mut values = match &self.values {
            Values::List(values) => values.clone(),
            Values::Range(from, to) => {
                let steps = steps.max(2);
                let last = f64::from(steps - 1);
                (0..steps)
                    .map(|step| {
                        let at = f64::from(step) / last;
                        match scale {
                            Scale::Linear => from + (to - from) * at,
                            Scale::Log => from * (to / from).powf(at),
                        }
                    })
                    .collect()
            }
        };
        if self.setting.whole() {
            for value in &mut values {
                *value = value.round().max(1.0);
            }
            values.dedup();
        }
        values
    }
}

/// Whether the steps of a `setting` sweep can run with `concurrency` RPCs
/// in flight (`-c`). A connections sweep needs at least one per connection
/// at every step, as ghz requires (`--connections` at most `-c`): a
/// connection with nothing in flight adds nothing to what is measured, and
/// raising `-c` for the step instead would change two settings at once.
pub fn check(setting: Setting, values: &[f64], concurrency: usize) -> Result<(), String> {
    if setting != Setting::Connections {
        return Ok(());
    }
    let most = values.iter().copied().fold(0.0, f64::max);
    if most > concurrency as f64 {
        return Err(format!(
            "--sweep connections=…: a step of {most} connections needs at least {most} RPCs in flight (one per connection), and -c is {concurrency}; give -c {most} or more"
        ));
    }
    Ok(())
}

/// What a `--stop-at` condition looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// A latency percentile (50, 90, 99, 99.9).
    Latency(u32),
    /// The share of RPCs that failed.
    Errors,
}

/// `--stop-at p99>50ms` or `--stop-at errors>1%`: the sweep ends after the
/// first step where this holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StopAt {
    pub measure: Measure,
    /// Microseconds for a latency, a share (0 to 1) for errors.
    pub limit: f64,
}

impl StopAt {
    pub fn parse(text: &str) -> Result<Self, String> {
        let usage = || format!("'{text}' is not a condition like p99>50ms, p50>2ms or errors>1%");
        let (name, limit) = text.split_once('>').ok_or_else(usage)?;
        let measure = match name.trim() {
            "p50" => Measure::Latency(500),
            "p90" => Measure::Latency(900),
            "p99" => Measure::Latency(990),
            "p99.9" | "p999" => Measure::Latency(999),
            "errors" => Measure::Errors,
            _ => return Err(usage()),
        };
        let limit = limit.trim();
        let limit = match measure {
            Measure::Latency(_) => {
                humantime::parse_duration(limit)
                    .map_err(|_| usage())?
                    .as_secs_f64()
                    * 1e6
            }
            Measure::Errors => match limit.strip_suffix('%') {
                Some(percent) => percent.parse::<f64>().map_err(|_| usage())? / 100.0,
                None => limit.parse::<f64>().map_err(|_| usage())?,
            },
        };
        if !(limit.is_finite() && limit >= 0.0) {
            return Err(usage());
        }
        Ok(Self { measure, limit })
    }

    /// The step's value of what this looks at (µs, or a share).
    pub fn value(&self, report: &Report) -> f64 {
        match self.measure {
            Measure::Latency(per_mille) => report.latency_at(f64::from(per_mille) / 10.0) as f64,
            Measure::Errors => report.error_rate(),
        }
    }

    pub fn hit(&self, report: &Report) -> bool {
        self.value(report) > self.limit
    }

    /// `p99 3.2 ms > 1 ms`, for the line that says why the sweep stopped.
    pub fn describe(&self, report: &Report) -> String {
        let value = self.value(report);
        match self.measure {
            Measure::Latency(per_mille) => format!(
                "p{} {} > {}",
                f64::from(per_mille) / 10.0,
                humantime::format_duration(Duration::from_micros(value as u64)),
                humantime::format_duration(Duration::from_micros(self.limit as u64))
            ),
            Measure::Errors => format!("errors {:.2}% > {:.2}%", value * 100.0, self.limit * 100.0),
        }
    }
}

/// One step: its setting and what was measured.
pub struct Step {
    /// 1-based.
    pub index: usize,
    pub setting: Setting,
    pub value: f64,
    pub report: Report,
}

/// How a sweep ended.
pub enum Ended {
    /// Every step ran.
    Done,
    /// A `--stop-at` condition held after a step (its description).
    StoppedAt(String),
    /// Ctrl-C.
    Interrupted,
}

/// Told of each step as it starts and as it ends.
pub trait Progress {
    /// Step `index` (1-based) of `count` starts with the setting at `value`.
    fn starting(&mut self, index: usize, count: usize, value: f64);
    /// The step ended (also when interrupted).
    fn finished(&mut self, step: &Step) -> anyhow::Result<()>;
}

/// Runs `base` once per value of `values` (the swept setting changed),
/// telling `progress` of each step; stops after a step where a `stop_at`
/// condition holds, or on Ctrl-C (that step is kept, marked interrupted).
/// Returns the steps that ran and why the sweep ended.
pub async fn run(
    base: &BenchConfig,
    setting: Setting,
    values: &[f64],
    stop_at: &[StopAt],
    interrupt: watch::Receiver<bool>,
    progress: &mut dyn Progress,
) -> anyhow::Result<(Vec<Step>, Ended)> {
    let mut steps = Vec::with_capacity(values.len());
    for (index, value) in values.iter().copied().enumerate() {
        progress.starting(index + 1, values.len(), value);
        let mut config = base.clone();
        match setting {
            Setting::Rate => config.rate = Some(value),
            Setting::Concurrency => config.concurrency = value as usize,
            Setting::Connections => config.connections = value as usize,
        }
        let report = super::run(&config, None, interrupt.clone()).await?;
        let step = Step {
            index: index + 1,
            setting,
            value,
            report,
        };
        progress.finished(&step)?;
        let interrupted = step.report.interrupted;
        let stopped = stop_at
            .iter()
            .find(|stop| stop.hit(&step.report))
            .map(|stop| stop.describe(&step.report));
        steps.push(step);
        if interrupted {
            return Ok((steps, Ended::Interrupted));
        }
        if let Some(why) = stopped {
            return Ok((steps, Ended::StoppedAt(why)));
        }
    }
    Ok((steps, Ended::Done))
}

/// The step rows on stdout as they come: a text table (header first), CSV
/// (header first) or one JSON object per step.
pub struct Rows {
    format: Format,
    started: bool,
}

/// The latency percentiles of a row: (column, percentile).
const ROW_PERCENTILES: [(&str, f64); 4] =
    [("p50", 50.0), ("p90", 90.0), ("p99", 99.0), ("p99.9", 99.9)];

impl Rows {
    pub fn new(format: Format) -> Self {
        Self {
            format,
            started: false,
        }
    }

    pub fn write(&mut self, out: &mut dyn Write, step: &Step) -> std::io::Result<()> {
        let report = &step.report;
        let setting = step.setting.name();
        let achieved = report
            .achieved_rate()
            .unwrap_or_else(|| report.rpcs_per_sec());
        match self.format {
            Format::Json => {
                let mut row = serde_json::Map::new();
                row.insert("step".into(), step.index.into());
                row.insert("setting".into(), setting.into());
                row.insert("value".into(), step.value.into());
                if let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(report.json()) {
                    row.extend(fields);
                }
                writeln!(out, "{}", serde_json::Value::Object(row))?;
            }
            Format::Csv => {
                if !self.started {
                    writeln!(
                        out,
                        "step,setting,value,rpcs_per_sec,achieved_rate_per_sec,ok,failed,cancelled,error_rate,p50_us,p90_us,p99_us,p99.9_us,max_us,interrupted"
                    )?;
                }
                let latencies: Vec<String> = ROW_PERCENTILES
                    .iter()
                    .map(|(_, p)| report.latency_at(*p).to_string())
                    .collect();
                writeln!(
                    out,
                    "{},{setting},{},{:.1},{:.1},{},{},{},{:.6},{},{},{}",
                    step.index,
                    step.value,
                    report.rpcs_per_sec(),
                    achieved,
                    report.ok,
                    report.failed(),
                    report.cancelled,
                    report.error_rate(),
                    latencies.join(","),
                    report.latency_us.max(),
                    report.interrupted
                )?;
            }
            Format::Text => {
                if !self.started {
                    writeln!(
                        out,
                        "{:>4}  {:>12}  {:>12}  {:>9}  {:>7}  {:>10}  {:>10}  {:>10}  {:>10}",
                        "step", setting, "achieved/s", "ok", "failed", "p50", "p90", "p99", "p99.9"
                    )?;
                }
                let ms = |p: f64| format!("{:.3} ms", report.latency_at(p) as f64 / 1000.0);
                writeln!(
                    out,
                    "{:>4}  {:>12}  {:>12.1}  {:>9}  {:>7}  {:>10}  {:>10}  {:>10}  {:>10}{}",
                    step.index,
                    step.value,
                    achieved,
                    report.ok,
                    report.failed(),
                    ms(50.0),
                    ms(90.0),
                    ms(99.0),
                    ms(99.9),
                    if report.interrupted {
                        "  (interrupted)"
                    } else {
                        ""
                    }
                )?;
            }
        }
        self.started = true;
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_lists_give_the_steps_asked_for() {
        let rate = SweepSpec::parse("rate=1k..10k").expect("a range");
        assert_eq!(
            rate.steps(10, Scale::Linear),
            (1..=10).map(|k| f64::from(k) * 1000.0).collect::<Vec<_>>()
        );
        let concurrency = SweepSpec::parse("concurrency=1..64").expect("a range");
        assert_eq!(concurrency.steps(4, Scale::Log), vec![1.0, 4.0, 16.0, 64.0]);
        let list = SweepSpec::parse("rate=500,2.5k,1M").expect("a list");
        assert_eq!(list.steps(10, Scale::Log), vec![500.0, 2500.0, 1e6]);
        // Rounded to whole RPCs, repeats dropped.
        let few = SweepSpec::parse("concurrency=1..3").expect("a range");
        assert_eq!(few.steps(5, Scale::Linear), vec![1.0, 2.0, 3.0]);
    }

    #[test]
    fn connections_are_swept_in_whole_connections() {
        let list = SweepSpec::parse("connections=1,4,16,64").expect("a list");
        assert_eq!(list.setting, Setting::Connections);
        assert_eq!(list.setting.name(), "connections");
        assert_eq!(list.steps(10, Scale::Linear), vec![1.0, 4.0, 16.0, 64.0]);
        let range = SweepSpec::parse("connections=1..64").expect("a range");
        assert_eq!(
            range.steps(7, Scale::Log),
            vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]
        );
        // Rounded, repeats dropped: 1, 1.4, 2, 2.8, 4 → 1, 2, 3, 4.
        let few = SweepSpec::parse("connections=1..4").expect("a range");
        assert_eq!(few.steps(5, Scale::Log), vec![1.0, 2.0, 3.0, 4.0]);
        assert_eq!(
            SweepSpec::parse("connections=1k,2k").map(|spec| spec.steps(2, Scale::Linear)),
            Ok(vec![1000.0, 2000.0])
        );
    }

    #[test]
    fn a_connections_sweep_needs_an_rpc_in_flight_per_connection() {
        let values = [1.0, 4.0, 16.0];
        assert_eq!(check(Setting::Connections, &values, 16), Ok(()));
        assert_eq!(
            check(Setting::Connections, &values, 8),
            Err("--sweep connections=…: a step of 16 connections needs at least 16 RPCs in flight (one per connection), and -c is 8; give -c 16 or more".into())
        );
        // The other settings leave --connections as given.
        assert_eq!(check(Setting::Concurrency, &values, 1), Ok(()));
        assert_eq!(check(Setting::Rate, &[1e6], 1), Ok(()));
    }

    #[test]
    fn bad_sweeps_and_conditions_say_what_is_wrong() {
        for bad in [
            "rate",
            "speed=1..2",
            "rate=10..1",
            "rate=0..5",
            "rate=1,x",
            "connections=0,1",
            "connections=8..2",
        ] {
            assert!(SweepSpec::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            StopAt::parse("p99>50ms"),
            Ok(StopAt {
                measure: Measure::Latency(990),
                limit: 50_000.0
            })
        );
        assert_eq!(
            StopAt::parse("errors>1%"),
            Ok(StopAt {
                measure: Measure::Errors,
                limit: 0.01
            })
        );
        for bad in ["p98>1ms", "p99<1ms", "errors>lots", "p99>fast"] {
            assert!(StopAt::parse(bad).is_err(), "{bad}");
        }
    }
}
