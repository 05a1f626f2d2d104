//! Protocol details, in-process: a server on 127.0.0.1:0 and tonic clients.

mod common;

use std::{net::SocketAddr, time::Duration};

use grpc_demo::{
    proto::{
        greet_service_client::GreetServiceClient,
        greet_service_server::{GreetService, GreetServiceServer},
        message_service_client::MessageServiceClient,
        HelloRequest, HelloResponse, MessageRequest, MessageResponse, MsgType,
    },
    server::{self, ServeConfig},
};
use tokio::{sync::oneshot, task::JoinHandle};
use tokio_stream::StreamExt;
use tonic::{codec::CompressionEncoding, transport::Channel, Code, Request, Response, Status};
use tonic_health::pb::{
    health_check_response::ServingStatus, health_client::HealthClient, HealthCheckRequest,
};

struct TestServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<anyhow::Result<()>>,
}

impl TestServer {
    async fn start(config: ServeConfig) -> Self {
        let listener = server::bind("127.0.0.1".parse().expect("ip"), 0).expect("bind");
        let addr = listener.local_addr().expect("a TCP listener");
        let (shutdown, shutdown_rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            server::serve(listener, &config, async {
                let _ = shutdown_rx.await;
            })
            .await
        });
        Self {
            addr,
            shutdown: Some(shutdown),
            task,
        }
    }

    async fn channel(&self) -> Channel {
        Channel::from_shared(format!("http://{}", self.addr))
            .expect("uri")
            .connect()
            .await
            .expect("connect")
    }

    fn begin_shutdown(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

fn msg(msg_type: MsgType, msg_index: i32) -> MessageRequest {
    MessageRequest {
        msg_type: msg_type as i32,
        msg_index,
        ..Default::default()
    }
}

async fn converse(
    channel: Channel,
    requests: Vec<MessageRequest>,
) -> Result<Vec<(i32, String)>, Status> {
    let mut client = MessageServiceClient::new(channel);
    let mut responses = client
        .iter_message(tokio_stream::iter(requests))
        .await?
        .into_inner();
    let mut answers = Vec::new();
    while let Some(MessageResponse { code, message }) = responses.message().await? {
        answers.push((code, message));
    }
    Ok(answers)
}

fn answers(expected: &[(i32, &str)]) -> Vec<(i32, String)> {
    expected
        .iter()
        .map(|(c, m)| (*c, (*m).to_owned()))
        .collect()
}

#[tokio::test]
async fn say_hello_greets_by_name() {
    let server = TestServer::start(ServeConfig::default()).await;
    let mut client = GreetServiceClient::new(server.channel().await);
    let response = client
        .say_hello(HelloRequest {
            name: "zhangjian".into(),
        })
        .await
        .expect("sayHello");
    assert_eq!(response.into_inner().msg, "hello, zhangjian");
}

#[tokio::test]
async fn the_stream_ends_with_ok_after_end_and_ignores_the_rest() {
    let server = TestServer::start(ServeConfig::default()).await;
    let result = converse(
        server.channel().await,
        vec![
            msg(MsgType::Start, 0),
            msg(MsgType::Progress, 1),
            msg(MsgType::End, 2),
            msg(MsgType::Progress, 3),
        ],
    )
    .await;
    assert_eq!(
        result.expect("status OK"),
        answers(&[(200, "started"), (200, "doing"), (200, "done")])
    );
}

#[tokio::test]
async fn a_half_close_without_end_gets_its_answers_then_ok() {
    let server = TestServer::start(ServeConfig::default()).await;
    let result = converse(
        server.channel().await,
        vec![msg(MsgType::Start, 0), msg(MsgType::Progress, 1)],
    )
    .await;
    assert_eq!(
        result.expect("status OK"),
        answers(&[(200, "started"), (200, "doing")])
    );
}

#[tokio::test]
async fn out_of_sequence_messages_get_400_and_the_stream_goes_on() {
    let server = TestServer::start(ServeConfig::default()).await;
    let result = converse(
        server.channel().await,
        vec![
            msg(MsgType::Progress, 0),
            msg(MsgType::Start, 0),
            msg(MsgType::Start, 1),
            msg(MsgType::End, 1),
        ],
    )
    .await;
    assert_eq!(
        result.expect("status OK"),
        answers(&[
            (400, "expected START msgIndex 0, got PROGRESS msgIndex 0"),
            (200, "started"),
            (
                400,
                "expected PROGRESS or END msgIndex 1, got a second START"
            ),
            (200, "done"),
        ])
    );
}

#[tokio::test]
async fn an_empty_stream_ends_with_ok() {
    let server = TestServer::start(ServeConfig::default()).await;
    let result = converse(server.channel().await, Vec::new()).await;
    assert_eq!(result.expect("status OK"), Vec::new());
}

#[tokio::test]
async fn compressed_requests_are_accepted_and_answered_compressed() {
    let server = TestServer::start(ServeConfig::default()).await;
    for encoding in [CompressionEncoding::Gzip, CompressionEncoding::Zstd] {
        let mut client = GreetServiceClient::new(server.channel().await)
            .send_compressed(encoding)
            .accept_compressed(encoding);
        let response = client
            .say_hello(HelloRequest {
                name: "z".repeat(2000),
            })
            .await
            .expect("compressed sayHello");
        let used = response
            .metadata()
            .get("grpc-encoding")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        assert_eq!(used.as_deref(), Some(encoding.to_string().as_str()));
        assert_eq!(response.into_inner().msg.len(), "hello, ".len() + 2000);
    }
}

#[tokio::test]
async fn health_reports_serving_for_the_server_and_each_service() {
    let server = TestServer::start(ServeConfig::default()).await;
    let mut health = HealthClient::new(server.channel().await);
    for service in ["", "packages.GreetService", "packages.MessageService"] {
        let response = health
            .check(HealthCheckRequest {
                service: service.into(),
            })
            .await
            .expect("health check");
        assert_eq!(
            response.into_inner().status(),
            ServingStatus::Serving,
            "{service:?}"
        );
    }
    let unknown = health
        .check(HealthCheckRequest {
            service: "no.Such".into(),
        })
        .await
        .expect_err("unknown service");
    assert_eq!(unknown.code(), Code::NotFound);
}

#[tokio::test]
async fn health_turns_not_serving_as_soon_as_shutdown_starts() {
    let mut server = TestServer::start(ServeConfig {
        shutdown_timeout: Duration::from_secs(2),
        ..ServeConfig::default()
    })
    .await;
    let mut health = HealthClient::new(server.channel().await);
    let mut watch = health
        .watch(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .expect("watch")
        .into_inner();
    let first = watch.next().await.expect("first status").expect("ok");
    assert_eq!(first.status(), ServingStatus::Serving);
    server.begin_shutdown();
    // The watch itself is an in-flight RPC: it sees the change while the
    // server drains.
    let next = tokio::time::timeout(Duration::from_secs(10), watch.next())
        .await
        .expect("a status change")
        .expect("stream item")
        .expect("ok");
    assert_eq!(next.status(), ServingStatus::NotServing);
    drop(watch);
    let result = tokio::time::timeout(Duration::from_secs(10), server.task)
        .await
        .expect("server stopped")
        .expect("join");
    assert!(result.is_ok());
}

#[tokio::test]
async fn a_stream_that_outlives_the_shutdown_timeout_is_cut() {
    let mut server = TestServer::start(ServeConfig {
        shutdown_timeout: Duration::from_millis(300),
        ..ServeConfig::default()
    })
    .await;
    let mut client = MessageServiceClient::new(server.channel().await);
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    tx.send(msg(MsgType::Start, 0)).await.expect("send");
    let mut responses = client
        .iter_message(tokio_stream::wrappers::ReceiverStream::new(rx))
        .await
        .expect("stream")
        .into_inner();
    assert_eq!(
        responses.message().await.expect("ok").map(|r| r.code),
        Some(200)
    );
    let begun = std::time::Instant::now();
    server.begin_shutdown();
    // Never send END: the server must still stop, after its timeout (not
    // before: the stream is given its 300 ms).
    let result = tokio::time::timeout(Duration::from_secs(10), server.task)
        .await
        .expect("server stopped despite the open stream")
        .expect("join");
    let took = begun.elapsed();
    assert!(result.is_ok(), "{result:?}");
    assert!(
        took >= Duration::from_millis(300),
        "stopped {took:?} after the shutdown began, before its 300 ms timeout"
    );
    // What the client sees of the cut is checked with the real binary
    // (production.rs, a_stream_past_the_shutdown_timeout_is_cut_and_the_
    // server_exits_0): in this process the stream's task outlives `serve`
    // until the runtime ends.
    drop(tx);
}

#[tokio::test]
async fn reflection_lists_our_services_in_v1_and_v1alpha() {
    use tonic_reflection::pb::{v1, v1alpha};
    let server = TestServer::start(ServeConfig::default()).await;

    let mut client =
        v1::server_reflection_client::ServerReflectionClient::new(server.channel().await);
    let request = v1::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(v1::server_reflection_request::MessageRequest::ListServices(
            String::new(),
        )),
    };
    let mut responses = client
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .expect("v1 reflection")
        .into_inner();
    let Some(v1::server_reflection_response::MessageResponse::ListServicesResponse(list)) =
        responses
            .message()
            .await
            .expect("ok")
            .and_then(|r| r.message_response)
    else {
        panic!("no list from v1");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    for expected in [
        "packages.GreetService",
        "packages.MessageService",
        "grpc.health.v1.Health",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }

    let mut client =
        v1alpha::server_reflection_client::ServerReflectionClient::new(server.channel().await);
    let request = v1alpha::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(
            v1alpha::server_reflection_request::MessageRequest::FileContainingSymbol(
                "packages.MessageRequest".into(),
            ),
        ),
    };
    let mut responses = client
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .expect("v1alpha reflection")
        .into_inner();
    let response = responses
        .message()
        .await
        .expect("ok")
        .and_then(|r| r.message_response);
    assert!(
        matches!(
            response,
            Some(v1alpha::server_reflection_response::MessageResponse::FileDescriptorResponse(_))
        ),
        "{response:?}"
    );
}

#[tokio::test]
async fn no_reflection_turns_it_off() {
    use tonic_reflection::pb::v1;
    let server = TestServer::start(ServeConfig {
        reflection: false,
        ..ServeConfig::default()
    })
    .await;
    let mut client =
        v1::server_reflection_client::ServerReflectionClient::new(server.channel().await);
    let request = v1::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(v1::server_reflection_request::MessageRequest::ListServices(
            String::new(),
        )),
    };
    let status = match client
        .server_reflection_info(tokio_stream::iter([request]))
        .await
    {
        Err(status) => status,
        Ok(response) => response
            .into_inner()
            .message()
            .await
            .expect_err("reflection is off"),
    };
    assert_eq!(status.code(), Code::Unimplemented);
}

