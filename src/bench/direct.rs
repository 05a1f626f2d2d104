//! The load generator's transport for plaintext and Unix-socket targets:
//! tonic's generated client over a bare hyper HTTP/2 connection.
//!
//! tonic's `Channel` queues every request through a `tower::Buffer` worker
//! task and a reconnect layer before hyper sees it; for a load generator
//! that is a task hand-off per RPC. Profiled (callgrind, 20,000 unary RPCs
//! at 64 in flight) the buffer worker alone was ~5% of the client's
//! instructions. Here a request goes straight to hyper's connection task.
//! TLS targets keep `Channel`.

use std::{
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
    time::Duration,
};

use http::{
    header::{CONTENT_TYPE, TE, USER_AGENT},
    uri::PathAndQuery,
    HeaderMap, HeaderValue, Request, Response, Uri,
};
use hyper::{body::Incoming, client::conn::http2};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::time::Instant;
use tonic::{body::Body, Code, Status};

use super::Reopened;
use crate::{
    client::{root_cause, CallOptions},
    exit::RpcError,
};

/// One HTTP/2 connection; clones share it. When the server closes it (a
/// GOAWAY at shutdown, say), the first worker to notice reconnects and the
/// others pick the new connection up; between failed attempts the workers
/// wait, so a dead server costs one failed RPC per attempt, not a busy loop.
#[derive(Clone)]
pub(crate) struct Direct {
    send: http2::SendRequest<Body>,
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
    send: http2::SendRequest<Body>,
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
        let send = open(call).await?;
        Ok(Self {
            send: send.clone(),
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
                    send,
                    retry_at: None,
                }),
            }),
        })
    }

    /// `http://host:port/` (`http://localhost/` for a Unix socket).
    pub(crate) fn origin(&self) -> Uri {
        self.shared.origin.clone()
    }

    /// Makes sure this handle is on an open connection, reconnecting if the
    /// server closed it. The common case is one check of a flag.
    pub(crate) async fn ensure_open(&mut self) -> Result<Reopened, Status> {
        if !self.send.is_closed() {
            return Ok(Reopened::No);
        }
        let mut slot = self.shared.current.lock().await;
        if slot.generation == self.generation && slot.send.is_closed() {
            if let Some(retry_at) = slot.retry_at {
                tokio::time::sleep_until(retry_at).await;
            }
            match open(&self.shared.call).await {
                Ok(send) => {
                    slot.generation += 1;
                    slot.send = send;
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
        self.send = slot.send.clone();
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

/// Opens one connection: TCP (no Nagle) or a Unix socket, then the HTTP/2
/// handshake. Failures are UNAVAILABLE with the cause, as for `Channel`.
async fn open(call: &CallOptions) -> anyhow::Result<http2::SendRequest<Body>> {
    let target = &call.target;
    let unavailable = |cause: String| -> anyhow::Error {
        RpcError::new(Code::Unavailable, format!("{cause} ({target})")).into()
    };
    let timed_out = || {
        unavailable(format!(
            "connect timed out after {}",
            humantime::format_duration(call.connect_timeout)
        ))
    };
    let handshake = if let Some(path) = target.unix_path() {
        let stream =
            match tokio::time::timeout(call.connect_timeout, tokio::net::UnixStream::connect(path))
                .await
            {
                Ok(Ok(stream)) => stream,
                Ok(Err(err)) => return Err(unavailable(root_cause(&err))),
                Err(_) => return Err(timed_out()),
            };
        handshake(TokioIo::new(stream)).await
    } else {
        let uri = target
            .plaintext_uri()
            .ok_or_else(|| anyhow::anyhow!("{target} is not a plaintext address"))?;
        let host = uri.host().unwrap_or("localhost");
        // An IPv6 literal comes bracketed in the URI.
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port = uri.port_u16().unwrap_or(80);
        let stream = match tokio::time::timeout(
            call.connect_timeout,
            tokio::net::TcpStream::connect((host, port)),
        )
        .await
        {
            Ok(Ok(stream)) => stream,
            Ok(Err(err)) => return Err(unavailable(root_cause(&err))),
            Err(_) => return Err(timed_out()),
        };
        stream
            .set_nodelay(true)
            .map_err(|err| unavailable(root_cause(&err)))?;
        handshake(TokioIo::new(stream)).await
    };
    handshake.map_err(|err| unavailable(root_cause(&err)))
}

/// The HTTP/2 handshake; the connection runs as its own task until both
/// sides are done with it.
async fn handshake<I>(io: I) -> Result<http2::SendRequest<Body>, hyper::Error>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (send, connection) = http2::Builder::new(TokioExecutor::new())
        .handshake(io)
        .await?;
    tokio::spawn(async move {
        // Errors surface on the RPCs that were using the connection.
        let _ = connection.await;
    });
    Ok(send)
}

impl tower::Service<Request<Body>> for Direct {
    type Response = Response<Incoming>;
    type Error = hyper::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Incoming>, hyper::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.send.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<Body>) -> Self::Future {
        // The clients are made `with_origin`, so tonic has already written
        // scheme and authority; fill them in for any request without.
        if request.uri().authority().is_none() {
            let path = request
                .uri()
                .path_and_query()
                .cloned()
                .unwrap_or_else(|| PathAndQuery::from_static("/"));
            let mut parts = self.shared.origin.clone().into_parts();
            parts.path_and_query = Some(path);
            if let Ok(uri) = Uri::from_parts(parts) {
                *request.uri_mut() = uri;
            }
        }
        let headers = request.headers_mut();
        for (name, value) in &self.shared.headers {
            headers.append(name.clone(), value.clone());
        }
        Box::pin(self.send.send_request(request))
    }
}
