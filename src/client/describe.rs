//! Error wording for the client side: turns what tonic, hyper, h2, rustls and
//! the OS report into the gRPC status a script branches on and one line a
//! person can act on. Causes are classified by their types (`io::ErrorKind`,
//! `rustls::Error`, `h2::Error`, `tonic::TimeoutExpired`), not by substring.

use std::{error::Error as StdError, io, time::Duration};

use rustls::AlertDescription;
use tonic::Code;

use super::{CallOptions, Target};
use crate::status::{error_chain, RpcError};

/// What went wrong underneath a failed connection or RPC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cause {
    /// tonic's own deadline (from `grpc-timeout`) passed.
    DeadlineExceeded,
    /// The TCP connect was refused.
    Refused,
    /// The connection was closed or reset by the peer.
    Closed,
    /// The server asked for a client certificate we did not send.
    ClientCertRequired,
    /// The server refused the client certificate we sent.
    ClientCertRejected,
    /// The server's certificate is not trusted.
    ServerCertUntrusted,
    /// A TLS client got an answer that is not TLS.
    NotTls,
    /// A plaintext client got an answer that is not HTTP/2 frames: the
    /// server speaks TLS, or HTTP/1.
    NotHttp2,
    /// The stream was refused by the server before it ran (REFUSED_STREAM).
    RefusedStream,
    /// The server cancelled the stream (RST_STREAM CANCEL).
    CancelledByPeer,
    Other,
}

fn classify(err: &(dyn StdError + 'static)) -> Cause {
    for error in error_chain(err) {
        if error.is::<tonic::TimeoutExpired>() {
            return Cause::DeadlineExceeded;
        }
        if let Some(tls) = error.downcast_ref::<rustls::Error>() {
            return classify_tls(tls);
        }
        if let Some(io) = error.downcast_ref::<io::Error>() {
            if let Some(inner) = io.get_ref() {
                if let Some(tls) = inner.downcast_ref::<rustls::Error>() {
                    return classify_tls(tls);
                }
                // The TLS stack hands some rustls errors over as text only.
                if io.kind() == io::ErrorKind::InvalidData {
                    if let Some(cause) = tls_cause_from_text(&inner.to_string()) {
                        return cause;
                    }
                }
            }
            match io.kind() {
                io::ErrorKind::ConnectionRefused => return Cause::Refused,
                io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe
                | io::ErrorKind::UnexpectedEof => return Cause::Closed,
                _ => {}
            }
        }
        if let Some(h2) = error.downcast_ref::<h2::Error>() {
            match h2.reason() {
                Some(h2::Reason::FRAME_SIZE_ERROR) if !h2.is_remote() => return Cause::NotHttp2,
                Some(h2::Reason::REFUSED_STREAM) => return Cause::RefusedStream,
                Some(h2::Reason::CANCEL) if h2.is_remote() && h2.is_reset() => {
                    return Cause::CancelledByPeer
                }
                _ if h2.is_go_away() || h2.is_io() => return Cause::Closed,
                _ => {}
            }
        }
        if let Some(hyper) = error.downcast_ref::<hyper::Error>() {
            // "connection closed" (canceled): the connection ended before
            // the request could be sent.
            if hyper.is_incomplete_message() || hyper.is_closed() || hyper.is_canceled() {
                return Cause::Closed;
            }
        }
    }
    Cause::Other
}

/// The rustls errors we give hints for, recognised by their exact text
/// where the error's type did not survive (tokio-rustls wraps some of them
/// in an `io::Error` as a string).
fn tls_cause_from_text(text: &str) -> Option<Cause> {
    let alerts = [
        AlertDescription::CertificateRequired,
        AlertDescription::BadCertificate,
        AlertDescription::CertificateUnknown,
        AlertDescription::UnknownCA,
        AlertDescription::CertificateExpired,
        AlertDescription::CertificateRevoked,
        AlertDescription::UnsupportedCertificate,
    ];
    let known = alerts.into_iter().map(rustls::Error::AlertReceived).chain([
        rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType),
    ]);
    for error in known {
        if error.to_string() == text {
            return Some(classify_tls(&error));
        }
    }
    let untrusted = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
    let untrusted = untrusted.to_string();
    let prefix = untrusted.split(':').next().unwrap_or_default();
    text.starts_with(prefix)
        .then_some(Cause::ServerCertUntrusted)
}