/// A GreetService that answers with the `x-echo` header it received, to see
/// what metadata the real client binary sends.
struct EchoMetadata;

#[tonic::async_trait]
impl GreetService for EchoMetadata {
    async fn say_hello(
        &self,
        request: Request<HelloRequest>,
    ) -> Result<Response<HelloResponse>, Status> {
        let echoed: Vec<String> = request
            .metadata()
            .get_all("x-echo")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        let timeout = request
            .metadata()
            .get("grpc-timeout")
            .map(|_| "with-deadline")
            .unwrap_or("no-deadline");
        Ok(Response::new(HelloResponse {
            msg: format!("{} {timeout}", echoed.join(",")),
        }))
    }
}

/// Serves only `EchoMetadata` (no MessageService) on a free port.
async fn greet_only_server() -> (SocketAddr, oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(GreetServiceServer::new(EchoMetadata))
            .serve_with_incoming_shutdown(
                tokio_stream::wrappers::TcpListenerStream::new(listener),
                async {
                    let _ = rx.await;
                },
            ),
    );
    (addr, tx)
}

#[tokio::test]
async fn the_client_sends_headers_and_its_deadline() {
    let (addr, _stop) = greet_only_server().await;
    let addr = addr.to_string();
    let output = tokio::task::spawn_blocking(move || {
        common::run(&[
            "hello",
            "-H",
            "X-Echo: one",
            "-H",
            "x-echo:two",
            "--addr",
            &addr,
        ])
    })
    .await
    .expect("join");
    assert_eq!(common::stdout(&output), "one,two with-deadline\n");
    assert_eq!(output.status.code(), Some(0));
}

