//! The client side: one file per subcommand (hello, stream, watch,
//! report), and what they share: target.rs (the address), metadata.rs
//! (`-H`, `-v`), options.rs (the flags every call takes), channel.rs
//! (connecting), describe.rs (the status and wording of a failure),
//! insecure.rs (`--insecure` TLS), script.rs (JSON input). Any service:
//! call.rs, list.rs (list, describe) and health.rs, with the schema from
//! schema.rs (files) or reflection.rs (the server).

pub(crate) mod balance;
mod call;
mod channel;
mod deadline;
mod describe;
mod health;
mod heard;
mod hello;
mod insecure;
mod list;
mod metadata;
mod options;
mod reflection;
mod report;
mod schema;
mod script;
mod stream;
mod target;
mod watch;

pub(crate) use call::{call, resolve_call, CallRequest};
pub(crate) use channel::connect;
pub(crate) use channel::{check_request_size, connect_heard, dial, no_http2_answer, Socket};
pub(crate) use deadline::Deadline;
pub(crate) use describe::{describe_connect_error, describe_status, root_cause};
pub(crate) use health::health;
pub(crate) use heard::{first_bytes, Heard};
pub(crate) use hello::{hello, hello_request_from_json, request_from_json};
pub(crate) use list::{describe, list};
pub(crate) use metadata::{parse_header, Header};
pub(crate) use options::configured_client;
pub(crate) use options::{CallOptions, ClientTls};
pub(crate) use report::{report, Readings};
pub use schema::SchemaSource;
pub(crate) use script::{
    parse_json, parse_script, parse_script_line, JsonError, ScriptError, ScriptSource,
};
pub(crate) use stream::{counted_sequence, stream, Outbound};
pub use target::Target;
pub(crate) use watch::watch;
