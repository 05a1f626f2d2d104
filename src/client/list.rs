//! `grpc-demo list [SERVICE]` and `grpc-demo describe SYMBOL`: what a
//! schema holds (grpcurl's list and describe).

use std::io::Write;

use super::{
    reflection::Wanted,
    schema::{schema_only, SchemaSource},
    CallOptions, Deadline,
};
use crate::{dynamic, output::Printer};

/// The services (full names), or with `service` its methods
/// (`SERVICE.METHOD`), one per line.
pub async fn list<W: Write>(
    options: &CallOptions,
    schema: &SchemaSource,
    service: Option<&str>,
    printer: &mut Printer<W>,
) -> anyhow::Result<()> {
    let deadline = Deadline::new(options.timeout);
    let wanted = match service {
        Some(name) => Wanted::Services(vec![name.to_owned()]),
        None => Wanted::All,
    };
    let pool = deadline
        .run(schema_only(schema, options, &deadline, wanted))
        .await?;
    // Each line, and its object for -o json.
    let mut items: Vec<(String, serde_json::Value)> = match service {
        Some(name) => {
            let service = dynamic::find_service(&pool, name)?;
            service
                .methods()
                .map(|method| {
                    let full = format!("{}.{}", service.full_name(), method.name());
                    let object = serde_json::json!({
                        "method": full,
                        "service": service.full_name(),
                        "name": method.name(),
                        "input": method.input().full_name(),
                        "output": method.output().full_name(),
                        "clientStreaming": method.is_client_streaming(),
                        "serverStreaming": method.is_server_streaming(),
                    });
                    (full, object)
                })
                .collect()
        }
        None => pool
            .services()
            .map(|s| {
                let name = s.full_name().to_owned();
                let object = serde_json::json!({ "service": name });
                (name, object)
            })
            .collect(),
    };
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let text: String = items.iter().map(|(line, _)| format!("{line}\n")).collect();
    let objects: Vec<serde_json::Value> = items.into_iter().map(|(_, object)| object).collect();
    printer.lines_or_json(&text, &objects)?;
    Ok(())
}

/// `symbol` (a service, method, message or enum) as .proto source.
pub async fn describe<W: Write>(
    options: &CallOptions,
    schema: &SchemaSource,
    symbol: &str,
    printer: &mut Printer<W>,
) -> anyhow::Result<()> {
    let deadline = Deadline::new(options.timeout);
    let name = symbol.strip_prefix('.').unwrap_or(symbol);
    let pool = deadline
        .run(async {
            // Reflection finds the file of any symbol by its name; a
            // method's is its service's.
            let lookup = match pool_symbol(name) {
                Some(service) => service,
                None => name.to_owned(),
            };
            schema_only(schema, options, &deadline, Wanted::Services(vec![lookup])).await
        })
        .await?;
    let found = dynamic::find_symbol(&pool, name)?;
    printer.lines_or_json(
        &dynamic::describe(&found),
        &[dynamic::describe_json(&found)],
    )?;
    Ok(())
}

/// For `Service/Method`: the service to ask reflection about.
fn pool_symbol(name: &str) -> Option<String> {
    name.split_once('/').map(|(service, _)| service.to_owned())
}
