//! The byte tap: a connection's I/O that hands a copy of every chunk
//! written or read, as it happens, to the connection's reader. It sits
//! where the client's connector wraps the socket (above TLS when there is
//! TLS), so what it sees is the HTTP/2 the client and server exchanged.

use std::{
    io,
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::{lock, Connection, Direction};

pub(crate) struct Tap<T> {
    inner: T,
    connection: Arc<Mutex<Connection>>,
}

impl<T> Tap<T> {
    pub(super) fn new(inner: T, connection: Arc<Mutex<Connection>>) -> Self {
        Self { inner, connection }
    }

    fn saw(&self, direction: Direction, bytes: &[u8]) {
        if !bytes.is_empty() {
            lock(&self.connection).feed(direction, bytes);
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Tap<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = result {
            self.saw(Direction::Receive, &buf.filled()[before..]);
        }
        result
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Tap<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(written)) = result {
            self.saw(Direction::Send, &buf[..written.min(buf.len())]);
        }
        result
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if let Poll::Ready(Ok(written)) = result {
            // The first `written` bytes of the slices, in order.
            let mut left = written;
            for buf in bufs {
                if left == 0 {
                    break;
                }
                let take = left.min(buf.len());
                self.saw(Direction::Send, &buf[..take]);
                left -= take;
            }
        }
        result
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

#[cfg(test)]
mod tests {
    use super::super::{Carrier, Explain, ExplainFormat};
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            lock(&self.0).extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn writes_and_reads_are_told_in_the_order_they_happen() {
        let captured = Captured::default();
        let explain = Explain::to_writer(ExplainFormat::Text, 1024, Box::new(captured.clone()));
        let (client, mut server) = tokio::io::duplex(1024);
        let mut client = explain.tap(client, Carrier::Tcp);
        client
            .write_all(super::super::frames::PREFACE)
            .await
            .expect("write");
        // SETTINGS ACK from the server.
        server
            .write_all(&[0, 0, 0, 4, 1, 0, 0, 0, 0])
            .await
            .expect("write");
        let mut buf = [0u8; 9];
        client.read_exact(&mut buf).await.expect("read");
        let text = String::from_utf8_lossy(&lock(&captured.0)).into_owned();
        let preface = text.find("→ preface").expect("the preface told");
        let ack = text.find("← SETTINGS, ACK").expect("the ACK told");
        assert!(preface < ack, "{text}");
    }
}
