//! grpc-demo: a gRPC server for the tutorial's four patterns (`GreetService`
//! unary, `StockService` server streaming, `ReportService` client
//! streaming, `MessageService` bidirectional), and a scriptable
//! command-line client for them.
//!
//! The binary (`src/main.rs`) only parses arguments and turns outcomes into
//! exit codes; everything else lives here so tests can reach it in-process.

pub mod app;
pub mod bench;
pub mod cli;
pub mod client;
pub mod codec;
pub mod completions;
pub mod defaults;
pub mod exit;
pub mod logging;
pub mod output;
pub mod proto;
pub mod server;
pub mod status;
pub mod trace_context;
pub mod warn_limit;