fn classify_tls(err: &rustls::Error) -> Cause {
    match err {
        rustls::Error::InvalidCertificate(_) => Cause::ServerCertUntrusted,
        rustls::Error::AlertReceived(AlertDescription::CertificateRequired) => {
            Cause::ClientCertRequired
        }
        rustls::Error::AlertReceived(
            AlertDescription::BadCertificate
            | AlertDescription::CertificateUnknown
            | AlertDescription::UnknownCA
            | AlertDescription::CertificateExpired
            | AlertDescription::CertificateRevoked
            | AlertDescription::UnsupportedCertificate,
        ) => Cause::ClientCertRejected,
        rustls::Error::InvalidMessage(_) => Cause::NotTls,
        _ => Cause::Other,
    }
}

/// Names the cause of a failed connection in words a user can act on; the
/// status is UNAVAILABLE except for a deadline.
pub(crate) fn describe_connect_error(
    err: &(dyn StdError + 'static),
    options: &CallOptions,
) -> RpcError {
    let cause = classify(err);
    if cause == Cause::DeadlineExceeded {
        return deadline_exceeded(options.timeout);
    }
    let root = root_cause(err);
    let message = match cause {
        // tonic's connect timeout (hyper-timeout) surfaces as an io TimedOut.
        _ if is_connect_timeout(err) => format!(
            "connect timed out after {}",
            humantime::format_duration(options.connect_timeout)
        ),
        _ => with_hint(cause, &root, Some(options)),
    };
    RpcError::new(Code::Unavailable, format!("{message} ({})", options.target))
}

fn is_connect_timeout(err: &(dyn StdError + 'static)) -> bool {
    error_chain(err).any(|error| {
        error
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::TimedOut)
    })
}

/// A plaintext connection refused before any HTTP/2 came back.
const NOT_HTTP2: &str = "the server did not answer with HTTP/2: is it a TLS server (use https://), at its --max-connections limit, or not a gRPC server?";

/// The cause plus, where the error alone would puzzle a user, what it
/// usually means.
fn with_hint(cause: Cause, root: &str, options: Option<&CallOptions>) -> String {
    let tls = options.is_some_and(|o| o.target.is_tls());
    match cause {
        Cause::ServerCertUntrusted => format!("server certificate not trusted: {root}"),
        Cause::ClientCertRequired => {
            format!("the server requires a client certificate (--cert/--key): {root}")
        }
        Cause::ClientCertRejected => format!(
            "the server did not accept the client certificate (check --cert/--key and the server's --tls-client-ca): {root}"
        ),
        Cause::NotTls => format!(
            "the server did not answer with TLS; is it a plaintext server (use http://)? ({root})"
        ),
        Cause::NotHttp2 => NOT_HTTP2.to_owned(),
        Cause::Closed if tls && options.is_some_and(|o| o.tls.cert.is_some()) => {
            // As below: under TLS 1.3 a refused certificate shows as a close.
            format!("connection closed during TLS; the server may not accept the client certificate (--cert/--key), or be at its --max-connections limit: {root}")
        }
        Cause::Closed if tls => {
            // Under TLS 1.3 a server refuses a missing client certificate after
            // the handshake; our write can then fail before its alert is read.
            format!("connection closed during TLS; the server may require a client certificate (--cert/--key), or be at its --max-connections limit: {root}")
        }
        // Closed before the server said a word: refused (a TLS server
        // reading our preface, a full server), worded as a wrong answer is,
        // whichever of the two the timing showed.
        Cause::Closed if !super::heard::server_spoke() => NOT_HTTP2.to_owned(),
        // It had spoken: it went away (a shutdown, a restart, a crash).
        Cause::Closed if root == "connection closed" => {
            "connection closed by the server; it may be shutting down or restarting".to_owned()
        }
        Cause::Closed => format!(
            "connection closed by the server ({root}); it may be shutting down or restarting"
        ),
        _ => root.to_owned(),
    }
}

/// Turns the status of a failed RPC into what the user is told.
///
/// A status that tonic made from a broken connection (UNKNOWN, CANCELLED or
/// INTERNAL with a transport error inside) becomes UNAVAILABLE, as in gRPC's
/// other implementations, with the root cause; tonic's own deadline becomes
/// DEADLINE_EXCEEDED. A status the server sent is kept as it is.
pub(crate) fn describe_status(status: tonic::Status, options: Option<&CallOptions>) -> RpcError {
    let Some(source) = StdError::source(&status) else {
        let details = crate::dynamic::details::of(&status, None);
        return RpcError::from(status).with_details(details);
    };

    let cause = classify(source);
    let target = options.map(|o| &o.target);
    match cause {
        Cause::DeadlineExceeded => match options {
            Some(options) => deadline_exceeded(options.timeout),
            None => RpcError::new(Code::DeadlineExceeded, "deadline exceeded"),
        },
        Cause::CancelledByPeer => RpcError::new(Code::Cancelled, "the server cancelled the RPC"),
        Cause::Other if !is_transport_error(source) => {
            let details = crate::dynamic::details::of(&status, None);
            RpcError::from(status).with_details(details)
        }
        _ => {
            let message = with_hint(cause, &root_cause(source), options);
            RpcError::new(Code::Unavailable, with_target(message, target))
        }
    }
}

fn with_target(message: String, target: Option<&Target>) -> String {
    match target {
        Some(target) => format!("{message} ({target})"),
        None => message,
    }
}

fn is_transport_error(err: &(dyn StdError + 'static)) -> bool {
    error_chain(err).any(|error| {
        error.is::<tonic::transport::Error>()
            || error.is::<h2::Error>()
            || error.is::<hyper::Error>()
            || error.is::<io::Error>()
    })
}

/// DEADLINE_EXCEEDED for the whole-RPC `--timeout`.
pub(crate) fn deadline_exceeded(timeout: Duration) -> RpcError {
    RpcError::new(
        Code::DeadlineExceeded,
        format!(
            "deadline of {} exceeded",
            humantime::format_duration(timeout)
        ),
    )
}

/// The innermost cause of an error, which is the one a user can act on:
/// "connection refused" rather than "transport error", without the OS error
/// number.
pub(crate) fn root_cause(err: &(dyn StdError + 'static)) -> String {
    let text = error_chain(err).last().unwrap_or(err).to_string();
    let text = match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => &text[..at],
        _ => text.as_str(),
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "transport error".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_cause_is_short_and_lower_case() {
        let refused = io::Error::from_raw_os_error(111);
        assert_eq!(root_cause(&refused), "connection refused");
    }

    #[test]
    fn causes_are_classified_by_type() {
        assert_eq!(
            classify(&io::Error::from(io::ErrorKind::ConnectionRefused)),
            Cause::Refused
        );
        assert_eq!(
            classify(&io::Error::from(io::ErrorKind::ConnectionReset)),
            Cause::Closed
        );
        assert_eq!(
            classify(&io::Error::other(rustls::Error::AlertReceived(
                AlertDescription::CertificateRequired
            ))),
            Cause::ClientCertRequired
        );
        assert_eq!(
            classify(&io::Error::other(rustls::Error::AlertReceived(
                AlertDescription::CertificateUnknown
            ))),
            Cause::ClientCertRejected
        );
        assert_eq!(
            classify(&io::Error::other(rustls::Error::InvalidMessage(
                rustls::InvalidMessage::InvalidContentType
            ))),
            Cause::NotTls
        );
        assert_eq!(
            classify(&tonic::TimeoutExpired(())),
            Cause::DeadlineExceeded
        );
        assert_eq!(
            classify(&h2::Error::from(h2::Reason::REFUSED_STREAM)),
            Cause::RefusedStream
        );
    }

    #[test]
    fn tonics_timeout_is_deadline_exceeded() {
        let status = tonic::Status::from_error(Box::new(tonic::TimeoutExpired(())));
        let options = CallOptions::new(Target::parse("localhost:1").expect("valid"));
        let error = describe_status(status, Some(&options));
        assert_eq!(error.code, Code::DeadlineExceeded);
        assert_eq!(error.message, "deadline of 10s exceeded");
    }

    #[test]
    fn a_status_the_server_sent_is_kept() {
        let status = tonic::Status::permission_denied("no");
        let error = describe_status(status, None);
        assert_eq!(error.code, Code::PermissionDenied);
        assert_eq!(error.message, "no");
    }
}
