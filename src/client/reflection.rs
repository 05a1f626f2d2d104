//! The schema from the server itself: gRPC server reflection, v1 first,
//! then v1alpha (grpcurl 1.8.6 and older servers speak only that). One
//! stream per schema, asked for the files of the services wanted and then
//! for any file they import that did not come with them. The call's
//! metadata (`-H`, `--token`) goes on the reflection stream too.

use std::collections::{BTreeSet, HashSet};

use prost::Message as _;
use prost_reflect::DescriptorPool;
use prost_types::FileDescriptorProto;
use tokio::sync::mpsc;
use tonic::{codec::Streaming, Code};
use tonic_reflection::pb::v1::{
    server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
    ServerReflectionRequest, ServerReflectionResponse,
};

use super::{balance::ClientChannel, configured_client, describe_status, CallOptions, Deadline};
use crate::dynamic;

/// The two versions' paths: their messages are the same on the wire.
const PATHS: [&str; 2] = [
    "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
];

/// What the schema must cover.
#[derive(Debug, Clone)]
pub(crate) enum Wanted {
    /// These services (full names).
    Services(Vec<String>),
    /// Every service the server lists.
    All,
}

/// The schema of the services `wanted`, as the server describes it.
pub(crate) async fn fetch(
    channel: ClientChannel,
    options: &CallOptions,
    deadline: &Deadline,
    wanted: Wanted,
) -> anyhow::Result<DescriptorPool> {
    let first = match &wanted {
        Wanted::All => MessageRequest::ListServices(String::new()),
        Wanted::Services(names) => {
            MessageRequest::FileContainingSymbol(names.first().cloned().unwrap_or_default())
        }
    };
    let mut opened = None;
    for path in PATHS {
        let mut session = Session::open(channel.clone(), options, deadline, path).await?;
        match session.ask(first.clone()).await {
            Ok(answer) => {
                opened = Some((session, answer));
                break;
            }
            Err(status) if status.code() == Code::Unimplemented => continue,
            // Some servers (tonic's) end the stream for an unknown symbol.
            Err(status) if status.code() == Code::NotFound && !matches!(wanted, Wanted::All) => {
                return Box::pin(fetch(channel, options, deadline, Wanted::All)).await;
            }
            Err(status) => return Err(describe_status(status, Some(options)).into()),
        }
    }
    let Some((mut session, first_answer)) = opened else {
        anyhow::bail!(
            "the server at {} does not offer reflection (grpc.reflection.v1 or v1alpha): give the schema with --proto or --protoset",
            options.target
        );
    };
    let failed = |status| anyhow::Error::from(describe_status(status, Some(options)));
    let (services, mut first_answer) = match wanted {
        Wanted::All => (service_names(first_answer)?, None),
        Wanted::Services(names) => (names, Some(first_answer)),
    };
    let mut files: Vec<FileDescriptorProto> = Vec::new();
    for service in &services {
        let answer = match first_answer.take() {
            Some(answer) => answer,
            None => session
                .ask(MessageRequest::FileContainingSymbol(service.clone()))
                .await
                .map_err(failed)?,
        };
        match answer {
            MessageResponse::FileDescriptorResponse(response) => {
                files.extend(decode_files(&response.file_descriptor_proto)?);
            }
            // Not a service of this server: the whole schema, so that the
            // lookup names the closest service (or sees a service named
            // without its method).
            MessageResponse::ErrorResponse(error) if error.error_code == Code::NotFound as i32 => {
                drop(session);
                return Box::pin(fetch(channel, options, deadline, Wanted::All)).await;
            }
            other => anyhow::bail!("reflection: unexpected answer for {service}: {other:?}"),
        }
    }
    // Imports that did not come with the files: asked for one by one.
    let mut asked: HashSet<String> = HashSet::new();
    loop {
        let have: HashSet<&str> = files.iter().map(FileDescriptorProto::name).collect();
        let missing: BTreeSet<String> = files
            .iter()
            .flat_map(|file| file.dependency.iter())
            .filter(|name| !have.contains(name.as_str()) && !asked.contains(name.as_str()))
            .cloned()
            .collect();
        if missing.is_empty() {
            break;
        }
        for name in missing {
            asked.insert(name.clone());
            // A well-known file the server does not have is filled in by
            // `pool_from_files`; any other is reported there.
            if let Ok(MessageResponse::FileDescriptorResponse(response)) =
                session.ask(MessageRequest::FileByFilename(name)).await
            {
                files.extend(decode_files(&response.file_descriptor_proto)?);
            }
        }
    }
    drop(session);
    dynamic::pool_from_files(files)
}

