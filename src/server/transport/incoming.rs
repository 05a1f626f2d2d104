//! The accept loop: a cap on open connections (overall and per client
//! address, see conn_guard.rs), making room by closing the connection idle
//! the longest, and the TLS handshake (tls.rs) in a task per connection.

use std::{
    io,
    net::SocketAddr,
    pin::Pin,
    sync::Arc,
    task::{ready, Context, Poll},
    time::Duration,
};

use std::future::Future;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_stream::Stream;

use super::bind::Listener;
use super::conn_guard::{Guard, GuardLimits, Registry, Slot};
use super::connection::{Accepted, Socket};
use super::connection_age::GraceDeadline;
use super::tls::{HandshakeError, Tls};

/// Accepted connections, at most `max_connections` open at once and
/// `max_connections_per_ip` per client address. When full, the connection
/// idle the longest is asked to close and the new one waits up to
/// [`ROOM_WAIT`] for its place; when every connection is busy, or from an
/// address over its cap, a new connection is closed at once with a
/// (rate-limited) warning: clients see UNAVAILABLE and may retry, and a
/// flood cannot exhaust descriptors.
pub struct Incoming {
    listener: Listener,
    permits: Arc<Semaphore>,
    max_connections: usize,
    /// Under TLS, each connection's handshake runs in a task of its own.
    tls: Option<Tls>,
    handshakes: tokio::task::JoinSet<Option<Admitted>>,
    /// `--max-connection-age` + grace: each connection is closed this long
    /// after it was accepted (connection_age.rs).
    close_after: Option<std::time::Duration>,
    guards: GuardLimits,
    registry: Arc<Registry>,
    /// A connection waiting for an idle one to make room.
    waiting: Option<Waiting>,
    /// `serve --web`: connections that are not HTTP/2 are served as HTTP/1.
    accept_http1: bool,
}

/// How long a new connection waits for an evicted idle one to close.
const ROOM_WAIT: Duration = Duration::from_secs(1);

type PermitFuture = Pin<
    Box<
        dyn std::future::Future<Output = Result<OwnedSemaphorePermit, tokio::sync::AcquireError>>
            + Send,
    >,
>;

struct Waiting {
    stream: Socket,
    peer: Option<SocketAddr>,
    slot: Slot,
    permit: PermitFuture,
    give_up: Pin<Box<tokio::time::Sleep>>,
}

/// A connection with its places, its TLS handshake done if any.
type Admitted = (Socket, Option<SocketAddr>, Slot, OwnedSemaphorePermit);

impl Incoming {
    pub fn new(
        listener: Listener,
        max_connections: usize,
        tls: Option<Tls>,
        guards: GuardLimits,
    ) -> Self {
        Self {
            listener,
            permits: Arc::new(Semaphore::new(max_connections)),
            max_connections,
            tls,
            handshakes: tokio::task::JoinSet::new(),
            close_after: None,
            guards,
            registry: Arc::default(),
            waiting: None,
            accept_http1: false,
        }
    }

    fn conn(
        &self,
        stream: Socket,
        peer: Option<SocketAddr>,
        slot: Slot,
        permit: OwnedSemaphorePermit,
    ) -> Accepted {
        let guard = Guard::new(self.guards, Arc::clone(&slot.state));
        Accepted {
            stream,
            peer,
            _permit: permit,
            preface_matched: Some(0),
            accept_http1: self.accept_http1,
            guard,
            slot,
            goaway: None,
            deadline: self.close_after.map(GraceDeadline::after),
        }
    }

    /// The connection, or under TLS `None` while its handshake runs.
    fn start(
        &mut self,
        stream: Socket,
        peer: Option<SocketAddr>,
        slot: Slot,
        permit: OwnedSemaphorePermit,
    ) -> Option<Accepted> {
        let Some(tls) = &self.tls else {
            return Some(self.conn(stream, peer, slot, permit));
        };
        let (tls, timeout) = (tls.clone(), self.guards.handshake_timeout);
        let state = Arc::clone(&slot.state);
        self.handshakes.spawn(async move {
            let handshake = async {
                match stream {
                    Socket::Tcp(tcp) => tls
                        .handshake(tcp, timeout)
                        .await
                        .map(|tls| Socket::TlsTcp(Box::new(tls))),
                    Socket::Unix(unix) => tls
                        .handshake(unix, timeout)
                        .await
                        .map(|tls| Socket::TlsUnix(Box::new(tls))),
                    done @ (Socket::TlsTcp(_) | Socket::TlsUnix(_)) => Ok(done),
                }
            };
            // A connection still in its handshake may be the one chosen to
            // make room when the server is full.
            let evicted = std::future::poll_fn(|cx| state.poll_evicted(cx));
            let result = tokio::select! {
                result = handshake => result,
                () = evicted => Err(HandshakeError::Evicted),
            };
            match result {
                Ok(stream) => Some((stream, peer, slot, permit)),
                Err(err) => {
                    handshake_failed(peer, &err);
                    None
                }
            }
        });
        None
    }

    fn refuse(&self, peer: Option<SocketAddr>, reason: &'static str) {
        if crate::logging::warn_limit::admit(reason, peer.map(|p| p.ip())) {
            tracing::warn!(
                peer = %crate::logging::peer_text(peer),
                max_connections = self.max_connections,
                max_connections_per_ip = self.guards.max_connections_per_ip,
                "refusing connection: {reason}"
            );
        }
    }

