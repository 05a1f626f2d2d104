//! Messages known only at run time (`call`, `list`, `describe`): where the
//! schema comes from (schema.rs: .proto files, protosets, the files a
//! reflection server sent), finding a method or symbol in it (lookup.rs),
//! proto3 JSON in and out (json.rs), the codec (codec.rs), the standard
//! error details of a failed RPC (details.rs) and the schema printed as
//! .proto source (source.rs).

mod codec;
pub(crate) mod details;
mod json;
mod lookup;
mod schema;
mod source;

pub(crate) use codec::DynamicCodec;
pub(crate) use json::{parse_messages, JsonMessages};
pub(crate) use lookup::{find_method, find_service, find_symbol, split_method, MethodKind};
pub(crate) use schema::{pool_from_files, pool_from_protos, pool_from_protosets};
pub(crate) use source::{describe, describe_json};
