//! One log line per RPC — method, peer, status, duration — written when the
//! response ends, so streams are logged with their final status. A tower
//! layer, so it also covers health, reflection and unknown methods.
//!
//! It also corrects one status on the way out: tonic reports an over-limit
//! message as OUT_OF_RANGE, where gRPC's other implementations (and our
//! contract) say RESOURCE_EXHAUSTED.

use std::{
    io::Write as _,
    net::SocketAddr,
    pin::Pin,
    task::{ready, Context, Poll},
    time::Instant,
};

use http::{header::HeaderName, HeaderMap, HeaderValue, Request, Response};
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use tonic::Code;

use crate::{
    exit::{code_name, is_message_too_large},
    logging,
};

// Looked up per RPC: as constants they are hashed, not parsed, each time.
const GRPC_ENCODING: HeaderName = HeaderName::from_static("grpc-encoding");
const GRPC_STATUS: HeaderName = HeaderName::from_static("grpc-status");
const GRPC_MESSAGE: HeaderName = HeaderName::from_static("grpc-message");

#[derive(Debug, Clone, Copy, Default)]
pub struct AccessLogLayer;

impl<S> tower::Layer<S> for AccessLogLayer {
    type Service = AccessLog<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AccessLog { inner }
    }
}

#[derive(Debug, Clone)]
pub struct AccessLog<S> {
    inner: S,
}

impl<S, ReqBody, ResBody> tower::Service<Request<ReqBody>> for AccessLog<S>
where
    S: tower::Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<LoggedBody<ResBody>>;
    type Error = S::Error;
    type Future = LoggedFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        // Cheap clones (shared buffers), not copies: this runs per RPC.
        let entry = Entry {
            method: request.uri().path_and_query().cloned(),
            peer: super::peer_addr(request.extensions()),
            encoding: request.headers().get(GRPC_ENCODING).cloned(),
            started: Instant::now(),
            status: None,
        };
        LoggedFuture {
            inner: self.inner.call(request),
            entry: Some(entry),
        }
    }
}

pin_project! {
    pub struct LoggedFuture<F> {
        #[pin]
        inner: F,
        entry: Option<Entry>,
    }
}

impl<F, ResBody, E> std::future::Future for LoggedFuture<F>
where
    F: std::future::Future<Output = Result<Response<ResBody>, E>>,
{
    type Output = Result<Response<LoggedBody<ResBody>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = ready!(this.inner.poll(cx));
        let mut entry = this.entry.take();
        Poll::Ready(result.map(|mut response| {
            // A trailers-only response (most errors) carries its status in
            // the headers.
            let status = correct_status(response.headers_mut());
            if let Some(entry) = entry.as_mut() {
                entry.status = status;
            }
            response.map(|inner| LoggedBody { inner, entry })
        }))
    }
}

pin_project! {
    /// The response body, watched for the `grpc-status` trailer. The entry
    /// is logged when it is dropped: at the end of the body, or earlier if
    /// the client went away (then the status is CANCELLED).
    pub struct LoggedBody<B> {
        #[pin]
        inner: B,
        entry: Option<Entry>,
    }
}

