//! MessageService: the tutorial's bidirectional stream, driven by [`Session`].

use std::{
    pin::Pin,
    task::{Context, Poll},
};

use tokio_stream::Stream;
use tonic::{Request, Response, Status, Streaming};

use super::session::Session;
use crate::proto::{message_service_server::MessageService, MessageRequest, MessageResponse};

#[derive(Debug, Default, Clone)]
pub struct Messenger;

#[tonic::async_trait]
impl MessageService for Messenger {
    type iter_messageStream = Replies;

    async fn iter_message(
        &self,
        request: Request<Streaming<MessageRequest>>,
    ) -> Result<Response<Self::iter_messageStream>, Status> {
        Ok(Response::new(Replies {
            inbound: request.into_inner(),
            session: Session::new(),
            done: false,
        }))
    }
}

/// The response stream: one reply per request, pulled on demand, so a client
/// that stops reading also stops the server reading (backpressure) and no
/// task or channel is needed per stream. Ends after END (the rest of the
/// client's messages are not read), on the client's half-close, or after
/// passing on an inbound error.
pub struct Replies {
    inbound: Streaming<MessageRequest>,
    session: Session,
    done: bool,
}

impl Stream for Replies {
    type Item = Result<MessageResponse, Status>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        let this = &mut *self;
        match Pin::new(&mut this.inbound).poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => {
                this.done = true;
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(status))) => {
                this.done = true;
                Poll::Ready(Some(Err(status)))
            }
            Poll::Ready(Some(Ok(request))) => {
                let reply = this.session.accept(&request);
                this.done = this.session.is_finished();
                Poll::Ready(Some(Ok(reply)))
            }
        }
    }
}
