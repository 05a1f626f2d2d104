//! Finding what the user named in a schema: `SERVICE/METHOD` (or grpcurl's
//! `SERVICE.METHOD`), a service, or any symbol; a near miss is named in the
//! error ("did you mean …?").

use prost_reflect::{DescriptorPool, MethodDescriptor, ServiceDescriptor};

use crate::status::UsageError;

/// The four kinds of gRPC method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodKind {
    Unary,
    ServerStreaming,
    ClientStreaming,
    Bidi,
}

impl MethodKind {
    pub fn of(method: &MethodDescriptor) -> Self {
        match (method.is_client_streaming(), method.is_server_streaming()) {
            (false, false) => Self::Unary,
            (false, true) => Self::ServerStreaming,
            (true, false) => Self::ClientStreaming,
            (true, true) => Self::Bidi,
        }
    }

    /// Whether the client sends a stream (DATA may hold several messages).
    pub fn client_streams(self) -> bool {
        matches!(self, Self::ClientStreaming | Self::Bidi)
    }
}

/// `pkg.Service/Method` or `pkg.Service.Method` split into the service's
/// full name and the method's name. A name without a method is a usage
/// error (exit 2).
pub fn split_method(spec: &str) -> Result<(&str, &str), UsageError> {
    let spec = spec.strip_prefix('/').unwrap_or(spec);
    let split = match spec.split_once('/') {
        Some(parts) => Some(parts),
        None => spec.rsplit_once('.'),
    };
    match split {
        Some((service, method)) if !service.is_empty() && !method.is_empty() => {
            Ok((service, method))
        }
        _ => Err(UsageError(format!(
            "'{spec}': name the method as SERVICE/METHOD (e.g. packages.GreetService/sayHello)"
        ))),
    }
}

/// The method `spec` names, or an error (exit 1) naming what the schema
/// does not have and the closest name it does.
pub fn find_method(pool: &DescriptorPool, spec: &str) -> anyhow::Result<MethodDescriptor> {
    let (service_name, method_name) = split_method(spec)?;
    let service = match pool.get_service_by_name(service_name) {
        Some(service) => service,
        // `call pkg.Service` alone: the method is missing, not the service.
        None if pool.get_service_by_name(spec).is_some() => {
            return Err(UsageError(format!(
                "'{spec}' is a service: name one of its methods as {spec}/METHOD"
            ))
            .into())
        }
        None => {
            return Err(find_service(pool, service_name)
                .err()
                .unwrap_or_else(|| anyhow::anyhow!("no service {service_name}")))
        }
    };
    let found = service
        .methods()
        .find(|method| method.name() == method_name);
    found.ok_or_else(|| {
        let names: Vec<String> = service.methods().map(|m| m.name().to_owned()).collect();
        anyhow::anyhow!(
            "{} has no method {method_name}{}",
            service.full_name(),
            suggestion(method_name, &names)
        )
    })
}

/// The service named `name` (its full name).
pub fn find_service(pool: &DescriptorPool, name: &str) -> anyhow::Result<ServiceDescriptor> {
    pool.get_service_by_name(name).ok_or_else(|| {
        let names: Vec<String> = pool.services().map(|s| s.full_name().to_owned()).collect();
        anyhow::anyhow!("no service {name}{}", suggestion(name, &names))
    })
}

/// A symbol `describe` can print.
#[derive(Debug, Clone)]
pub enum Symbol {
    Service(ServiceDescriptor),
    Method(MethodDescriptor),
    Message(prost_reflect::MessageDescriptor),
    Enum(prost_reflect::EnumDescriptor),
}

/// A service, method (`Service.Method` or `Service/Method`), message or
/// enum by its full name.
pub fn find_symbol(pool: &DescriptorPool, name: &str) -> anyhow::Result<Symbol> {
    let name = name.strip_prefix('.').unwrap_or(name);
    if let Some(service) = pool.get_service_by_name(name) {
        return Ok(Symbol::Service(service));
    }
    if let Some(message) = pool.get_message_by_name(name) {
        return Ok(Symbol::Message(message));
    }
    if let Some(enumeration) = pool.get_enum_by_name(name) {
        return Ok(Symbol::Enum(enumeration));
    }
    if let Ok((service, method)) = split_method(name) {
        if let Some(found) = pool
            .get_service_by_name(service)
            .and_then(|service| service.methods().find(|m| m.name() == method))
        {
            return Ok(Symbol::Method(found));
        }
    }
    let known: Vec<String> = pool
        .services()
        .flat_map(|service| {
            let methods: Vec<String> = service
                .methods()
                .map(|m| format!("{}.{}", service.full_name(), m.name()))
                .collect();
            std::iter::once(service.full_name().to_owned()).chain(methods)
        })
        .chain(pool.all_messages().map(|m| m.full_name().to_owned()))
        .chain(pool.all_enums().map(|e| e.full_name().to_owned()))
        .collect();
    Err(anyhow::anyhow!(
        "no symbol {name} in the schema{}",
        suggestion(name, &known)
    ))
}

/// "; did you mean X?" for the closest of `known` when it is close, else
/// nothing.
pub(super) fn suggestion(name: &str, known: &[String]) -> String {
    let lower = name.to_lowercase();
    let best = known
        .iter()
        .map(|candidate| {
            (
                strsim::levenshtein(&lower, &candidate.to_lowercase()),
                candidate,
            )
        })
        .min_by_key(|(distance, _)| *distance);
    match best {
        Some((distance, candidate)) if distance <= (name.chars().count() / 3).max(2) => {
            format!("; did you mean {candidate}?")
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool() -> &'static DescriptorPool {
        crate::proto::descriptor_pool()
    }

    #[test]
    fn both_spellings_name_the_method() {
        for spec in [
            "packages.GreetService/sayHello",
            "packages.GreetService.sayHello",
            "/packages.GreetService/sayHello",
        ] {
            let method = find_method(pool(), spec).expect(spec);
            assert_eq!(method.name(), "sayHello");
            assert_eq!(MethodKind::of(&method), MethodKind::Unary);
        }
    }

    #[test]
    fn near_misses_are_suggested() {
        let err = find_method(pool(), "packages.GreetService/sayHelo").expect_err("typo");
        assert_eq!(
            err.to_string(),
            "packages.GreetService has no method sayHelo; did you mean sayHello?"
        );
        let err = find_method(pool(), "packages.GreetServic/sayHello").expect_err("typo");
        assert_eq!(
            err.to_string(),
            "no service packages.GreetServic; did you mean packages.GreetService?"
        );
        let err = find_method(pool(), "nothing.Like/this").expect_err("far");
        assert_eq!(err.to_string(), "no service nothing.Like");
    }

    #[test]
    fn a_service_without_a_method_is_a_usage_error() {
        let err = find_method(pool(), "packages.GreetService").expect_err("no method");
        assert!(err.is::<UsageError>(), "{err}");
        assert!(split_method("sayHello").is_err());
    }
}
