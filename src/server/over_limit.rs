//! The one status correction the server makes on the way out: tonic ends an
//! RPC whose message is over `--max-message-size` with OUT_OF_RANGE; gRPC's
//! other implementations (and our contract) say RESOURCE_EXHAUSTED. A layer
//! of its own, outside every service, so the services, the access log and
//! the metrics all see the corrected status (`status::corrected_code`).

use std::{
    pin::Pin,
    task::{ready, Context, Poll},
};

use http::{header::HeaderName, HeaderMap, HeaderValue, Request, Response};
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use tonic::Code;

use crate::status::{code_of, corrected_code};

const GRPC_STATUS: HeaderName = HeaderName::from_static("grpc-status");
const GRPC_MESSAGE: HeaderName = HeaderName::from_static("grpc-message");

#[derive(Debug, Clone, Copy, Default)]
pub struct OverLimitLayer;

impl<S> tower::Layer<S> for OverLimitLayer {
    type Service = OverLimit<S>;

    fn layer(&self, inner: S) -> Self::Service {
        OverLimit { inner }
    }
}

#[derive(Debug, Clone)]
pub struct OverLimit<S> {
    inner: S,
}

impl<S, ReqBody, ResBody> tower::Service<Request<ReqBody>> for OverLimit<S>
where
    S: tower::Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<CorrectedBody<ResBody>>;
    type Error = S::Error;
    type Future = CorrectedFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        CorrectedFuture {
            inner: self.inner.call(request),
        }
    }
}

pin_project! {
    pub struct CorrectedFuture<F> {
        #[pin]
        inner: F,
    }
}

impl<F, ResBody, E> std::future::Future for CorrectedFuture<F>
where
    F: std::future::Future<Output = Result<Response<ResBody>, E>>,
{
    type Output = Result<Response<CorrectedBody<ResBody>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let result = ready!(self.project().inner.poll(cx));
        Poll::Ready(result.map(|mut response| {
            // A trailers-only response (most errors) has its status in the
            // headers.
            correct(response.headers_mut());
            response.map(|inner| CorrectedBody { inner })
        }))
    }
}

pin_project! {
    /// The response body with its `grpc-status` trailer corrected.
    pub struct CorrectedBody<B> {
        #[pin]
        inner: B,
    }
}

impl<B: Body> Body for CorrectedBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let mut frame = ready!(self.project().inner.poll_frame(cx));
        if let Some(Ok(frame)) = &mut frame {
            if let Some(trailers) = frame.trailers_mut() {
                correct(trailers);
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

/// Rewrites an over-limit OUT_OF_RANGE `grpc-status` to RESOURCE_EXHAUSTED;
/// anything else is left as it is.
fn correct(headers: &mut HeaderMap) {
    let Some(value) = headers.get(GRPC_STATUS) else {
        return;
    };
    if code_of(value) != Code::OutOfRange {
        return;
    }
    // grpc-message is percent-encoded on the wire.
    let message = headers
        .get(GRPC_MESSAGE)
        .map(|value| percent_encoding::percent_decode(value.as_bytes()).decode_utf8_lossy())
        .unwrap_or_default();
    if corrected_code(Code::OutOfRange, &message) == Code::ResourceExhausted {
        headers.insert(
            GRPC_STATUS,
            HeaderValue::from(Code::ResourceExhausted as i32),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        correct(&mut headers);
        assert_eq!(headers[GRPC_STATUS], "8");

        let mut other = HeaderMap::new();
        other.insert(GRPC_STATUS, HeaderValue::from(Code::OutOfRange as i32));
        other.insert(GRPC_MESSAGE, HeaderValue::from_static("index past the end"));
        correct(&mut other);
        assert_eq!(other[GRPC_STATUS], "11");

        let mut none = HeaderMap::new();
        correct(&mut none);
        assert!(none.is_empty());
    }
}
