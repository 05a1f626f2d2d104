//! Bearer-token authentication for the application services (health and
//! reflection stay open, so probes and discovery work without a secret).

use std::sync::Arc;

use subtle::ConstantTimeEq;
use tonic::{service::Interceptor, Request, Status};

/// Checks `authorization: Bearer <token>` when a token is configured; lets
/// everything through otherwise.
#[derive(Clone, Default)]
pub struct TokenCheck {
    expected: Option<Arc<[u8]>>,
}

impl TokenCheck {
    pub fn new(token: Option<&str>) -> Self {
        Self {
            expected: token.map(|token| Arc::from(token.as_bytes())),
        }
    }
}

impl std::fmt::Debug for TokenCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the token.
        f.debug_struct("TokenCheck")
            .field("enabled", &self.expected.is_some())
            .finish()
    }
}

impl Interceptor for TokenCheck {
    fn call(&mut self, request: Request<()>) -> Result<Request<()>, Status> {
        let Some(expected) = &self.expected else {
            return Ok(request);
        };
        let presented = request
            .metadata()
            .get("authorization")
            .map(|value| value.as_bytes());
        let reason = match presented.map(|value| value.strip_prefix(b"Bearer ")) {
            None => "no authorization header",
            Some(None) => "authorization is not a Bearer token",
            // Constant time in the token's content.
            Some(Some(token)) if bool::from(token.ct_eq(expected)) => return Ok(request),
            Some(Some(_)) => "wrong token",
        };
        let peer = request
            .remote_addr()
            .map_or_else(|| "unix".to_owned(), |addr| addr.to_string());
        tracing::warn!(%peer, reason, "rejected unauthenticated call");
        Err(Status::unauthenticated("missing or invalid bearer token"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_auth(value: Option<&str>) -> Request<()> {
        let mut request = Request::new(());
        if let Some(value) = value {
            request
                .metadata_mut()
                .insert("authorization", value.parse().expect("ascii"));
        }
        request
    }

    #[test]
    fn without_a_configured_token_everything_passes() {
        let mut check = TokenCheck::new(None);
        assert!(check.call(with_auth(None)).is_ok());
    }

    #[test]
    fn the_right_bearer_token_passes() {
        let mut check = TokenCheck::new(Some("s3cret"));
        assert!(check.call(with_auth(Some("Bearer s3cret"))).is_ok());
    }

    #[test]
    fn missing_wrong_or_malformed_tokens_are_unauthenticated() {
        let mut check = TokenCheck::new(Some("s3cret"));
        for value in [
            None,
            Some("Bearer nope"),
            Some("s3cret"),
            Some("Bearer s3cret2"),
            Some("Bearer "),
        ] {
            let status = check.call(with_auth(value)).expect_err("refused");
            assert_eq!(status.code(), tonic::Code::Unauthenticated, "{value:?}");
            assert!(!status.message().contains("s3cret"));
        }
    }

    #[test]
    fn debug_output_hides_the_token() {
        let check = TokenCheck::new(Some("s3cret"));
        assert!(!format!("{check:?}").contains("s3cret"));
    }
}