impl<B: Body> Body for LoggedBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        let mut frame = ready!(this.inner.poll_frame(cx));
        match &mut frame {
            Some(Ok(frame)) => {
                if let Some(trailers) = frame.trailers_mut() {
                    let status = correct_status(trailers);
                    if let Some(entry) = this.entry.as_mut() {
                        entry.status = status;
                    }
                }
            }
            Some(Err(_)) => {
                if let Some(entry) = this.entry.as_mut() {
                    entry.status.get_or_insert(Code::Internal);
                }
                this.entry.take();
            }
            None => {
                this.entry.take();
            }
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Reads `grpc-status` (rewriting an over-limit OUT_OF_RANGE to
/// RESOURCE_EXHAUSTED) and returns the code.
fn correct_status(headers: &mut HeaderMap) -> Option<Code> {
    let code = Code::from_i32(parse_status(headers.get(GRPC_STATUS)?.as_bytes())?);
    if code != Code::OutOfRange {
        return Some(code);
    }
    // grpc-message is percent-encoded on the wire.
    let message = headers
        .get(GRPC_MESSAGE)
        .map(|value| percent_encoding::percent_decode(value.as_bytes()).decode_utf8_lossy())
        .unwrap_or_default();
    if is_message_too_large(code, &message) {
        headers.insert(
            GRPC_STATUS,
            HeaderValue::from(Code::ResourceExhausted as i32),
        );
        return Some(Code::ResourceExhausted);
    }
    Some(code)
}

/// A `grpc-status` value: one to three ASCII digits.
fn parse_status(value: &[u8]) -> Option<i32> {
    if value.is_empty() || value.len() > 3 {
        return None;
    }
    value.iter().try_fold(0i32, |number, &byte| {
        byte.is_ascii_digit()
            .then(|| number * 10 + i32::from(byte - b'0'))
    })
}

/// Appends the peer: `1.2.3.4:5`, `[::1]:5`, or `unix` for a Unix socket.
/// An IPv4 client of the dual-stack listener shows as IPv4, not as
/// `[::ffff:1.2.3.4]`. IPv4 is written digit by digit: through `Display` it
/// was a third of the cost of a log line.
fn push_peer(line: &mut Vec<u8>, peer: Option<SocketAddr>) {
    let Some(addr) = peer else {
        line.extend_from_slice(b"unix");
        return;
    };
    let mut digits = itoa::Buffer::new();
    match addr.ip().to_canonical() {
        std::net::IpAddr::V4(ip) => {
            for (index, octet) in ip.octets().into_iter().enumerate() {
                if index > 0 {
                    line.push(b'.');
                }
                line.extend_from_slice(digits.format(octet).as_bytes());
            }
        }
        std::net::IpAddr::V6(ip) => {
            let _ = write!(line, "[{ip}]");
        }
    }
    line.push(b':');
    line.extend_from_slice(digits.format(addr.port()).as_bytes());
}

/// What is known of one RPC; logged once, when dropped.
struct Entry {
    method: Option<http::uri::PathAndQuery>,
    peer: Option<SocketAddr>,
    /// The request's `grpc-encoding` (compression), if any.
    encoding: Option<http::HeaderValue>,
    started: Instant,
    status: Option<Code>,
}

impl Drop for Entry {
    fn drop(&mut self) {
        let status = self.status.unwrap_or(Code::Cancelled);
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
        let enabled = if warn {
            tracing::enabled!(target: "grpc_demo::access", tracing::Level::WARN)
        } else {
            tracing::enabled!(target: "grpc_demo::access", tracing::Level::INFO)
        };
        // A peer can fail or cancel RPCs at will: those lines are
        // rate-limited per peer address (warn_limit.rs); OK ones are not.
        if !enabled
            || (status != Code::Ok
                && !crate::warn_limit::admit(code_name(status), self.peer.map(|p| p.ip())))
        {
            return;
        }
        let now = Instant::now();
        let duration_us = u64::try_from(now.saturating_duration_since(self.started).as_micros())
            .unwrap_or(u64::MAX);
        logging::write_line_with(now, |line, timestamp| {
            self.format(line, timestamp, warn, status, duration_us);
        });
    }
}

impl Entry {
    /// The line tracing's formatter would print for
    /// `info!(method, peer, status, duration_us, encoding, "rpc")`, written
    /// by hand: `… INFO rpc method=/p.S/m peer=1.2.3.4:5 status=OK duration_us=12 encoding=identity`.
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
        line.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(addr: Option<&str>) -> String {
        let mut line = Vec::new();
        push_peer(&mut line, addr.map(|addr| addr.parse().expect("address")));
        String::from_utf8(line).expect("ascii")
    }

    #[test]
    fn peers_are_written_as_operators_read_them() {
        assert_eq!(peer(Some("127.0.0.1:50000")), "127.0.0.1:50000");
        assert_eq!(peer(Some("10.200.3.0:1")), "10.200.3.0:1");
        assert_eq!(peer(Some("[::ffff:192.168.1.20]:443")), "192.168.1.20:443");
        assert_eq!(peer(Some("[::1]:8080")), "[::1]:8080");
        assert_eq!(peer(Some("[2001:db8::7]:65535")), "[2001:db8::7]:65535");
        assert_eq!(peer(None), "unix");
    }

    #[test]
    fn status_values_parse_strictly() {
        assert_eq!(parse_status(b"0"), Some(0));
        assert_eq!(parse_status(b"16"), Some(16));
        assert_eq!(parse_status(b""), None);
        assert_eq!(parse_status(b"-1"), None);
        assert_eq!(parse_status(b"1a"), None);
        assert_eq!(parse_status(b"1000"), None);
    }

    #[test]
    fn over_limit_out_of_range_becomes_resource_exhausted() {
        let mut headers = HeaderMap::new();
        headers.insert(GRPC_STATUS, HeaderValue::from(Code::OutOfRange as i32));
        headers.insert(
            GRPC_MESSAGE,
            HeaderValue::from_static(
                "Error, decoded message length too large: found 5000 bytes, the limit is: 4096 bytes",
            ),
        );
        assert_eq!(correct_status(&mut headers), Some(Code::ResourceExhausted));
        assert_eq!(headers[GRPC_STATUS], "8");

        let mut other = HeaderMap::new();
        other.insert(GRPC_STATUS, HeaderValue::from(Code::OutOfRange as i32));
        other.insert(GRPC_MESSAGE, HeaderValue::from_static("index past the end"));
        assert_eq!(correct_status(&mut other), Some(Code::OutOfRange));
        assert_eq!(other[GRPC_STATUS], "11");
        assert_eq!(correct_status(&mut HeaderMap::new()), None);
    }
}
