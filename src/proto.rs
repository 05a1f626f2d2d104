//! The generated prost messages and tonic stubs for `proto/*.proto`, and the
//! encoded descriptor set that reflection and the JSON mapping read.

use std::sync::OnceLock;

use prost_reflect::{DescriptorPool, MessageDescriptor};

#[allow(non_camel_case_types, clippy::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/packages.rs"));
}

pub use generated::*;

/// The `FileDescriptorSet` of `proto/`, encoded, as build.rs wrote it.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/descriptor.bin"));

/// Fully qualified message names, as used on the wire and in reflection.
pub const HELLO_REQUEST: &str = "packages.helloRequest";
pub const HELLO_RESPONSE: &str = "packages.helloResponse";
pub const MESSAGE_REQUEST: &str = "packages.MessageRequest";
pub const MESSAGE_RESPONSE: &str = "packages.MessageResponse";
pub const WATCH_REQUEST: &str = "packages.WatchRequest";
pub const QUOTE: &str = "packages.Quote";
pub const READING: &str = "packages.Reading";
pub const SUMMARY: &str = "packages.Summary";

/// The descriptor pool built from [`FILE_DESCRIPTOR_SET`], decoded once.
pub fn descriptor_pool() -> &'static DescriptorPool {
    static POOL: OnceLock<DescriptorPool> = OnceLock::new();
    POOL.get_or_init(|| {
        // The bytes were produced by build.rs from the checked-in protos, so
        // a failure here is a build defect, not something a user can cause.
        DescriptorPool::decode(FILE_DESCRIPTOR_SET).expect("build.rs wrote a valid descriptor set")
    })
}

/// The descriptor of one of our own messages, by its full name.
pub fn message_descriptor(full_name: &str) -> MessageDescriptor {
    descriptor_pool()
        .get_message_by_name(full_name)
        .unwrap_or_else(|| panic!("{full_name} is declared in proto/"))
}
