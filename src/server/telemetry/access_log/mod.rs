//! One log line per RPC — method, peer, status, duration — written when the
//! response ends, so streams are logged with their final status. A tower
//! layer, so it also covers health, reflection and unknown methods.
//!
//! Three parts: this layer (what is known of an RPC, and when it ends),
//! `line.rs` (the line's format), `sink.rs` (where lines go: batched, with
//! their own clock, flushed by a task `serve` starts).

mod line;
mod sink;

pub use line::Entry;
pub use sink::Flusher;

/// Set when the shutdown timeout cuts the RPCs still in flight: an RPC that
/// ends without a status after that was cut by the server, which its client
/// sees as UNAVAILABLE (not CANCELLED, the client's own going away).
static CUT_BY_SHUTDOWN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The shutdown timeout passed: RPCs ending from now on were cut.
pub fn cut_in_flight() {
    CUT_BY_SHUTDOWN.store(true, std::sync::atomic::Ordering::Relaxed);
}

fn cut_by_shutdown() -> bool {
    CUT_BY_SHUTDOWN.load(std::sync::atomic::Ordering::Relaxed)
}

/// Hands every pending access line to the writer (after the runtime that
/// ran the last RPCs is gone).
pub fn flush() {
    sink::flush_lines();
}

use std::time::Instant;

use http::{header::HeaderName, HeaderMap, HeaderValue, Request};
use tonic::Code;

use crate::server::layer::observe::{Observer, Watch};
use crate::trace_context::{self, TraceContext};

// Looked for per RPC: as constants they are compared, not parsed, each time.
const GRPC_ENCODING: HeaderName = HeaderName::from_static("grpc-encoding");
const TRACEPARENT: HeaderName = HeaderName::from_static(trace_context::TRACEPARENT);

/// An observer of the server's observe layer (after the over-limit
/// correction, so it logs the corrected status).
#[derive(Debug, Clone, Copy, Default)]
pub struct AccessLog;

impl Observer for AccessLog {
    /// Logged when dropped: at the end of the body, or earlier if the
    /// client went away (then the status is CANCELLED). None with
    /// `--access-log off` and no span export: nothing is put together.
    type Watch = Option<Entry>;

    fn start<B>(&self, request: &Request<B>) -> Option<Entry> {
        let wanted =
            crate::logging::access_log_enabled() || crate::server::telemetry::otlp::enabled();
        // Cheap clones (shared buffers), not copies: this runs per RPC.
        wanted.then(|| {
            let (encoding, traceparent) = encoding_and_traceparent(request.headers());
            Entry {
                method: request.uri().path_and_query().cloned(),
                peer: crate::server::transport::connection::peer_addr(request.extensions()),
                encoding: encoding.cloned(),
                trace: TraceContext::continue_or_start(traceparent.map(HeaderValue::as_bytes)),
                started: Instant::now(),
                status: None,
            }
        })
    }
}

/// The request's `grpc-encoding` and `traceparent` (the first of each), in
/// one pass over its few headers: cheaper than a hashed lookup of each
/// (issue 22 item 3).
fn encoding_and_traceparent(headers: &HeaderMap) -> (Option<&HeaderValue>, Option<&HeaderValue>) {
    let (mut encoding, mut traceparent) = (None, None);
    for (name, value) in headers {
        if *name == GRPC_ENCODING {
            encoding.get_or_insert(value);
        } else if *name == TRACEPARENT {
            traceparent.get_or_insert(value);
        }
    }
    (encoding, traceparent)
}

impl Watch for Option<Entry> {
    fn headers(&mut self, _: &mut HeaderMap, status: &mut Option<Code>) {
        // A trailers-only response (most errors) carries its status in the
        // headers.
        if let Some(entry) = self {
            entry.status = *status;
        }
    }

    fn trailers(&mut self, _: &mut HeaderMap, status: &mut Option<Code>) {
        if let Some(entry) = self {
            entry.status = *status;
        }
    }

    fn failed(&mut self) {
        if let Some(entry) = self {
            entry.status.get_or_insert(Code::Internal);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_encoding_and_traceparent_are_found_among_other_headers() {
        let mut headers = HeaderMap::new();
        assert_eq!(encoding_and_traceparent(&headers), (None, None));
        headers.insert("content-type", HeaderValue::from_static("application/grpc"));
        headers.insert("te", HeaderValue::from_static("trailers"));
        headers.append(TRACEPARENT, HeaderValue::from_static("00-first"));
        headers.append(TRACEPARENT, HeaderValue::from_static("00-second"));
        headers.insert("user-agent", HeaderValue::from_static("grpc-go/1.0"));
        assert_eq!(
            encoding_and_traceparent(&headers),
            (None, Some(&HeaderValue::from_static("00-first")))
        );
        headers.insert(GRPC_ENCODING, HeaderValue::from_static("gzip"));
        assert_eq!(
            encoding_and_traceparent(&headers),
            (
                Some(&HeaderValue::from_static("gzip")),
                Some(&HeaderValue::from_static("00-first"))
            )
        );
    }
}
