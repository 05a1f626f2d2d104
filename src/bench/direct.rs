//! The load generator's transport for plaintext and Unix-socket targets:
//! tonic's generated clients over a bare `h2` connection.
//!
//! Why: tonic's `Channel` and hyper's client hand every request through a
//! buffer task, a dispatch channel and spawned tasks, and the load generator
//! must cost less than the server it loads (BENCHMARKS.md, "What was
//! changed", the two `grpc-demo bench` rows). Here the request goes to `h2`
//! from the caller's task; a body that is not complete at once (a bidi
//! stream) is piped by one task. TLS targets keep `Channel`.

use std::{
    future::Future,
    pin::Pin,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    task::{Context, Poll},
    time::Duration,
};

use http::{
    header::{CONTENT_TYPE, TE, USER_AGENT},
    HeaderMap, HeaderValue, Request, Response, Uri, Version,
};
use http_body::{Body as _, Frame};
use tokio::time::Instant;
use tonic::codegen::Bytes;
use tonic::{body::Body, codegen::StdError, Code, Status};

use super::Reopened;
use crate::{
    client::{
        describe_connect_error, dial, first_bytes, no_http2_answer, CallOptions, Heard, Socket,
    },
    status::RpcError,
};

/// One HTTP/2 connection; clones share it. When the server closes it (a
/// GOAWAY at shutdown, say), the first worker to notice reconnects and the
/// others pick the new connection up; between failed attempts the workers
/// wait, so a dead server costs one failed RPC per attempt, not a busy loop.
#[derive(Clone)]
pub(crate) struct Direct {
    connection: Connection,
    /// Which connection of `shared` this handle is on.
    generation: u64,
    shared: Arc<Shared>,
}

struct Shared {
    call: CallOptions,
    /// `http://host:port`: scheme and authority of every request.
    origin: Uri,
    /// Added to every request: user-agent, grpc-timeout, -H, authorization.
    headers: HeaderMap,
    current: tokio::sync::Mutex<Slot>,
}

struct Slot {
    generation: u64,
    connection: Connection,
    /// After a failed reconnect, no new attempt before this.
    retry_at: Option<Instant>,
}

/// Between two reconnect attempts to a server that is not answering.
const RETRY_INTERVAL: Duration = Duration::from_millis(200);

impl Direct {
    /// Connects to a plaintext TCP or Unix-socket target (TLS targets go
    /// through tonic's `Channel`).
    /// `headers` go on every request as they are (see [`sanitized`]).
    pub(crate) async fn connect(
        call: &CallOptions,
        mut headers: HeaderMap,
    ) -> anyhow::Result<Self> {
        let origin = match call.target.plaintext_uri().and_then(Uri::authority) {
            Some(authority) => Uri::builder()
                .scheme("http")
                .authority(authority.clone())
                .path_and_query("/")
                .build()
                .unwrap_or_else(|_| Uri::from_static("http://localhost")),
            None => Uri::from_static("http://localhost"),
        };
        let connection = open(call).await?;
        Ok(Self {
            connection: connection.clone(),
            generation: 0,
            shared: Arc::new(Shared {
                call: call.clone(),
                origin,
                headers: {
                    // A user-agent given with -H wins.
                    headers
                        .entry(USER_AGENT)
                        .or_insert(HeaderValue::from_static(concat!(
                            "grpc-demo-bench/",
                            env!("CARGO_PKG_VERSION")
                        )));
                    headers
                },
                current: tokio::sync::Mutex::new(Slot {
                    generation: 0,
                    connection,
                    retry_at: None,
                }),
            }),
        })
    }

    /// Closes this handle's connection now (at a phase's stop), and returns
    /// when its socket is closed: the next phase reconnects.
    pub(crate) async fn close_now(&self) {
        self.connection.abort().await;
        // Not waited for: a worker holding the slot is reconnecting, and
        // is dropped with the phase.
        let current = match self.shared.current.try_lock() {
            Ok(slot) => Some(slot.connection.clone()),
            Err(_) => None,
        };
        if let Some(current) = current {
            current.abort().await;
        }
    }

