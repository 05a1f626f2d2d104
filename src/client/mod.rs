//! The client side: one file per subcommand (hello, stream, watch,
//! report), and what they share: target.rs (the address), metadata.rs
//! (`-H`, `-v`), options.rs (the flags every call takes), channel.rs
//! (connecting), describe.rs (the status and wording of a failure),
//! insecure.rs (`--insecure` TLS), script.rs (JSON input).

pub mod balance;
mod channel;
mod describe;
mod hello;
mod insecure;
mod metadata;
mod options;
mod report;
mod script;
mod stream;
mod target;
mod watch;

pub use channel::connect;
pub(crate) use channel::{check_request_size, dial, with_deadline, Socket};
pub(crate) use describe::{deadline_exceeded, describe_connect_error, describe_status, root_cause};
pub use hello::{hello, hello_request_from_json, request_from_json};
pub use metadata::{parse_header, Header};
pub(crate) use options::configured_client;
pub use options::{CallOptions, ClientTls};
pub use report::{report, Readings};
pub use script::{
    parse_json, parse_script, parse_script_line, JsonError, ScriptError, ScriptSource,
};
pub use stream::{counted_sequence, stream, Outbound};
pub use target::Target;
pub use watch::watch;
