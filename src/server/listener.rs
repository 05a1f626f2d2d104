//! The accept side: binding TCP (dual stack) or Unix-socket listeners, a
//! cap on open connections, and a check that each plaintext peer opens with
//! the HTTP/2 preface so that garbage and HTTP/1 clients are named in a
//! warning.

use std::{
    io,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    path::{Path, PathBuf},
    pin::Pin,
    sync::Arc,
    task::{ready, Context, Poll},
};

use anyhow::Context as _;
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream, UnixListener, UnixStream},
    sync::{OwnedSemaphorePermit, Semaphore},
};
use tokio_stream::Stream;
use tonic::transport::server::{Connected, TcpConnectInfo};

use super::connection_age::GraceDeadline;

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
    use tonic::transport::server::{TcpConnectInfo, TlsConnectInfo};
    extensions
        .get::<TcpConnectInfo>()
        .or_else(|| {
            extensions
                .get::<TlsConnectInfo<TcpConnectInfo>>()
                .map(TlsConnectInfo::get_ref)
        })
        .and_then(TcpConnectInfo::remote_addr)
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

/// Accepted connections, at most `max_connections` open at once; beyond
/// that a new connection is closed at once with a warning (clients see
/// UNAVAILABLE and may retry), so a flood cannot exhaust descriptors.
pub struct Incoming {
    listener: Listener,
    permits: Arc<Semaphore>,
    max_connections: usize,
    check_preface: bool,
    /// `--max-connection-age` + grace: each connection is closed this long
    /// after it was accepted (connection_age.rs).
    close_after: Option<std::time::Duration>,
}

impl Incoming {
    pub fn new(listener: Listener, max_connections: usize, check_preface: bool) -> Self {
        Self {
            listener,
            permits: Arc::new(Semaphore::new(max_connections)),
            max_connections,
            check_preface,
            close_after: None,
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
            let Ok(permit) = Arc::clone(&this.permits).try_acquire_owned() else {
                tracing::warn!(
                    peer = %peer.map_or_else(|| "unix".to_owned(), |p| p.to_string()),
                    max_connections = this.max_connections,
                    "refusing connection: too many open connections"
                );
                continue; // dropping the stream closes it
            };
            return Poll::Ready(Some(Ok(Accepted {
                stream,
                peer,
                _permit: permit,
                preface_matched: this.check_preface.then_some(0),
                deadline: this.close_after.map(GraceDeadline::after),
            })));
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
}

/// One accepted connection. Holds its slot under `--max-connections` until
/// it is closed.
pub struct Accepted {
    stream: Socket,
    peer: Option<SocketAddr>,
    _permit: OwnedSemaphorePermit,
    /// How many preface bytes matched so far; `None` once decided.
    preface_matched: Option<usize>,
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
            tracing::warn!(%peer, first_bytes = %shown, "peer sent {what}; closing the connection");
        } else if matched + n == HTTP2_PREFACE.len() {
            self.preface_matched = None;
        } else {
            self.preface_matched = Some(matched + n);
        }
    }
}

impl Connected for Accepted {
    type ConnectInfo = TcpConnectInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        let local_addr = match &self.stream {
            Socket::Tcp(stream) => stream.local_addr().ok(),
            Socket::Unix(_) => None,
        };
        TcpConnectInfo {
            local_addr,
            remote_addr: self.peer,
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
        let result = match &mut this.stream {
            Socket::Tcp(stream) => Pin::new(stream).poll_read(cx, buf),
            Socket::Unix(stream) => Pin::new(stream).poll_read(cx, buf),
        };
        if this.preface_matched.is_some() {
            if let Poll::Ready(Ok(())) = &result {
                this.check_preface(&buf.filled()[before..]);
            }
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
        match &mut self.get_mut().stream {
            Socket::Tcp(stream) => Pin::new(stream).poll_write(cx, buf),
            Socket::Unix(stream) => Pin::new(stream).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match &mut self.get_mut().stream {
            Socket::Tcp(stream) => Pin::new(stream).poll_write_vectored(cx, bufs),
            Socket::Unix(stream) => Pin::new(stream).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match &self.stream {
            Socket::Tcp(stream) => stream.is_write_vectored(),
            Socket::Unix(stream) => stream.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().stream {
            Socket::Tcp(stream) => Pin::new(stream).poll_flush(cx),
            Socket::Unix(stream) => Pin::new(stream).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().stream {
            Socket::Tcp(stream) => Pin::new(stream).poll_shutdown(cx),
            Socket::Unix(stream) => Pin::new(stream).poll_shutdown(cx),
        }
    }
}
