//! Following an HTTP/1 byte stream far enough for the handshake deadline:
//! where the first request's head ends (`serve --web` only; without it an
//! HTTP/1 client is refused, connection.rs).

/// Watches for the blank line that ends the first request head.
#[derive(Debug, Default)]
pub struct Http1Head {
    /// How much of `\r\n\r\n` the last bytes matched.
    matched: usize,
    done: bool,
}

const HEAD_END: &[u8] = b"\r\n\r\n";

impl Http1Head {
    pub fn feed(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            if self.done {
                return;
            }
            self.matched = if byte == HEAD_END[self.matched] {
                self.matched + 1
            } else if byte == b'\r' {
                1
            } else {
                0
            };
            if self.matched == HEAD_END.len() {
                self.done = true;
            }
        }
    }

    /// The first request head is in: later ones are hyper's to time
    /// (its HTTP/1 header read timeout, 30 s).
    pub fn done(&self) -> bool {
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_ends_at_the_first_blank_line_byte_by_byte() {
        let request = b"POST /x HTTP/1.1\r\nhost: a\r\n\r\nbody\r\n\r\n";
        let end = request
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or(0)
            + 4;
        let mut head = Http1Head::default();
        for (at, byte) in request.iter().enumerate() {
            head.feed(std::slice::from_ref(byte));
            assert_eq!(head.done(), at + 1 >= end, "after {}", at + 1);
        }
        let mut head = Http1Head::default();
        head.feed(b"GET / HTTP/1.1\r\n\r\r\n");
        assert!(!head.done());
        head.feed(b"\r\n");
        assert!(head.done());
    }
}
