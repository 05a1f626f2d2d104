//! Connection guards against lockout (issue 12 item 1): one peer must not be
//! able to hold the server's connection slots with connections that do
//! nothing.
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

use std::{
    collections::HashMap,
    future::Future,
    io,
    net::IpAddr,
    pin::Pin,
    sync::{
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
        Arc, Mutex, OnceLock, PoisonError, Weak,
    },
    task::{Context, Poll},
    time::{Duration, Instant},
};

use atomic_waker::AtomicWaker;
use http::Request;
use tokio::time::Sleep;
use tonic::transport::server::TcpConnectInfo;

use super::observe::{ObserveLayer, Observer, Watch};

/// The guards' settings (from `serve`'s flags).
#[derive(Debug, Clone, Copy)]
pub struct GuardLimits {
    pub handshake_timeout: Duration,
    pub header_timeout: Duration,
    pub max_connection_idle: Option<Duration>,
    pub max_connections_per_ip: usize,
}

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
}

impl ConnState {
    fn new(peer_request_bytes: Option<Arc<AtomicUsize>>) -> Self {
        Self {
            active: AtomicUsize::new(0),
            last_active_ms: AtomicU64::new(now_ms()),
            evict: AtomicBool::new(false),
            waker: AtomicWaker::new(),
            peer_request_bytes,
        }
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

/// The connections open now: per client address, and a list to pick one to
/// close when the server is full.
#[derive(Debug, Default)]
pub struct Registry {
    inner: Mutex<RegistryInner>,
}

#[derive(Debug, Default)]
struct RegistryInner {
    /// Open connections and request bytes held, per client address.
    per_ip: HashMap<IpAddr, (usize, Arc<AtomicUsize>)>,
    conns: Vec<Weak<ConnState>>,
}

impl Registry {
    /// Registers a new connection from `ip`, unless that address has
    /// `per_ip` open already.
    pub fn admit(self: &Arc<Self>, ip: Option<IpAddr>, per_ip: usize) -> Option<Slot> {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let mut peer_request_bytes = None;
        if let Some(ip) = ip {
            let (open, bytes) = inner.per_ip.entry(ip).or_default();
            if *open >= per_ip {
                return None;
            }
            *open += 1;
            peer_request_bytes = Some(Arc::clone(bytes));
        }
        let state = Arc::new(ConnState::new(peer_request_bytes));
        if inner.conns.len() >= 64 && inner.conns.len() >= 2 * inner.per_ip.len().max(1) {
            inner.conns.retain(|conn| conn.strong_count() > 0);
        }
        inner.conns.push(Arc::downgrade(&state));
        Some(Slot {
            registry: Arc::clone(self),
            ip,
            state,
        })
    }

    /// Asks the connection idle the longest (no RPC in flight) to close;
    /// false if every connection is busy.
    pub fn evict_idlest(&self) -> bool {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.conns.retain(|conn| conn.strong_count() > 0);
        let victim = inner
            .conns
            .iter()
            .filter_map(Weak::upgrade)
            .filter(|conn| !conn.evict.load(Ordering::Relaxed))
            .filter_map(|conn| conn.idle_since_ms().map(|since| (since, conn)))
            .min_by_key(|(since, _)| *since);
        match victim {
            Some((_, conn)) => {
                conn.evict.store(true, Ordering::Release);
                conn.waker.wake();
                true
            }
            None => false,
        }
    }
}

/// A connection's place in the [`Registry`]; dropping it frees the place.
#[derive(Debug)]
pub struct Slot {
    registry: Arc<Registry>,
    ip: Option<IpAddr>,
    pub(crate) state: Arc<ConnState>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(ip) = self.ip {
            let mut inner = self
                .registry
                .inner
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if let Some((open, _)) = inner.per_ip.get_mut(&ip) {
                *open -= 1;
                if *open == 0 {
                    inner.per_ip.remove(&ip);
                }
            }
        }
    }
}

/// Why a guard closed a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closing {
    Handshake,
    Header,
    Idle,
    Evicted,
}

impl Closing {
    /// The warning's reason (rate-limited per reason and peer); idle
    /// connections are closed without one (a normal event).
    pub fn warning(self) -> Option<&'static str> {
        match self {
            Self::Handshake => Some("no HTTP/2 preface and SETTINGS within the handshake timeout"),
            Self::Header => Some("HEADERS block not finished within the header timeout"),
            Self::Idle => None,
            Self::Evicted => {
                Some("idle connection closed to make room (--max-connections reached)")
            }
        }
    }
}

/// Follows the frame boundaries of a plaintext HTTP/2 byte stream (one
/// direction): the preface, the first frame, open HEADERS blocks, the
/// highest stream id. Frame payloads are skipped, not read.
#[derive(Debug)]
pub struct FrameTracker {
    preface_left: usize,
    header: [u8; 9],
    header_len: usize,
    payload_left: usize,
    kind: u8,
    flags: u8,
    frames_done: u64,
    /// A HEADERS frame without END_HEADERS was read; its CONTINUATION
    /// frames are still to come.
    block_open: bool,
    pub max_stream_id: u32,
}

