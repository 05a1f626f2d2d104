//! One way to write a client's address in every log line, access lines and
//! warnings alike: `1.2.3.4:5`, `[::1]:5`, `unix`; an IPv4 client of the
//! dual-stack listener as IPv4, not `[::ffff:1.2.3.4]:5`.

use std::{io::Write as _, net::SocketAddr};

/// Each octet's decimal digits, padded to 3 bytes, and how many there are:
/// an IPv4 address is written from this table (a copy per octet), not
/// through `Display` or a number formatter per octet (BENCHMARKS.md, "peers
/// written digit by digit", and issue 22 item 3).
const OCTETS: [([u8; 3], u8); 256] = {
    let mut table = [([0u8; 3], 0u8); 256];
    let mut n = 0;
    while n < 256 {
        let (hundreds, tens, ones) = ((n / 100) as u8, (n / 10 % 10) as u8, (n % 10) as u8);
        table[n] = if n >= 100 {
            ([b'0' + hundreds, b'0' + tens, b'0' + ones], 3)
        } else if n >= 10 {
            ([b'0' + tens, b'0' + ones, 0], 2)
        } else {
            ([b'0' + ones, 0, 0], 1)
        };
        n += 1;
    }
    table
};

/// Appends the peer: `1.2.3.4:5`, `[::1]:5`, or `unix` for a Unix socket.
/// An IPv4 client of the dual-stack listener shows as IPv4, not as
/// `[::ffff:1.2.3.4]`. IPv4 is written from a table of octets, not through
/// `Display` (BENCHMARKS.md, "peers written digit by digit").
pub(crate) fn push_peer(line: &mut Vec<u8>, peer: Option<SocketAddr>) {
    let Some(addr) = peer else {
        line.extend_from_slice(b"unix");
        return;
    };
    let mut digits = itoa::Buffer::new();
    match addr.ip().to_canonical() {
        std::net::IpAddr::V4(ip) => {
            // At most 15 bytes: "255.255.255.255".
            let mut text = [0u8; 16];
            let mut len = 0;
            for (index, octet) in ip.octets().into_iter().enumerate() {
                if index > 0 {
                    text[len] = b'.';
                    len += 1;
                }
                let (octet_digits, count) = OCTETS[usize::from(octet)];
                text[len..len + 3].copy_from_slice(&octet_digits);
                len += usize::from(count);
            }
            line.extend_from_slice(&text[..len]);
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

    #[test]
    fn every_octet_is_written_in_decimal() {
        for octet in 0..=255u8 {
            let addr = SocketAddr::from(([octet, 0, 255, octet], 1));
            assert_eq!(
                peer_text(Some(addr)),
                format!("{octet}.0.255.{octet}:1"),
                "octet {octet}"
            );
        }
    }
}
