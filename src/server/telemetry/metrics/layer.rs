//! The tower layer that counts RPCs: started when the request reaches the
//! server, handled (by status) and timed when the response ends, messages
//! counted as their gRPC length prefixes pass in the request and response
//! bodies. It is the outermost layer, so it sees every service (health and
//! reflection included), unknown methods, and the status the client gets.
//! (Not an `observe.rs` observer: it also reads the request body and the
//! response's data frames, to count messages.)

use std::{
    pin::Pin,
    sync::atomic::{AtomicU64, Ordering},
    task::{ready, Context, Poll},
    time::Instant,
};

use bytes::Bytes;
use http::{Request, Response};
use http_body::{Body as HttpBody, Frame, SizeHint};
use pin_project_lite::pin_project;
use tonic::{body::Body, Code};

use super::{MethodStats, Metrics};
use crate::framing::PrefixReader;

/// Counts RPCs into `metrics`; with `None`, passes everything through.
#[derive(Debug, Clone, Copy, Default)]
pub struct MetricsLayer(Option<&'static Metrics>);

impl MetricsLayer {
    pub fn new(metrics: Option<&'static Metrics>) -> Self {
        Self(metrics)
    }
}

impl<S> tower::Layer<S> for MetricsLayer {
    type Service = Measured<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Measured {
            inner,
            metrics: self.0,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Measured<S> {
    inner: S,
    metrics: Option<&'static Metrics>,
}

impl<S, ResBody> tower::Service<Request<Body>> for Measured<S>
where
    S: tower::Service<Request<Body>, Response = Response<ResBody>>,
{
    type Response = Response<MeasuredBody<ResBody>>;
    type Error = S::Error;
    type Future = MeasuredFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        let Some(metrics) = self.metrics else {
            return MeasuredFuture {
                inner: self.inner.call(request),
                call: None,
            };
        };
        let stats = metrics.method(request.uri().path());
        stats.started.fetch_add(1, Ordering::Relaxed);
        metrics.in_flight_streams.fetch_add(1, Ordering::Relaxed);
        let call = Call {
            metrics,
            stats,
            started: Instant::now(),
            status: None,
        };
        let request = request.map(|inner| {
            Body::new(CountedRequest {
                inner,
                frames: FrameCounter::default(),
                counter: &stats.msg_received,
            })
        });
        MeasuredFuture {
            inner: self.inner.call(request),
            call: Some(call),
        }
    }
}

/// One RPC being handled; recorded (handled, handling time, in-flight) when
/// dropped: at the end of the response, or earlier if the client went away
/// (then the status is CANCELLED, as in the access log).
struct Call {
    metrics: &'static Metrics,
    stats: &'static MethodStats,
    started: Instant,
    status: Option<Code>,
}

impl Drop for Call {
    fn drop(&mut self) {
        let code = self.status.unwrap_or(Code::Cancelled);
        self.stats.handled[code as usize].fetch_add(1, Ordering::Relaxed);
        self.stats.handling.observe(self.started.elapsed());
        self.metrics
            .in_flight_streams
            .fetch_sub(1, Ordering::Relaxed);
    }
}

pin_project! {
    pub struct MeasuredFuture<F> {
        #[pin]
        inner: F,
        call: Option<Call>,
    }
}

impl<F, ResBody, E> std::future::Future for MeasuredFuture<F>
where
    F: std::future::Future<Output = Result<Response<ResBody>, E>>,
{
    type Output = Result<Response<MeasuredBody<ResBody>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = ready!(this.inner.poll(cx));
        let mut call = this.call.take();
        Poll::Ready(result.map(|response| {
            // A trailers-only response (most errors) has its status here.
            if let Some(call) = call.as_mut() {
                call.status = crate::status::status_in(response.headers());
            }
            response.map(|inner| MeasuredBody {
                inner,
                call,
                frames: FrameCounter::default(),
            })
        }))
    }
}

pin_project! {
    /// The response body: messages counted, the `grpc-status` trailer read.
    pub struct MeasuredBody<B> {
        #[pin]
        inner: B,
        call: Option<Call>,
        frames: FrameCounter,
    }
}

impl<B: HttpBody<Data = Bytes>> HttpBody for MeasuredBody<B> {
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.project();
        let frame = ready!(this.inner.poll_frame(cx));
        if let Some(call) = this.call.as_mut() {
            match &frame {
                Some(Ok(frame)) => {
                    if let Some(data) = frame.data_ref() {
                        let messages = this.frames.feed(data);
                        if messages > 0 {
                            call.stats.msg_sent.fetch_add(messages, Ordering::Relaxed);
                        }
                    } else if let Some(trailers) = frame.trailers_ref() {
                        call.status = crate::status::status_in(trailers).or(call.status);
                    }
                }
                Some(Err(_)) => {
                    call.status.get_or_insert(Code::Internal);
                    this.call.take();
                }
                None => {
                    this.call.take();
                }
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

pin_project! {
    /// The request body: counts the messages the server reads.
    struct CountedRequest<B> {
        #[pin]
        inner: B,
        frames: FrameCounter,
        counter: &'static AtomicU64,
    }
}

impl<B: HttpBody<Data = Bytes>> HttpBody for CountedRequest<B> {
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.project();
        let frame = ready!(this.inner.poll_frame(cx));
        if let Some(Ok(frame)) = &frame {
            if let Some(data) = frame.data_ref() {
                let messages = this.frames.feed(data);
                if messages > 0 {
                    this.counter.fetch_add(messages, Ordering::Relaxed);
                }
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

/// Follows gRPC's length-prefixed framing (1 flag byte, 4 length bytes,
/// the message) across body chunks, counting messages as their prefixes
/// complete. Compressed or not, the prefix is the same.
#[derive(Debug, Default)]
struct FrameCounter {
    prefix: PrefixReader,
    /// Bytes of the current message still to come.
    remaining: u64,
}

impl FrameCounter {
    fn feed(&mut self, mut data: &[u8]) -> u64 {
        let mut messages = 0;
        while !data.is_empty() {
            if self.remaining > 0 {
                let skip = usize::try_from(self.remaining)
                    .unwrap_or(usize::MAX)
                    .min(data.len());
                data = &data[skip..];
                self.remaining -= skip as u64;
                continue;
            }
            let (taken, len) = self.prefix.fill(data);
            data = &data[taken..];
            if let Some(len) = len {
                messages += 1;
                self.remaining = u64::from(len);
            }
        }
        messages
    }
}

#[cfg(test)]
mod tests {
    use super::FrameCounter;

    fn message(len: u32) -> Vec<u8> {
        let mut bytes = vec![0];
        bytes.extend_from_slice(&len.to_be_bytes());
        bytes.extend(std::iter::repeat_n(7u8, len as usize));
        bytes
    }

    #[test]
    fn messages_are_counted_whatever_the_chunking() {
        let stream: Vec<u8> = [message(3), message(0), message(300), message(1)].concat();
        for chunk in [1, 2, 4, 5, 6, 7, 64, stream.len()] {
            let mut counter = FrameCounter::default();
            let counted: u64 = stream.chunks(chunk).map(|c| counter.feed(c)).sum();
            assert_eq!(counted, 4, "chunks of {chunk}");
        }
    }
}