fn service_names(answer: MessageResponse) -> anyhow::Result<Vec<String>> {
    match answer {
        MessageResponse::ListServicesResponse(list) => Ok(list
            .service
            .into_iter()
            .map(|service| service.name)
            .collect()),
        other => anyhow::bail!("reflection: unexpected answer to list services: {other:?}"),
    }
}

fn decode_files(encoded: &[Vec<u8>]) -> anyhow::Result<Vec<FileDescriptorProto>> {
    encoded
        .iter()
        .map(|bytes| {
            FileDescriptorProto::decode(bytes.as_slice()).map_err(|err| {
                anyhow::anyhow!("reflection sent a file descriptor that does not decode: {err}")
            })
        })
        .collect()
}

/// The reflection call until its response headers come.
type PendingCall = std::pin::Pin<
    Box<
        dyn std::future::Future<
                Output = Result<
                    tonic::Response<Streaming<ServerReflectionResponse>>,
                    tonic::Status,
                >,
            > + Send,
    >,
>;

/// One reflection stream: a question, then its answer.
struct Session {
    questions: mpsc::Sender<ServerReflectionRequest>,
    answers: Option<Streaming<ServerReflectionResponse>>,
    /// The call itself, until its response headers came.
    pending: Option<PendingCall>,
}

impl Session {
    async fn open(
        channel: ClientChannel,
        options: &CallOptions,
        deadline: &Deadline,
        path: &'static str,
    ) -> anyhow::Result<Self> {
        let (questions, receiver) = mpsc::channel(4);
        let mut grpc = configured_client!(tonic::client::Grpc::new(channel), options);
        let request = options.request(
            tokio_stream::wrappers::ReceiverStream::new(receiver),
            deadline.remaining(),
        );
        grpc.ready()
            .await
            .map_err(|err| describe_status(tonic::Status::from_error(err), Some(options)))?;
        let codec =
            tonic_prost::ProstCodec::<ServerReflectionRequest, ServerReflectionResponse>::default();
        let pending = Box::pin(async move {
            grpc.streaming(request, http::uri::PathAndQuery::from_static(path), codec)
                .await
        });
        Ok(Self {
            questions,
            answers: None,
            pending: Some(pending),
        })
    }

    async fn ask(&mut self, question: MessageRequest) -> Result<MessageResponse, tonic::Status> {
        let request = ServerReflectionRequest {
            host: String::new(),
            message_request: Some(question),
        };
        if self.questions.send(request).await.is_err() {
            return Err(tonic::Status::unavailable("the reflection stream closed"));
        }
        if let Some(pending) = self.pending.take() {
            self.answers = Some(pending.await?.into_inner());
        }
        let Some(answers) = self.answers.as_mut() else {
            return Err(tonic::Status::internal("the reflection stream is not open"));
        };
        match answers.message().await? {
            Some(ServerReflectionResponse {
                message_response: Some(answer),
                ..
            }) => Ok(answer),
            Some(_) => Err(tonic::Status::internal("reflection sent an empty answer")),
            None => Err(tonic::Status::unavailable(
                "the server ended the reflection stream",
            )),
        }
    }
}
