//! Where `call`, `list` and `describe` take the schema from: `--proto`
//! files, `--protoset` files, else the server's reflection.

use std::path::PathBuf;

use prost_reflect::DescriptorPool;

use super::{
    balance::{self, ClientChannel},
    reflection::{self, Wanted},
    CallOptions, Deadline,
};
use crate::dynamic;

/// The schema's source, as the flags chose it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaSource {
    /// `--proto FILE… -I DIR…`, compiled at run time.
    Protos {
        files: Vec<PathBuf>,
        includes: Vec<PathBuf>,
    },
    /// `--protoset FILE…`.
    Protosets(Vec<PathBuf>),
    /// The server's reflection service, with the call's metadata or
    /// `--reflect-header`'s.
    Reflection { headers: Option<Vec<super::Header>> },
}

impl SchemaSource {
    /// The schema from files, before any connection; `None` for reflection.
    pub(crate) fn local(&self) -> anyhow::Result<Option<DescriptorPool>> {
        match self {
            Self::Protos { files, includes } => {
                dynamic::pool_from_protos(files, includes).map(Some)
            }
            Self::Protosets(files) => dynamic::pool_from_protosets(files).map(Some),
            Self::Reflection { .. } => Ok(None),
        }
    }
}

/// A connection, and the schema: from files, or asked of the server over
/// that connection.
pub(crate) async fn connect_with_schema(
    source: &SchemaSource,
    options: &CallOptions,
    deadline: &Deadline,
    wanted: Wanted,
) -> anyhow::Result<(ClientChannel, DescriptorPool)> {
    let local = source.local()?;
    let channel = balance::open(options).await?;
    let pool = match (local, source) {
        (Some(pool), _) => pool,
        (
            None,
            SchemaSource::Reflection {
                headers: Some(headers),
            },
        ) => {
            let mut reflect = options.clone();
            reflect.headers.clone_from(headers);
            reflection::fetch(channel.clone(), &reflect, deadline, wanted).await?
        }
        (None, _) => reflection::fetch(channel.clone(), options, deadline, wanted).await?,
    };
    Ok((channel, pool))
}

/// The schema alone (`list`, `describe`, `bench call`): from files without
/// connecting at all (as grpcurl with -proto), else by reflection.
pub(crate) async fn schema_only(
    source: &SchemaSource,
    options: &CallOptions,
    deadline: &Deadline,
    wanted: Wanted,
) -> anyhow::Result<DescriptorPool> {
    match source.local()? {
        Some(pool) => {
            if options.explain.is_some() {
                eprintln!("--explain: nothing went over a connection (the schema came from files)");
            }
            Ok(pool)
        }
        None => Ok(connect_with_schema(source, options, deadline, wanted)
            .await?
            .1),
    }
}
