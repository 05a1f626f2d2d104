//! One log line per RPC — method, peer, status, duration — written when the
//! response ends, so streams are logged with their final status. A tower
//! layer, so it also covers health, reflection and unknown methods.
//!
//! It also corrects one status on the way out: tonic reports an over-limit
//! message as OUT_OF_RANGE, where gRPC's other implementations (and our
//! contract) say RESOURCE_EXHAUSTED.

use std::{
    net::SocketAddr,
    pin::Pin,
    task::{ready, Context, Poll},
    time::Instant,
};

use http::{HeaderMap, Request, Response};
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use tonic::{transport::server::TcpConnectInfo, Code};

use crate::exit::{code_name, is_message_too_large};

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
            peer: request
                .extensions()
                .get::<TcpConnectInfo>()
                .and_then(TcpConnectInfo::remote_addr),
            encoding: request.headers().get("grpc-encoding").cloned(),
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
    let value = headers.get("grpc-status")?;
    let number: i32 = value.to_str().ok()?.parse().ok()?;
    let code = Code::from_i32(number);
    if code != Code::OutOfRange {
        return Some(code);
    }
    // grpc-message is percent-encoded on the wire.
    let message = headers
        .get("grpc-message")
        .map(|value| percent_encoding::percent_decode(value.as_bytes()).decode_utf8_lossy())
        .unwrap_or_default();
    if is_message_too_large(code, &message) {
        headers.insert(
            "grpc-status",
            http::HeaderValue::from(Code::ResourceExhausted as i32),
        );
        return Some(Code::ResourceExhausted);
    }
    Some(code)
}

/// Renders the peer without allocating: the address, or `unix` for a Unix
/// socket.
struct Peer(Option<SocketAddr>);

impl std::fmt::Display for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(addr) => addr.fmt(f),
            None => f.write_str("unix"),
        }
    }
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
        let duration_us = u64::try_from(self.started.elapsed().as_micros()).unwrap_or(u64::MAX);
        let peer = Peer(self.peer);
        let method = self.method.as_ref().map_or("-", |m| m.path());
        let encoding = self
            .encoding
            .as_ref()
            .and_then(|value| value.to_str().ok())
            .unwrap_or("identity");
        // Warn on what an operator should look at: server faults, and requests
        // that were malformed, unknown, unauthenticated or over a limit.
        if matches!(
            status,
            Code::Internal
                | Code::Unknown
                | Code::DataLoss
                | Code::Unimplemented
                | Code::Unauthenticated
                | Code::ResourceExhausted
        ) {
            tracing::warn!(target: "grpc_demo::access", method = %method, %peer, status = %code_name(status), duration_us, encoding = %encoding, "rpc");
        } else {
            tracing::info!(target: "grpc_demo::access", method = %method, %peer, status = %code_name(status), duration_us, encoding = %encoding, "rpc");
        }
    }
}
