//! One accepted connection: the socket (TCP or Unix, with or without TLS)
//! under the connection guards, with a check that the peer opens with the
//! HTTP/2 preface so that garbage and HTTP/1 clients are named in a
//! warning (with `serve --web`, served as HTTP/1 instead), and the GOAWAY
//! the idle guard sends before closing it.

use std::{
    io,
    net::SocketAddr,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpStream, UnixStream},
    sync::OwnedSemaphorePermit,
};
use tonic::transport::server::{Connected, TcpConnectInfo};

use super::conn_guard::{self, Closing, ConnInfo, Guard, Slot};
use super::connection_age::GraceDeadline;
use super::tls::TlsStream;

/// The bytes every HTTP/2 client sends first (RFC 9113 §3.4).
const HTTP2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// The client's address, over TCP with or without TLS; `None` for a Unix
/// socket.
pub(crate) fn peer_addr(extensions: &http::Extensions) -> Option<SocketAddr> {
    ConnInfo::of(extensions).and_then(|info| info.tcp.remote_addr())
}

pub(super) enum Socket {
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
    pub(super) stream: Socket,
    pub(super) peer: Option<SocketAddr>,
    pub(super) _permit: OwnedSemaphorePermit,
    /// How many preface bytes matched so far; `None` once decided.
    pub(super) preface_matched: Option<usize>,
    /// `serve --web`: a peer that is not HTTP/2 is served as HTTP/1.
    pub(super) accept_http1: bool,
    pub(super) guard: Guard,
    pub(super) slot: Slot,
    /// A GOAWAY being written by the idle guard, and how much is written.
    pub(super) goaway: Option<([u8; 17], usize)>,
    /// When the connection is closed whatever it is doing.
    pub(super) deadline: Option<GraceDeadline>,
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
            if self.accept_http1 {
                // hyper reads it as HTTP/1 (and answers 400 to garbage);
                // the guards follow request heads instead of frames.
                self.guard.speaks_http1(&HTTP2_PREFACE[..matched]);
                return;
            }
            let shown: String = read
                .iter()
                .take(24)
                .flat_map(|b| std::ascii::escape_default(*b))
                .map(char::from)
                .collect();
            let peer = crate::logging::peer_text(self.peer);
            let what = if read.starts_with(b"GET ")
                || read.starts_with(b"POST ")
                || read.windows(8).any(|w| w == b"HTTP/1.1")
            {
                "an HTTP/1 request"
            } else {
                "bytes that are not HTTP/2"
            };
            if crate::logging::warn_limit::admit(what, self.peer.map(|p| p.ip())) {
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
                if crate::logging::warn_limit::admit(reason, self.peer.map(|p| p.ip())) {
                    let peer = crate::logging::peer_text(self.peer);
                    tracing::warn!(%peer, "closing connection: {reason}");
                }
            }
            if matches!(why, Closing::Idle | Closing::Evicted | Closing::Unread)
                && !self.guard.is_http1()
                && self.guard.written.at_boundary()
            {
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
                    peer = %crate::logging::peer_text(this.peer),
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