    /// `http://host:port/` (`http://localhost/` for a Unix socket).
    pub(crate) fn origin(&self) -> Uri {
        self.shared.origin.clone()
    }

    /// Makes sure this handle is on an open connection, reconnecting if the
    /// server closed it. The common case is one check of a flag.
    pub(crate) async fn ensure_open(&mut self) -> Result<Reopened, Status> {
        if !self.connection.is_closed() {
            return Ok(Reopened::No);
        }
        let mut slot = self.shared.current.lock().await;
        if slot.generation == self.generation && slot.connection.is_closed() {
            if let Some(retry_at) = slot.retry_at {
                tokio::time::sleep_until(retry_at).await;
            }
            match open(&self.shared.call).await {
                Ok(connection) => {
                    slot.generation += 1;
                    slot.connection = connection;
                    slot.retry_at = None;
                }
                Err(err) => {
                    slot.retry_at = Some(Instant::now() + RETRY_INTERVAL);
                    return Err(match err.downcast::<RpcError>() {
                        Ok(rpc) => Status::new(rpc.code, rpc.message),
                        Err(other) => Status::unavailable(other.to_string()),
                    });
                }
            }
        }
        self.generation = slot.generation;
        self.connection = slot.connection.clone();
        Ok(Reopened::Yes)
    }
}

/// The request metadata without the headers gRPC reserves, as tonic strips
/// them from metadata: they are tonic's to set, or the server's.
pub(crate) fn sanitized(mut headers: HeaderMap) -> HeaderMap {
    for reserved in [
        TE,
        CONTENT_TYPE,
        http::header::HeaderName::from_static("grpc-message"),
        http::header::HeaderName::from_static("grpc-message-type"),
        http::header::HeaderName::from_static("grpc-status"),
    ] {
        headers.remove(reserved);
    }
    headers
}

/// Opens one connection (`client::dial`: TCP without Nagle, or a Unix
/// socket), then the HTTP/2 handshake. Failures are UNAVAILABLE with the
/// cause, worded as for `Channel`.
async fn open(call: &CallOptions) -> anyhow::Result<Connection> {
    // Within --connect-timeout: the socket, the handshake and the server's
    // first bytes (a listener that never answers is not a connection).
    let (heard, mut heard_rx) = tokio::sync::watch::channel(false);
    let heard = Arc::new(heard);
    let connecting = async {
        let handshake = match dial(call).await? {
            Socket::Tcp(stream) => handshake(Heard::new(stream, heard)).await,
            Socket::Unix(stream) => handshake(Heard::new(stream, heard)).await,
        };
        let connection =
            handshake.map_err(|err| anyhow::Error::from(describe_connect_error(&err, call)))?;
        first_bytes(&mut heard_rx).await;
        Ok(connection)
    };
    match tokio::time::timeout(call.connect_timeout, connecting).await {
        Ok(connected) => connected,
        Err(_) => Err(no_http2_answer(call).into()),
    }
}

/// What a call fails with when the server closed the connection before it
/// processed the request: the request was not sent, or was refused by a
/// GOAWAY.
const CLOSED_BEFORE_SENT: &str = "connection closed by the server";

fn closed_status() -> Status {
    Status::unavailable(CLOSED_BEFORE_SENT)
}

/// Whether `status` failed a call that the server never processed (a GOAWAY
/// or a closed socket seen before sending, or a stream the GOAWAY refused):
/// it may be sent again on a new connection, as gRPC's transparent retry
/// does.
pub(crate) fn never_sent(status: &Status) -> bool {
    status.code() == Code::Unavailable && status.message() == CLOSED_BEFORE_SENT
}

/// One HTTP/2 connection: the handle to open streams on it, and whether
/// its connection task has ended.
#[derive(Clone)]
struct Connection {
    requests: h2::client::SendRequest<Bytes>,
    closed: Arc<AtomicBool>,
    /// The connection's task: aborted to close it at once.
    task: tokio::task::AbortHandle,
    /// Closed (its sender dropped) when the task's future, and with it the
    /// socket, is gone.
    gone: tokio::sync::watch::Receiver<()>,
}

