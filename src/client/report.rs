//! `grpc-demo report`: one ReportService.report stream of synthetic
//! readings or of NDJSON lines sent as they are read; prints the summary.

use std::{
    io::Write,
    path::Path,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use anyhow::Context;
use tokio::{
    io::{AsyncBufReadExt, AsyncRead, BufReader},
    sync::mpsc,
};
use tokio_stream::wrappers::ReceiverStream;

use super::{
    balance, configured_client, describe_status, CallOptions, Deadline, ScriptError, ScriptSource,
};
use crate::{
    output::Printer,
    proto::{report_service_client::ReportServiceClient, Reading},
    status::Interrupted,
};

/// What `report` sends.
#[derive(Debug, Clone, PartialEq)]
pub enum Readings {
    /// `count` readings from `device`, `interval` apart.
    Synthetic {
        device: String,
        count: u64,
        interval: Duration,
    },
    /// NDJSON `Reading`s from a file or stdin, `interval` apart.
    Lines {
        source: ScriptSource,
        interval: Duration,
    },
}

/// Readings waiting to be sent: a few, so a slow server slows the reader.
const SEND_QUEUE: usize = 16;

/// Streams `readings`, half-closes and prints the summary. A bad input line
/// ends the run with `FILE:LINE: why` and cancels the RPC, so the server
/// summarises nothing.
pub async fn report<W: Write>(
    options: &CallOptions,
    readings: Readings,
    printer: &mut Printer<W>,
) -> anyhow::Result<()> {
    let deadline = Deadline::new(options.timeout);
    let call = deadline.run(async {
        let channel = balance::open(options).await?;
        let mut client = configured_client!(ReportServiceClient::new(channel), options);
        let (sender, queue) = mpsc::channel(SEND_QUEUE);
        let request = options.request(ReceiverStream::new(queue), deadline.remaining());
        let call = client.report(request);
        tokio::pin!(call);
        // When the feed fails, the call is dropped unfinished (before the
        // sender, declared first: no half-close can slip out), which
        // cancels it. When the feed is done, dropping the sender ends the
        // request stream (half-close).
        tokio::select! {
            fed = feed(readings, &sender) => fed?,
            // The server answered (an error, most likely) before the end.
            response = &mut call => {
                let summary = response.map_err(|status| describe_status(status, Some(options)))?;
                return Ok(summary.into_inner());
            }
        }
        drop(sender);
        let summary = call
            .await
            .map_err(|status| describe_status(status, Some(options)))?;
        Ok(summary.into_inner())
    });
    let summary = tokio::select! {
        result = call => result?,
        _ = tokio::signal::ctrl_c() => return Err(Interrupted.into()),
    };
    printer.summary(&summary)?;
    Ok(())
}

/// Sends every reading into `sender`; stops early (successfully) if the
/// call ended and nobody receives any more.
async fn feed(readings: Readings, sender: &mpsc::Sender<Reading>) -> anyhow::Result<()> {
    match readings {
        Readings::Synthetic {
            device,
            count,
            interval,
        } => {
            let mut pace = Pace::new(interval);
            for index in 0..count {
                pace.wait().await;
                let reading = Reading {
                    device: device.clone(),
                    value: synthetic_value(index),
                    time_unix_ms: unix_ms_now(),
                };
                if sender.send(reading).await.is_err() {
                    break;
                }
            }
        }
        Readings::Lines { source, interval } => {
            let input: Box<dyn AsyncRead + Unpin + Send> = match &source {
                ScriptSource::Stdin => Box::new(tokio::io::stdin()),
                ScriptSource::File(path) => Box::new(open(path).await?),
                ScriptSource::Inline(text) => {
                    Box::new(std::io::Cursor::new(text.clone().into_bytes()))
                }
            };
            let name = source.to_string();
            let mut lines = BufReader::new(input).lines();
            let mut pace = Pace::new(interval);
            let mut number = 0;
            while let Some(line) = lines
                .next_line()
                .await
                .with_context(|| format!("reading {name}"))?
            {
                number += 1;
                if line.trim().is_empty() {
                    continue;
                }
                let reading = parse_reading(&line).map_err(|err| ScriptError {
                    source_name: name.clone(),
                    line: number,
                    column: err.position.map(|(_, column)| column),
                    message: err.message,
                })?;
                pace.wait().await;
                if sender.send(reading).await.is_err() {
                    break;
                }
            }
        }
    }
    Ok(())
}

async fn open(path: &Path) -> anyhow::Result<tokio::fs::File> {
    tokio::fs::File::open(path)
        .await
        .with_context(|| format!("reading {}", path.display()))
}

/// One line of proto3 JSON as a `Reading`; unknown fields are refused.
pub fn parse_reading(line: &str) -> Result<Reading, super::JsonError> {
    super::parse_json(line)
}

/// The synthetic series: a slow wave around 20, in hundredths.
pub fn synthetic_value(index: u64) -> f64 {
    let wave = (index as f64 / 10.0).sin() * 5.0;
    ((20.0 + wave) * 100.0).round() / 100.0
}

fn unix_ms_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
        })
}

/// Spaces sends `interval` apart by a timer; the first goes at once.
struct Pace(Option<tokio::time::Interval>);

impl Pace {
    fn new(interval: Duration) -> Self {
        Self((!interval.is_zero()).then(|| tokio::time::interval(interval)))
    }

    async fn wait(&mut self) {
        if let Some(ticks) = &mut self.0 {
            ticks.tick().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_parse_from_proto3_json() {
        let reading =
            parse_reading(r#"{"device":"s1","value":2.5,"timeUnixMs":"17"}"#).expect("valid");
        assert_eq!(reading.device, "s1");
        assert_eq!(reading.value, 2.5);
        assert_eq!(reading.time_unix_ms, 17);
        // proto3 JSON spells the special values as strings.
        assert!(parse_reading(r#"{"device":"s1","value":"NaN"}"#)
            .expect("valid JSON")
            .value
            .is_nan());
    }

    #[test]
    fn bad_reading_lines_are_refused() {
        assert!(parse_reading("not json").is_err());
        assert!(parse_reading(r#"{"device":"s1","valu":1}"#)
            .expect_err("unknown field")
            .message
            .contains("valu"));
        assert!(parse_reading(r#"{"value":"high"}"#).is_err());
        assert!(parse_reading("{} {}").is_err());
    }

    #[test]
    fn the_synthetic_series_is_fixed() {
        let values: Vec<f64> = (0..4).map(synthetic_value).collect();
        assert_eq!(values, [20.0, 20.5, 20.99, 21.48]);
    }
}
