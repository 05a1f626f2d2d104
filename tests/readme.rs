//! The README's console examples, run as written (issue 9, "Done means"):
//! every `$ grpc-demo …` line in a ```console block is run by bash with the
//! freshly built binary first on PATH, and what it prints (stdout and
//! stderr) must be the lines that follow it; `$ echo $?` checks the exit
//! code of the command before. `serve --port 50000` is started on a free
//! port instead, its announced line compared with the port replaced, and the
//! clients are pointed at it with GRPC_DEMO_ADDR (the README's default
//! address, `localhost:50000`, may be taken on a test machine).

mod common;

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Command, Stdio},
    sync::mpsc,
    thread,
    time::Duration,
};

use common::{grpc_demo, BIN};

/// One `$ command` and the lines the README says it prints.
struct Example {
    command: String,
    expected: Vec<String>,
}

fn console_examples(readme: &str) -> Vec<Example> {
    let mut examples = Vec::new();
    let mut in_console = false;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_console = line == "```console";
            continue;
        }
        if !in_console {
            continue;
        }
        if let Some(command) = line.strip_prefix("$ ") {
            examples.push(Example {
                command: command.to_owned(),
                expected: Vec::new(),
            });
        } else if let Some(example) = examples.last_mut() {
            if !line.is_empty() {
                example.expected.push(line.to_owned());
            }
        }
    }
    examples
}

/// Port numbers in a `listening on` line, replaced by `PORT`.
fn without_port(line: &str) -> String {
    match line.rsplit_once(':') {
        Some((head, port)) if port.chars().all(|c| c.is_ascii_digit()) => format!("{head}:PORT"),
        _ => line.to_owned(),
    }
}

#[test]
fn the_readme_console_examples_run_as_written() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let examples = console_examples(&readme);
    assert!(
        examples.len() >= 8,
        "found only {} console examples",
        examples.len()
    );
    let bin_dir = Path::new(BIN).parent().expect("binary directory");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );

    let mut server = None;
    let mut addr = String::new();
    let mut last_code = None;
    for example in &examples {
        if let Some(args) = example.command.strip_prefix("grpc-demo serve") {
            assert!(server.is_none(), "one server per README");
            let args: Vec<&str> = args
                .split_whitespace()
                .map(|arg| if arg == "50000" { "0" } else { arg })
                .collect();
            let mut child = grpc_demo()
                .arg("serve")
                .args(&args)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawning serve");
            let stdout = child.stdout.take().expect("stdout");
            let (sender, receiver) = mpsc::channel();
            thread::spawn(move || {
                let mut line = String::new();
                let _ = BufReader::new(stdout).read_line(&mut line);
                let _ = sender.send(line);
            });
            let line = receiver
                .recv_timeout(Duration::from_secs(30))
                .expect("the server announced itself");
            let line = line.trim_end();
            assert_eq!(
                vec![without_port(line)],
                example
                    .expected
                    .iter()
                    .map(|l| without_port(l))
                    .collect::<Vec<_>>(),
                "$ {}",
                example.command
            );
            let port = line.rsplit(':').next().expect("a port");
            addr = format!("localhost:{port}");
            server = Some(common::KillOnDrop(child));
            continue;
        }
        if example.command == "echo $?" {
            assert_eq!(
                Some(example.expected.join("\n")),
                last_code.map(|code: i32| code.to_string()),
                "exit code of the command before `echo $?`"
            );
            continue;
        }
        assert!(
            example.command.starts_with("grpc-demo "),
            "unexpected README command {:?}",
            example.command
        );
        let output = Command::new("bash")
            .args(["--norc", "--noprofile", "-c", &example.command])
            .env("PATH", &path)
            .env("GRPC_DEMO_ADDR", &addr)
            .env_remove("GRPC_DEMO_TOKEN")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .output()
            .expect("running bash");
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let printed: Vec<&str> = printed.lines().collect();
        assert_eq!(printed, example.expected, "$ {}", example.command);
        last_code = output.status.code();
    }
    assert!(server.is_some(), "the README starts a server");
}
