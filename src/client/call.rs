//! `grpc-demo call`: any method of any service, its messages as proto3 JSON
//! (grpcurl's job). The schema comes from `--proto`, `--protoset` or the
//! server's reflection (schema.rs); the call goes through the same
//! connection, metadata, deadline and error wording as the typed clients.

use std::{
    io::Write,
    pin::Pin,
    sync::{Arc, Mutex},
};

use anyhow::Context as _;
use prost_reflect::{DynamicMessage, MessageDescriptor, MethodDescriptor};
use tokio_stream::{Stream, StreamExt};

use super::{
    balance, configured_client, describe_status,
    reflection::Wanted,
    schema::{connect_with_schema, schema_only, SchemaSource},
    CallOptions, Deadline, ScriptSource,
};
use crate::{
    dynamic::{self, DynamicCodec, MethodKind},
    output::Printer,
    status::{Interrupted, RpcError},
};

/// What `call` was asked to do.
#[derive(Debug, Clone)]
pub struct CallRequest {
    /// `SERVICE/METHOD` or `SERVICE.METHOD`.
    pub method: String,
    /// `-d`: the request messages; none sends one empty message to a unary
    /// or server-streaming method and no message to a client stream.
    pub data: Option<ScriptSource>,
    pub schema: SchemaSource,
    /// `--emit-defaults`.
    pub emit_defaults: bool,
}

/// Makes the call and prints each response as it arrives.
pub async fn call<W: Write>(
    options: &CallOptions,
    request: CallRequest,
    printer: &mut Printer<W>,
) -> anyhow::Result<()> {
    let (service, _) = dynamic::split_method(&request.method)?;
    // A file or inline DATA is read before connecting; stdin as it comes.
    let text = match &request.data {
        Some(ScriptSource::Stdin) | None => None,
        Some(source) => Some(source.read()?),
    };
    let deadline = Deadline::new(options.timeout);
    let stopped: Stopped = Arc::default();
    // A schema from files: the method and the request are checked before
    // connecting.
    let prepared = match request.schema.local()? {
        Some(pool) => {
            let method = dynamic::find_method(&pool, &request.method)?;
            let kind = MethodKind::of(&method);
            let outbound = outbound(&method, kind, &request.data, text.as_deref(), &stopped)?;
            Some((pool, method, kind, outbound))
        }
        None => None,
    };
    let run = async {
        // Connecting and reading the schema are under --timeout's deadline
        // (the 10 s default included).
        let (channel, pool, method, kind, outbound) = deadline
            .run(async {
                match prepared {
                    Some((pool, method, kind, outbound)) => {
                        Ok((balance::open(options).await?, pool, method, kind, outbound))
                    }
                    None => {
                        let wanted = Wanted::Services(vec![service.to_owned()]);
                        let (channel, pool) =
                            connect_with_schema(&request.schema, options, &deadline, wanted)
                                .await?;
                        let method = dynamic::find_method(&pool, &request.method)?;
                        let kind = MethodKind::of(&method);
                        let outbound =
                            outbound(&method, kind, &request.data, text.as_deref(), &stopped)?;
                        Ok((channel, pool, method, kind, outbound))
                    }
                }
            })
            .await?;
        // A stream runs as long as it is fed unless --timeout was given, as
        // grpcurl's (stream, watch and report alike); a unary call keeps the
        // default deadline.
        let deadline = if kind == MethodKind::Unary || options.timeout_given {
            deadline
        } else {
            Deadline::new(std::time::Duration::ZERO)
        };
        // --explain: the call's messages are read with its schema.
        if let Some(explain) = &options.explain {
            explain.add_schema(pool.clone());
        }
        deadline
            .run(invoke(
                options,
                &request,
                printer,
                &deadline,
                (channel, pool, method, kind, outbound),
            ))
            .await
    };
    tokio::select! {
        result = run => result?,
        _ = tokio::signal::ctrl_c() => return Err(Interrupted.into()),
    }
    match stopped.lock().ok().and_then(|mut slot| slot.take()) {
        Some(err) => Err(err),
        None => Ok(()),
    }
}

