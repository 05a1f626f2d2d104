//! `serve --web`: gRPC-Web on the same port (tonic-web translates it to
//! gRPC before any of our layers see it), CORS for the origins given with
//! `--web-origin`, and the learner's page at `/` (web/index.html, embedded
//! in the binary: it works offline).
//!
//! Without `--web` the layer passes every request through untouched (and
//! the server does not accept HTTP/1 at all: mod.rs, connection.rs).

use std::{
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::Either;
use tonic::body::Body;
use tonic_web::{GrpcWebLayer, GrpcWebService};
use tower::{Layer, Service};
use tower_http::cors::{AllowOrigin, Cors, CorsLayer, ExposeHeaders};

/// The page served at `/`.
pub const PAGE: &str = include_str!("web/index.html");

/// What the browser may read of a gRPC-Web response from another origin:
/// the status travels in these headers when there is no message.
const EXPOSED: [&str; 3] = ["grpc-status", "grpc-message", "grpc-status-details-bin"];

/// `--web` and its `--web-origin`s.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebOptions {
    /// Origins allowed to call from their pages (CORS); empty: the page
    /// served here only (same origin), and no CORS headers at all.
    pub origins: Vec<HeaderValue>,
}

/// Checks a `--web-origin`: `http(s)://host[:port]`, as browsers send it
/// in `Origin` (no path, no trailing slash).
pub fn parse_origin(text: &str) -> Result<HeaderValue, String> {
    let rest = text
        .strip_prefix("http://")
        .or_else(|| text.strip_prefix("https://"));
    let valid = rest.is_some_and(|host| {
        !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
    });
    if !valid {
        return Err(format!(
            "'{text}' is not an origin like http://localhost:8080 (scheme://host[:port], no path)"
        ));
    }
    HeaderValue::from_str(text).map_err(|err| format!("'{text}': {err}"))
}

/// The outermost layer of the server: with `--web`, the page, CORS and
/// the gRPC-Web translation; without, nothing.
#[derive(Debug, Clone)]
pub struct WebLayer {
    web: Option<Arc<WebOptions>>,
}

impl WebLayer {
    pub fn new(web: Option<&WebOptions>) -> Self {
        Self {
            web: web.cloned().map(Arc::new),
        }
    }
}

impl<S: Clone> Layer<S> for WebLayer {
    type Service = WebService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        let Some(web) = &self.web else {
            return WebService::Off(inner);
        };
        let grpc_web = GrpcWebLayer::new().layer(inner);
        if web.origins.is_empty() {
            return WebService::SameOrigin(grpc_web);
        }
        let cors = CorsLayer::new()
            .allow_origin(AllowOrigin::list(web.origins.iter().cloned()))
            .allow_methods([Method::POST, Method::OPTIONS])
            // What grpc-web and connect-web clients send.
            .allow_headers(tower_http::cors::AllowHeaders::mirror_request())
            .expose_headers(ExposeHeaders::list(
                EXPOSED.map(header::HeaderName::from_static),
            ))
            .max_age(std::time::Duration::from_secs(24 * 3600));
        WebService::Cors(Box::new(cors.layer(grpc_web)))
    }
}

#[derive(Debug, Clone)]
pub enum WebService<S> {
    Off(S),
    SameOrigin(GrpcWebService<S>),
    /// Boxed: tower-http's CORS configuration is large, and the service
    /// is cloned per connection.
    Cors(Box<Cors<GrpcWebService<S>>>),
}

type BoxFuture<E> = Pin<Box<dyn Future<Output = Result<Response<Body>, E>> + Send>>;

pin_project_lite::pin_project! {
    #[project = WebFutureProj]
    pub enum WebFuture<F, E> {
        /// Without `--web`: the inner future as it is.
        Off { #[pin] inner: F },
        /// With `--web`: through tonic-web (and CORS), or the page.
        On { inner: BoxFuture<E> },
    }
}

impl<F, B, E> Future for WebFuture<F, E>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Output = Result<Response<Either<B, Body>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            // The inner body as it is: no box of ours (tonic boxes it once
            // after us, as it did before this layer existed).
            WebFutureProj::Off { inner } => inner.poll(cx).map_ok(|res| res.map(Either::Left)),
            WebFutureProj::On { inner } => {
                inner.as_mut().poll(cx).map_ok(|res| res.map(Either::Right))
            }
        }
    }
}

impl<S, B> Service<Request<Body>> for WebService<S>
where
    S: Service<Request<Body>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>> + std::fmt::Display,
{
    type Response = Response<Either<B, Body>>;
    type Error = S::Error;
    type Future = WebFuture<S::Future, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        match self {
            Self::Off(inner) => inner.poll_ready(cx),
            Self::SameOrigin(inner) => Service::<Request<Body>>::poll_ready(inner, cx),
            Self::Cors(inner) => Service::<Request<Body>>::poll_ready(inner.as_mut(), cx),
        }
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        let inner: BoxFuture<S::Error> = match self {
            Self::Off(inner) => {
                return WebFuture::Off {
                    inner: inner.call(req),
                }
            }
            _ if is_page_request(&req) => {
                let page = page_response(req.method() == Method::HEAD);
                Box::pin(std::future::ready(Ok(page)))
            }
            Self::SameOrigin(inner) => Box::pin(inner.call(req)),
            Self::Cors(inner) => Box::pin(inner.call(req)),
        };
        WebFuture::On { inner }
    }
}

fn is_page_request<B>(req: &Request<B>) -> bool {
    matches!(*req.method(), Method::GET | Method::HEAD)
        && matches!(req.uri().path(), "/" | "/index.html")
}

fn page_response(head: bool) -> Response<Body> {
    let body = if head {
        Body::empty()
    } else {
        Body::new(http_body_util::Full::new(bytes::Bytes::from_static(
            PAGE.as_bytes(),
        )))
    };
    let mut res = Response::new(body);
    *res.status_mut() = StatusCode::OK;
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // The page loads nothing from elsewhere and calls only this server.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
             connect-src 'self'; img-src 'self' data:",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert!(parse_origin("http://localhost:8080").is_ok());
        assert!(parse_origin("https://example.com").is_ok());
        assert!(parse_origin("http://[::1]:3000").is_ok());
        for bad in [
            "localhost:8080",
            "http://",
            "http://example.com/",
            "ftp://x",
            "*",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_page_is_html_and_names_its_calls() {
        assert!(PAGE.starts_with("<!doctype html>"));
        assert!(PAGE.contains("/packages.GreetService/sayHello"));
        assert!(PAGE.contains("/packages.StockService/watch"));
    }
}
