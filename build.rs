//! Compiles `proto/*.proto` with protox (a pure-Rust protobuf compiler, so no
//! system `protoc` is needed) into prost messages and tonic stubs, and writes
//! the encoded `FileDescriptorSet` beside them: reflection serves it and the
//! proto3 JSON mapping (prost-reflect) reads message layouts from it.

use std::{env, fs, path::PathBuf};

use prost::Message;

fn main() -> anyhow::Result<()> {
    // Every `proto/*.proto`, so a new service needs no edit here. Watching
    // the directory also catches a file added or removed.
    println!("cargo:rerun-if-changed=proto");
    let mut protos = Vec::new();
    for entry in fs::read_dir("proto")? {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "proto") {
            println!("cargo:rerun-if-changed={}", path.display());
            protos.push(path);
        }
    }
    protos.sort();
    let out_dir = PathBuf::from(env::var("OUT_DIR")?);
    let descriptors = protox::compile(&protos, ["proto"])?;
    // tonic-prost-build does not write the descriptor set when fed by
    // `compile_fds`, so encode it ourselves.
    fs::write(out_dir.join("descriptor.bin"), descriptors.encode_to_vec())?;
    // Type names (`prost::Name`): the JSON mapping finds a message's
    // descriptor from its Rust type, so no list of names to keep in step.
    let mut config = prost_build::Config::new();
    config.enable_type_names();
    tonic_prost_build::configure()
        .emit_rerun_if_changed(false)
        // prost encoding with smaller per-RPC buffers (src/codec.rs).
        .codec_path("crate::codec::LeanCodec")
        .compile_fds_with_config(descriptors, config)?;
    Ok(())
}
