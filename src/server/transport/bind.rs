//! Binding: TCP (dual stack, optionally SO_REUSEPORT) or a Unix socket.

use std::{
    io,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    path::{Path, PathBuf},
};

use anyhow::Context as _;
use tokio::net::{TcpListener, UnixListener};

/// Binds `host:port`. For the unspecified IPv6 address the socket is dual
/// stack; where IPv6 is unavailable it falls back to 0.0.0.0.
pub fn bind(host: IpAddr, port: u16) -> anyhow::Result<Listener> {
    bind_shared(host, port, false)
}

/// [`bind`], with SO_REUSEPORT when `reuse_port`: other processes that set
/// it too may listen on the same port, and the kernel spreads new
/// connections over them.
pub fn bind_shared(host: IpAddr, port: u16, reuse_port: bool) -> anyhow::Result<Listener> {
    let addr = SocketAddr::new(host, port);
    let listener = match bind_tcp(addr, reuse_port) {
        Ok(listener) => listener,
        Err(err)
            if host == IpAddr::from([0u16; 8])
                && matches!(
                    err.raw_os_error(),
                    Some(libc::EAFNOSUPPORT | libc::EADDRNOTAVAIL)
                ) =>
        {
            tracing::info!("IPv6 unavailable ({err}), listening on IPv4 only");
            let fallback = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port);
            bind_tcp(fallback, reuse_port)
                .with_context(|| format!("cannot listen on {fallback}"))?
        }
        Err(err) => return Err(err).with_context(|| format!("cannot listen on {addr}")),
    };
    Ok(Listener::Tcp(listener))
}

fn bind_tcp(addr: SocketAddr, reuse_port: bool) -> std::io::Result<TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    if addr.is_ipv6() {
        // Dual stack whatever the system default (net.ipv6.bindv6only).
        socket.set_only_v6(false)?;
    }
    socket.set_reuse_address(true)?;
    if reuse_port {
        socket.set_reuse_port(true)?;
    }
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    TcpListener::from_std(socket.into())
}

/// Binds a Unix domain socket at `path`, replacing a stale socket file but
/// never any other kind of file.
pub fn bind_unix(path: &Path) -> anyhow::Result<Listener> {
    use std::os::unix::fs::FileTypeExt;
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_socket() => {
            if std::os::unix::net::UnixStream::connect(path).is_ok() {
                anyhow::bail!(
                    "cannot listen on {}: a server is already listening there",
                    path.display()
                );
            }
            std::fs::remove_file(path)
                .with_context(|| format!("removing stale socket {}", path.display()))?;
        }
        Ok(_) => anyhow::bail!(
            "cannot listen on {}: it exists and is not a socket (not removing it)",
            path.display()
        ),
        Err(_) => {}
    }
    let listener =
        UnixListener::bind(path).with_context(|| format!("cannot listen on {}", path.display()))?;
    Ok(Listener::Unix {
        listener,
        path: path.to_owned(),
    })
}

/// Where the server listens.
pub enum Listener {
    Tcp(TcpListener),
    Unix {
        listener: UnixListener,
        path: PathBuf,
    },
}

impl Listener {
    /// `IP:PORT`, or the socket path.
    pub fn describe(&self) -> io::Result<String> {
        match self {
            Self::Tcp(listener) => Ok(listener.local_addr()?.to_string()),
            Self::Unix { path, .. } => Ok(path.display().to_string()),
        }
    }

    pub fn local_addr(&self) -> Option<SocketAddr> {
        match self {
            Self::Tcp(listener) => listener.local_addr().ok(),
            Self::Unix { .. } => None,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        // Leave no stale socket file behind.
        if let Self::Unix { path, .. } = self {
            let _ = std::fs::remove_file(path);
        }
    }
}
