//! The accept side: binding TCP (dual stack) or Unix-socket listeners, a
//! cap on open connections (overall and per client address, see
//! conn_guard.rs), the TLS handshake (tls.rs), and a check that each peer
//! opens with the HTTP/2 preface so that garbage and HTTP/1 clients are
//! named in a warning.

use std::{
    io,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    path::{Path, PathBuf},
    pin::Pin,
    sync::Arc,
    task::{ready, Context, Poll},
    time::Duration,
};

use std::future::Future;

use anyhow::Context as _;
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream, UnixListener, UnixStream},
    sync::{OwnedSemaphorePermit, Semaphore},
};
use tokio_stream::Stream;
use tonic::transport::server::{Connected, TcpConnectInfo};

use super::conn_guard::{self, Closing, ConnInfo, Guard, GuardLimits, Registry, Slot};
use super::connection_age::GraceDeadline;
use super::tls::{HandshakeError, Tls, TlsStream};

/// The bytes every HTTP/2 client sends first (RFC 9113 §3.4).
const HTTP2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Binds `host:port`. For the unspecified IPv6 address the socket is dual
/// stack; where IPv6 is unavailable it falls back to 0.0.0.0.
pub fn bind(host: IpAddr, port: u16) -> anyhow::Result<Listener> {
    bind_shared(host, port, false)
}

/// [`bind`], with SO_REUSEPORT when `reuse_port`: other processes that set
/// it too may listen on the same port, and the kernel spreads new
/// connections over them.
pub fn bind_shared(host: IpAddr, port: u16, reuse_port: bool) -> anyhow::Result<Listener> {
    let addr = SocketAddr::new(host, port);
    let listener = match bind_tcp(addr, reuse_port) {
        Ok(listener) => listener,
        Err(err)
            if host == IpAddr::from([0u16; 8])
                && matches!(
                    err.raw_os_error(),
                    Some(libc::EAFNOSUPPORT | libc::EADDRNOTAVAIL)
                ) =>
        {
            tracing::info!("IPv6 unavailable ({err}), listening on IPv4 only");
            let fallback = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port);
            bind_tcp(fallback, reuse_port)
                .with_context(|| format!("cannot listen on {fallback}"))?
        }
        Err(err) => return Err(err).with_context(|| format!("cannot listen on {addr}")),
    };
    Ok(Listener::Tcp(listener))
}

fn bind_tcp(addr: SocketAddr, reuse_port: bool) -> std::io::Result<TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    if addr.is_ipv6() {
        // Dual stack whatever the system default (net.ipv6.bindv6only).
        socket.set_only_v6(false)?;
    }
    socket.set_reuse_address(true)?;
    if reuse_port {
        socket.set_reuse_port(true)?;
    }
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    TcpListener::from_std(socket.into())
}

/// Binds a Unix domain socket at `path`, replacing a stale socket file but
/// never any other kind of file.
pub fn bind_unix(path: &Path) -> anyhow::Result<Listener> {
    use std::os::unix::fs::FileTypeExt;
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_socket() => {
            if std::os::unix::net::UnixStream::connect(path).is_ok() {
                anyhow::bail!(
                    "cannot listen on {}: a server is already listening there",
                    path.display()
                );
            }
            std::fs::remove_file(path)
                .with_context(|| format!("removing stale socket {}", path.display()))?;
        }
        Ok(_) => anyhow::bail!(
            "cannot listen on {}: it exists and is not a socket (not removing it)",
            path.display()
        ),
        Err(_) => {}
    }
    let listener =
        UnixListener::bind(path).with_context(|| format!("cannot listen on {}", path.display()))?;
    Ok(Listener::Unix {
        listener,
        path: path.to_owned(),
    })
}

/// The client's address, over TCP with or without TLS; `None` for a Unix
/// socket.
pub(crate) fn peer_addr(extensions: &http::Extensions) -> Option<SocketAddr> {
    ConnInfo::of(extensions).and_then(|info| info.tcp.remote_addr())
}

/// Where the server listens.
pub enum Listener {
    Tcp(TcpListener),
    Unix {
        listener: UnixListener,
        path: PathBuf,
    },
}

