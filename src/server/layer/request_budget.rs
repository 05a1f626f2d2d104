//! A bound on the memory peers can pin with request bytes (SECURITY.md).
//!
//! tonic's decoder reserves the length a message *announces* as soon as its
//! 5-byte prefix arrives (codec/decode.rs, `buf.reserve(len)`), and keeps
//! that buffer for the life of the stream. So 2,048 streams announcing
//! 4 MiB each reserved 8 GiB before a byte of them arrived, and streams that
//! send 1 MiB and then wait pin 1 MiB each.
//!
//! [`RequestBudgetLayer`] sits in front of tonic and holds each message's
//! bytes back (as the `Bytes` chunks h2 handed over, no copy) until the whole
//! message is in; only then does tonic see the prefix and reserve, for bytes
//! that are already here. Each stream is charged what it holds back plus
//! the largest message it has passed on (the capacity tonic's buffer keeps)
//! against one budget for all connections, of which one client address may
//! use a quarter (so that one host cannot spend it all); the stream whose
//! bytes would exceed either fails with RESOURCE_EXHAUSTED, as does every
//! new stream that sends data while it is spent. The charge is returned when
//! the request body is dropped, that is when the RPC ends.
//!
//! A message announced over `--max-message-size` is passed on at once, so
//! tonic refuses it as before.

use std::{
    collections::VecDeque,
    pin::Pin,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    task::{Context, Poll},
};

use bytes::{Buf, Bytes};
use http::Request;
use http_body::{Body, Frame, SizeHint};
use tonic::Status;

use crate::framing::{self, PrefixReader};

/// The gRPC message prefix: compression flag and a 4-byte length.
const PREFIX: usize = framing::PREFIX_LEN;

/// Bytes charged by all streams now, against `limit`; each client address
/// against `per_peer_limit`.
#[derive(Debug)]
pub struct Budget {
    limit: usize,
    per_peer_limit: usize,
    used: AtomicUsize,
}

/// Adds `bytes` to `counter` unless that passes `limit`.
fn add_within(counter: &AtomicUsize, bytes: usize, limit: usize) -> bool {
    let mut used = counter.load(Ordering::Relaxed);
    loop {
        let Some(next) = used.checked_add(bytes).filter(|next| *next <= limit) else {
            return false;
        };
        match counter.compare_exchange_weak(used, next, Ordering::AcqRel, Ordering::Relaxed) {
            Ok(_) => return true,
            Err(now) => used = now,
        }
    }
}

impl Budget {
    pub fn new(limit: usize, per_peer_limit: usize) -> Arc<Self> {
        Arc::new(Self {
            limit,
            per_peer_limit,
            used: AtomicUsize::new(0),
        })
    }

    /// Charges `bytes` more; false (and nothing charged) past a limit.
    fn charge(&self, bytes: usize, peer: Option<&AtomicUsize>) -> bool {
        if let Some(peer) = peer {
            if !add_within(peer, bytes, self.per_peer_limit) {
                return false;
            }
        }
        if !add_within(&self.used, bytes, self.limit) {
            if let Some(peer) = peer {
                peer.fetch_sub(bytes, Ordering::AcqRel);
            }
            return false;
        }
        true
    }

    fn release(&self, bytes: usize, peer: Option<&AtomicUsize>) {
        if let Some(peer) = peer {
            peer.fetch_sub(bytes, Ordering::AcqRel);
        }
        self.used.fetch_sub(bytes, Ordering::AcqRel);
    }

    #[cfg(test)]
    fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }
}

#[derive(Debug, Clone)]
pub struct RequestBudgetLayer {
    budget: Arc<Budget>,
    max_message_size: usize,
}

impl RequestBudgetLayer {
    /// `limit`, and its quarter for one client address, are raised to
    /// `max_message_size` if lower: one message of the largest size allowed
    /// must fit.
    pub fn new(limit: usize, max_message_size: usize) -> Self {
        let one_message = max_message_size.saturating_add(PREFIX);
        Self {
            budget: Budget::new(limit.max(one_message), (limit / 4).max(one_message)),
            max_message_size,
        }
    }
}