    /// Serve peers that are not HTTP/2 as HTTP/1 (`serve --web`) instead
    /// of naming them in a warning.
    pub fn accept_http1(mut self, accept: bool) -> Self {
        self.accept_http1 = accept;
        self
    }

    /// Closes every connection `close_after` after it was accepted, whatever
    /// it is doing (`None`: never).
    pub fn close_connections_after(mut self, close_after: Option<std::time::Duration>) -> Self {
        self.close_after = close_after;
        self
    }
}

impl Stream for Incoming {
    type Item = io::Result<Accepted>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            // Connections whose TLS handshake is done.
            while let Poll::Ready(Some(done)) = this.handshakes.poll_join_next(cx) {
                if let Ok(Some((stream, peer, slot, permit))) = done {
                    return Poll::Ready(Some(Ok(this.conn(stream, peer, slot, permit))));
                }
            }
            if let Some(waiting) = &mut this.waiting {
                match waiting.permit.as_mut().poll(cx) {
                    Poll::Ready(Ok(permit)) => {
                        let Some(Waiting {
                            stream, peer, slot, ..
                        }) = this.waiting.take()
                        else {
                            unreachable!("waiting was Some");
                        };
                        match this.start(stream, peer, slot, permit) {
                            Some(conn) => return Poll::Ready(Some(Ok(conn))),
                            None => continue,
                        }
                    }
                    Poll::Ready(Err(_)) => this.waiting = None,
                    Poll::Pending => {
                        if waiting.give_up.as_mut().poll(cx).is_pending() {
                            return Poll::Pending;
                        }
                        let peer = waiting.peer;
                        this.waiting = None;
                        this.refuse(peer, "too many open connections");
                    }
                }
            }
            let (stream, peer) = match &this.listener {
                Listener::Tcp(listener) => {
                    let (stream, peer) = match ready!(listener.poll_accept(cx)) {
                        Ok(accepted) => accepted,
                        Err(err) => return Poll::Ready(Some(Err(accept_error(err)))),
                    };
                    let _ = stream.set_nodelay(true);
                    // Finds peers whose host went away: probes after 60s of
                    // silence, 3 tries 10s apart.
                    let keepalive = socket2::TcpKeepalive::new()
                        .with_time(std::time::Duration::from_secs(60))
                        .with_interval(std::time::Duration::from_secs(10))
                        .with_retries(3);
                    let _ = socket2::SockRef::from(&stream).set_tcp_keepalive(&keepalive);
                    (Socket::Tcp(stream), Some(peer))
                }
                Listener::Unix { listener, .. } => {
                    let (stream, _) = match ready!(listener.poll_accept(cx)) {
                        Ok(accepted) => accepted,
                        Err(err) => return Poll::Ready(Some(Err(accept_error(err)))),
                    };
                    (Socket::Unix(stream), None)
                }
            };
            let ip = peer.map(|p| p.ip().to_canonical());
            let Some(slot) = this.registry.admit(ip, this.guards.max_connections_per_ip) else {
                this.refuse(peer, "too many open connections from this address");
                continue; // dropping the stream closes it
            };
            if let Ok(permit) = Arc::clone(&this.permits).try_acquire_owned() {
                match this.start(stream, peer, slot, permit) {
                    Some(conn) => return Poll::Ready(Some(Ok(conn))),
                    None => continue,
                }
            }
            if !this.registry.evict_idlest() {
                this.refuse(peer, "too many open connections");
                continue;
            }
            // Wait for the evicted connection's place; the loop's next round
            // polls the permit and the give-up timer, registering both
            // wake-ups.
            this.waiting = Some(Waiting {
                stream,
                peer,
                slot,
                permit: Box::pin(Arc::clone(&this.permits).acquire_owned()),
                give_up: Box::pin(tokio::time::sleep(ROOM_WAIT)),
            });
        }
    }
}

/// A TLS handshake that did not finish: a (rate-limited) warning, since
/// the client gets only a TLS alert or a closed connection.
fn handshake_failed(peer: Option<SocketAddr>, err: &HandshakeError) {
    let reason = match err {
        HandshakeError::TimedOut => "TLS handshake not finished within the handshake timeout",
        HandshakeError::Evicted => {
            "connection in its TLS handshake closed to make room (--max-connections reached)"
        }
        HandshakeError::Failed(_) => "TLS handshake failed",
    };
    let peer_ip = peer.map(|p| p.ip());
    let peer = || crate::logging::peer_text(peer);
    if let HandshakeError::Failed(err) = err {
        if err.kind() == io::ErrorKind::UnexpectedEof {
            // Closed before or during the handshake, as port scanners and
            // TCP health checks do: not worth a warning.
            tracing::debug!(peer = %peer(), "TLS handshake not finished: {err}");
            return;
        }
    }
    if crate::logging::warn_limit::admit(reason, peer_ip) {
        let peer = peer();
        match err {
            HandshakeError::Failed(err) => {
                tracing::warn!(%peer, "closing connection: {reason}: {err}")
            }
            HandshakeError::TimedOut | HandshakeError::Evicted => {
                tracing::warn!(%peer, "closing connection: {reason}")
            }
        }
    }
}

fn accept_error(err: io::Error) -> io::Error {
    tracing::warn!("accepting a connection failed: {err}");
    err
}
