//! `grpc-demo list [SERVICE]` and `grpc-demo describe SYMBOL`: what a
//! schema holds (grpcurl's list and describe).

use std::io::Write;

use super::{
    reflection::Wanted,
    schema::{connect_with_schema, SchemaSource},
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
    let (_, pool) = deadline
        .run(connect_with_schema(schema, options, &deadline, wanted))
        .await?;
    let mut lines: Vec<String> = match service {
        Some(name) => {
            let service = dynamic::find_service(&pool, name)?;
            service
                .methods()
                .map(|method| format!("{}.{}", service.full_name(), method.name()))
                .collect()
        }
        None => pool.services().map(|s| s.full_name().to_owned()).collect(),
    };
    lines.sort();
    printer.text(
        &lines
            .iter()
            .map(|line| format!("{line}\n"))
            .collect::<String>(),
    )?;
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
    let (_, pool) = deadline
        .run(async {
            // Reflection finds the file of any symbol by its name; a
            // method's is its service's.
            let lookup = match pool_symbol(name) {
                Some(service) => service,
                None => name.to_owned(),
            };
            connect_with_schema(schema, options, &deadline, Wanted::Services(vec![lookup])).await
        })
        .await?;
    let found = dynamic::find_symbol(&pool, name)?;
    printer.text(&dynamic::describe(&found))?;
    Ok(())
}

/// For `Service/Method`: the service to ask reflection about.
fn pool_symbol(name: &str) -> Option<String> {
    name.split_once('/').map(|(service, _)| service.to_owned())
}
