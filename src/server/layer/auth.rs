//! Bearer-token authentication for the application services (health and
//! reflection stay open, so probes and discovery work without a secret).
//!
//! A tower service around each application service, not tonic's
//! `InterceptedService`: that one takes every request apart into tonic's
//! types and back (URI, method and headers moved or cloned), even when no
//! token is configured. This one reads one header when a token is set and
//! does nothing at all otherwise.

use std::{
    convert::Infallible,
    future::Future,
    net::SocketAddr,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use http::{header::AUTHORIZATION, HeaderMap, Request, Response};
use pin_project_lite::pin_project;
use subtle::ConstantTimeEq;
use tonic::{body::Body, server::NamedService, Status};

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

    /// Ok, or UNAUTHENTICATED (logged with the peer and the reason, never
    /// the token).
    pub fn check(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> Result<(), Status> {
        let Some(expected) = &self.expected else {
            return Ok(());
        };
        let presented = headers.get(AUTHORIZATION).map(|value| value.as_bytes());
        let reason = match presented.map(|value| value.strip_prefix(b"Bearer ")) {
            None => "no authorization header",
            Some(None) => "authorization is not a Bearer token",
            // Constant time in the token's content.
            Some(Some(token)) if bool::from(token.ct_eq(expected)) => return Ok(()),
            Some(Some(_)) => "wrong token",
        };
        if crate::logging::warn_limit::admit(reason, peer.map(|addr| addr.ip())) {
            let peer = crate::logging::peer_text(peer);
            tracing::warn!(%peer, reason, "rejected unauthenticated call");
        }
        Err(Status::unauthenticated("missing or invalid bearer token"))
    }

    /// Wraps a service so that its calls are checked.
    pub fn protect<S>(&self, inner: S) -> RequireToken<S> {
        RequireToken {
            inner,
            check: self.clone(),
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

/// A service whose calls need the bearer token.
#[derive(Debug, Clone)]
pub struct RequireToken<S> {
    inner: S,
    check: TokenCheck,
}

impl<S: NamedService> NamedService for RequireToken<S> {
    const NAME: &'static str = S::NAME;
}

impl<S> tower::Service<Request<Body>> for RequireToken<S>
where
    S: tower::Service<Request<Body>, Response = Response<Body>, Error = Infallible>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Checked<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        if self.check.expected.is_none() {
            return Checked::Passed {
                inner: self.inner.call(request),
            };
        }
        let peer = crate::server::transport::connection::peer_addr(request.extensions());
        match self.check.check(request.headers(), peer) {
            Ok(()) => Checked::Passed {
                inner: self.inner.call(request),
            },
            Err(status) => Checked::Refused {
                response: Some(status.into_http()),
            },
        }
    }
}

pin_project! {
    /// The inner service's response, or the refusal.
    #[project = CheckedProj]
    pub enum Checked<F> {
        Passed { #[pin] inner: F },
        Refused { response: Option<Response<Body>> },
    }
}

impl<F> Future for Checked<F>
where
    F: Future<Output = Result<Response<Body>, Infallible>>,
{
    type Output = Result<Response<Body>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            CheckedProj::Passed { inner } => inner.poll(cx),
            CheckedProj::Refused { response } => {
                Poll::Ready(Ok(response.take().unwrap_or_else(|| {
                    Status::internal("response polled after completion").into_http()
                })))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_auth(value: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(value) = value {
            headers.insert(AUTHORIZATION, value.parse().expect("ascii"));
        }
        headers
    }

    #[test]
    fn without_a_configured_token_everything_passes() {
        let check = TokenCheck::new(None);
        assert!(check.check(&with_auth(None), None).is_ok());
    }

    #[test]
    fn the_right_bearer_token_passes() {
        let check = TokenCheck::new(Some("s3cret"));
        assert!(check.check(&with_auth(Some("Bearer s3cret")), None).is_ok());
    }

    #[test]
    fn missing_wrong_or_malformed_tokens_are_unauthenticated() {
        let check = TokenCheck::new(Some("s3cret"));
        for value in [
            None,
            Some("Bearer nope"),
            Some("s3cret"),
            Some("Bearer s3cret2"),
            Some("Bearer "),
        ] {
            let status = check.check(&with_auth(value), None).expect_err("refused");
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
