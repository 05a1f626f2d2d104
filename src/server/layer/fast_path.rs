//! Dispatch of the two application services ahead of tonic's router.
//!
//! Why: tonic's axum router costs a route match, a URL-parameter map and a
//! response mapping per RPC, and our unary and bidi services take nearly
//! all the traffic (BENCHMARKS.md, "What was changed", the "dispatched ahead
//! of tonic's axum router" row). Everything else (the streaming services,
//! health, reflection, unknown paths) still goes through tonic's router.

use std::{
    convert::Infallible,
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};

use http::{Request, Response};
use pin_project_lite::pin_project;
use tonic::body::Body;

use super::auth::RequireToken;
use crate::proto::{
    greet_service_server::{self, GreetServiceServer},
    message_service_server::{self, MessageServiceServer},
};
use crate::server::service::{greet::Greeter, message::Messenger};

type Greet = RequireToken<GreetServiceServer<Greeter>>;
type Message = RequireToken<MessageServiceServer<Messenger>>;

/// `/packages.GreetService/` and `/packages.MessageService/`.
fn prefix_matches(path: &str, service: &str) -> bool {
    path.len() > service.len() + 2
        && path.as_bytes()[0] == b'/'
        && path[1..].starts_with(service)
        && path.as_bytes()[service.len() + 1] == b'/'
}

#[derive(Clone)]
pub struct FastPathLayer {
    greet: Greet,
    message: Message,
}

impl FastPathLayer {
    pub fn new(greet: Greet, message: Message) -> Self {
        Self { greet, message }
    }
}

impl<S> tower::Layer<S> for FastPathLayer {
    type Service = FastPath<S>;

    fn layer(&self, router: S) -> Self::Service {
        FastPath {
            greet: self.greet.clone(),
            message: self.message.clone(),
            router,
        }
    }
}

#[derive(Clone)]
pub struct FastPath<S> {
    greet: Greet,
    message: Message,
    router: S,
}

impl<S> tower::Service<Request<Body>> for FastPath<S>
where
    S: tower::Service<Request<Body>, Response = Response<Body>, Error = Infallible>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Routed<<Greet as tower::Service<Request<Body>>>::Future, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // The generated services are always ready; the router decides.
        self.router.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        let path = request.uri().path();
        if prefix_matches(path, greet_service_server::SERVICE_NAME) {
            Routed::Ours {
                inner: self.greet.call(request),
            }
        } else if prefix_matches(path, message_service_server::SERVICE_NAME) {
            Routed::Ours {
                inner: self.message.call(request),
            }
        } else {
            Routed::Router {
                inner: Box::pin(self.router.call(request)),
            }
        }
    }
}

pin_project! {
    #[project = RoutedProj]
    pub enum Routed<F, R> {
        Ours { #[pin] inner: F },
        // Boxed: the router's future (axum's, 320 bytes) would otherwise
        // set the size of this enum, and so of every layer's future around
        // it, each of which is moved (copied) once per RPC.
        Router { inner: Pin<Box<R>> },
    }
}

impl<F, R> Future for Routed<F, R>
where
    F: Future<Output = Result<Response<Body>, Infallible>>,
    R: Future<Output = Result<Response<Body>, Infallible>>,
{
    type Output = Result<Response<Body>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            RoutedProj::Ours { inner } => inner.poll(cx),
            RoutedProj::Router { inner } => inner.as_mut().poll(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::prefix_matches;

    #[test]
    fn only_whole_service_names_match() {
        let greet = "packages.GreetService";
        assert!(prefix_matches("/packages.GreetService/sayHello", greet));
        assert!(prefix_matches("/packages.GreetService/other", greet));
        assert!(!prefix_matches("/packages.GreetService", greet));
        assert!(!prefix_matches("/packages.GreetService/", greet));
        assert!(!prefix_matches("/packages.GreetServiceX/sayHello", greet));
        assert!(!prefix_matches("packages.GreetService/sayHello", greet));
        assert!(!prefix_matches("/grpc.health.v1.Health/Check", greet));
        assert!(!prefix_matches("/", greet));
    }
}
