//! The checked-in completion scripts are generated from the clap definition;
//! this fails when they are stale. Regenerate with
//! `GRPC_DEMO_BLESS=1 cargo test --test completions`.

use std::path::Path;

use clap::CommandFactory;
use clap_complete::{Generator, Shell};
use grpc_demo::cli::Cli;

#[test]
fn checked_in_completions_match_the_cli() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let bless = std::env::var_os("GRPC_DEMO_BLESS").is_some();
    let mut stale = Vec::new();
    for shell in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::Elvish,
        Shell::PowerShell,
    ] {
        let mut generated = Vec::new();
        clap_complete::generate(shell, &mut Cli::command(), "grpc-demo", &mut generated);
        let path = dir.join(shell.file_name("grpc-demo"));
        if bless {
            std::fs::write(&path, &generated).expect("writing completions");
            continue;
        }
        let checked_in = std::fs::read(&path).unwrap_or_default();
        if checked_in != generated {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale completions: {stale:?}; run GRPC_DEMO_BLESS=1 cargo test --test completions"
    );
}

#[test]
fn the_binary_prints_the_same_script() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_grpc-demo"))
        .args(["completions", "bash"])
        .output()
        .expect("running grpc-demo");
    assert!(output.status.success());
    let mut generated = Vec::new();
    clap_complete::generate(
        Shell::Bash,
        &mut Cli::command(),
        "grpc-demo",
        &mut generated,
    );
    assert_eq!(output.stdout, generated);
}
