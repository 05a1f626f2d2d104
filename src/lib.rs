//! grpc-demo: a gRPC server for the tutorial's four patterns (`GreetService`
//! unary, `StockService` server streaming, `ReportService` client
//! streaming, `MessageService` bidirectional), and a scriptable
//! command-line client for them.
//!
//! The binary (`src/main.rs`) only parses arguments and turns outcomes into
//! exit codes; everything else lives here so tests can reach it in-process.
//! What the binary, the tests and the baseline server (bench/baseline) use
//! is `pub`; the rest is crate-private, so rustc reports what is dead.

pub mod app;
pub(crate) mod bench;
pub mod cli;
pub mod client;
pub(crate) mod codec;
pub mod completions;
pub(crate) mod defaults;
pub(crate) mod dynamic;
pub mod exit;
pub mod explain;
pub(crate) mod framing;
pub mod logging;
pub(crate) mod output;
pub mod proto;
pub mod registry;
pub mod server;
pub(crate) mod status;
pub(crate) mod trace_context;