impl Connection {
    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Relaxed)
    }

    /// Closes the socket now, without a RST_STREAM for each stream still
    /// open: the server sees one closed connection (its in-flight RPCs
    /// CANCELLED), not a burst of resets that looks like Rapid Reset.
    /// Returns once the socket is closed: an RPC dropped before that could
    /// still have its RST_STREAM written by the connection's task.
    async fn abort(&self) {
        self.closed.store(true, Ordering::Relaxed);
        self.task.abort();
        let mut gone = self.gone.clone();
        // Err: the sender was dropped with the task's future.
        while gone.changed().await.is_ok() {}
    }

    /// Marks the connection unusable after `err`.
    fn close(&self, err: &h2::Error) {
        tracing::debug!("bench connection closed: {err}");
        self.closed.store(true, Ordering::Relaxed);
    }
}

/// The HTTP/2 handshake, with hyper's client window sizes; the connection
/// runs as its own task until the server or every handle is done with it.
async fn handshake<I>(io: I) -> Result<Connection, h2::Error>
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    const CONNECTION_WINDOW: u32 = 5 * 1024 * 1024;
    let (requests, connection) = h2::client::Builder::new()
        .initial_window_size(2 * 1024 * 1024)
        .initial_connection_window_size(CONNECTION_WINDOW)
        // h2 closes the connection (ENHANCE_YOUR_CALM) when too many small
        // DATA frames wait unread; its default (half the window) allows
        // ~12,000. A server that sends one small message per frame (C++
        // gRPC's watch stream) outruns a busy load generator by more than
        // that. This allows a whole connection window of such frames.
        .data_frame_budget(8 * CONNECTION_WINDOW as usize)
        .handshake(io)
        .await?;
    let closed = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&closed);
    let (alive, gone) = tokio::sync::watch::channel(());
    let task = tokio::spawn(async move {
        let _alive = alive;
        // Errors surface on the RPCs that were using the connection.
        let _ = connection.await;
        flag.store(true, Ordering::Relaxed);
    })
    .abort_handle();
    Ok(Connection {
        requests,
        closed,
        task,
        gone,
    })
}

impl tower::Service<Request<Body>> for Direct {
    type Response = Response<ResponseBody>;
    type Error = StdError;
    type Future = Call;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        match self.connection.requests.poll_ready(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(())) => Poll::Ready(Ok(())),
            // h2 fails here only for the whole connection (a GOAWAY, a
            // broken socket): the call fails as UNAVAILABLE and the next
            // one reconnects (`ensure_open`).
            Poll::Ready(Err(err)) => {
                self.connection.close(&err);
                Poll::Ready(Ok(()))
            }
        }
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        if self.connection.is_closed() {
            return Call::Failed(Some(closed_status()));
        }
        let (mut parts, body) = request.into_parts();
        // The clients are made `with_origin` (`Direct::origin`), so tonic has
        // already written scheme and authority into the URI.
        parts.version = Version::HTTP_2;
        for (name, value) in &self.shared.headers {
            parts.headers.append(name.clone(), value.clone());
        }
        let eos = body.is_end_stream();
        match self
            .connection
            .requests
            .send_request(Request::from_parts(parts, ()), eos)
        {
            Ok((response, stream)) => Call::Sending {
                body: (!eos).then_some((body, stream)),
                response,
                closed: Arc::clone(&self.connection.closed),
            },
            Err(err) => {
                if err.is_go_away() || err.is_io() {
                    self.connection.close(&err);
                    Call::Failed(Some(closed_status()))
                } else {
                    Call::Failed(Some(Status::from_error(Box::new(err))))
                }
            }
        }
    }
}

/// One call: the request body is sent from the caller's task as far as it
/// is ready (all of it, for unary), the rest by a pipe task; then the
/// response is awaited.
pub(crate) enum Call {
    Sending {
        body: Option<(Body, h2::SendStream<Bytes>)>,
        response: h2::client::ResponseFuture,
        /// The connection's flag, set when a GOAWAY refuses this stream.
        closed: Arc<AtomicBool>,
    },
    Failed(Option<Status>),
}

