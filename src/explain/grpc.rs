//! gRPC's length-prefixed messages (a 1-byte compressed flag, a 4-byte
//! big-endian length, the message) reassembled from one direction of one
//! stream's DATA frames, which may cut them anywhere. A message is kept
//! only up to `limit` bytes: a longer one is counted past, not stored.

use std::io::Read;

/// One message whose bytes all arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub compressed: bool,
    /// As announced in the prefix.
    pub length: u32,
    /// The 5 prefix bytes as sent.
    pub prefix: [u8; 5],
    /// The message bytes; `None` when over the limit (not kept).
    pub bytes: Option<Vec<u8>>,
}

/// What one DATA frame's bytes did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Progress {
    pub messages: Vec<Message>,
    /// A message begun and not finished: (bytes so far, announced length).
    pub partial: Option<(usize, u32)>,
}

#[derive(Debug, Default)]
pub struct Reassembler {
    prefix: Vec<u8>,
    body: Vec<u8>,
    /// Bytes of an over-limit message still to skip.
    skipped: usize,
}

impl Reassembler {
    /// Takes one DATA frame's payload; returns the messages it finished.
    pub fn push(&mut self, mut bytes: &[u8], limit: usize) -> Progress {
        let mut progress = Progress::default();
        while !bytes.is_empty() {
            if self.prefix.len() < 5 {
                let take = (5 - self.prefix.len()).min(bytes.len());
                self.prefix.extend_from_slice(&bytes[..take]);
                bytes = &bytes[take..];
                if self.prefix.len() < 5 {
                    break;
                }
                self.skipped = 0;
                self.body.clear();
            }
            let length = self.announced();
            let wanted = usize::try_from(length).unwrap_or(usize::MAX);
            let have = self.body.len() + self.skipped;
            let take = (wanted - have).min(bytes.len());
            if wanted > limit {
                self.skipped += take;
            } else {
                self.body.extend_from_slice(&bytes[..take]);
            }
            bytes = &bytes[take..];
            if self.body.len() + self.skipped == wanted {
                let prefix: [u8; 5] = [
                    self.prefix[0],
                    self.prefix[1],
                    self.prefix[2],
                    self.prefix[3],
                    self.prefix[4],
                ];
                progress.messages.push(Message {
                    compressed: prefix[0] & 1 != 0,
                    length,
                    prefix,
                    bytes: (wanted <= limit).then(|| std::mem::take(&mut self.body)),
                });
                self.prefix.clear();
                self.skipped = 0;
            }
        }
        if !self.prefix.is_empty() {
            let so_far = if self.prefix.len() == 5 {
                self.body.len() + self.skipped
            } else {
                0
            };
            progress.partial = Some((so_far, self.announced()));
        }
        progress
    }

    fn announced(&self) -> u32 {
        match self.prefix.get(1..5) {
            Some(length) => u32::from_be_bytes([length[0], length[1], length[2], length[3]]),
            None => 0,
        }
    }
}

/// A compressed message opened with the stream's `grpc-encoding`, at most
/// `limit` bytes of it (a small message may inflate to a huge one).
pub fn decompress(encoding: &str, bytes: &[u8], limit: usize) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let read = match encoding {
        "gzip" => flate2::read::GzDecoder::new(bytes)
            .take(cap)
            .read_to_end(&mut out),
        "zstd" => zstd::stream::read::Decoder::new(bytes)
            .and_then(|decoder| decoder.take(cap).read_to_end(&mut out)),
        other => return Err(format!("compressed with {other:?}, not opened here")),
    };
    read.map_err(|err| format!("{encoding} does not open: {err}"))?;
    if out.len() > limit {
        return Err(format!("{encoding} opens to more than {limit} bytes"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_cut_anywhere_come_out_whole() {
        let mut wire = vec![0, 0, 0, 0, 3, b'a', b'b', b'c', 0, 0, 0, 0, 0];
        wire.extend_from_slice(&[0, 0, 0, 0, 1, b'z']);
        let mut reassembler = Reassembler::default();
        let mut messages = Vec::new();
        for chunk in wire.chunks(2) {
            messages.extend(reassembler.push(chunk, 100).messages);
        }
        let bodies: Vec<_> = messages.iter().map(|m| m.bytes.clone()).collect();
        assert_eq!(
            bodies,
            [Some(b"abc".to_vec()), Some(Vec::new()), Some(b"z".to_vec())]
        );
    }

    #[test]
    fn a_message_over_the_limit_is_counted_not_kept() {
        let mut reassembler = Reassembler::default();
        let progress = reassembler.push(&[0, 0, 0, 0, 10, 1, 2, 3], 4);
        assert_eq!(progress.partial, Some((3, 10)));
        let progress = reassembler.push(&[0; 7], 4);
        assert_eq!(progress.messages.len(), 1);
        assert_eq!(progress.messages[0].bytes, None);
        assert_eq!(progress.partial, None);
    }

    #[test]
    fn a_huge_announced_length_holds_no_memory() {
        let mut reassembler = Reassembler::default();
        let progress = reassembler.push(&[1, 0xff, 0xff, 0xff, 0xff, 9], 1024);
        assert_eq!(progress.partial, Some((1, u32::MAX)));
        assert!(reassembler.body.is_empty());
    }

    #[test]
    fn gzip_opens_and_garbage_is_an_error() {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(b"hello").expect("gzip");
        let gzipped = encoder.finish().expect("gzip");
        assert_eq!(decompress("gzip", &gzipped, 100), Ok(b"hello".to_vec()));
        assert!(decompress("gzip", &gzipped, 3).is_err());
        assert!(decompress("gzip", b"not gzip", 100).is_err());
        assert!(decompress("br", b"", 100).is_err());
    }
}
