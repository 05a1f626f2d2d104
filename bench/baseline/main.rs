//! The floor: a bare tonic server of the four services and nothing else — no
//! health, reflection, access log, auth, limits, compression or stream
//! deadlines/idle timers. bench/compare.sh runs it beside `grpc-demo serve`
//! so the price of every feature shows as a ratio. Same generated stubs, the
//! same bidi state machine, price walk and summary as grpc-demo; the two
//! streaming services are written the way tonic's examples teach (a spawned
//! task feeding an mpsc channel; a `while let` over the inbound stream).
//!
//! usage: baseline [PORT] [current|multi]   (prints `listening on ADDR`)

use std::{
    io::Write,
    pin::Pin,
    task::{Context, Poll},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use grpc_demo::{
    proto::{
        greet_service_server::GreetServiceServer,
        message_service_server::{MessageService, MessageServiceServer},
        report_service_server::{ReportService, ReportServiceServer},
        stock_service_server::{StockService, StockServiceServer},
        MessageRequest, MessageResponse, Quote, Reading, Summary, WatchRequest,
    },
    // GreetService has no features to strip: the same 5-line service.
    server::service::{
        greet::Greeter,
        report::Tally,
        session::Session,
        stock::{normalise_symbol, PriceWalk},
    },
};
use tokio::sync::mpsc;
use tokio_stream::{wrappers::ReceiverStream, Stream};
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

struct Stocks;

#[tonic::async_trait]
impl StockService for Stocks {
    type watchStream = ReceiverStream<Result<Quote, Status>>;

    async fn watch(
        &self,
        request: Request<WatchRequest>,
    ) -> Result<Response<Self::watchStream>, Status> {
        let request = request.into_inner();
        let symbol = normalise_symbol(&request.symbol)?;
        let (tx, rx) = mpsc::channel(4);
        tokio::spawn(async move {
            let mut walk = PriceWalk::new(&symbol);
            let mut ticks = (request.interval_ms > 0).then(|| {
                let mut ticks =
                    tokio::time::interval(Duration::from_millis(request.interval_ms.into()));
                ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                ticks
            });
            let count = u64::from(request.count);
            let mut seq = 0;
            while count == 0 || seq < count {
                if let Some(ticks) = ticks.as_mut() {
                    ticks.tick().await;
                }
                seq += 1;
                let quote = Quote {
                    symbol: symbol.clone(),
                    seq,
                    price: walk.next_price(),
                    time_unix_ms: SystemTime::now()
                        .duration_since(UNIX_EPOCH)
                        .map_or(0, |since| since.as_millis() as i64),
                };
                // The receiver is gone: the client cancelled.
                if tx.send(Ok(quote)).await.is_err() {
                    break;
                }
            }
        });
        Ok(Response::new(ReceiverStream::new(rx)))
    }
}

struct Reporter;

#[tonic::async_trait]
impl ReportService for Reporter {
    async fn report(
        &self,
        request: Request<Streaming<Reading>>,
    ) -> Result<Response<Summary>, Status> {
        let mut inbound = request.into_inner();
        let mut tally = Tally::default();
        while let Some(reading) = inbound.message().await? {
            tally.add(&reading)?;
        }
        Ok(Response::new(tally.summary()))
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
            .add_service(StockServiceServer::new(Stocks))
            .add_service(ReportServiceServer::new(Reporter))
            .serve_with_incoming(incoming)
            .await?;
        Ok(())
    })
}
