//! Connection guards against lockout: one peer must not be able to hold
//! the server's connection slots with connections that do nothing.
//!
//! - A connection must send the HTTP/2 preface and its first SETTINGS frame
//!   within the handshake timeout, and finish a HEADERS block (HEADERS +
//!   CONTINUATION frames) within the header timeout once started.
//!   [`FrameTracker`] follows the frame boundaries of the bytes read, without
//!   decoding anything.
//! - A connection with no RPC in flight for `--max-connection-idle` gets a
//!   GOAWAY (NO_ERROR, as grpc-go's `MaxConnectionIdle`) and is closed.
//!   [`Activity`] counts the RPCs in flight per connection.
//! - At most `--max-connections-per-ip` connections per client address.
//! - When `--max-connections` is reached, the connection idle the longest
//!   is closed to make room before a new one is refused.
//!
//! Under TLS the guards read the decrypted bytes (the accept loop runs the
//! handshake, tls.rs, within the handshake timeout); the HTTP/2 preface
//! then gets a handshake timeout of its own.
//!
//! With `serve --web`, a connection that does not open with the HTTP/2
//! preface is served as HTTP/1 (gRPC-Web, the page): its first request
//! head must arrive within the handshake timeout (http1.rs), the caps, the
//! idle close and the unread-response close apply as they are (closing
//! without a GOAWAY); later request heads are timed by hyper (30 s).
//!
//! The pieces: registry.rs (the connections open, per address, and which to
//! close to make room), frames.rs (following HTTP/2 frame boundaries),
//! deadlines.rs (the per-connection [`Guard`]), activity.rs (RPCs in flight
//! per connection). This file holds what they share.

mod activity;
mod deadlines;
mod frames;
mod http1;
mod registry;

pub use activity::Activity;
pub use deadlines::Guard;
pub use frames::{goaway_frame, FrameTracker};
pub use registry::{Registry, Slot};

use std::{
    io,
    sync::{
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
        Arc, OnceLock,
    },
    task::{Context, Poll},
    time::{Duration, Instant},
};

use atomic_waker::AtomicWaker;
use tonic::transport::server::TcpConnectInfo;

/// The guards' settings (from `serve`'s flags).
#[derive(Debug, Clone, Copy)]
pub struct GuardLimits {
    pub handshake_timeout: Duration,
    pub header_timeout: Duration,
    pub max_connection_idle: Option<Duration>,
    pub max_connections_per_ip: usize,
    /// A connection that owes at least [`UNREAD_FLOOR`] bytes of responses
    /// and reads none of them for this long is closed.
    pub unread_response_timeout: Duration,
}

/// What a connection may owe before it counts as not reading: one
/// response in flight is no stall.
pub const UNREAD_FLOOR: usize = 1024 * 1024;

/// Milliseconds since the first call: a clock that fits an atomic.
fn now_ms() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    let epoch = *EPOCH.get_or_init(Instant::now);
    u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// What the accept loop, the connection and the RPCs share about one
/// connection.
#[derive(Debug)]
pub struct ConnState {
    /// RPCs in flight.
    active: AtomicUsize,
    /// When the last RPC ended (or the connection was opened), [`now_ms`].
    last_active_ms: AtomicU64,
    /// Set by the accept loop to make room: the connection closes itself.
    evict: AtomicBool,
    waker: AtomicWaker,
    /// Request bytes held for this client address, over all its
    /// connections (request_budget.rs); `None` for a Unix socket.
    pub(crate) peer_request_bytes: Option<Arc<AtomicUsize>>,
    /// Response bytes owed to this client address, over all its
    /// connections (response_budget.rs); `None` for a Unix socket.
    pub(crate) peer_response_bytes: Option<Arc<AtomicUsize>>,
    /// Response bytes this connection owes: handed to HTTP/2, not yet
    /// taken by the peer's flow-control window.
    pub(crate) owed: AtomicUsize,
    /// When the peer last took response bytes (or started owing), [`now_ms`].
    last_progress_ms: AtomicU64,
}

