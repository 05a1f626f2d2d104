//! ReportService: client streaming. Readings are folded into a running
//! summary as they arrive (memory grows with the devices, not the
//! readings); the answer comes once the client half-closes.

use std::{collections::BTreeSet, pin::Pin, task::Poll, time::Duration};

use tokio_stream::Stream;
use tonic::{Request, Response, Status, Streaming};

use super::idle::IdleTimer;

use crate::proto::{report_service_server::ReportService, Reading, Summary};

#[derive(Debug, Clone)]
pub struct Reporter {
    /// A stream that sends nothing for this long is ended.
    idle_timeout: Duration,
}

impl Reporter {
    pub fn new(idle_timeout: Duration) -> Self {
        Self { idle_timeout }
    }
}

#[tonic::async_trait]
impl ReportService for Reporter {
    async fn report(
        &self,
        request: Request<Streaming<Reading>>,
    ) -> Result<Response<Summary>, Status> {
        // The client's deadline covers this whole call: tonic enforces
        // `grpc-timeout` until the response, which comes after the stream.
        let mut inbound = request.into_inner();
        let mut tally = Tally::default();
        let mut idle = IdleTimer::new(self.idle_timeout);
        loop {
            // The idle timer is polled only when no reading is ready.
            let next = std::future::poll_fn(|cx| match Pin::new(&mut inbound).poll_next(cx) {
                Poll::Ready(next) => Poll::Ready(Some(next)),
                // No deadline on this timer: it can only be idle.
                Poll::Pending => idle.poll_idle(cx).map(|_idle| None),
            })
            .await;
            match next {
                Some(Some(reading)) => {
                    tally.add(&reading?)?;
                    idle.touch();
                }
                Some(None) => break,
                None => {
                    let idle = humantime::format_duration(idle.timeout());
                    tracing::warn!(%idle, "report stream sent nothing for the idle timeout, ending it");
                    return Err(Status::deadline_exceeded(format!(
                        "no message for {idle} (--idle-stream-timeout)"
                    )));
                }
            }
        }
        Ok(Response::new(tally.summary()))
    }
}

/// The running summary of one stream.
#[derive(Debug, Default)]
pub struct Tally {
    count: u64,
    min: f64,
    max: f64,
    sum: f64,
    devices: BTreeSet<String>,
}

impl Tally {
    /// Adds one reading, or refuses it with INVALID_ARGUMENT naming its
    /// 1-based position in the stream.
    pub fn add(&mut self, reading: &Reading) -> Result<(), Status> {
        let position = self.count + 1;
        if reading.device.is_empty() {
            return Err(Status::invalid_argument(format!(
                "reading {position}: device is empty"
            )));
        }
        if !reading.value.is_finite() {
            return Err(Status::invalid_argument(format!(
                "reading {position}: value {} is not a finite number",
                reading.value
            )));
        }
        if self.count == 0 {
            (self.min, self.max) = (reading.value, reading.value);
        } else {
            self.min = self.min.min(reading.value);
            self.max = self.max.max(reading.value);
        }
        self.count = position;
        self.sum += reading.value;
        // Look up before inserting: most readings come from a known device,
        // and then nothing is allocated.
        if !self.devices.contains(&reading.device) {
            self.devices.insert(reading.device.clone());
        }
        Ok(())
    }

    pub fn summary(self) -> Summary {
        Summary {
            count: self.count,
            min: self.min,
            max: self.max,
            mean: if self.count == 0 {
                0.0
            } else {
                self.sum / self.count as f64
            },
            devices: self.devices.into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(device: &str, value: f64) -> Reading {
        Reading {
            device: device.into(),
            value,
            time_unix_ms: 0,
        }
    }

    #[test]
    fn an_empty_stream_summarises_to_zeros() {
        assert_eq!(Tally::default().summary(), Summary::default());
    }

    #[test]
    fn readings_are_summarised_with_sorted_distinct_devices() {
        let mut tally = Tally::default();
        for (device, value) in [("b", 2.0), ("a", -1.0), ("b", 5.0), ("c", 2.0)] {
            tally.add(&reading(device, value)).expect("valid");
        }
        let summary = tally.summary();
        assert_eq!(summary.count, 4);
        assert_eq!((summary.min, summary.max, summary.mean), (-1.0, 5.0, 2.0));
        assert_eq!(summary.devices, ["a", "b", "c"]);
    }

    #[test]
    fn bad_readings_are_refused_by_position() {
        let mut tally = Tally::default();
        tally.add(&reading("a", 1.0)).expect("valid");
        let status = tally.add(&reading("", 1.0)).expect_err("empty device");
        assert_eq!(status.code(), tonic::Code::InvalidArgument);
        assert_eq!(status.message(), "reading 2: device is empty");
        for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let status = tally.add(&reading("a", value)).expect_err("not finite");
            assert_eq!(status.code(), tonic::Code::InvalidArgument);
            assert!(
                status.message().starts_with("reading 2: value "),
                "{status:?}"
            );
        }
    }
}
