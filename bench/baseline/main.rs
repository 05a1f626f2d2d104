//! The floor: a bare tonic server of the two services and nothing else — no
//! health, reflection, access log, auth, limits or compression. bench/compare.sh
//! runs it beside `grpc-demo serve` so the price of every feature shows as a
//! ratio. Same generated stubs and the same stream state machine.
//!
//! usage: baseline [PORT] [current|multi]   (prints `listening on ADDR`)

use std::{
    io::Write,
    pin::Pin,
    task::{Context, Poll},
};

use grpc_demo::{
    proto::{
        greet_service_server::GreetServiceServer,
        message_service_server::{MessageService, MessageServiceServer},
        MessageRequest, MessageResponse,
    },
    // GreetService has no features to strip: the same 5-line service.
    server::{session::Session, Greeter},
};
use tokio_stream::Stream;
use tonic::{transport::Server, Request, Response, Status, Streaming};

struct Messenger;

struct Replies {
    inbound: Streaming<MessageRequest>,
    session: Session,
}

impl Stream for Replies {
    type Item = Result<MessageResponse, Status>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.session.is_finished() {
            return Poll::Ready(None);
        }
        Pin::new(&mut this.inbound)
            .poll_next(cx)
            .map(|item| item.map(|result| result.map(|request| this.session.accept(&request))))
    }
}

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
        }))
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().map_or(Ok(0), |p| p.parse())?;
    let flavour = args.next().unwrap_or_else(|| "current".to_owned());
    let runtime = match flavour.as_str() {
        "current" => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?,
        _ => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?,
    };
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let mut stdout = std::io::stdout();
        writeln!(stdout, "listening on {}", listener.local_addr()?)?;
        stdout.flush()?;
        let incoming =
            tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
        Server::builder()
            .add_service(GreetServiceServer::new(Greeter))
            .add_service(MessageServiceServer::new(Messenger))
            .serve_with_incoming(incoming)
            .await?;
        Ok(())
    })
}
