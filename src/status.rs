//! gRPC statuses, one home for client and server: the failed-RPC error
//! type, the canonical code names, and the one correction we make to
//! tonic's statuses (an over-limit message is RESOURCE_EXHAUSTED, not
//! OUT_OF_RANGE). The server applies that correction as a layer of its own
//! (`server/over_limit.rs`); the client through `RpcError::from`.

use http::HeaderValue;
use tonic::Code;

/// A failed RPC: the gRPC status code and a message naming the cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", code_name(*code))]
pub struct RpcError {
    pub code: Code,
    pub message: String,
}

impl RpcError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl From<tonic::Status> for RpcError {
    fn from(status: tonic::Status) -> Self {
        let code = corrected_code(status.code(), status.message());
        let message = if status.message().is_empty() {
            // Keep the line informative even when the peer sent no message.
            status.code().description().to_owned()
        } else {
            status.message().to_owned()
        };
        Self::new(code, message)
    }
}

/// tonic reports a message over the size limit as OUT_OF_RANGE (its decoder's
/// "message length too large"); gRPC's other implementations, and our
/// contract, say RESOURCE_EXHAUSTED. Every other status is kept.
pub fn corrected_code(code: Code, message: &str) -> Code {
    if code == Code::OutOfRange && message.contains("message length too large") {
        Code::ResourceExhausted
    } else {
        code
    }
}

/// An error and its sources, outermost first: what the status code and
/// wording of a failure are decided from (by type, never by text).
pub fn error_chain<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(err), |err| err.source())
}

/// The code of a `grpc-status` header value; a malformed one is UNKNOWN,
/// as the gRPC spec says a client must treat it.
pub fn code_of(value: &HeaderValue) -> Code {
    Code::from_bytes(value.as_bytes())
}

/// The canonical upper-case name of a status code, as in the gRPC spec.
pub fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_its_canonical_name() {
        // The gRPC spec's table (doc/statuscodes.md), in code order.
        const SPEC: [&str; 17] = [
            "OK",
            "CANCELLED",
            "UNKNOWN",
            "INVALID_ARGUMENT",
            "DEADLINE_EXCEEDED",
            "NOT_FOUND",
            "ALREADY_EXISTS",
            "PERMISSION_DENIED",
            "RESOURCE_EXHAUSTED",
            "FAILED_PRECONDITION",
            "ABORTED",
            "OUT_OF_RANGE",
            "UNIMPLEMENTED",
            "INTERNAL",
            "UNAVAILABLE",
            "DATA_LOSS",
            "UNAUTHENTICATED",
        ];
        for (number, name) in SPEC.into_iter().enumerate() {
            let code = Code::from_i32(i32::try_from(number).expect("small"));
            assert_eq!(code as usize, number, "{name} is code {number}");
            assert_eq!(code_name(code), name, "code {number}");
        }
    }

    #[test]
    fn status_values_parse_strictly() {
        let code = |text: &'static str| code_of(&HeaderValue::from_static(text));
        assert_eq!(code("0"), Code::Ok);
        assert_eq!(code("16"), Code::Unauthenticated);
        assert_eq!(code(""), Code::Unknown);
        assert_eq!(code("-1"), Code::Unknown);
        assert_eq!(code("1a"), Code::Unknown);
        assert_eq!(code("17"), Code::Unknown);
    }

    #[test]
    fn an_over_limit_message_is_resource_exhausted() {
        let status = tonic::Status::out_of_range(
            "Error, decoded message length too large: found 5000 bytes, the limit is: 1024 bytes",
        );
        assert_eq!(RpcError::from(status).code, Code::ResourceExhausted);
        let other = tonic::Status::out_of_range("index past the end");
        assert_eq!(RpcError::from(other).code, Code::OutOfRange);
    }

    #[test]
    fn an_empty_message_is_replaced_by_the_codes_description() {
        let error = RpcError::from(tonic::Status::new(Code::Unavailable, ""));
        assert_eq!(
            error.to_string(),
            "UNAVAILABLE: The service is currently unavailable"
        );
    }
}
