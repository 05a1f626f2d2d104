//! Compiles `proto/*.proto` with protox (a pure-Rust protobuf compiler, so no
//! system `protoc` is needed) into prost messages and tonic stubs, and writes
//! the encoded `FileDescriptorSet` beside them: reflection serves it and the
//! proto3 JSON mapping (prost-reflect) reads message layouts from it.

use std::{env, fs, path::PathBuf};

use prost::Message;

const PROTOS: &[&str] = &["proto/greet.proto", "proto/message.proto"];

fn main() -> anyhow::Result<()> {
    for proto in PROTOS {
        println!("cargo:rerun-if-changed={proto}");
    }
    let out_dir = PathBuf::from(env::var("OUT_DIR")?);
    let descriptors = protox::compile(PROTOS, ["proto"])?;
    // tonic-prost-build does not write the descriptor set when fed by
    // `compile_fds`, so encode it ourselves.
    fs::write(out_dir.join("descriptor.bin"), descriptors.encode_to_vec())?;
    tonic_prost_build::configure()
        .emit_rerun_if_changed(false)
        // prost encoding with smaller per-RPC buffers (src/codec.rs).
        .codec_path("crate::codec::LeanCodec")
        .compile_fds(descriptors)?;
    Ok(())
}
