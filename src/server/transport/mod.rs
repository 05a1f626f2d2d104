//! Below HTTP/2: binding (bind.rs), the accept loop and its connection cap
//! (incoming.rs), one accepted connection (connection.rs), TLS terminated
//! by the accept loop (tls.rs), the connection guards that read the
//! decrypted bytes and enforce the per-connection deadlines and limits
//! (conn_guard.rs), and `--max-connection-age` (connection_age.rs).

pub mod bind;
pub mod conn_guard;
pub mod connection;
pub mod connection_age;
pub mod incoming;
pub mod tls;
