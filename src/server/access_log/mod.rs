//! One log line per RPC — method, peer, status, duration — written when the
//! response ends, so streams are logged with their final status. A tower
//! layer, so it also covers health, reflection and unknown methods.
//!
//! Three parts: this layer (what is known of an RPC, and when it ends),
//! `line.rs` (the line's format), `sink.rs` (where lines go: batched, with
//! their own clock, flushed by a task `serve` starts).

mod line;
mod sink;

pub use sink::Flusher;

use std::{
    pin::Pin,
    task::{ready, Context, Poll},
    time::Instant,
};

use http::{header::HeaderName, HeaderMap, Request, Response};
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use tonic::Code;

use self::line::Entry;
use crate::{
    status::code_of,
    trace_context::{self, TraceContext},
};

// Looked up per RPC: as constants they are hashed, not parsed, each time.
const GRPC_ENCODING: HeaderName = HeaderName::from_static("grpc-encoding");
const GRPC_STATUS: HeaderName = HeaderName::from_static("grpc-status");
const TRACEPARENT: HeaderName = HeaderName::from_static(trace_context::TRACEPARENT);

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
        // With `--access-log off` (and no span export) nothing is put
        // together at all.
        let wanted = crate::logging::access_log_enabled() || super::otlp::enabled();
        let entry = wanted.then(|| Entry {
            method: request.uri().path_and_query().cloned(),
            peer: super::listener::peer_addr(request.extensions()),
            encoding: request.headers().get(GRPC_ENCODING).cloned(),
            trace: TraceContext::continue_or_start(
                request
                    .headers()
                    .get(TRACEPARENT)
                    .map(http::HeaderValue::as_bytes),
            ),
            started: Instant::now(),
            status: None,
        });
        LoggedFuture {
            inner: self.inner.call(request),
            entry,
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
        Poll::Ready(result.map(|response| {
            // A trailers-only response (most errors) carries its status in
            // the headers.
            if let Some(entry) = entry.as_mut() {
                entry.status = status(response.headers());
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
                if let Some(trailers) = frame.trailers_ref() {
                    if let Some(entry) = this.entry.as_mut() {
                        entry.status = status(trailers);
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

/// The RPC's status, from `grpc-status` in the trailers (or the headers of
/// a trailers-only response).
fn status(headers: &HeaderMap) -> Option<Code> {
    headers.get(GRPC_STATUS).map(code_of)
}
