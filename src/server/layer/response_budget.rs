//! A bound on the memory peers can pin with responses they do not read
//! (SECURITY.md), the mirror of request_budget.rs.
//!
//! A reply the peer's flow-control window does not take stays in the server:
//! encoded by tonic and handed to HTTP/2 (hyper passes a whole message to h2,
//! which keeps it until the window opens), or, for the streams behind it,
//! as the reply message waiting for hyper to ask for it. So a peer that
//! opens many streams with large replies and a zero receive window made
//! the server hold all of them (1 GiB for 1,200 replies of 1 MiB).
//!
//! [`ResponseBudgetLayer`] asks each response body for its first frame as
//! soon as the service has answered (so a reply is encoded and counted
//! while hyper still waits for window), and counts every data frame as
//! *owed* from when it is handed on until the body is asked for its next
//! frame (hyper asks only when h2 has window for more) or dropped. Owed
//! bytes are counted per connection, per client address and in all; a new
//! stream is refused with RESOURCE_EXHAUSTED while its client address owes
//! a quarter of `--max-response-buffer` or the server owes all of it, and
//! its connection owes [`UNREAD_FLOOR`] or more (so a client that reads
//! what it is sent is served even beside one that does not). That is
//! checked when the stream starts and again when its reply is ready (the
//! reply is then dropped unsent): a peer that sends faster than the server
//! answers has all its streams started before the first reply is owed. RESOURCE_EXHAUSTED
//! rather than REFUSED_STREAM: the client learns why, in its own words, and
//! does not retry at once (REFUSED_STREAM invites a transparent retry).
//! The connection guard closes a connection that owes [`UNREAD_FLOOR`] and
//! takes nothing for `--unread-response-timeout` (conn_guard/deadlines.rs).

use std::{
    future::Future,
    pin::Pin,
    sync::{
        atomic::{AtomicU64, AtomicUsize, Ordering},
        Arc,
    },
    task::{ready, Context, Poll},
};

use bytes::Bytes;
use http::{HeaderValue, Request, Response};
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;

use crate::server::transport::conn_guard::{ConnInfo, ConnState, UNREAD_FLOOR};

/// Response bytes owed now, over all connections.
static OWED: AtomicUsize = AtomicUsize::new(0);
/// Streams refused because their client owed too much.
static REFUSED: AtomicU64 = AtomicU64::new(0);

/// Response bytes the server owes its peers now (a gauge).
pub fn owed_bytes() -> usize {
    OWED.load(Ordering::Relaxed)
}

/// Streams refused so far for owing too much (a counter).
pub fn refused_streams() -> u64 {
    REFUSED.load(Ordering::Relaxed)
}

#[derive(Debug, Clone, Copy)]
pub struct ResponseBudgetLayer {
    limit: usize,
    per_peer_limit: usize,
}

impl ResponseBudgetLayer {
    /// `limit` over all connections, a quarter of it per client address;
    /// both at least `max_message_size` (one reply of the largest size
    /// allowed is never refused).
    pub fn new(limit: usize, max_message_size: usize) -> Self {
        Self {
            limit: limit.max(max_message_size),
            per_peer_limit: (limit / 4).max(max_message_size),
        }
    }

    /// Whether a new stream on `conn` is refused.
    fn refuses(&self, conn: &ConnState) -> bool {
        if conn.owed.load(Ordering::Relaxed) < UNREAD_FLOOR {
            return false;
        }
        OWED.load(Ordering::Relaxed) >= self.limit
            || conn
                .peer_response_bytes
                .as_ref()
                .is_some_and(|peer| peer.load(Ordering::Relaxed) >= self.per_peer_limit)
    }
}

impl<S> tower::Layer<S> for ResponseBudgetLayer {
    type Service = ResponseBudget<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ResponseBudget {
            inner,
            layer: *self,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ResponseBudget<S> {
    inner: S,
    layer: ResponseBudgetLayer,
}

impl<S, ReqBody, ResBody> tower::Service<Request<ReqBody>> for ResponseBudget<S>
where
    S: tower::Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Body<Data = Bytes> + Unpin,
{
    type Response = Response<OwedBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        // A Unix socket has no connection info: its peers are local.
        let conn = ConnInfo::of(request.extensions()).map(|info| Arc::clone(&info.state));
        if conn.as_deref().is_some_and(|conn| self.layer.refuses(conn)) {
            REFUSED.fetch_add(1, Ordering::Relaxed);
            return ResponseFuture::Refused;
        }
        ResponseFuture::Called {
            inner: self.inner.call(request),
            conn,
            layer: self.layer,
        }
    }
}

pin_project! {
    #[project = ResponseFutureProj]
    pub enum ResponseFuture<F> {
        Called {
            #[pin]
            inner: F,
            conn: Option<Arc<ConnState>>,
            layer: ResponseBudgetLayer,
        },
        Refused,
    }
}

impl<F, ResBody, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<ResBody>, E>>,
    ResBody: Body<Data = Bytes> + Unpin,
{
    type Output = Result<Response<OwedBody<ResBody>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            ResponseFutureProj::Refused => Poll::Ready(Ok(refusal())),
            ResponseFutureProj::Called { inner, conn, layer } => {
                let response = ready!(inner.poll(cx))?;
                // Checked again now that the reply is here: the requests of
                // a peer that sends faster than the server answers all pass
                // the first check before any reply is owed.
                if conn.as_deref().is_some_and(|conn| layer.refuses(conn)) {
                    REFUSED.fetch_add(1, Ordering::Relaxed);
                    return Poll::Ready(Ok(refusal()));
                }
                Poll::Ready(Ok(response.map(|inner| {
                    let mut body = OwedBody::Counted {
                        inner,
                        conn: conn.take(),
                        owed: 0,
                        first: None,
                    };
                    body.ask_first(cx);
                    body
                })))
            }
        }
    }
}

