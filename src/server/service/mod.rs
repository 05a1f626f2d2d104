//! The tutorial's four services, one file each: greet (unary sayHello),
//! stock (server-streaming watch), report (client-streaming report) and
//! message (the bidirectional START / PROGRESS / END conversation, whose
//! state machine is session.rs), and idle.rs, the timer that ends a stream
//! whose client went quiet.

pub mod greet;
pub(crate) mod idle;
pub(crate) mod message;
pub mod report;
pub mod session;
pub mod stock;
