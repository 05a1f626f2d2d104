//! The standard error details of a failed RPC (`grpc-status-details-bin`, a
//! google.rpc.Status): BadRequest, ErrorInfo, RetryInfo and the rest of
//! google/rpc/error_details.proto, by name and fields. The descriptors come
//! from tonic-types (`tonic_types::pb`, made for these messages); each
//! detail is printed by protobuf's JSON mapping, so a detail of a type the
//! call's schema knows is shown too.

use std::sync::OnceLock;

use prost_reflect::{DescriptorPool, DynamicMessage, SerializeOptions};

use crate::status::ErrorDetail as Detail;

/// google.rpc's descriptors, decoded once.
fn rpc_pool() -> Option<&'static DescriptorPool> {
    static POOL: OnceLock<Option<DescriptorPool>> = OnceLock::new();
    POOL.get_or_init(|| DescriptorPool::decode(tonic_types::pb::FILE_DESCRIPTOR_SET).ok())
        .as_ref()
}

/// The details `status` carries, if any; `schema` (the call's) names
/// detail types beyond the standard ones. Undecodable details are shown by
/// type name with their bytes in base64.
pub fn of(status: &tonic::Status, schema: Option<&DescriptorPool>) -> Vec<Detail> {
    let bytes = status.details();
    if bytes.is_empty() {
        return Vec::new();
    }
    let Some(rpc) = rpc_pool() else {
        return Vec::new();
    };
    let decoded: Result<tonic_types::pb::Status, _> = prost::Message::decode(bytes);
    let Ok(decoded) = decoded else {
        return vec![Detail {
            type_name: "grpc-status-details-bin".to_owned(),
            json: serde_json::json!({ "error": "not a google.rpc.Status" }),
        }];
    };
    decoded
        .details
        .iter()
        .map(|any| {
            let type_name = any
                .type_url
                .rsplit_once('/')
                .map_or(any.type_url.as_str(), |(_, name)| name)
                .to_owned();
            let json = [Some(rpc), schema]
                .into_iter()
                .flatten()
                .find_map(|pool| as_json(pool, &type_name, &any.value))
                .map(|mut fields| {
                    if let serde_json::Value::Object(object) = &mut fields {
                        let mut with_type = serde_json::Map::new();
                        with_type.insert("@type".into(), any.type_url.clone().into());
                        with_type.append(object);
                        fields = serde_json::Value::Object(with_type);
                    }
                    fields
                })
                .unwrap_or_else(|| {
                    use base64::Engine as _;
                    serde_json::json!({
                        "@type": any.type_url,
                        "value": base64::engine::general_purpose::STANDARD.encode(&any.value),
                    })
                });
            Detail { type_name, json }
        })
        .collect()
}

fn as_json(pool: &DescriptorPool, type_name: &str, value: &[u8]) -> Option<serde_json::Value> {
    let descriptor = pool.get_message_by_name(type_name)?;
    let message = DynamicMessage::decode(descriptor, value).ok()?;
    message
        .serialize_with_options(serde_json::value::Serializer, &SerializeOptions::new())
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tonic_types::{ErrorDetails, StatusExt};

    #[test]
    fn bad_request_is_shown_by_name_and_fields() {
        let mut details = ErrorDetails::new();
        details.add_bad_request_violation("name", "must not be empty");
        let status =
            tonic::Status::with_error_details(tonic::Code::InvalidArgument, "bad", details);
        let decoded = of(&status, None);
        assert_eq!(decoded.len(), 1);
        assert_eq!(decoded[0].type_name, "google.rpc.BadRequest");
        assert_eq!(
            decoded[0].text_line(),
            r#"google.rpc.BadRequest {"fieldViolations":[{"description":"must not be empty","field":"name"}]}"#
        );
        assert_eq!(
            decoded[0].json["@type"],
            "type.googleapis.com/google.rpc.BadRequest"
        );
    }

    #[test]
    fn no_details_is_nothing() {
        assert!(of(&tonic::Status::internal("x"), None).is_empty());
    }
}