impl<S> tower::Layer<S> for RequestBudgetLayer {
    type Service = RequestBudget<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestBudget {
            inner,
            layer: self.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct RequestBudget<S> {
    inner: S,
    layer: RequestBudgetLayer,
}

impl<S> tower::Service<Request<tonic::body::Body>> for RequestBudget<S>
where
    S: tower::Service<Request<tonic::body::Body>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<tonic::body::Body>) -> Self::Future {
        let budget = Arc::clone(&self.layer.budget);
        let max = self.layer.max_message_size;
        let peer = crate::server::transport::conn_guard::ConnInfo::of(request.extensions())
            .and_then(|info| info.state.peer_request_bytes.clone());
        self.inner.call(request.map(|body| {
            let mut held = HeldBody::new(body, budget, max);
            held.peer = peer;
            tonic::body::Body::new(held)
        }))
    }
}

/// A request body whose messages are passed on whole.
pub struct HeldBody {
    inner: tonic::body::Body,
    budget: Arc<Budget>,
    /// This client address's share of the budget.
    peer: Option<Arc<AtomicUsize>>,
    max_message_size: usize,
    /// The prefix of the next message, as far as it has arrived.
    prefix: PrefixReader,
    /// Body bytes of the current message still to come.
    remaining: usize,
    /// The current message's chunks (prefix included), held back.
    held: Vec<Bytes>,
    held_bytes: usize,
    /// Pass everything on as it comes (after an over-limit prefix).
    passthrough: bool,
    /// Whole messages, ready for tonic.
    ready: VecDeque<Bytes>,
    /// The largest message passed on.
    high_water: usize,
    /// What this stream has charged to the budget.
    charged: usize,
    /// The inner body ended (its trailers, if any, are kept here).
    ended: Option<Option<Frame<Bytes>>>,
}

impl HeldBody {
    fn new(inner: tonic::body::Body, budget: Arc<Budget>, max_message_size: usize) -> Self {
        Self {
            inner,
            budget,
            peer: None,
            max_message_size,
            prefix: PrefixReader::default(),
            remaining: 0,
            held: Vec::new(),
            held_bytes: 0,
            passthrough: false,
            ready: VecDeque::new(),
            high_water: 0,
            charged: 0,
            ended: None,
        }
    }

    /// Splits `data` at message boundaries: runs of whole messages go to
    /// `ready` as one chunk each, the start of an unfinished message to
    /// `held`.
    fn take(&mut self, mut data: Bytes) {
        while data.has_remaining() {
            if self.passthrough {
                self.ready.push_back(data);
                return;
            }
            if self.remaining == 0 && !self.prefix.is_partial() {
                // Between messages: pass on every whole message that is here
                // in one piece (one chunk, not one per message: tonic's
                // decoder pays per chunk).
                let (run, largest) = self.whole_run(&data);
                if run > 0 {
                    self.high_water = self.high_water.max(largest);
                    self.ready.push_back(data.split_to(run));
                    continue;
                }
            }
            if self.remaining == 0 {
                let (n, len) = self.prefix.fill(&data);
                self.hold(data.split_to(n));
                let Some(len) = len else {
                    return;
                };
                let len = len as usize;
                if len > self.max_message_size {
                    // tonic refuses it from the prefix alone.
                    self.passthrough = true;
                    self.release_held();
                    continue;
                }
                self.remaining = len;
                if len == 0 {
                    self.message_done();
                }
                continue;
            }
            let n = self.remaining.min(data.len());
            self.hold(data.split_to(n));
            self.remaining -= n;
            if self.remaining == 0 {
                self.message_done();
            }
        }
    }

    /// The whole messages at the start of `data` (each within the size
    /// limit): their length in bytes and the size of the largest (prefix
    /// included).
    fn whole_run(&self, data: &[u8]) -> (usize, usize) {
        let (mut at, mut largest) = (0usize, 0usize);
        // Bounded: each round moves past at least one prefix.
        while let Some(len) = data.get(at..).and_then(framing::peek_len) {
            let len = len as usize;
            let end = match at.checked_add(PREFIX + len) {
                Some(end) if len <= self.max_message_size && end <= data.len() => end,
                _ => break,
            };
            largest = largest.max(PREFIX + len);
            at = end;
        }
        (at, largest)
    }

