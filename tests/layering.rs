//! The imports between the top-level modules of src/ run one way: no module
//! reaches back up to one that imports it (a cycle), and only main, app and
//! cli see exit.rs (errors become exit codes in one place).
//!
//! Read from the source text: every `crate::NAME` path, including the names
//! inside `use crate::{…}` trees, and `super::NAME` in a top-level module's
//! own files are not crossings. `#[cfg(test)]` code counts too.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

type Graph = BTreeMap<String, BTreeSet<String>>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|err| panic!("{}: {err}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of src/ belongs to: `server` for
/// src/server/layer/auth.rs, `status` for src/status.rs.
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).expect("under src/");
    let first = relative
        .components()
        .next()
        .expect("a path")
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    first.trim_end_matches(".rs").to_owned()
}

/// Code without `//` comments (doc comments name modules in prose).
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level names a `crate::` path starts with: one for
/// `crate::status::X`, each first name of a `crate::{a::X, b}` tree.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        // `grpc_demo_crate::`, `$crate::`: not ours.
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        if let Some(tree) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut item = String::new();
            for c in tree.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 1 => {
                        names.extend(first_ident(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 {
                    break;
                }
                if depth == 1 {
                    item.push(c);
                }
            }
            names.extend(first_ident(&item));
        } else {
            names.extend(first_ident(rest));
        }
    }
    names
}

fn first_ident(text: &str) -> Option<String> {
    let ident: String = text
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!ident.is_empty() && ident != "self").then_some(ident)
}

fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph = Graph::new();
    for file in files {
        let module = module_of(&src, &file);
        let text = fs::read_to_string(&file).expect("readable source");
        let uses = graph.entry(module.clone()).or_default();
        for name in crate_paths(&without_comments(&text)) {
            if name != module {
                uses.insert(name);
            }
        }
    }
    graph
}

/// A path from `from` back to `to`, if there is one.
fn path_between(graph: &Graph, from: &str, to: &str) -> Option<Vec<String>> {
    let mut stack = vec![vec![from.to_owned()]];
    let mut seen = BTreeSet::new();
    while let Some(path) = stack.pop() {
        let last = path.last().expect("non-empty").clone();
        if last == to {
            return Some(path);
        }
        if !seen.insert(last.clone()) {
            continue;
        }
        for next in graph.get(&last).into_iter().flatten() {
            let mut longer = path.clone();
            longer.push(next.clone());
            stack.push(longer);
        }
    }
    None
}

fn cycles(graph: &Graph) -> Vec<String> {
    let mut found = Vec::new();
    for (module, uses) in graph {
        for used in uses {
            if let Some(back) = path_between(graph, used, module) {
                found.push(format!("{module} -> {}", back.join(" -> ")));
            }
        }
    }
    found
}

#[test]
fn top_level_modules_import_one_way() {
    let graph = graph();
    assert!(graph.len() > 10, "src/ not read: {graph:?}");
    let cycles = cycles(&graph);
    assert!(
        cycles.is_empty(),
        "import cycles between modules of src/:\n{}",
        cycles.join("\n")
    );
}

#[test]
fn only_main_app_and_cli_import_exit() {
    let graph = graph();
    let importers: Vec<&String> = graph
        .iter()
        .filter(|(_, uses)| uses.contains("exit"))
        .map(|(module, _)| module)
        .collect();
    for module in &importers {
        assert!(
            ["main", "app", "cli"].contains(&module.as_str()),
            "{module} imports exit.rs: errors become exit codes only at the top"
        );
    }
}

#[test]
fn the_reader_sees_use_trees_and_finds_a_cycle() {
    let code = "use crate::{\n    output::Format,\n    status::{code_name, RpcError},\n};\nlet x = crate::bench::run();\n$crate::ignored; grpc_demo_crate::no;";
    assert_eq!(
        crate_paths(code).into_iter().collect::<Vec<_>>(),
        ["bench", "output", "status"]
    );
    let mut graph = Graph::new();
    graph.entry("a".into()).or_default().insert("b".into());
    graph.entry("b".into()).or_default().insert("c".into());
    assert!(cycles(&graph).is_empty());
    graph.entry("c".into()).or_default().insert("a".into());
    assert_eq!(cycles(&graph).len(), 3, "{:?}", cycles(&graph));
}
