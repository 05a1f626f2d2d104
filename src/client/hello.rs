//! `grpc-demo hello`: one GreetService.sayHello call.

use std::io::{Read, Write};

use anyhow::Context;

use super::{
    balance, check_request_size, configured_client, describe_status, parse_json, CallOptions,
    Deadline,
};
use crate::{
    output::Printer,
    proto::{HelloRequest, HelloResponse},
    status::RpcError,
};

/// The wire path of sayHello.
const SAY_HELLO: &str = "/packages.GreetService/sayHello";

/// Sends `request` and prints the response.
pub async fn hello<W: Write>(
    options: &CallOptions,
    request: HelloRequest,
    printer: &mut Printer<W>,
) -> anyhow::Result<()> {
    check_request_size(&request, options.max_message_size)?;
    let deadline = Deadline::new(options.timeout);
    let response = deadline
        .run(async {
            let channel = balance::open(options).await?;
            // A unary call made as a server-streaming one (the same bytes on the
            // wire) keeps the response headers apart from the trailers, which
            // tonic's unary call merges; `-v` shows them apart, as grpcurl does.
            let grpc = configured_client!(tonic::client::Grpc::new(channel), options);
            // --retries: an RPC no server processed goes out again (balance.rs).
            let attempt = || {
                let mut grpc = grpc.clone();
                let message = request.clone();
                async move {
                    // Not ready: no call was made, so no trailers to show.
                    grpc.ready().await.map_err(balance::Failed::unsent)?;
                    // The time left once an endpoint is ready goes out.
                    let request = options.request(message, deadline.remaining());
                    let codec = tonic_prost::ProstCodec::<HelloRequest, HelloResponse>::default();
                    let path = http::uri::PathAndQuery::from_static(SAY_HELLO);
                    grpc.server_streaming(request, path, codec)
                        .await
                        .map_err(balance::Failed::sent)
                }
            };
            let response = balance::retrying(options.retries(), &deadline, attempt)
                .await?
                .map_err(|err| err.into_error(options, |status| failed(status, options)))?;
            options.show_headers(response.metadata());
            let mut messages = response.into_inner();
            let first = messages
                .message()
                .await
                .map_err(|status| failed(status, options))?;
            let extra = messages
                .message()
                .await
                .map_err(|status| failed(status, options))?;
            if let Ok(Some(trailers)) = messages.trailers().await {
                options.show_trailers(&trailers);
            }
            match (first, extra) {
                (Some(response), None) => Ok(response),
                (None, _) => Err(RpcError::new(
                    tonic::Code::Internal,
                    "the server sent no response message",
                )
                .into()),
                (Some(_), Some(_)) => Err(RpcError::new(
                    tonic::Code::Internal,
                    "the server sent more than one response to a unary call",
                )
                .into()),
            }
        })
        .await?;
    printer.hello(&response)?;
    Ok(())
}

/// A failed call: with `-v`, the trailers the error came with.
fn failed(status: tonic::Status, options: &CallOptions) -> RpcError {
    options.show_trailers(status.metadata());
    describe_status(status, Some(options))
}

/// `hello -d`: see [`request_from_json`].
pub fn hello_request_from_json(data: &str) -> anyhow::Result<HelloRequest> {
    request_from_json(data)
}

/// `-d`: the request (a message `T`) as proto3 JSON, given
/// inline, as `@FILE`, or as `@-` (stdin). Errors are local (exit 1) and
/// name where the JSON went wrong.
pub fn request_from_json<T: prost::Name + Default>(data: &str) -> anyhow::Result<T> {
    let (origin, text) = match data.strip_prefix('@') {
        Some("-") => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("reading -d @- from stdin")?;
            ("<stdin>".to_owned(), text)
        }
        Some(path) => (
            path.to_owned(),
            std::fs::read_to_string(path).with_context(|| format!("reading -d @{path}"))?,
        ),
        None => ("-d".to_owned(), data.to_owned()),
    };
    parse_json(&text).map_err(|err| match err.position {
        Some((line, column)) => anyhow::anyhow!(
            "invalid request in {origin}:{line}:{column}: {}",
            err.message
        ),
        None => anyhow::anyhow!("invalid request in {origin}: {}", err.message),
    })
}