/// Per client address: request bytes held and response bytes owed.
#[derive(Debug, Default)]
pub(crate) struct PeerBytes {
    pub(crate) requests: Arc<AtomicUsize>,
    pub(crate) responses: Arc<AtomicUsize>,
}

impl ConnState {
    fn new(peer: Option<&PeerBytes>) -> Self {
        Self {
            active: AtomicUsize::new(0),
            last_active_ms: AtomicU64::new(now_ms()),
            evict: AtomicBool::new(false),
            waker: AtomicWaker::new(),
            peer_request_bytes: peer.map(|peer| Arc::clone(&peer.requests)),
            peer_response_bytes: peer.map(|peer| Arc::clone(&peer.responses)),
            owed: AtomicUsize::new(0),
            last_progress_ms: AtomicU64::new(now_ms()),
        }
    }

    /// `bytes` more owed; wakes the connection's guard when that makes it
    /// owe [`UNREAD_FLOOR`] (its unread deadline starts).
    pub(crate) fn owe(&self, bytes: usize) {
        let before = self.owed.fetch_add(bytes, Ordering::AcqRel);
        if before < UNREAD_FLOOR && before + bytes >= UNREAD_FLOOR {
            self.last_progress_ms.store(now_ms(), Ordering::Relaxed);
            self.waker.wake();
        }
    }

    /// `bytes` the peer took (or that are no longer owed). The clock is
    /// read only for a connection at the floor, where progress counts.
    pub(crate) fn paid(&self, bytes: usize) {
        let before = self.owed.fetch_sub(bytes, Ordering::AcqRel);
        if before >= UNREAD_FLOOR {
            self.last_progress_ms.store(now_ms(), Ordering::Relaxed);
        }
    }

    /// Since when (ms) the connection has owed [`UNREAD_FLOOR`] or more
    /// without the peer taking any of it; `None` if it owes less.
    fn unread_since_ms(&self) -> Option<u64> {
        (self.owed.load(Ordering::Acquire) >= UNREAD_FLOOR)
            .then(|| self.last_progress_ms.load(Ordering::Relaxed))
    }

    /// Ready once the accept loop asked this connection to close to make
    /// room (for a connection still in its TLS handshake, which has no
    /// [`Guard`] yet).
    pub(crate) fn poll_evicted(&self, cx: &mut Context<'_>) -> Poll<()> {
        self.waker.register(cx.waker());
        if self.evict.load(Ordering::Acquire) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }

    /// Idle since (ms), or `None` while an RPC is in flight.
    fn idle_since_ms(&self) -> Option<u64> {
        (self.active.load(Ordering::Acquire) == 0)
            .then(|| self.last_active_ms.load(Ordering::Relaxed))
    }
}

/// The connect info tonic puts in every request's extensions: the TCP
/// addresses and the connection's shared state.
#[derive(Debug, Clone)]
pub struct ConnInfo {
    pub tcp: TcpConnectInfo,
    pub(crate) state: Arc<ConnState>,
}

impl ConnInfo {
    /// The connection info of a request, with or without TLS (terminated
    /// by the accept loop, so tonic sees no TLS).
    pub fn of(extensions: &http::Extensions) -> Option<&Self> {
        extensions.get::<Self>()
    }
}

/// Why a guard closed a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closing {
    Handshake,
    Header,
    Idle,
    Evicted,
    /// Owed responses unread past `--unread-response-timeout`.
    Unread,
}

impl Closing {
    /// The warning's reason (rate-limited per reason and peer); idle
    /// connections are closed without one (a normal event).
    pub fn warning(self) -> Option<&'static str> {
        match self {
            // (With --web, for an HTTP/1 peer: no request head in time.)
            Self::Handshake => Some("no HTTP/2 preface and SETTINGS within the handshake timeout"),
            Self::Header => Some("HEADERS block not finished within the header timeout"),
            Self::Idle => None,
            Self::Evicted => {
                Some("idle connection closed to make room (--max-connections reached)")
            }
            Self::Unread => {
                Some("responses unread past --unread-response-timeout (zero receive window)")
            }
        }
    }
}

/// The error a closed connection's writes get.
pub fn closed_error() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "connection closed by a guard")
}
