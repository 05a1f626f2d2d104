//! Whether the server has said anything yet: tonic's `connect` returns once
//! the TCP (and TLS) connection is up and the client's HTTP/2 preface is
//! written, without waiting for the server's. A listener that accepts and
//! then stays silent would hold the call until its whole deadline; wrapping
//! the connection's I/O in [`Heard`] lets `--connect-timeout` wait for the
//! server's first bytes (its SETTINGS) as well.

use std::{
    io,
    pin::Pin,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    task::{Context, Poll},
};

use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    sync::watch,
};

/// Whether any server this process connected to has answered in HTTP/2
/// (its first bytes a SETTINGS frame): a connection that breaks after that
/// was not refused for speaking the wrong protocol, so a failure is not
/// given the TLS / HTTP/2 hint. (One process runs one command, so the
/// answer is about its target.)
static SERVER_SPOKE: AtomicBool = AtomicBool::new(false);

/// HTTP/2's SETTINGS frame type, the first frame a server sends.
const SETTINGS: u8 = 0x4;

/// See [`SERVER_SPOKE`].
pub(crate) fn server_spoke() -> bool {
    SERVER_SPOKE.load(Ordering::Relaxed)
}

/// A connection's I/O that tells `heard` when the first bytes arrive, or
/// the connection ends or fails.
pub(crate) struct Heard<T> {
    inner: T,
    heard: Option<Arc<watch::Sender<bool>>>,
}

impl<T> Heard<T> {
    pub(crate) fn new(inner: T, heard: Arc<watch::Sender<bool>>) -> Self {
        Self {
            inner,
            heard: Some(heard),
        }
    }
}

/// A connection dropped before anything was read (its first write failed,
/// say: the server closed or reset it) is settled too: the call goes on to
/// report what happened instead of waiting for the connect timeout.
impl<T> Drop for Heard<T> {
    fn drop(&mut self) {
        if let Some(heard) = self.heard.take() {
            heard.send_replace(true);
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Heard<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        // Bytes, the end of the stream or an error: either way the server
        // is no longer silent (a close is then reported by the call). Told
        // once; afterwards a read costs one branch.
        if result.is_ready() {
            if let Some(heard) = self.heard.take() {
                // A frame header: 3 bytes of length, then the type.
                if buf.filled().get(3) == Some(&SETTINGS) {
                    SERVER_SPOKE.store(true, Ordering::Relaxed);
                }
                heard.send_replace(true);
            }
        }
        result
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Heard<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Waits until the server's first bytes arrived on a connection wrapped in
/// [`Heard`] (at once if they already did).
pub(crate) async fn first_bytes(heard: &mut watch::Receiver<bool>) {
    // An error means every sender is gone: the connection closed, which
    // the call itself will report.
    let _ = heard.wait_for(|heard| *heard).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn the_first_bytes_read_are_told_and_writes_are_not() {
        let (client, mut server) = tokio::io::duplex(64);
        let (sender, mut receiver) = watch::channel(false);
        let mut client = Heard::new(client, Arc::new(sender));
        client.write_all(b"preface").await.expect("write");
        assert!(!*receiver.borrow_and_update(), "writing is not hearing");
        server.write_all(b"settings").await.expect("write");
        let mut buf = [0u8; 8];
        client.read_exact(&mut buf).await.expect("read");
        first_bytes(&mut receiver).await;
        assert!(*receiver.borrow());
    }

    #[tokio::test]
    async fn a_connection_dropped_unread_is_told_too() {
        let (client, _server) = tokio::io::duplex(64);
        let (sender, mut receiver) = watch::channel(false);
        drop(Heard::new(client, Arc::new(sender)));
        first_bytes(&mut receiver).await;
        assert!(*receiver.borrow());
    }

    #[tokio::test]
    async fn a_close_is_told_too() {
        let (client, server) = tokio::io::duplex(64);
        let (sender, mut receiver) = watch::channel(false);
        let mut client = Heard::new(client, Arc::new(sender));
        drop(server);
        let mut buf = [0u8; 8];
        assert_eq!(client.read(&mut buf).await.expect("end of stream"), 0);
        first_bytes(&mut receiver).await;
        assert!(*receiver.borrow());
    }
}