    /// When nothing is held and `data` is whole messages, each within the
    /// size limit: the size of the largest (prefix included).
    fn whole_messages(&self, data: &[u8]) -> Option<usize> {
        if self.passthrough || self.prefix.is_partial() || self.remaining > 0 || data.is_empty() {
            return None;
        }
        let (run, largest) = self.whole_run(data);
        (run == data.len()).then_some(largest)
    }

    fn hold(&mut self, chunk: Bytes) {
        self.held_bytes += chunk.len();
        self.held.push(chunk);
    }

    fn message_done(&mut self) {
        self.high_water = self.high_water.max(self.held_bytes);
        self.release_held();
    }

    fn release_held(&mut self) {
        self.ready.extend(self.held.drain(..));
        self.held_bytes = 0;
    }

    /// Brings the charge to what is held now; false if over budget.
    fn settle(&mut self) -> bool {
        let owed = self.high_water + self.held_bytes;
        if owed == self.charged {
            // The common case once a stream's largest message is known.
            return true;
        }
        if owed > self.charged {
            if !self
                .budget
                .charge(owed - self.charged, self.peer.as_deref())
            {
                return false;
            }
        } else {
            self.budget
                .release(self.charged - owed, self.peer.as_deref());
        }
        self.charged = owed;
        true
    }
}

impl Drop for HeldBody {
    fn drop(&mut self) {
        self.budget.release(self.charged, self.peer.as_deref());
    }
}