/// The RPC itself, once the method and its messages are known: a unary
/// call goes out again under `--retries` when no server processed it.
async fn invoke<W: Write>(
    options: &CallOptions,
    request: &CallRequest,
    printer: &mut Printer<W>,
    deadline: &Deadline,
    (channel, pool, method, kind, outbound): (
        balance::ClientChannel,
        prost_reflect::DescriptorPool,
        MethodDescriptor,
        MethodKind,
        Outbound,
    ),
) -> anyhow::Result<()> {
    let grpc = configured_client!(tonic::client::Grpc::new(channel), options);
    let path: http::uri::PathAndQuery =
        format!("/{}/{}", method.parent_service().full_name(), method.name())
            .parse()
            .context("the method's path")?;
    let codec = DynamicCodec::new(method.output());
    let failed = |status: tonic::Status| {
        options.show_trailers(status.metadata());
        // Details of a type only the call's schema knows are named too.
        let details = dynamic::details::of(&status, Some(&pool));
        let error = describe_status(status, Some(options));
        if error.details.is_empty() {
            error
        } else {
            error.with_details(details)
        }
    };
    let retries = if kind == MethodKind::Unary {
        options.retries()
    } else {
        0
    };
    let response = match outbound {
        Outbound::One(message) => {
            let attempt = || {
                let (mut grpc, codec, path) = (grpc.clone(), codec.clone(), path.clone());
                let message = message.clone();
                async move {
                    grpc.ready().await.map_err(balance::Failed::unsent)?;
                    // As hello: a unary call made as a server-streaming one
                    // keeps the headers apart from the trailers for `-v`; the
                    // time left once an endpoint is ready goes out.
                    let request = options.request(message, deadline.remaining());
                    grpc.server_streaming(request, path, codec)
                        .await
                        .map_err(balance::Failed::sent)
                }
            };
            balance::retrying(retries, deadline, attempt).await?
        }
        Outbound::Stream(messages) => {
            let mut grpc = grpc;
            deadline.check()?;
            match grpc.ready().await {
                Err(err) => Err(balance::Failed::unsent(err)),
                Ok(()) => {
                    let request = options.request(messages, deadline.remaining());
                    grpc.streaming(request, path, codec)
                        .await
                        .map_err(balance::Failed::sent)
                }
            }
        }
    };
    let response = response.map_err(|err| err.into_error(options, failed))?;
    options.show_headers(response.metadata());
    let mut inbound = response.into_inner();
    let mut count = 0;
    while let Some(message) = inbound.message().await.map_err(failed)? {
        deadline.check()?;
        count += 1;
        printer.dynamic(&message, request.emit_defaults)?;
    }
    if let Ok(Some(trailers)) = inbound.trailers().await {
        options.show_trailers(&trailers);
    }
    if count == 0 && matches!(kind, MethodKind::Unary | MethodKind::ClientStreaming) {
        return Err(
            RpcError::new(tonic::Code::Internal, "the server sent no response message").into(),
        );
    }
    Ok(())
}

/// The error that ended the reading of stdin, if one did: returned after
/// the answers to what was sent are printed.
type Stopped = Arc<Mutex<Option<anyhow::Error>>>;

type MessageStream = Pin<Box<dyn Stream<Item = DynamicMessage> + Send>>;

/// What the call sends.
enum Outbound {
    /// Unary and server streaming: exactly one message.
    One(DynamicMessage),
    /// Client streaming and bidi: any number, from DATA or live from stdin.
    Stream(MessageStream),
}

fn outbound(
    method: &MethodDescriptor,
    kind: MethodKind,
    data: &Option<ScriptSource>,
    text: Option<&str>,
    stopped: &Stopped,
) -> anyhow::Result<Outbound> {
    let input = method.input();
    let origin = data.as_ref().map(ToString::to_string).unwrap_or_default();
    let messages = match (data, text) {
        (None, _) => Vec::new(),
        (Some(ScriptSource::Stdin), _) if kind.client_streams() => {
            return Ok(Outbound::Stream(stdin_messages(input, Arc::clone(stopped))));
        }
        (Some(ScriptSource::Stdin), _) => {
            let text = ScriptSource::Stdin.read()?;
            dynamic::parse_messages(&input, &origin, &text)?
        }
        (Some(_), Some(text)) => dynamic::parse_messages(&input, &origin, text)?,
        (Some(_), None) => Vec::new(),
    };
    if kind.client_streams() {
        return Ok(Outbound::Stream(Box::pin(tokio_stream::iter(messages))));
    }
    let count = messages.len();
    let mut messages = messages.into_iter();
    match (messages.next(), messages.next()) {
        (Some(message), None) => Ok(Outbound::One(message)),
        (None, _) if data.is_none() => Ok(Outbound::One(DynamicMessage::new(input))),
        _ => anyhow::bail!(
            "{} takes one request message; {origin} holds {count}",
            method.full_name()
        ),
    }
}

/// The messages of stdin, each sent as soon as it is read. A blocking
/// thread reads; a bad message ends the stream (half-close) and its error
/// is printed on stderr and kept for the exit code.
fn stdin_messages(descriptor: MessageDescriptor, stopped: Stopped) -> MessageStream {
    let (sender, receiver) = tokio::sync::mpsc::channel(16);
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let messages = dynamic::JsonMessages::new(descriptor, "<stdin>", stdin.lock());
        for message in messages {
            if sender.blocking_send(message).is_err() {
                return;
            }
        }
    });
    Box::pin(
        tokio_stream::wrappers::ReceiverStream::new(receiver).map_while(move |item| match item {
            Ok(message) => Some(message),
            Err(err) => {
                if let Ok(mut slot) = stopped.lock() {
                    slot.get_or_insert(err);
                }
                None
            }
        }),
    )
}

/// `bench call`: the method and the messages every RPC sends, resolved
/// once before the load (DATA read whole, `@-` included).
pub async fn resolve_call(
    options: &CallOptions,
    schema: &SchemaSource,
    spec: &str,
    data: Option<&ScriptSource>,
) -> anyhow::Result<(MethodDescriptor, Vec<DynamicMessage>)> {
    let (service, _) = dynamic::split_method(spec)?;
    let text = data.map(ScriptSource::read).transpose()?;
    let deadline = Deadline::new(options.timeout);
    let wanted = Wanted::Services(vec![service.to_owned()]);
    let pool = deadline
        .run(schema_only(schema, options, &deadline, wanted))
        .await?;
    let method = dynamic::find_method(&pool, spec)?;
    let origin = data.map(ToString::to_string).unwrap_or_default();
    let messages = match &text {
        Some(text) => dynamic::parse_messages(&method.input(), &origin, text)?,
        None => Vec::new(),
    };
    if !MethodKind::of(&method).client_streams() && messages.len() > 1 {
        anyhow::bail!(
            "{} takes one request message; {origin} holds {}",
            method.full_name(),
            messages.len()
        );
    }
    Ok((method, messages))
}
