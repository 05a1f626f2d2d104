//! One tower layer for code that watches (or corrects) every response on
//! its way out: its headers, its trailers, and how its body ends. The
//! access log and the over-limit status correction are written as an
//! [`Observer`] each, so neither repeats the layer, future and body plumbing.

use std::{
    pin::Pin,
    task::{ready, Context, Poll},
};

use http::{HeaderMap, Request, Response};
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;

/// Starts a [`Watch`] per request.
pub trait Observer: Clone {
    type Watch;

    fn start<B>(&self, request: &Request<B>) -> Self::Watch;
}

/// What happens to one response. The watch is dropped when the body ends,
/// fails, or is dropped unfinished (the client went away).
pub trait Watch {
    /// The response headers (with the status, for a trailers-only response).
    fn headers(&mut self, headers: &mut HeaderMap);
    /// The trailers, with `grpc-status`.
    fn trailers(&mut self, trailers: &mut HeaderMap);
    /// The body failed: the stream is reset.
    fn failed(&mut self) {}
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
                watch.headers(response.headers_mut());
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
                    watch.trailers(trailers);
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
