//! The status corrections the server makes on the way out
//! (`status::corrected_code`): tonic ends an RPC whose message is over
//! `--max-message-size` with OUT_OF_RANGE, where gRPC's other
//! implementations (and our contract) say RESOURCE_EXHAUSTED; and an RPC
//! whose client went away (`status::client_went_away`) is CANCELLED. The
//! first observer of the server's observe layer, outside every service, so
//! the access log (the observer after it) and the metrics (outside it) see
//! the corrected status.

use super::observe::{Observer, Watch};
use crate::status::{corrected_code, may_be_corrected, GRPC_STATUS};
use http::{header::HeaderName, HeaderMap, HeaderValue, Request};
use tonic::Code;

const GRPC_MESSAGE: HeaderName = HeaderName::from_static("grpc-message");

#[derive(Debug, Clone, Copy, Default)]
pub struct OverLimit;

impl Observer for OverLimit {
    type Watch = Self;

    fn start<B>(&self, _: &Request<B>) -> Self {
        Self
    }
}

impl Watch for OverLimit {
    fn headers(&mut self, headers: &mut HeaderMap, status: &mut Option<Code>) {
        correct(headers, status);
    }

    fn trailers(&mut self, trailers: &mut HeaderMap, status: &mut Option<Code>) {
        correct(trailers, status);
    }
}

/// Rewrites `grpc-status` (`status`, as read from `headers`) as
/// [`corrected_code`] says; anything else is left as it is.
fn correct(headers: &mut HeaderMap, status: &mut Option<Code>) {
    let Some(code) = *status else {
        return;
    };
    if !may_be_corrected(code) {
        return;
    }
    // grpc-message is percent-encoded on the wire.
    let message = headers
        .get(GRPC_MESSAGE)
        .map(|value| percent_encoding::percent_decode(value.as_bytes()).decode_utf8_lossy())
        .unwrap_or_default();
    let corrected = corrected_code(code, &message);
    if corrected != code {
        headers.insert(GRPC_STATUS, HeaderValue::from(corrected as i32));
        *status = Some(corrected);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Corrects `headers` as the observe layer does (status read from the
    /// map), and checks that the status handed on matches the map.
    fn correct_map(headers: &mut HeaderMap) {
        let mut status = crate::status::status_in(headers);
        correct(headers, &mut status);
        assert_eq!(status, crate::status::status_in(headers));
    }

    #[test]
    fn over_limit_out_of_range_becomes_resource_exhausted() {
        let mut headers = HeaderMap::new();
        headers.insert(GRPC_STATUS, HeaderValue::from(Code::OutOfRange as i32));
        headers.insert(
            GRPC_MESSAGE,
            HeaderValue::from_static(
                "Error, decoded message length too large: found 5000 bytes, the limit is: 4096 bytes",
            ),
        );
        correct_map(&mut headers);
        assert_eq!(headers[GRPC_STATUS], "8");

        let mut other = HeaderMap::new();
        other.insert(GRPC_STATUS, HeaderValue::from(Code::OutOfRange as i32));
        other.insert(GRPC_MESSAGE, HeaderValue::from_static("index past the end"));
        correct_map(&mut other);
        assert_eq!(other[GRPC_STATUS], "11");

        let mut went_away = HeaderMap::new();
        went_away.insert(GRPC_STATUS, HeaderValue::from(Code::Unknown as i32));
        went_away.insert(
            GRPC_MESSAGE,
            HeaderValue::from_static("the%20client%20went%20away%3A%20connection%20reset"),
        );
        correct_map(&mut went_away);
        assert_eq!(went_away[GRPC_STATUS], "1");

        let mut unknown = HeaderMap::new();
        unknown.insert(GRPC_STATUS, HeaderValue::from(Code::Unknown as i32));
        unknown.insert(
            GRPC_MESSAGE,
            HeaderValue::from_static("the%20handler%20failed"),
        );
        correct_map(&mut unknown);
        assert_eq!(unknown[GRPC_STATUS], "2");

        let mut none = HeaderMap::new();
        correct_map(&mut none);
        assert!(none.is_empty());
    }
}
