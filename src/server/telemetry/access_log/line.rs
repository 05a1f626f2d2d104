//! The access line: `… INFO rpc method=/p.S/m peer=1.2.3.4:5 status=OK
//! duration_us=12 encoding=identity trace_id=4bf9…`, the line tracing's
//! formatter would print for those fields, written by hand (BENCHMARKS.md,
//! "the access line formatted by hand"); with `--log-format json`, the same
//! fields as one JSON object. The RPC's span is handed to the OTLP exporter
//! here too, when there is one.

use std::{net::SocketAddr, time::Instant};

use tonic::Code;

use crate::{
    logging::{self, push_peer},
    status::code_name,
    trace_context::TraceContext,
};

/// What is known of one RPC; logged once, when dropped.
pub struct Entry {
    pub(super) method: Option<http::uri::PathAndQuery>,
    pub(super) peer: Option<SocketAddr>,
    /// The request's `grpc-encoding` (compression), if any.
    pub(super) encoding: Option<http::HeaderValue>,
    /// The caller's trace (W3C `traceparent`) or a new one.
    pub(super) trace: TraceContext,
    pub(super) started: Instant,
    pub(super) status: Option<Code>,
}

impl Drop for Entry {
    fn drop(&mut self) {
        // No status: the client went away (CANCELLED), or the server's
        // shutdown timeout cut the RPC (UNAVAILABLE, as its client sees it).
        let status = self.status.unwrap_or(if super::cut_by_shutdown() {
            Code::Unavailable
        } else {
            Code::Cancelled
        });
        // Warn on what an operator should look at: server faults, and requests
        // that were malformed, unknown, unauthenticated or over a limit.
        let warn = matches!(
            status,
            Code::Internal
                | Code::Unknown
                | Code::DataLoss
                | Code::Unimplemented
                | Code::Unauthenticated
                | Code::ResourceExhausted
        );
        let enabled = logging::access_log_enabled() && level_enabled(warn);
        if crate::server::telemetry::otlp::enabled() {
            crate::server::telemetry::otlp::record(crate::server::telemetry::otlp::SpanRecord {
                trace: self.trace,
                path: self.method.clone(),
                peer: self.peer,
                end: std::time::SystemTime::now(),
                duration: self.started.elapsed(),
                status,
            });
        }
        // A peer can fail or cancel RPCs at will: those lines are
        // rate-limited per peer address (warn_limit.rs); OK ones are not.
        // What is suppressed of INFO lines (a client's cancellations) is
        // reported at INFO.
        let admit = if warn {
            crate::logging::warn_limit::admit
        } else {
            crate::logging::warn_limit::admit_info
        };
        if !enabled || (status != Code::Ok && !admit(code_name(status), self.peer.map(|p| p.ip())))
        {
            return;
        }
        let now = Instant::now();
        let duration_us = u64::try_from(now.saturating_duration_since(self.started).as_micros())
            .unwrap_or(u64::MAX);
        let json = logging::json();
        super::sink::write_line_with(now, |line, timestamp| {
            if json {
                self.format_json(line, timestamp, warn, status, duration_us);
            } else {
                self.format(line, timestamp, warn, status, duration_us);
            }
        });
    }
}

/// Whether the log filter lets access lines through at WARN (`warn`) or at
/// INFO. The filter is set once, at start-up (it is never reloaded), so it
/// is asked once: asked per line, tracing's dynamic filter cost about 80
/// instructions per RPC (issue 22 item 3).
fn level_enabled(warn: bool) -> bool {
    static LEVELS: std::sync::OnceLock<(bool, bool)> = std::sync::OnceLock::new();
    let (warn_on, info_on) = *LEVELS.get_or_init(|| {
        (
            tracing::enabled!(target: "grpc_demo::access", tracing::Level::WARN),
            tracing::enabled!(target: "grpc_demo::access", tracing::Level::INFO),
        )
    });
    if warn {
        warn_on
    } else {
        info_on
    }
}

impl Entry {
    /// The line tracing's formatter would print for
    /// `info!(method, peer, status, duration_us, encoding, trace_id, "rpc")`,
    /// written by hand: `… INFO rpc method=/p.S/m peer=1.2.3.4:5 status=OK
    /// duration_us=12 encoding=identity trace_id=4bf92f3577b34da6a3ce929d0e0e4736`.
    fn format(
        &self,
        line: &mut Vec<u8>,
        timestamp: &[u8],
        warn: bool,
        status: Code,
        duration_us: u64,
    ) {
        line.extend_from_slice(timestamp);
        line.extend_from_slice(if warn {
            b"  WARN rpc method="
        } else {
            b"  INFO rpc method="
        });
        line.extend_from_slice(self.method.as_ref().map_or("-", |m| m.path()).as_bytes());
        line.extend_from_slice(b" peer=");
        push_peer(line, self.peer);
        line.extend_from_slice(b" status=");
        line.extend_from_slice(code_name(status).as_bytes());
        line.extend_from_slice(b" duration_us=");
        line.extend_from_slice(itoa::Buffer::new().format(duration_us).as_bytes());
        line.extend_from_slice(b" encoding=");
        let encoding = self
            .encoding
            .as_ref()
            .map_or(&b"identity"[..], |value| value.as_bytes());
        // Header bytes are visible ASCII or they are not shown.
        if encoding.iter().all(|b| b.is_ascii_graphic()) {
            line.extend_from_slice(encoding);
        } else {
            line.push(b'?');
        }
        line.extend_from_slice(b" trace_id=");
        line.extend_from_slice(&self.trace.trace_id_hex());
        line.push(b'\n');
    }

    /// The same fields as one JSON object, as tracing's JSON formatter
    /// (`--log-format json`) writes its events:
    /// `{"timestamp":"…","level":"INFO","message":"rpc","method":"/p.S/m","peer":"1.2.3.4:5","status":"OK","duration_us":12,"encoding":"identity","trace_id":"4bf9…"}`.
    fn format_json(
        &self,
        line: &mut Vec<u8>,
        timestamp: &[u8],
        warn: bool,
        status: Code,
        duration_us: u64,
    ) {
        line.extend_from_slice(b"{\"timestamp\":\"");
        line.extend_from_slice(timestamp);
        line.extend_from_slice(if warn {
            b"\",\"level\":\"WARN\",\"message\":\"rpc\",\"method\":"
        } else {
            b"\",\"level\":\"INFO\",\"message\":\"rpc\",\"method\":"
        });
        logging::push_json_str(line, self.method.as_ref().map_or("-", |m| m.path()));
        line.extend_from_slice(b",\"peer\":\"");
        push_peer(line, self.peer);
        line.extend_from_slice(b"\",\"status\":\"");
        line.extend_from_slice(code_name(status).as_bytes());
        line.extend_from_slice(b"\",\"duration_us\":");
        line.extend_from_slice(itoa::Buffer::new().format(duration_us).as_bytes());
        line.extend_from_slice(b",\"encoding\":");
        let encoding = self
            .encoding
            .as_ref()
            .map_or(&b"identity"[..], |value| value.as_bytes());
        match std::str::from_utf8(encoding) {
            Ok(text) if encoding.iter().all(|b| b.is_ascii_graphic()) => {
                logging::push_json_str(line, text);
            }
            _ => line.extend_from_slice(b"\"?\""),
        }
        line.extend_from_slice(b",\"trace_id\":\"");
        line.extend_from_slice(&self.trace.trace_id_hex());
        line.extend_from_slice(b"\"}\n");
    }
}
