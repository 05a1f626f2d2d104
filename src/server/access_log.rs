//! One log line per RPC — method, peer, status, duration — written when the
//! response ends, so streams are logged with their final status. A tower
//! layer, so it also covers health, reflection and unknown methods.

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

use crate::exit::code_name;

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
        let entry = Entry {
            method: request.uri().path().to_owned(),
            peer: request
                .extensions()
                .get::<TcpConnectInfo>()
                .and_then(TcpConnectInfo::remote_addr),
            encoding: request
                .headers()
                .get("grpc-encoding")
                .and_then(|value| value.to_str().ok())
                .unwrap_or("identity")
                .to_owned(),
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
        Poll::Ready(result.map(|response| {
            if let Some(entry) = entry.as_mut() {
                // A trailers-only response (most errors) carries its status
                // in the headers.
                entry.status = grpc_status(response.headers());
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
        let frame = ready!(this.inner.poll_frame(cx));
        match &frame {
            Some(Ok(frame)) => {
                if let (Some(trailers), Some(entry)) = (frame.trailers_ref(), this.entry.as_mut()) {
                    entry.status = grpc_status(trailers);
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

fn grpc_status(headers: &HeaderMap) -> Option<Code> {
    let value = headers.get("grpc-status")?;
    let number: i32 = value.to_str().ok()?.parse().ok()?;
    Some(Code::from_i32(number))
}

/// What is known of one RPC; logged once, when dropped.
struct Entry {
    method: String,
    peer: Option<SocketAddr>,
    /// The request's `grpc-encoding` (compression), `identity` if none.
    encoding: String,
    started: Instant,
    status: Option<Code>,
}

impl Drop for Entry {
    fn drop(&mut self) {
        let status = self.status.unwrap_or(Code::Cancelled);
        let duration_us = u64::try_from(self.started.elapsed().as_micros()).unwrap_or(u64::MAX);
        let peer = self
            .peer
            .map_or_else(|| "-".to_owned(), |peer| peer.to_string());
        if matches!(status, Code::Internal | Code::Unknown | Code::DataLoss) {
            tracing::warn!(target: "grpc_demo::access", method = %self.method, %peer, status = %code_name(status), duration_us, encoding = %self.encoding, "rpc");
        } else {
            tracing::info!(target: "grpc_demo::access", method = %self.method, %peer, status = %code_name(status), duration_us, encoding = %self.encoding, "rpc");
        }
    }
}