impl Future for Call {
    type Output = Result<Response<ResponseBody>, StdError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // Every field is Unpin (the body is boxed inside tonic's Body).
        let this = self.get_mut();
        match this {
            Call::Failed(status) => {
                Poll::Ready(Err(Box::new(status.take().unwrap_or_else(|| {
                    Status::internal("call polled after it failed")
                }))))
            }
            Call::Sending {
                body,
                response,
                closed,
            } => {
                if let Some((mut source, mut stream)) = body.take() {
                    if pump(&mut source, &mut stream, cx).is_pending() {
                        // A body still being produced (a bidi stream).
                        tokio::spawn(Pipe { source, stream });
                    }
                }
                Pin::new(response).poll(cx).map(|result| match result {
                    Ok(response) => Ok(response.map(ResponseBody::new)),
                    // A stream above the GOAWAY's last stream id: the
                    // server did not process it (RFC 9113 §6.8).
                    Err(err) if err.is_go_away() && err.is_remote() => {
                        // No new stream on this connection: the retry
                        // reconnects (`ensure_open`).
                        closed.store(true, Ordering::Relaxed);
                        Err(Box::new(closed_status()) as StdError)
                    }
                    Err(err) => Err(Box::new(err) as StdError),
                })
            }
        }
    }
}

/// Sends body frames as they come; Ready when the body is done (or the
/// stream failed: the response then tells why).
fn pump(source: &mut Body, stream: &mut h2::SendStream<Bytes>, cx: &mut Context<'_>) -> Poll<()> {
    loop {
        match Pin::new(&mut *source).poll_frame(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(None) => {
                let _ = stream.send_data(Bytes::new(), true);
                return Poll::Ready(());
            }
            Poll::Ready(Some(Err(_))) => {
                stream.send_reset(h2::Reason::CANCEL);
                return Poll::Ready(());
            }
            Poll::Ready(Some(Ok(frame))) => {
                let sent = match frame.into_data() {
                    // h2 queues what the flow-control window does not yet
                    // allow; the bench's messages are small.
                    Ok(data) => stream.send_data(data, false),
                    Err(frame) => match frame.into_trailers() {
                        Ok(trailers) => {
                            let _ = stream.send_trailers(trailers);
                            return Poll::Ready(());
                        }
                        Err(_) => Ok(()),
                    },
                };
                if sent.is_err() {
                    return Poll::Ready(());
                }
            }
        }
    }
}

/// The rest of a request body that was not ready at once.
struct Pipe {
    source: Body,
    stream: h2::SendStream<Bytes>,
}

impl Future for Pipe {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        // The server may end the stream first (reset, or END answered).
        if this.stream.poll_reset(cx).is_ready() {
            return Poll::Ready(());
        }
        pump(&mut this.source, &mut this.stream, cx)
    }
}

/// A response body: DATA frames (flow-control capacity handed back as they
/// are read), then the trailers.
pub(crate) struct ResponseBody {
    recv: h2::RecvStream,
    data_done: bool,
    trailers_done: bool,
}

impl ResponseBody {
    fn new(recv: h2::RecvStream) -> Self {
        Self {
            recv,
            data_done: false,
            trailers_done: false,
        }
    }
}

impl http_body::Body for ResponseBody {
    type Data = Bytes;
    type Error = h2::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, h2::Error>>> {
        let this = self.get_mut();
        if !this.data_done {
            match this.recv.poll_data(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(data))) => {
                    let _ = this.recv.flow_control().release_capacity(data.len());
                    return Poll::Ready(Some(Ok(Frame::data(data))));
                }
                Poll::Ready(Some(Err(err))) => return Poll::Ready(Some(Err(err))),
                Poll::Ready(None) => this.data_done = true,
            }
        }
        if this.trailers_done {
            return Poll::Ready(None);
        }
        match this.recv.poll_trailers(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(result) => {
                this.trailers_done = true;
                match result {
                    Ok(Some(trailers)) => Poll::Ready(Some(Ok(Frame::trailers(trailers)))),
                    Ok(None) => Poll::Ready(None),
                    Err(err) => Poll::Ready(Some(Err(err))),
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.trailers_done || self.recv.is_end_stream()
    }
}
