//! Following the frame boundaries of a plaintext HTTP/2 byte stream
//! without decoding anything.

/// Follows the frame boundaries of a plaintext HTTP/2 byte stream (one
/// direction): the preface, the first frame, open HEADERS blocks, the
/// highest stream id. Frame payloads are skipped, not read.
#[derive(Debug)]
pub struct FrameTracker {
    preface_left: usize,
    header: [u8; 9],
    header_len: usize,
    payload_left: usize,
    kind: u8,
    flags: u8,
    frames_done: u64,
    /// A HEADERS frame without END_HEADERS was read; its CONTINUATION
    /// frames are still to come.
    block_open: bool,
    pub max_stream_id: u32,
}

const FRAME_HEADERS: u8 = 0x1;
const FRAME_CONTINUATION: u8 = 0x9;
const FLAG_END_HEADERS: u8 = 0x4;

impl FrameTracker {
    /// `preface`: the stream starts with the 24-byte client preface.
    pub fn new(preface: bool) -> Self {
        Self {
            preface_left: if preface { 24 } else { 0 },
            header: [0; 9],
            header_len: 0,
            payload_left: 0,
            kind: 0,
            flags: 0,
            frames_done: 0,
            block_open: false,
            max_stream_id: 0,
        }
    }

    pub fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            if self.preface_left > 0 {
                let n = self.preface_left.min(bytes.len());
                self.preface_left -= n;
                bytes = &bytes[n..];
            } else if self.payload_left > 0 {
                let n = self.payload_left.min(bytes.len());
                self.payload_left -= n;
                bytes = &bytes[n..];
                if self.payload_left == 0 {
                    self.frame_done();
                }
            } else if let (0, Some((head, rest))) = (self.header_len, bytes.split_first_chunk()) {
                // A whole frame header in the chunk (the usual case): read
                // in place, not copied.
                self.header_read(head);
                bytes = rest;
            } else {
                let n = (9 - self.header_len).min(bytes.len());
                self.header[self.header_len..self.header_len + n].copy_from_slice(&bytes[..n]);
                self.header_len += n;
                bytes = &bytes[n..];
                if self.header_len == 9 {
                    self.header_len = 0;
                    let head = self.header;
                    self.header_read(&head);
                }
            }
        }
    }

    /// A frame's 9-byte header is in.
    fn header_read(&mut self, h: &[u8; 9]) {
        self.payload_left = usize::from(h[0]) << 16 | usize::from(h[1]) << 8 | usize::from(h[2]);
        self.kind = h[3];
        self.flags = h[4];
        let stream = u32::from_be_bytes([h[5], h[6], h[7], h[8]]) & 0x7fff_ffff;
        if self.kind == FRAME_HEADERS {
            self.max_stream_id = self.max_stream_id.max(stream);
        }
        if self.payload_left == 0 {
            self.frame_done();
        }
    }

    fn frame_done(&mut self) {
        self.frames_done += 1;
        match self.kind {
            FRAME_HEADERS | FRAME_CONTINUATION => {
                self.block_open = self.flags & FLAG_END_HEADERS == 0;
            }
            _ => {}
        }
    }

    /// The preface and the first frame (SETTINGS, or h2 refuses it) are in.
    pub fn handshake_done(&self) -> bool {
        self.frames_done > 0
    }

    /// Between two frames (where a frame of our own may be written).
    pub fn at_boundary(&self) -> bool {
        self.preface_left == 0 && self.header_len == 0 && self.payload_left == 0
    }

    /// Inside a HEADERS block, or inside a frame header or a HEADERS or
    /// CONTINUATION frame.
    pub fn in_header_block(&self) -> bool {
        self.block_open
            || self.header_len > 0
            || (self.payload_left > 0 && matches!(self.kind, FRAME_HEADERS | FRAME_CONTINUATION))
    }
}

/// A GOAWAY frame: `last_stream` processed, NO_ERROR.
pub fn goaway_frame(last_stream: u32) -> [u8; 17] {
    let mut frame = [0u8; 17];
    frame[..9].copy_from_slice(&[0, 0, 8, 0x7, 0, 0, 0, 0, 0]);
    frame[9..13].copy_from_slice(&(last_stream & 0x7fff_ffff).to_be_bytes());
    frame
}

#[cfg(test)]
mod tests {
    use super::*;

    const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

    fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
        let len = payload.len();
        let mut out = vec![(len >> 16) as u8, (len >> 8) as u8, len as u8, kind, flags];
        out.extend_from_slice(&stream.to_be_bytes());
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn the_tracker_follows_handshake_and_header_blocks_byte_by_byte() {
        let mut stream = PREFACE.to_vec();
        stream.extend(frame(0x4, 0, 0, &[0, 3, 0, 0, 0, 100]));
        let settings_end = stream.len();
        stream.extend(frame(FRAME_HEADERS, 0, 7, b"abc"));
        let headers_end = stream.len();
        stream.extend(frame(FRAME_CONTINUATION, FLAG_END_HEADERS, 7, b"de"));
        let mut tracker = FrameTracker::new(true);
        for (at, byte) in stream.iter().enumerate() {
            tracker.feed(std::slice::from_ref(byte));
            let read = at + 1;
            assert_eq!(
                tracker.handshake_done(),
                read >= settings_end,
                "after {read}"
            );
            if read == settings_end {
                assert!(!tracker.in_header_block() && tracker.at_boundary());
            }
            if read > settings_end && read < stream.len() {
                assert!(tracker.in_header_block(), "after {read}");
            }
            if read == headers_end {
                assert!(tracker.at_boundary(), "between HEADERS and CONTINUATION");
            }
        }
        assert!(tracker.handshake_done());
        assert!(!tracker.in_header_block());
        assert!(tracker.at_boundary());
        assert_eq!(tracker.max_stream_id, 7);
    }

    #[test]
    fn the_tracker_reads_the_same_however_the_bytes_are_cut() {
        let mut stream = PREFACE.to_vec();
        stream.extend(frame(0x4, 0, 0, &[0, 3, 0, 0, 0, 100]));
        stream.extend(frame(FRAME_HEADERS, 0, 9, b"abc"));
        stream.extend(frame(FRAME_CONTINUATION, FLAG_END_HEADERS, 9, b""));
        stream.extend(frame(0x0, 1, 9, b"data"));
        stream.extend(frame(FRAME_HEADERS, FLAG_END_HEADERS, 11, b"xy"));
        // Whole, and cut in two at every byte (frame headers split or not).
        for cut in 0..=stream.len() {
            let mut tracker = FrameTracker::new(true);
            let (first, second) = stream.split_at(cut);
            tracker.feed(first);
            tracker.feed(second);
            assert_eq!(tracker.frames_done, 5, "cut at {cut}");
            assert_eq!(tracker.max_stream_id, 11, "cut at {cut}");
            assert!(tracker.at_boundary() && !tracker.in_header_block());
        }
        // Cut inside the HEADERS block: still in it.
        let mut tracker = FrameTracker::new(true);
        tracker.feed(&stream[..24 + 15 + 9 + 3 + 4]);
        assert!(tracker.in_header_block());
        assert_eq!(tracker.max_stream_id, 9);
    }

    #[test]
    fn goaway_frames_are_well_formed() {
        assert_eq!(
            goaway_frame(9),
            [0, 0, 8, 7, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0]
        );
    }
}
