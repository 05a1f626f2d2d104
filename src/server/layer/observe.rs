//! One tower layer for code that watches (or corrects) every response on
//! its way out: its headers, its trailers, and how its body ends. The
//! over-limit status correction, the access log and the connection's
//! in-flight count are written as an [`Observer`] each, so none repeats the
//! layer, future and body plumbing; and they run as one layer, a tuple of
//! observers, so an RPC pays for one future, one body wrapper and one read of
//! `grpc-status` (in the headers, then in the trailers) for all of them.
//! Per pipelined bidi stream that was 416 instructions fewer than a layer
//! each (callgrind, BENCHMARKS.md, issue 22 item 3).

use std::{
    pin::Pin,
    task::{ready, Context, Poll},
};

use http::{HeaderMap, Request, Response};
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use tonic::Code;

use crate::status::status_in;

/// Starts a [`Watch`] per request.
pub trait Observer: Clone {
    type Watch;

    fn start<B>(&self, request: &Request<B>) -> Self::Watch;
}

/// What happens to one response. The watch is dropped when the body ends,
/// fails, or is dropped unfinished (the client went away).
///
/// `status` is the map's `grpc-status`, read once for every watch; a watch
/// that rewrites `grpc-status` in the map sets `status` to match, and the
/// watches after it in a tuple see the new one.
pub trait Watch {
    /// The response headers (with the status, for a trailers-only response).
    fn headers(&mut self, headers: &mut HeaderMap, status: &mut Option<Code>);
    /// The trailers, with `grpc-status`.
    fn trailers(&mut self, trailers: &mut HeaderMap, status: &mut Option<Code>);
    /// The body failed: the stream is reset.
    fn failed(&mut self) {}
}

/// Two observers as one: `A` sees each response first (so a correction `A`
/// makes is what `B` sees). Nest pairs for more.
impl<A: Observer, B: Observer> Observer for (A, B) {
    type Watch = (A::Watch, B::Watch);

    fn start<Body>(&self, request: &Request<Body>) -> Self::Watch {
        (self.0.start(request), self.1.start(request))
    }
}

impl<A: Watch, B: Watch> Watch for (A, B) {
    fn headers(&mut self, headers: &mut HeaderMap, status: &mut Option<Code>) {
        self.0.headers(headers, status);
        self.1.headers(headers, status);
    }

    fn trailers(&mut self, trailers: &mut HeaderMap, status: &mut Option<Code>) {
        self.0.trailers(trailers, status);
        self.1.trailers(trailers, status);
    }

    fn failed(&mut self) {
        self.0.failed();
        self.1.failed();
    }
}

/// The layer of an [`Observer`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ObserveLayer<O>(pub O);

impl<S, O: Observer> tower::Layer<S> for ObserveLayer<O> {
    type Service = Observed<S, O>;

    fn layer(&self, inner: S) -> Self::Service {
        Observed {
            inner,
            observer: self.0.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Observed<S, O> {
    inner: S,
    observer: O,
}

impl<S, O, ReqBody, ResBody> tower::Service<Request<ReqBody>> for Observed<S, O>
where
    S: tower::Service<Request<ReqBody>, Response = Response<ResBody>>,
    O: Observer,
    O::Watch: Watch,
{
    type Response = Response<ObservedBody<ResBody, O::Watch>>;
    type Error = S::Error;
    type Future = ObservedFuture<S::Future, O::Watch>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let watch = self.observer.start(&request);
        ObservedFuture {
            inner: self.inner.call(request),
            watch: Some(watch),
        }
    }
}

pin_project! {
    pub struct ObservedFuture<F, W> {
        #[pin]
        inner: F,
        watch: Option<W>,
    }
}

impl<F, ResBody, E, W: Watch> std::future::Future for ObservedFuture<F, W>
where
    F: std::future::Future<Output = Result<Response<ResBody>, E>>,
{
    type Output = Result<Response<ObservedBody<ResBody, W>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = ready!(this.inner.poll(cx));
        let mut watch = this.watch.take();
        Poll::Ready(result.map(|mut response| {
            if let Some(watch) = watch.as_mut() {
                let mut status = status_in(response.headers());
                watch.headers(response.headers_mut(), &mut status);
            }
            response.map(|inner| ObservedBody { inner, watch })
        }))
    }
}

pin_project! {
    /// The response body, watched to its end.
    pub struct ObservedBody<B, W> {
        #[pin]
        inner: B,
        watch: Option<W>,
    }
}

impl<B: Body, W: Watch> Body for ObservedBody<B, W> {
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
                if let (Some(trailers), Some(watch)) = (frame.trailers_mut(), this.watch.as_mut()) {
                    let mut status = status_in(trailers);
                    watch.trailers(trailers, &mut status);
                }
            }
            Some(Err(_)) => {
                if let Some(mut watch) = this.watch.take() {
                    watch.failed();
                }
            }
            None => {
                this.watch.take();
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