/// The trailers-only RESOURCE_EXHAUSTED answer to a refused stream (its
/// headers written by tonic's own `Status::add_header`).
fn refusal<B: Body>() -> Response<OwedBody<B>> {
    let mut response = Response::new(OwedBody::Refused);
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/grpc"),
    );
    let status = tonic::Status::resource_exhausted(
        "the server holds too many unread responses for this client; read them or retry later",
    );
    // A fixed ASCII message: it always fits in a header.
    let _ = status.add_header(headers);
    response
}

/// A response body whose data frames are counted owed until the next
/// frame is asked for.
pub enum OwedBody<B: Body> {
    Counted {
        inner: B,
        conn: Option<Arc<ConnState>>,
        /// Bytes of the frame handed on last, not yet taken.
        owed: usize,
        /// The frame asked for ahead of hyper (see [`OwedBody::ask_first`]).
        first: Option<Option<Result<Frame<Bytes>, B::Error>>>,
    },
    Refused,
}

// Nothing in it is pinned: the inner body is polled as `Unpin`.
impl<B: Body> Unpin for OwedBody<B> {}

impl<B: Body> Drop for OwedBody<B> {
    fn drop(&mut self) {
        if let Self::Counted { conn, owed, .. } = self {
            pay(conn.as_deref(), std::mem::take(owed));
        }
    }
}

fn owe(conn: Option<&ConnState>, bytes: usize) {
    if bytes == 0 {
        return;
    }
    OWED.fetch_add(bytes, Ordering::Relaxed);
    if let Some(conn) = conn {
        if let Some(peer) = &conn.peer_response_bytes {
            peer.fetch_add(bytes, Ordering::Relaxed);
        }
        conn.owe(bytes);
    }
}

fn pay(conn: Option<&ConnState>, bytes: usize) {
    if bytes == 0 {
        return;
    }
    OWED.fetch_sub(bytes, Ordering::Relaxed);
    if let Some(conn) = conn {
        if let Some(peer) = &conn.peer_response_bytes {
            peer.fetch_sub(bytes, Ordering::Relaxed);
        }
        conn.paid(bytes);
    }
}

impl<B: Body<Data = Bytes> + Unpin> OwedBody<B> {
    /// Asks for the first frame now, in the task that runs the RPC: a
    /// reply that is ready is encoded and counted before hyper has window
    /// to ask for it. Not ready: nothing is kept. A body that is already
    /// at its end (a trailers-only answer) is left alone, so that it is
    /// still sent as one HEADERS frame.
    fn ask_first(&mut self, cx: &mut Context<'_>) {
        let Self::Counted {
            inner,
            conn,
            owed,
            first,
        } = self
        else {
            return;
        };
        if inner.is_end_stream() {
            return;
        }
        if let Poll::Ready(frame) = Pin::new(&mut *inner).poll_frame(cx) {
            if let Some(Ok(data)) = frame
                .as_ref()
                .map(|frame| frame.as_ref().map(Frame::data_ref))
            {
                *owed = data.map_or(0, Bytes::len);
                owe(conn.as_deref(), *owed);
            }
            *first = Some(frame);
        }
    }
}

impl<B: Body<Data = Bytes> + Unpin> Body for OwedBody<B> {
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.get_mut() {
            Self::Refused => Poll::Ready(None),
            Self::Counted {
                inner,
                conn,
                owed,
                first,
            } => {
                if let Some(frame) = first.take() {
                    // Counted when it was asked for.
                    return Poll::Ready(frame);
                }
                // Asked again: the frame handed on last has been taken
                // (hyper asks when h2 has window for more).
                pay(conn.as_deref(), std::mem::take(owed));
                let frame = ready!(Pin::new(inner).poll_frame(cx));
                if let Some(Ok(data)) = frame
                    .as_ref()
                    .map(|frame| frame.as_ref().map(Frame::data_ref))
                {
                    *owed = data.map_or(0, Bytes::len);
                    owe(conn.as_deref(), *owed);
                }
                Poll::Ready(frame)
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Self::Refused => true,
            Self::Counted { inner, first, .. } => match first {
                Some(frame) => frame.is_none(),
                None => inner.is_end_stream(),
            },
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Self::Refused => SizeHint::with_exact(0),
            Self::Counted { .. } => SizeHint::default(),
        }
    }
}
