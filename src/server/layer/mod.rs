//! The tower layers every RPC passes between HTTP/2 and the services:
//! observe.rs (the shared response-watching layer the others are written
//! in), auth.rs (the bearer token), over_limit.rs (tonic's OUT_OF_RANGE for
//! an over-size message becomes RESOURCE_EXHAUSTED), request_budget.rs (what
//! a peer may make the server hold), response_budget.rs (what the server
//! may owe a peer that does not read), fast_path.rs (direct dispatch of the
//! two hot services).

pub mod auth;
pub mod fast_path;
pub mod observe;
pub mod over_limit;
pub mod request_budget;
pub mod response_budget;
