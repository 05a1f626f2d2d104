//! MessageService: the tutorial's bidirectional stream, driven by [`Session`].

use std::{
    net::SocketAddr,
    pin::Pin,
    task::{Context, Poll, Waker},
    time::Duration,
};

use tokio::time::{Instant, Sleep};
use tokio_stream::Stream;
use tonic::{Request, Response, Status, Streaming};

use super::{
    idle::{Expired, IdleTimer},
    session::Session,
};
use crate::logging::peer_text;
use crate::proto::{message_service_server::MessageService, MessageRequest, MessageResponse};

/// Looked up as a ready header name: no parsing per stream.
const GRPC_TIMEOUT: http::HeaderName = http::HeaderName::from_static("grpc-timeout");

#[derive(Debug, Clone)]
pub struct Messenger {
    /// A stream that sends nothing for this long is ended.
    idle_timeout: Duration,
}

impl Messenger {
    pub fn new(idle_timeout: Duration) -> Self {
        Self { idle_timeout }
    }
}

#[tonic::async_trait]
impl MessageService for Messenger {
    type iter_messageStream = Replies;

    async fn iter_message(
        &self,
        request: Request<Streaming<MessageRequest>>,
    ) -> Result<Response<Self::iter_messageStream>, Status> {
        // Kept as the address, written out only if a warning needs it.
        let peer = crate::server::transport::connection::peer_addr(request.extensions());
        // The deadline is kept on the idle timer: one timer per stream.
        let deadline = grpc_timeout(request.metadata()).map(|timeout| Instant::now() + timeout);
        Ok(Response::new(Replies {
            inbound: request.into_inner(),
            session: Session::new(),
            done: false,
            idle: IdleTimer::new(self.idle_timeout).with_deadline(deadline),
            timers_wake: None,
            peer,
        }))
    }
}

/// The response stream: one reply per request, pulled on demand, so a client
/// that stops reading also stops the server reading (backpressure) and no
/// task or channel is needed per stream. Ends after END (the rest of the
/// client's messages are not read), on the client's half-close, after an
/// inbound error, when the client's deadline passes, or when the client has
/// sent nothing for the idle timeout (both kept by [`IdleTimer`]).
pub struct Replies {
    inbound: Streaming<MessageRequest>,
    session: Session,
    done: bool,
    idle: IdleTimer,
    /// The waker the timer was last polled with. While it is still ours
    /// and the timer has not elapsed, it need not be polled again
    /// (BENCHMARKS.md, "stream timers polled again only when …").
    timers_wake: Option<Waker>,
    peer: Option<SocketAddr>,
}

impl Replies {
    fn end(&mut self, status: Status) -> Poll<Option<Result<MessageResponse, Status>>> {
        self.done = true;
        Poll::Ready(Some(Err(status)))
    }
}

impl Stream for Replies {
    type Item = Result<MessageResponse, Status>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inbound).poll_next(cx) {
            Poll::Ready(None) => {
                this.done = true;
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(status))) => this.end(status),
            Poll::Ready(Some(Ok(request))) => {
                let reply = this.session.accept(&request);
                this.done = this.session.is_finished();
                this.idle.touch();
                Poll::Ready(Some(Ok(reply)))
            }
            Poll::Pending => {
                let armed = this
                    .timers_wake
                    .as_ref()
                    .is_some_and(|waker| waker.will_wake(cx.waker()));
                if armed && !this.idle.is_elapsed() {
                    return Poll::Pending;
                }
                match this.idle.poll_idle(cx) {
                    Poll::Ready(Expired::Deadline) => {
                        tracing::info!(peer = %peer_text(this.peer), "stream passed its deadline, ending it");
                        return this.end(Status::deadline_exceeded("deadline exceeded"));
                    }
                    Poll::Ready(Expired::Idle) => {
                        let idle = humantime::format_duration(this.idle.timeout());
                        tracing::warn!(peer = %peer_text(this.peer), %idle, "stream sent nothing for the idle timeout, ending it");
                        return this.end(Status::deadline_exceeded(format!(
                            "no message for {idle} (--idle-stream-timeout)"
                        )));
                    }
                    Poll::Pending => {}
                }
                if !armed {
                    this.timers_wake = Some(cx.waker().clone());
                }
                Poll::Pending
            }
        }
    }
}

/// The timer of a stream's `grpc-timeout`, if the client sent one. (tonic
/// applies it only until the response headers; a stream enforces it itself,
/// for its whole life.)
pub fn stream_deadline(metadata: &tonic::metadata::MetadataMap) -> Option<Pin<Box<Sleep>>> {
    grpc_timeout(metadata).map(|timeout| Box::pin(tokio::time::sleep(timeout)))
}

/// The client's `grpc-timeout`, if it sent one that parses.
pub fn grpc_timeout(metadata: &tonic::metadata::MetadataMap) -> Option<Duration> {
    metadata
        .as_ref()
        .get(GRPC_TIMEOUT)
        .and_then(|value| value.to_str().ok())
        .and_then(parse_grpc_timeout)
}

/// Parses a `grpc-timeout` header value: up to 8 digits and a unit
/// (H, M, S, m, u, n), per the gRPC over HTTP/2 spec.
pub fn parse_grpc_timeout(value: &str) -> Option<Duration> {
    if value.len() < 2 || value.len() > 9 {
        return None;
    }
    let (digits, unit) = value.split_at(value.len() - 1);
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let amount: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(amount * 3600),
        "M" => Duration::from_secs(amount * 60),
        "S" => Duration::from_secs(amount),
        "m" => Duration::from_millis(amount),
        "u" => Duration::from_micros(amount),
        "n" => Duration::from_nanos(amount),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_timeouts_parse_in_every_unit() {
        assert_eq!(parse_grpc_timeout("2H"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_grpc_timeout("3M"), Some(Duration::from_secs(180)));
        assert_eq!(parse_grpc_timeout("10S"), Some(Duration::from_secs(10)));
        assert_eq!(parse_grpc_timeout("300m"), Some(Duration::from_millis(300)));
        assert_eq!(
            parse_grpc_timeout("99999999u"),
            Some(Duration::from_micros(99_999_999))
        );
        assert_eq!(parse_grpc_timeout("5n"), Some(Duration::from_nanos(5)));
    }

    #[test]
    fn malformed_grpc_timeouts_are_ignored() {
        for value in ["", "S", "10", "10s", "123456789S", "-1S", "1.5S", "1 S"] {
            assert_eq!(parse_grpc_timeout(value), None, "{value:?}");
        }
    }
}
