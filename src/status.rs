//! gRPC statuses, one home for client and server: the failed-RPC error
//! type, the canonical code names, and the two corrections we make to
//! tonic's statuses (an over-limit message is RESOURCE_EXHAUSTED, not
//! OUT_OF_RANGE; an RPC whose client went away is CANCELLED). The server applies that correction as a layer of its own
//! (`server/over_limit.rs`); the client through `RpcError::from`.

use http::HeaderValue;
use tonic::Code;

/// A failed RPC: the gRPC status code and a message naming the cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", code_name(*code))]
pub struct RpcError {
    pub code: Code,
    pub message: String,
    /// The standard error details the server sent (`grpc-status-details-bin`).
    pub details: Vec<ErrorDetail>,
}

impl RpcError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }

    pub fn with_details(mut self, details: Vec<ErrorDetail>) -> Self {
        self.details = details;
        self
    }
}

/// One error detail of a failed RPC (a google.rpc.Status `details` entry):
/// its type's full name and its fields as proto3 JSON, `@type` included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorDetail {
    pub type_name: String,
    pub json: serde_json::Value,
}

impl ErrorDetail {
    /// On one line for stderr: `google.rpc.BadRequest {"fieldViolations":[…]}`.
    pub fn text_line(&self) -> String {
        let mut fields = self.json.clone();
        if let serde_json::Value::Object(object) = &mut fields {
            object.remove("@type");
        }
        format!("{} {fields}", self.type_name)
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
/// contract, say RESOURCE_EXHAUSTED. An RPC whose client went away
/// ([`client_went_away`]) is CANCELLED. Every other status is kept.
pub fn corrected_code(code: Code, message: &str) -> Code {
    match code {
        Code::OutOfRange if message.contains("message length too large") => Code::ResourceExhausted,
        Code::Unknown if message.starts_with(CLIENT_WENT_AWAY) => Code::Cancelled,
        _ => code,
    }
}

/// Whether [`corrected_code`] could change a status of this code: the
/// server reads the message only then.
pub fn may_be_corrected(code: Code) -> bool {
    matches!(code, Code::OutOfRange | Code::Unknown)
}

/// An error and its sources, outermost first: what the status code and
/// wording of a failure are decided from (by type, never by text).
pub fn error_chain<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(err), |err| err.source())
}

/// How the message of an RPC that ended because its client went away
/// starts (see [`client_went_away`]).
const CLIENT_WENT_AWAY: &str = "the client went away: ";

/// A request body that failed because the client went away (its
/// connection broke or closed, or it reset the stream with CANCEL or sent
/// GOAWAY). gRPC's other servers count that RPC CANCELLED; tonic says
/// UNKNOWN, and turns a CANCELLED body error into the end of the stream (a
/// cut unary request becomes INTERNAL "Missing request message", a cut
/// client stream an early OK). So the body fails with UNKNOWN and a message
/// of ours, which [`corrected_code`] turns into CANCELLED on the way out.
/// Any other status is kept.
pub fn client_went_away(status: tonic::Status) -> tonic::Status {
    let went_away = error_chain(&status).any(|error| {
        error.is::<std::io::Error>()
            || error.downcast_ref::<h2::Error>().is_some_and(|h2| {
                h2.is_io()
                    || h2.reason() == Some(h2::Reason::CANCEL)
                    || (h2.is_go_away() && h2.is_remote())
            })
    });
    if went_away {
        return tonic::Status::unknown(format!("{CLIENT_WENT_AWAY}{}", status.message()));
    }
    status
}

/// The user pressed Ctrl-C during a client command (`watch`, or `bench`
/// after printing the report so far): exit 130, as a shell reports a
/// process ended by SIGINT, with nothing more printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("interrupted")]
pub struct Interrupted;

/// A usage error found after clap's parsing (flags that do not fit
/// together): exit 2, like clap's own.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// The `grpc-status` header name, ready-made: looked up per RPC by the
/// server's layers, it is hashed, not parsed, each time.
pub const GRPC_STATUS: http::HeaderName = http::HeaderName::from_static("grpc-status");

/// The status in a response's headers (a trailers-only response) or
/// trailers, if `grpc-status` is there.
pub fn status_in(headers: &http::HeaderMap) -> Option<Code> {
    headers.get(GRPC_STATUS).map(code_of)
}

/// The code of a `grpc-status` header value; a malformed one is UNKNOWN,
/// as the gRPC spec says a client must treat it.
pub fn code_of(value: &HeaderValue) -> Code {
    Code::from_bytes(value.as_bytes())
}

/// Every status code, in code order, with its two spellings: the gRPC
/// spec's (doc/statuscodes.md: errors, `-o json`, bench's report) and
/// grpc-go's `codes.Code.String()`, which is the `grpc_code` label of the Go
/// middleware and so of every dashboard built on it (`Canceled`, one l).
const CODES: [(Code, &str, &str); 17] = [
    (Code::Ok, "OK", "OK"),
    (Code::Cancelled, "CANCELLED", "Canceled"),
    (Code::Unknown, "UNKNOWN", "Unknown"),
    (Code::InvalidArgument, "INVALID_ARGUMENT", "InvalidArgument"),
    (
        Code::DeadlineExceeded,
        "DEADLINE_EXCEEDED",
        "DeadlineExceeded",
    ),
    (Code::NotFound, "NOT_FOUND", "NotFound"),
    (Code::AlreadyExists, "ALREADY_EXISTS", "AlreadyExists"),
    (
        Code::PermissionDenied,
        "PERMISSION_DENIED",
        "PermissionDenied",
    ),
    (
        Code::ResourceExhausted,
        "RESOURCE_EXHAUSTED",
        "ResourceExhausted",
    ),
    (
        Code::FailedPrecondition,
        "FAILED_PRECONDITION",
        "FailedPrecondition",
    ),
    (Code::Aborted, "ABORTED", "Aborted"),
    (Code::OutOfRange, "OUT_OF_RANGE", "OutOfRange"),
    (Code::Unimplemented, "UNIMPLEMENTED", "Unimplemented"),
    (Code::Internal, "INTERNAL", "Internal"),
    (Code::Unavailable, "UNAVAILABLE", "Unavailable"),
    (Code::DataLoss, "DATA_LOSS", "DataLoss"),
    (Code::Unauthenticated, "UNAUTHENTICATED", "Unauthenticated"),
];

/// All 17 status codes, in code order.
pub fn all_codes() -> impl Iterator<Item = Code> {
    CODES.iter().map(|&(code, _, _)| code)
}

/// The canonical upper-case name of a status code, as in the gRPC spec.
pub fn code_name(code: Code) -> &'static str {
    CODES[code as usize].1
}

/// grpc-go's name of a status code (the Prometheus `grpc_code` label).
pub fn go_code_name(code: Code) -> &'static str {
    CODES[code as usize].2
}

/// The code grpc-go names `name`, if any.
pub fn code_from_go_name(name: &str) -> Option<Code> {
    CODES
        .iter()
        .find(|&&(_, _, go)| go == name)
        .map(|&(code, _, _)| code)
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
        assert_eq!(all_codes().count(), 17);
        assert!(all_codes()
            .enumerate()
            .all(|(index, code)| code as usize == index));
    }

    #[test]
    fn go_names_are_grpc_gos_and_map_back() {
        assert_eq!(go_code_name(Code::Cancelled), "Canceled");
        assert_eq!(go_code_name(Code::DeadlineExceeded), "DeadlineExceeded");
        for code in all_codes() {
            assert_eq!(code_from_go_name(go_code_name(code)), Some(code));
        }
        assert_eq!(code_from_go_name("CANCELLED"), None);
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