#[tokio::test]
async fn an_unknown_method_exits_76() {
    let (addr, _stop) = greet_only_server().await;
    let addr = addr.to_string();
    let output = tokio::task::spawn_blocking(move || common::run(&["stream", "--addr", &addr]))
        .await
        .expect("join");
    assert_eq!(
        output.status.code(),
        Some(76),
        "{}",
        common::stderr(&output)
    );
    assert!(
        common::stderr(&output).starts_with("error: UNIMPLEMENTED: "),
        "{}",
        common::stderr(&output)
    );
}

#[tokio::test]
async fn the_server_ends_a_stream_past_the_clients_deadline() {
    let server = TestServer::start(ServeConfig::default()).await;
    let mut client = MessageServiceClient::new(server.channel().await);
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    tx.send(msg(MsgType::Start, 0)).await.expect("send");
    let mut request = Request::new(tokio_stream::wrappers::ReceiverStream::new(rx));
    // Only the grpc-timeout header: tonic's client does not enforce it on a
    // response stream, so the end must come from the server.
    request.set_timeout(Duration::from_millis(300));
    let mut responses = client
        .iter_message(request)
        .await
        .expect("stream")
        .into_inner();
    assert_eq!(
        responses.message().await.expect("ok").map(|r| r.code),
        Some(200)
    );
    let status = tokio::time::timeout(Duration::from_secs(10), responses.message())
        .await
        .expect("the server ended the stream")
        .expect_err("deadline exceeded");
    assert_eq!(status.code(), Code::DeadlineExceeded);
    drop(tx);
}
