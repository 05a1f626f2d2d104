//! gRPC's length-prefixed message framing (PROTOCOL-HTTP2.md,
//! "Length-Prefixed-Message"): a compressed-flag byte, the message length
//! as 4 bytes big-endian, then the message. The layers that follow messages
//! in a body without decoding them (the metrics' message counts, the
//! request budget) read prefixes here.

/// The prefix's size: the flag byte and the 4 length bytes.
pub(crate) const PREFIX_LEN: usize = 5;

/// The message length a whole prefix announces.
pub(crate) fn message_len(prefix: &[u8; PREFIX_LEN]) -> u32 {
    let [_, a, b, c, d] = *prefix;
    u32::from_be_bytes([a, b, c, d])
}

/// The length announced by the prefix at the start of `data`, when all of
/// the prefix is there.
pub(crate) fn peek_len(data: &[u8]) -> Option<u32> {
    let prefix: &[u8; PREFIX_LEN] = data.get(..PREFIX_LEN)?.try_into().ok()?;
    Some(message_len(prefix))
}

/// A prefix gathered across body chunks, which may split it anywhere.
#[derive(Debug, Default)]
pub(crate) struct PrefixReader {
    bytes: [u8; PREFIX_LEN],
    filled: usize,
}

impl PrefixReader {
    /// Takes what the prefix still lacks from the start of `data`: how many
    /// bytes it took, and the announced length once the prefix is whole
    /// (the reader is then empty again, ready for the next one).
    pub(crate) fn fill(&mut self, data: &[u8]) -> (usize, Option<u32>) {
        let take = (PREFIX_LEN - self.filled).min(data.len());
        self.bytes[self.filled..self.filled + take].copy_from_slice(&data[..take]);
        self.filled += take;
        if self.filled < PREFIX_LEN {
            return (take, None);
        }
        self.filled = 0;
        (take, Some(message_len(&self.bytes)))
    }

    /// Whether part of a prefix has arrived (between messages otherwise).
    pub(crate) fn is_partial(&self) -> bool {
        self.filled > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_split_anywhere_gives_its_length_once() {
        let prefix = [1, 0, 1, 0, 2];
        assert_eq!(peek_len(&prefix), Some(65_538));
        assert_eq!(peek_len(&prefix[..4]), None);
        for split in 0..=PREFIX_LEN {
            let mut reader = PrefixReader::default();
            let (taken, len) = reader.fill(&prefix[..split]);
            assert_eq!((taken, len.is_some()), (split, split == PREFIX_LEN));
            assert_eq!(reader.is_partial(), split > 0 && split < PREFIX_LEN);
            if split < PREFIX_LEN {
                let rest = [&prefix[split..], &[9, 9][..]].concat();
                assert_eq!(reader.fill(&rest), (PREFIX_LEN - split, Some(65_538)));
            }
            assert!(!reader.is_partial());
        }
    }
}