const FRAME_HEADERS: u8 = 0x1;
const FRAME_CONTINUATION: u8 = 0x9;
const FLAG_END_HEADERS: u8 = 0x4;

impl FrameTracker {
    /// `preface`: the stream starts with the 24-byte client preface.
    pub fn new(preface: bool) -> Self {
        Self {
            preface_left: if preface { 24 } else { 0 },
            header: [0; 9],
            header_len: 0,
            payload_left: 0,
            kind: 0,
            flags: 0,
            frames_done: 0,
            block_open: false,
            max_stream_id: 0,
        }
    }

    pub fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            if self.preface_left > 0 {
                let n = self.preface_left.min(bytes.len());
                self.preface_left -= n;
                bytes = &bytes[n..];
            } else if self.payload_left > 0 {
                let n = self.payload_left.min(bytes.len());
                self.payload_left -= n;
                bytes = &bytes[n..];
                if self.payload_left == 0 {
                    self.frame_done();
                }
            } else {
                let n = (9 - self.header_len).min(bytes.len());
                self.header[self.header_len..self.header_len + n].copy_from_slice(&bytes[..n]);
                self.header_len += n;
                bytes = &bytes[n..];
                if self.header_len == 9 {
                    self.header_len = 0;
                    let h = self.header;
                    self.payload_left =
                        usize::from(h[0]) << 16 | usize::from(h[1]) << 8 | usize::from(h[2]);
                    self.kind = h[3];
                    self.flags = h[4];
                    let stream = u32::from_be_bytes([h[5], h[6], h[7], h[8]]) & 0x7fff_ffff;
                    if self.kind == FRAME_HEADERS {
                        self.max_stream_id = self.max_stream_id.max(stream);
                    }
                    if self.payload_left == 0 {
                        self.frame_done();
                    }
                }
            }
        }
    }

    fn frame_done(&mut self) {
        self.frames_done += 1;
        match self.kind {
            FRAME_HEADERS | FRAME_CONTINUATION => {
                self.block_open = self.flags & FLAG_END_HEADERS == 0;
            }
            _ => {}
        }
    }

    /// The preface and the first frame (SETTINGS, or h2 refuses it) are in.
    pub fn handshake_done(&self) -> bool {
        self.frames_done > 0
    }

    /// Between two frames (where a frame of our own may be written).
    pub fn at_boundary(&self) -> bool {
        self.preface_left == 0 && self.header_len == 0 && self.payload_left == 0
    }

    /// Inside a HEADERS block, or inside a frame header or a HEADERS or
    /// CONTINUATION frame.
    pub fn in_header_block(&self) -> bool {
        self.block_open
            || self.header_len > 0
            || (self.payload_left > 0 && matches!(self.kind, FRAME_HEADERS | FRAME_CONTINUATION))
    }
}

/// A GOAWAY frame: `last_stream` processed, NO_ERROR.
pub fn goaway_frame(last_stream: u32) -> [u8; 17] {
    let mut frame = [0u8; 17];
    frame[..9].copy_from_slice(&[0, 0, 8, 0x7, 0, 0, 0, 0, 0]);
    frame[9..13].copy_from_slice(&(last_stream & 0x7fff_ffff).to_be_bytes());
    frame
}

/// The deadlines of one connection, checked as it reads.
#[derive(Debug)]
pub struct Guard {
    limits: GuardLimits,
    pub(crate) state: Arc<ConnState>,
    /// The HTTP/2 frames read and written.
    pub(crate) read: FrameTracker,
    pub(crate) written: FrameTracker,
    handshake_deadline: Option<Instant>,
    header_deadline: Option<Instant>,
    timer: Pin<Box<Sleep>>,
    /// Set once a guard fired: reads end, writes fail.
    pub(crate) closing: Option<Closing>,
}

impl Guard {
    pub fn new(limits: GuardLimits, state: Arc<ConnState>) -> Self {
        let handshake_deadline = Instant::now() + limits.handshake_timeout;
        Self {
            limits,
            state,
            read: FrameTracker::new(true),
            written: FrameTracker::new(false),
            handshake_deadline: Some(handshake_deadline),
            header_deadline: None,
            timer: Box::pin(tokio::time::sleep_until(handshake_deadline.into())),
            closing: None,
        }
    }

    /// After bytes were read: follow the frames, start or stop the header
    /// deadline, and check the deadlines that already passed.
    pub fn on_read(&mut self, bytes: &[u8]) -> Option<Closing> {
        let tracker = &mut self.read;
        tracker.feed(bytes);
        let (handshake_done, in_header) = (tracker.handshake_done(), tracker.in_header_block());
        if handshake_done && self.handshake_deadline.take().is_some() {
            // The timer was set for the handshake: the idle deadline is next.
            if let Some(idle) = self.limits.max_connection_idle {
                self.timer.as_mut().reset((Instant::now() + idle).into());
            }
        }
        match (in_header, self.header_deadline) {
            (true, None) => {
                let deadline = Instant::now() + self.limits.header_timeout;
                self.header_deadline = Some(deadline);
                if self.timer.deadline().into_std() > deadline {
                    self.timer.as_mut().reset(deadline.into());
                }
            }
            (false, Some(_)) => self.header_deadline = None,
            _ => {}
        }
        // A peer that keeps sending, slowly, still meets the deadlines.
        if self.handshake_deadline.is_some() || self.header_deadline.is_some() {
            let now = Instant::now();
            if self.handshake_deadline.is_some_and(|at| now >= at) {
                return Some(Closing::Handshake);
            }
            if self.header_deadline.is_some_and(|at| now >= at) {
                return Some(Closing::Header);
            }
        }
        None
    }

