//! The protobuf codec of our stubs: prost's encoding with smaller buffers.
//!
//! tonic starts every RPC with 8 KiB encode and decode buffers. Our messages
//! are a name or a short status, so those buffers mostly sit empty — and
//! with 10,000 open streams they were most of the server's memory
//! (measured with `grpc-demo bench stream --hold`, see BENCHMARKS.md). These
//! start at 128 bytes, room for several of our messages, and grow as a
//! message needs (a client stream's decode buffer grows to its DATA frames
//! once, and keeps that). At 1 KiB the two were a third of what an idle
//! stream held (BENCHMARKS.md, "memory per idle stream and per idle
//! connection"); callgrind counts the server's instructions per RPC level
//! with 1 KiB, within 1.5%, on unary, bidi, client and server streaming.

use std::marker::PhantomData;

use tonic::codec::{BufferSettings, Codec};
use tonic_prost::{ProstCodec, ProstDecoder, ProstEncoder};

/// Also the step by which a compressed message's buffer grows (tonic
/// divides by it: never 0).
const BUFFER_SIZE: usize = 128;
/// tonic's default: yield to the runtime after encoding this much.
const YIELD_THRESHOLD: usize = 32 * 1024;

pub struct LeanCodec<T, U>(PhantomData<fn() -> (T, U)>);

impl<T, U> Default for LeanCodec<T, U> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<T, U> Codec for LeanCodec<T, U>
where
    T: prost::Message + Send + 'static,
    U: prost::Message + Default + Send + 'static,
{
    type Encode = T;
    type Decode = U;
    type Encoder = ProstEncoder<T>;
    type Decoder = ProstDecoder<U>;

    fn encoder(&mut self) -> Self::Encoder {
        ProstCodec::<T, U>::raw_encoder(BufferSettings::new(BUFFER_SIZE, YIELD_THRESHOLD))
    }

    fn decoder(&mut self) -> Self::Decoder {
        ProstCodec::<T, U>::raw_decoder(BufferSettings::new(BUFFER_SIZE, YIELD_THRESHOLD))
    }
}
