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

/// The descriptor pool built from [`FILE_DESCRIPTOR_SET`], decoded once.
pub fn descriptor_pool() -> &'static DescriptorPool {
    static POOL: OnceLock<DescriptorPool> = OnceLock::new();
    POOL.get_or_init(|| {
        // The bytes were produced by build.rs from the checked-in protos, so
        // a failure here is a build defect, not something a user can cause.
        DescriptorPool::decode(FILE_DESCRIPTOR_SET).expect("build.rs wrote a valid descriptor set")
    })
}

/// The descriptor of one of our own messages (its full name from prost's
/// type name, as on the wire and in reflection).
pub fn message_descriptor<M: prost::Name>() -> MessageDescriptor {
    let full_name = M::full_name();
    descriptor_pool()
        .get_message_by_name(&full_name)
        .unwrap_or_else(|| panic!("{full_name} is declared in proto/"))
}

/// The full names of the services in proto/ (`packages.GreetService`, …):
/// every one of them is served, so health reports on each and metrics
/// count their methods.
pub fn service_names() -> Vec<String> {
    descriptor_pool()
        .services()
        .map(|service| service.full_name().to_owned())
        .collect()
}