    /// While the connection waits for bytes: the eviction flag and the
    /// timer (which wakes the connection when a deadline passes).
    pub fn poll_deadlines(&mut self, cx: &mut Context<'_>) -> Option<Closing> {
        self.state.waker.register(cx.waker());
        if self.state.evict.load(Ordering::Acquire) {
            return Some(Closing::Evicted);
        }
        // Bounded: each round either returns or moves the timer forward.
        for _ in 0..4 {
            if self.timer.as_mut().poll(cx).is_pending() {
                return None;
            }
            let now = Instant::now();
            if self.handshake_deadline.is_some_and(|at| now >= at) {
                return Some(Closing::Handshake);
            }
            if self.header_deadline.is_some_and(|at| now >= at) {
                return Some(Closing::Header);
            }
            let mut next = now + Duration::from_secs(86_400);
            if let Some(idle) = self.limits.max_connection_idle {
                match self.state.idle_since_ms() {
                    Some(since) => {
                        let idle_ms = u64::try_from(idle.as_millis()).unwrap_or(u64::MAX);
                        let elapsed = now_ms().saturating_sub(since);
                        if elapsed >= idle_ms {
                            return Some(Closing::Idle);
                        }
                        next = next.min(now + Duration::from_millis(idle_ms - elapsed));
                    }
                    // Busy: look again one idle period from now.
                    None => next = next.min(now + idle),
                }
            }
            for at in [self.handshake_deadline, self.header_deadline]
                .into_iter()
                .flatten()
            {
                next = next.min(at);
            }
            self.timer.as_mut().reset(next.into());
        }
        None
    }
}

/// Counts each connection's RPCs in flight (for `--max-connection-idle`
/// and for choosing which idle connection to close when full): an RPC is
/// in flight until its response body ends or is dropped.
#[derive(Debug, Clone, Copy, Default)]
pub struct Activity;

impl Activity {
    pub fn layer() -> ObserveLayer<Self> {
        ObserveLayer(Self)
    }
}

impl Observer for Activity {
    type Watch = Option<InFlight>;

    fn start<B>(&self, request: &Request<B>) -> Self::Watch {
        ConnInfo::of(request.extensions()).map(|info| InFlight::start(&info.state))
    }
}

/// One RPC in flight; dropped when its response ends (or is abandoned).
#[derive(Debug)]
pub struct InFlight(Arc<ConnState>);

impl InFlight {
    fn start(state: &Arc<ConnState>) -> Self {
        state.active.fetch_add(1, Ordering::AcqRel);
        Self(Arc::clone(state))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.last_active_ms.store(now_ms(), Ordering::Relaxed);
        self.0.active.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Watch for Option<InFlight> {
    fn headers(&mut self, _: &mut http::HeaderMap) {}
    fn trailers(&mut self, _: &mut http::HeaderMap) {}
}

/// The error a closed connection's writes get.
pub fn closed_error() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "connection closed by a guard")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

    fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
        let len = payload.len();
        let mut out = vec![(len >> 16) as u8, (len >> 8) as u8, len as u8, kind, flags];
        out.extend_from_slice(&stream.to_be_bytes());
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn the_tracker_follows_handshake_and_header_blocks_byte_by_byte() {
        let mut stream = PREFACE.to_vec();
        stream.extend(frame(0x4, 0, 0, &[0, 3, 0, 0, 0, 100]));
        let settings_end = stream.len();
        stream.extend(frame(FRAME_HEADERS, 0, 7, b"abc"));
        let headers_end = stream.len();
        stream.extend(frame(FRAME_CONTINUATION, FLAG_END_HEADERS, 7, b"de"));
        let mut tracker = FrameTracker::new(true);
        for (at, byte) in stream.iter().enumerate() {
            tracker.feed(std::slice::from_ref(byte));
            let read = at + 1;
            assert_eq!(
                tracker.handshake_done(),
                read >= settings_end,
                "after {read}"
            );
            if read == settings_end {
                assert!(!tracker.in_header_block() && tracker.at_boundary());
            }
            if read > settings_end && read < stream.len() {
                assert!(tracker.in_header_block(), "after {read}");
            }
            if read == headers_end {
                assert!(tracker.at_boundary(), "between HEADERS and CONTINUATION");
            }
        }
        assert!(tracker.handshake_done());
        assert!(!tracker.in_header_block());
        assert!(tracker.at_boundary());
        assert_eq!(tracker.max_stream_id, 7);
    }

    #[test]
    fn goaway_frames_are_well_formed() {
        assert_eq!(
            goaway_frame(9),
            [0, 0, 8, 7, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0]
        );
    }
}