impl Listener {
    /// `IP:PORT`, or the socket path.
    pub fn describe(&self) -> io::Result<String> {
        match self {
            Self::Tcp(listener) => Ok(listener.local_addr()?.to_string()),
            Self::Unix { path, .. } => Ok(path.display().to_string()),
        }
    }

    pub fn local_addr(&self) -> Option<SocketAddr> {
        match self {
            Self::Tcp(listener) => listener.local_addr().ok(),
            Self::Unix { .. } => None,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        // Leave no stale socket file behind.
        if let Self::Unix { path, .. } = self {
            let _ = std::fs::remove_file(path);
        }
    }
}

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
        if crate::warn_limit::admit(reason, peer.map(|p| p.ip())) {
            tracing::warn!(
                peer = %peer.map_or_else(|| "unix".to_owned(), |p| p.to_string()),
                max_connections = self.max_connections,
                max_connections_per_ip = self.guards.max_connections_per_ip,
                "refusing connection: {reason}"
            );
        }
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
    let peer = || peer.map_or_else(|| "unix".to_owned(), |p| p.to_string());
    if let HandshakeError::Failed(err) = err {
        if err.kind() == io::ErrorKind::UnexpectedEof {
            // Closed before or during the handshake, as port scanners and
            // TCP health checks do: not worth a warning.
            tracing::debug!(peer = %peer(), "TLS handshake not finished: {err}");
            return;
        }
    }
    if crate::warn_limit::admit(reason, peer_ip) {
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

enum Socket {
    Tcp(TcpStream),
    Unix(UnixStream),
    TlsTcp(Box<TlsStream<TcpStream>>),
    TlsUnix(Box<TlsStream<UnixStream>>),
}

/// `$body` with `$io` bound to the socket, whatever its kind.
macro_rules! with_io {
    ($socket:expr, $io:ident => $body:expr) => {
        match $socket {
            Socket::Tcp($io) => $body,
            Socket::Unix($io) => $body,
            Socket::TlsTcp($io) => $body,
            Socket::TlsUnix($io) => $body,
        }
    };
}

/// One accepted connection. Holds its slot under `--max-connections` (and
/// `--max-connections-per-ip`) until it is closed.
pub struct Accepted {
    stream: Socket,
    peer: Option<SocketAddr>,
    _permit: OwnedSemaphorePermit,
    /// How many preface bytes matched so far; `None` once decided.
    preface_matched: Option<usize>,
    guard: Guard,
    slot: Slot,
    /// A GOAWAY being written by the idle guard, and how much is written.
    goaway: Option<([u8; 17], usize)>,
    /// When the connection is closed whatever it is doing.
    deadline: Option<GraceDeadline>,
}

impl Accepted {
    fn check_preface(&mut self, read: &[u8]) {
        let Some(matched) = self.preface_matched else {
            return;
        };
        let expected = &HTTP2_PREFACE[matched..];
        let n = read.len().min(expected.len());
        if read[..n] != expected[..n] {
            self.preface_matched = None;
            let shown: String = read
                .iter()
                .take(24)
                .flat_map(|b| std::ascii::escape_default(*b))
                .map(char::from)
                .collect();
            let peer = self
                .peer
                .map_or_else(|| "unix".to_owned(), |p| p.to_string());
            let what = if read.starts_with(b"GET ")
                || read.starts_with(b"POST ")
                || read.windows(8).any(|w| w == b"HTTP/1.1")
            {
                "an HTTP/1 request"
            } else {
                "bytes that are not HTTP/2"
            };
            if crate::warn_limit::admit(what, self.peer.map(|p| p.ip())) {
                tracing::warn!(%peer, first_bytes = %shown, "peer sent {what}; closing the connection");
            }
        } else if matched + n == HTTP2_PREFACE.len() {
            self.preface_matched = None;
        } else {
            self.preface_matched = Some(matched + n);
        }
    }
}

impl Accepted {
    /// A guard fired: say why (rate-limited), send a GOAWAY where the
    /// connection is between frames (under TLS, encrypted and flushed as far
    /// as the socket takes it without waiting), and end it.
    fn close(&mut self, cx: &mut Context<'_>, why: Closing) {
        if self.guard.closing.is_none() {
            self.guard.closing = Some(why);
            if let Some(reason) = why.warning() {
                if crate::warn_limit::admit(reason, self.peer.map(|p| p.ip())) {
                    let peer = self
                        .peer
                        .map_or_else(|| "unix".to_owned(), |p| p.to_string());
                    tracing::warn!(%peer, "closing connection: {reason}");
                }
            }
            if matches!(why, Closing::Idle | Closing::Evicted) && self.guard.written.at_boundary() {
                let last_stream = self.guard.read.max_stream_id;
                self.goaway = Some((conn_guard::goaway_frame(last_stream), 0));
            }
        }
        // Best effort, never waiting: a peer that does not read gets none.
        if let Some((frame, written)) = &mut self.goaway {
            while *written < frame.len() {
                let result = with_io!(&mut self.stream, io => Pin::new(io).poll_write(cx, &frame[*written..]));
                match result {
                    Poll::Ready(Ok(n)) if n > 0 => *written += n,
                    _ => break,
                }
            }
            // Under TLS the frame is only encrypted into a buffer so far.
            let _ = with_io!(&mut self.stream, io => Pin::new(io).poll_flush(cx));
            self.goaway = None;
        }
    }
}

impl Connected for Accepted {
    type ConnectInfo = ConnInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        let local_addr = match &self.stream {
            Socket::Tcp(stream) => stream.local_addr().ok(),
            Socket::TlsTcp(stream) => stream.get_ref().0.local_addr().ok(),
            Socket::Unix(_) | Socket::TlsUnix(_) => None,
        };
        ConnInfo {
            tcp: TcpConnectInfo {
                local_addr,
                remote_addr: self.peer,
            },
            state: Arc::clone(&self.slot.state),
        }
    }
}

impl AsyncRead for Accepted {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.guard.closing.is_some() {
            return Poll::Ready(Ok(())); // end of stream
        }
        if let Some(deadline) = &mut this.deadline {
            if let Poll::Ready(err) = deadline.poll_expired(cx) {
                tracing::debug!(
                    peer = %this.peer.map_or_else(|| "unix".to_owned(), |p| p.to_string()),
                    "closing the connection: its max-connection-age grace has passed"
                );
                return Poll::Ready(Err(err));
            }
        }
        let before = buf.filled().len();
        let result = with_io!(&mut this.stream, io => Pin::new(io).poll_read(cx, buf));
        match &result {
            Poll::Ready(Ok(())) => {
                let read = &buf.filled()[before..];
                if this.preface_matched.is_some() {
                    this.check_preface(read);
                }
                if let Some(why) = this.guard.on_read(read) {
                    // The bytes already read go to h2; the next read ends.
                    this.close(cx, why);
                }
            }
            Poll::Pending => {
                if let Some(why) = this.guard.poll_deadlines(cx) {
                    this.close(cx, why);
                    return Poll::Ready(Ok(()));
                }
            }
            Poll::Ready(Err(_)) => {}
        }
        result
    }
}

impl AsyncWrite for Accepted {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.guard.closing.is_some() {
            return Poll::Ready(Err(conn_guard::closed_error()));
        }
        let result = with_io!(&mut this.stream, io => Pin::new(io).poll_write(cx, buf));
        if let Poll::Ready(Ok(n)) = &result {
            this.guard.written.feed(&buf[..*n]);
        }
        result
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.guard.closing.is_some() {
            return Poll::Ready(Err(conn_guard::closed_error()));
        }
        let result = with_io!(&mut this.stream, io => Pin::new(io).poll_write_vectored(cx, bufs));
        if let Poll::Ready(Ok(n)) = &result {
            let written = &mut this.guard.written;
            let mut left = *n;
            for buf in bufs {
                if left == 0 {
                    break;
                }
                let take = left.min(buf.len());
                written.feed(&buf[..take]);
                left -= take;
            }
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        with_io!(&self.stream, io => io.is_write_vectored())
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        with_io!(&mut self.get_mut().stream, io => Pin::new(io).poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        with_io!(&mut self.get_mut().stream, io => Pin::new(io).poll_shutdown(cx))
    }
}