impl Body for HeldBody {
    type Data = Bytes;
    type Error = Status;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        // Bounded: each round passes a chunk on, takes a frame, or returns.
        loop {
            if let Some(chunk) = this.ready.pop_front() {
                return Poll::Ready(Some(Ok(Frame::data(chunk))));
            }
            if let Some(end) = &mut this.ended {
                return Poll::Ready(end.take().map(Ok));
            }
            match Pin::new(&mut this.inner).poll_frame(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Err(err))) => {
                    return Poll::Ready(Some(Err(crate::status::client_went_away(err))))
                }
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) => {
                        // The common case, a frame of whole messages with
                        // nothing held, is passed on as it is.
                        let whole = this.whole_messages(&data);
                        let data = match whole {
                            Some(largest) => {
                                this.high_water = this.high_water.max(largest);
                                Some(data)
                            }
                            None => {
                                this.take(data);
                                None
                            }
                        };
                        if !this.settle() {
                            this.held.clear();
                            this.ready.clear();
                            this.ended = Some(None);
                            return Poll::Ready(Some(Err(Status::resource_exhausted(
                                "the server's buffer for request messages is full; retry later",
                            ))));
                        }
                        if let Some(data) = data {
                            return Poll::Ready(Some(Ok(Frame::data(data))));
                        }
                    }
                    Err(trailers) => {
                        // A message cut short is passed on for tonic to refuse.
                        this.release_held();
                        this.ended = Some(Some(trailers));
                    }
                },
                Poll::Ready(None) => {
                    this.release_held();
                    this.ended = Some(None);
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.ready.is_empty()
            && self.held.is_empty()
            && (matches!(self.ended, Some(None))
                || (self.ended.is_none() && self.inner.is_end_stream()))
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(len: usize) -> Vec<u8> {
        let mut out = vec![0];
        out.extend_from_slice(&(len as u32).to_be_bytes());
        out.extend(std::iter::repeat_n(b'x', len));
        out
    }

    fn body(budget: &Arc<Budget>) -> HeldBody {
        HeldBody::new(tonic::body::Body::empty(), Arc::clone(budget), 1000)
    }

    fn ready_bytes(body: &mut HeldBody) -> usize {
        body.ready.drain(..).map(|chunk| chunk.len()).sum()
    }

    #[test]
    fn a_run_of_whole_messages_is_passed_on_as_one_chunk() {
        let budget = Budget::new(10_000, 10_000);
        let mut held = body(&budget);
        // Something held first, so the frame is not passed on as it is.
        held.take(Bytes::from(message(4)[..3].to_vec()));
        let mut frame = message(4)[3..].to_vec();
        for _ in 0..3 {
            frame.extend(message(20));
        }
        frame.extend(&message(50)[..10]);
        held.take(Bytes::from(frame));
        assert!(held.settle());
        let chunks: Vec<usize> = held.ready.iter().map(Bytes::len).collect();
        // The finished message (as it arrived: 3 + 2 prefix bytes + 4), then the three whole ones
        // as one chunk; the unfinished one is held.
        assert_eq!(chunks, vec![3, 2, 4, 75], "{chunks:?}");
        assert_eq!(held.held_bytes, 10);
    }

    #[test]
    fn messages_are_passed_on_whole_whatever_the_chunks() {
        let budget = Budget::new(10_000, 10_000);
        let mut held = body(&budget);
        let mut stream = message(10);
        stream.extend(message(0));
        stream.extend(message(300));
        // One byte at a time: nothing passes until a message is complete.
        let mut passed = Vec::new();
        for byte in stream {
            held.take(Bytes::copy_from_slice(&[byte]));
            assert!(held.settle());
            passed.push(ready_bytes(&mut held));
        }
        // (end of the message, its size) for each byte that completed one
        let passed: Vec<(usize, usize)> = passed
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(at, n)| (at + 1, *n))
            .collect();
        assert_eq!(passed, [(15, 15), (20, 5), (325, 305)]);
        assert_eq!(budget.used(), 305, "the largest message stays charged");
        drop(held);
        assert_eq!(budget.used(), 0);
    }

    #[test]
    fn an_announced_length_reserves_nothing_and_over_budget_fails() {
        let budget = Budget::new(1000, 1000);
        let mut first = body(&budget);
        first.take(Bytes::from(message(900)[..5].to_vec()));
        assert!(first.settle());
        assert_eq!(budget.used(), 5, "only what arrived is charged");
        first.take(Bytes::from(vec![b'x'; 600]));
        assert!(first.settle());
        let mut second = body(&budget);
        second.take(Bytes::from(message(900)[..405].to_vec()));
        assert!(!second.settle(), "over the budget");
        drop(first);
        assert!(second.settle());
    }

    #[test]
    fn frames_of_whole_messages_are_recognised() {
        let budget = Budget::new(10_000, 10_000);
        let held = body(&budget);
        let mut two = message(3);
        two.extend(message(10));
        assert_eq!(held.whole_messages(&two), Some(15));
        assert_eq!(held.whole_messages(&message(0)), Some(5));
        assert_eq!(held.whole_messages(&two[..7]), None, "cut short");
        assert_eq!(held.whole_messages(&message(2000)), None, "over the limit");
        assert_eq!(held.whole_messages(&[]), None);
    }

    #[test]
    fn an_over_limit_prefix_passes_at_once() {
        let budget = Budget::new(10_000, 10_000);
        let mut held = body(&budget);
        held.take(Bytes::from(message(5000)[..5].to_vec()));
        assert_eq!(ready_bytes(&mut held), 5);
        held.take(Bytes::from_static(b"yyy"));
        assert_eq!(ready_bytes(&mut held), 3);
    }

    #[test]
    fn one_peer_gets_a_share_of_the_budget() {
        let budget = Budget::new(1000, 250);
        let attacker = Arc::new(AtomicUsize::new(0));
        let mut first = body(&budget);
        first.peer = Some(Arc::clone(&attacker));
        first.take(Bytes::from(message(900)[..250].to_vec()));
        assert!(first.settle());
        let mut second = body(&budget);
        second.peer = Some(Arc::clone(&attacker));
        second.take(Bytes::from(message(900)[..10].to_vec()));
        assert!(!second.settle(), "over the peer's share");
        let mut other = body(&budget);
        other.peer = Some(Arc::new(AtomicUsize::new(0)));
        other.take(Bytes::from(message(900)[..200].to_vec()));
        assert!(other.settle(), "another peer still has room");
        drop((first, second, other));
        assert_eq!(budget.used(), 0);
        assert_eq!(attacker.load(Ordering::Relaxed), 0);
    }
}
