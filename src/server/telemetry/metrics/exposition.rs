//! The metrics listener: `GET /metrics` over HTTP/1.1 on its own address,
//! apart from the gRPC port, so scrapes never compete with RPC limits or
//! auth. Prometheus text format 0.0.4 by default; OpenMetrics 1.0 when the
//! scraper's `Accept` asks for it (Prometheus itself does).

use std::{convert::Infallible, net::SocketAddr, sync::Arc};

use anyhow::Context as _;
use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use prometheus_client::registry::Registry;
use tokio::net::TcpListener;

const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";
const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The bound metrics listener, not yet serving.
pub struct MetricsListener(TcpListener);

/// Binds the metrics address (port 0 takes a free port).
pub async fn bind(addr: SocketAddr) -> anyhow::Result<MetricsListener> {
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} (--metrics-addr)"))?;
    Ok(MetricsListener(listener))
}

impl MetricsListener {
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.0.local_addr()
    }

    /// Serves scrapes until the returned task is aborted.
    pub fn serve(self, registry: Registry) -> tokio::task::JoinHandle<()> {
        let registry = Arc::new(registry);
        tokio::spawn(async move {
            loop {
                let stream = match self.0.accept().await {
                    Ok((stream, _)) => stream,
                    Err(err) => {
                        tracing::warn!("metrics listener: accepting failed: {err}");
                        // EMFILE and the like: do not spin.
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let registry = Arc::clone(&registry);
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        let registry = Arc::clone(&registry);
                        async move { Ok::<_, Infallible>(respond(&request, &registry)) }
                    });
                    // A scraper that does not finish its request in time is
                    // let go.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .timer(hyper_util::rt::TokioTimer::new())
                        .header_read_timeout(std::time::Duration::from_secs(10))
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        })
    }
}

fn respond<B>(request: &Request<B>, registry: &Registry) -> Response<String> {
    let plain = |status: StatusCode, text: &str| {
        let mut response = Response::new(format!("{text}\n"));
        *response.status_mut() = status;
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        response
    };
    if request.uri().path() != "/metrics" {
        return plain(StatusCode::NOT_FOUND, "not found; metrics are at /metrics");
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "use GET");
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let openmetrics = wants_openmetrics(request.headers().get(header::ACCEPT));
    let mut body = String::with_capacity(64 * 1024);
    let encoded = if openmetrics {
        prometheus_client::encoding::text::encode(&mut body, registry)
    } else {
        prometheus_client::encoding::prometheus_text::encode(&mut body, registry)
    };
    if encoded.is_err() {
        return plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            "encoding the metrics failed",
        );
    }
    let mut response = Response::new(body);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(if openmetrics {
            OPENMETRICS
        } else {
            PROMETHEUS_TEXT
        }),
    );
    response
}

/// Whether `Accept` lists `application/openmetrics-text` with a non-zero
/// quality. (Prometheus sends it first, text/plain as a fallback.)
fn wants_openmetrics(accept: Option<&HeaderValue>) -> bool {
    let Some(accept) = accept.and_then(|value| value.to_str().ok()) else {
        return false;
    };
    accept.split(',').any(|range| {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or_default();
        media.eq_ignore_ascii_case("application/openmetrics-text")
            && parts
                .filter_map(|param| param.strip_prefix("q="))
                .all(|q| q.parse::<f64>().is_ok_and(|q| q > 0.0))
    })
}

#[cfg(test)]
mod tests {
    use super::wants_openmetrics;
    use http::HeaderValue;

    fn wants(accept: &'static str) -> bool {
        wants_openmetrics(Some(&HeaderValue::from_static(accept)))
    }

    #[test]
    fn openmetrics_only_when_asked() {
        assert!(!wants_openmetrics(None));
        assert!(!wants("*/*"));
        assert!(!wants("text/plain;version=0.0.4"));
        assert!(wants(
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
        ));
        assert!(wants(
            "text/plain;q=0.5, Application/OpenMetrics-Text; version=1.0.0"
        ));
        assert!(!wants("application/openmetrics-text;q=0"));
    }
}
