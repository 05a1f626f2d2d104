//! `grpc_server_open_connections`: each accepted connection carries a guard
//! that counts it while it is open.

use std::{
    io,
    pin::Pin,
    sync::atomic::Ordering,
    task::{ready, Context, Poll},
};

use pin_project_lite::pin_project;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_stream::Stream;
use tonic::transport::server::Connected;

use super::Metrics;

pin_project! {
    /// The accepted connections of `inner`, each counted while open.
    pub struct CountedIncoming<S> {
        #[pin]
        inner: S,
        metrics: Option<&'static Metrics>,
    }
}

impl<S> CountedIncoming<S> {
    pub fn new(inner: S, metrics: Option<&'static Metrics>) -> Self {
        Self { inner, metrics }
    }
}

impl<S, C> Stream for CountedIncoming<S>
where
    S: Stream<Item = io::Result<C>>,
{
    type Item = io::Result<CountedConn<C>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        let metrics = *this.metrics;
        let next = ready!(this.inner.poll_next(cx));
        Poll::Ready(next.map(|accepted| {
            accepted.map(|inner| CountedConn {
                inner,
                _open: metrics.map(OpenConnection::new),
            })
        }))
    }
}

/// Counts one open connection until dropped.
struct OpenConnection(&'static Metrics);

impl OpenConnection {
    fn new(metrics: &'static Metrics) -> Self {
        metrics.open_connections.fetch_add(1, Ordering::Relaxed);
        Self(metrics)
    }
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.open_connections.fetch_sub(1, Ordering::Relaxed);
    }
}

pin_project! {
    pub struct CountedConn<C> {
        #[pin]
        inner: C,
        _open: Option<OpenConnection>,
    }
}

impl<C: Connected> Connected for CountedConn<C> {
    type ConnectInfo = C::ConnectInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        self.inner.connect_info()
    }
}

impl<C: AsyncRead> AsyncRead for CountedConn<C> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.project().inner.poll_read(cx, buf)
    }
}

impl<C: AsyncWrite> AsyncWrite for CountedConn<C> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_shutdown(cx)
    }
}
