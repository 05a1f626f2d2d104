//! One way to write a client's address in every log line, access lines and
//! warnings alike: `1.2.3.4:5`, `[::1]:5`, `unix`; an IPv4 client of the
//! dual-stack listener as IPv4, not `[::ffff:1.2.3.4]:5`.

use std::{io::Write as _, net::SocketAddr};

/// Appends the peer: `1.2.3.4:5`, `[::1]:5`, or `unix` for a Unix socket.
/// An IPv4 client of the dual-stack listener shows as IPv4, not as
/// `[::ffff:1.2.3.4]`. IPv4 is written digit by digit, not through
/// `Display` (BENCHMARKS.md, "peers written digit by digit").
pub(crate) fn push_peer(line: &mut Vec<u8>, peer: Option<SocketAddr>) {
    let Some(addr) = peer else {
        line.extend_from_slice(b"unix");
        return;
    };
    let mut digits = itoa::Buffer::new();
    match addr.ip().to_canonical() {
        std::net::IpAddr::V4(ip) => {
            for (index, octet) in ip.octets().into_iter().enumerate() {
                if index > 0 {
                    line.push(b'.');
                }
                line.extend_from_slice(digits.format(octet).as_bytes());
            }
        }
        std::net::IpAddr::V6(ip) => {
            let _ = write!(line, "[{ip}]");
        }
    }
    line.push(b':');
    line.extend_from_slice(digits.format(addr.port()).as_bytes());
}

/// The peer as a string, for a warning's `peer` field.
pub(crate) fn peer_text(peer: Option<SocketAddr>) -> String {
    let mut line = Vec::with_capacity(24);
    push_peer(&mut line, peer);
    String::from_utf8(line).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(addr: Option<&str>) -> String {
        peer_text(addr.map(|addr| addr.parse().expect("address")))
    }

    #[test]
    fn peers_are_written_as_operators_read_them() {
        assert_eq!(peer(Some("127.0.0.1:50000")), "127.0.0.1:50000");
        assert_eq!(peer(Some("10.200.3.0:1")), "10.200.3.0:1");
        assert_eq!(peer(Some("[::ffff:192.168.1.20]:443")), "192.168.1.20:443");
        assert_eq!(peer(Some("[::1]:8080")), "[::1]:8080");
        assert_eq!(peer(Some("[2001:db8::7]:65535")), "[2001:db8::7]:65535");
        assert_eq!(peer(None), "unix");
    }
}
