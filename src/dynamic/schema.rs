//! Where a schema comes from: `.proto` files compiled at run time (protox),
//! serialized FileDescriptorSets (`--protoset`), or the file descriptors a
//! reflection server sent. Each becomes one prost-reflect `DescriptorPool`.

use std::{
    collections::{BTreeSet, HashSet},
    path::{Path, PathBuf},
};

use anyhow::Context as _;
use prost::Message as _;
use prost_reflect::DescriptorPool;
use prost_types::{FileDescriptorProto, FileDescriptorSet};

/// `--proto FILE… -I DIR…`. Without `-I`, each file's own folder is the
/// import path. google/protobuf's well-known files resolve without one.
pub fn pool_from_protos(files: &[PathBuf], includes: &[PathBuf]) -> anyhow::Result<DescriptorPool> {
    let includes: Vec<PathBuf> = if includes.is_empty() {
        let parents: BTreeSet<PathBuf> = files
            .iter()
            .map(|file| match file.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
                _ => PathBuf::from("."),
            })
            .collect();
        parents.into_iter().collect()
    } else {
        includes.to_vec()
    };
    let search_path = includes
        .iter()
        .map(|dir| dir.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let mut compiler =
        protox::Compiler::new(&includes).with_context(|| format!("import path {search_path}"))?;
    compiler.include_imports(true);
    // Comments for `describe`.
    compiler.include_source_info(true);
    for file in files {
        compiler.open_file(file).map_err(|err| {
            anyhow::anyhow!(
                "compiling {}: {} (import path: {search_path})",
                file.display(),
                one_line(&err.to_string())
            )
        })?;
    }
    Ok(compiler.descriptor_pool())
}

/// `--protoset FILE…`: FileDescriptorSets as `protoc --descriptor_set_out
/// --include_imports` writes them.
pub fn pool_from_protosets(files: &[PathBuf]) -> anyhow::Result<DescriptorPool> {
    let mut all = Vec::new();
    for path in files {
        let bytes =
            std::fs::read(path).with_context(|| format!("reading protoset {}", path.display()))?;
        let set = FileDescriptorSet::decode(bytes.as_slice()).map_err(|err| {
            anyhow::anyhow!(
                "{} is not a FileDescriptorSet (protoc --descriptor_set_out): {err}",
                path.display()
            )
        })?;
        all.extend(set.file);
    }
    pool_from_files(all).with_context(|| format!("loading {}", display_list(files)))
}

/// A pool of file descriptors given in any order (a reflection server's
/// answers, several protosets). Duplicates are dropped; google/protobuf's
/// well-known files are added where a file imports one that was not sent.
pub fn pool_from_files(files: Vec<FileDescriptorProto>) -> anyhow::Result<DescriptorPool> {
    let mut seen = HashSet::new();
    let mut files: Vec<FileDescriptorProto> = files
        .into_iter()
        .filter(|file| seen.insert(file.name().to_owned()))
        .collect();
    let missing: Vec<String> = files
        .iter()
        .flat_map(|file| file.dependency.iter())
        .filter(|dependency| !seen.contains(dependency.as_str()))
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let (well_known, unknown): (Vec<String>, Vec<String>) = missing
        .into_iter()
        .partition(|name| name.starts_with("google/protobuf/"));
    if let Some(name) = unknown.first() {
        anyhow::bail!("the schema imports {name}, which it does not contain");
    }
    if !well_known.is_empty() {
        let mut compiler =
            protox::Compiler::new(Vec::<&Path>::new()).context("the well-known protobuf files")?;
        compiler.include_imports(true);
        for name in &well_known {
            compiler
                .open_file(name)
                .map_err(|err| anyhow::anyhow!("the schema imports {name}: {err}"))?;
        }
        let mut with_imports = compiler.file_descriptor_set().file;
        with_imports.retain(|file| !seen.contains(file.name()));
        with_imports.append(&mut files);
        files = with_imports;
    }
    let mut pool = DescriptorPool::new();
    pool.add_file_descriptor_protos(files).map_err(|err| {
        anyhow::anyhow!("the schema is not valid: {}", one_line(&err.to_string()))
    })?;
    Ok(pool)
}

fn display_list(files: &[PathBuf]) -> String {
    files
        .iter()
        .map(|file| file.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// protox's messages may span lines (miette); the error line is one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_own_protos_compile_at_run_time() {
        let proto = Path::new(env!("CARGO_MANIFEST_DIR")).join("proto");
        let files: Vec<PathBuf> = std::fs::read_dir(&proto)
            .expect("proto/")
            .map(|entry| entry.expect("entry").path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "proto"))
            .collect();
        let pool = pool_from_protos(&files, &[]).expect("compiles");
        assert!(pool.get_service_by_name("packages.GreetService").is_some());
    }

    #[test]
    fn a_missing_import_names_the_file_and_the_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("a.proto");
        std::fs::write(&file, "syntax = \"proto3\";\nimport \"nowhere/b.proto\";\n")
            .expect("write");
        let err = pool_from_protos(std::slice::from_ref(&file), &[]).expect_err("missing");
        let text = err.to_string();
        assert!(text.contains("nowhere/b.proto"), "{text}");
        assert!(text.contains(&dir.path().display().to_string()), "{text}");
    }

    #[test]
    fn well_known_imports_are_filled_in() {
        let file = FileDescriptorProto {
            name: Some("t.proto".into()),
            package: Some("t".into()),
            dependency: vec!["google/protobuf/timestamp.proto".into()],
            syntax: Some("proto3".into()),
            ..Default::default()
        };
        let pool = pool_from_files(vec![file]).expect("filled");
        assert!(pool
            .get_message_by_name("google.protobuf.Timestamp")
            .is_some());
    }
}
