//! `bench call`: the load of any method, its messages known only at run
//! time (the same dynamic codec as `grpc-demo call`). One unit of work is
//! one RPC: a unary call, or a stream that sends DATA's messages and reads
//! every answer.

use prost_reflect::{DynamicMessage, MethodDescriptor};
use tonic::{client::Grpc, metadata::MetadataMap, Status};

use super::Transport;
use crate::dynamic::{DynamicCodec, MethodKind};

/// The method and what each RPC sends.
#[derive(Debug, Clone, PartialEq)]
pub struct DynamicCall {
    pub method: MethodDescriptor,
    kind: MethodKind,
    path: http::uri::PathAndQuery,
    /// One message for a unary or server-streaming method; the stream's
    /// messages for a client stream or bidi.
    messages: Vec<DynamicMessage>,
}

impl DynamicCall {
    pub fn new(method: MethodDescriptor, messages: Vec<DynamicMessage>) -> anyhow::Result<Self> {
        let path = format!("/{}/{}", method.parent_service().full_name(), method.name())
            .parse()
            .map_err(|err| anyhow::anyhow!("the path of {}: {err}", method.full_name()))?;
        Ok(Self {
            kind: MethodKind::of(&method),
            method,
            path,
            messages,
        })
    }

    /// Messages per stream, for the report (client streams and bidi).
    pub fn messages_per_stream(&self) -> Option<u32> {
        self.kind
            .client_streams()
            .then(|| u32::try_from(self.messages.len()).unwrap_or(u32::MAX))
    }
}

/// One RPC; Ok is the number of responses.
pub(super) async fn call_once<T: Transport>(
    grpc: &mut Grpc<T>,
    metadata: &MetadataMap,
    call: &DynamicCall,
) -> Result<u64, Status> {
    grpc.ready()
        .await
        .map_err(|err| Status::unknown(format!("Service was not ready: {}", err.into())))?;
    let codec = DynamicCodec::new(call.method.output());
    let path = call.path.clone();
    fn request<M>(metadata: &MetadataMap, message: M) -> tonic::Request<M> {
        tonic::Request::from_parts(metadata.clone(), tonic::Extensions::default(), message)
    }
    match call.kind {
        MethodKind::Unary => {
            let message = call
                .messages
                .first()
                .cloned()
                .unwrap_or_else(|| DynamicMessage::new(call.method.input()));
            grpc.unary(request(metadata, message), path, codec)
                .await
                .map(|_| 1)
        }
        MethodKind::ServerStreaming => {
            let message = call
                .messages
                .first()
                .cloned()
                .unwrap_or_else(|| DynamicMessage::new(call.method.input()));
            let mut inbound = grpc
                .server_streaming(request(metadata, message), path, codec)
                .await?
                .into_inner();
            let mut count = 0;
            while inbound.message().await?.is_some() {
                count += 1;
            }
            Ok(count)
        }
        MethodKind::ClientStreaming | MethodKind::Bidi => {
            let outbound = tokio_stream::iter(call.messages.clone());
            let mut inbound = grpc
                .streaming(request(metadata, outbound), path, codec)
                .await?
                .into_inner();
            let mut count = 0;
            while inbound.message().await?.is_some() {
                count += 1;
            }
            Ok(count)
        }
    }
}
