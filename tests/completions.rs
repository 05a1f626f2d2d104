//! Shell completion, tested by completing real words in real shells: bash
//! (bare, without the bash-completion package), zsh (compinit, on a
//! pseudo-terminal) and fish, each loading the script the freshly built
//! binary prints. zsh and fish are installed by `tests/completions/setup.sh`
//! when missing; a shell that cannot be installed fails these tests, it does
//! not skip them.
//!
//! The checked-in scripts under completions/ must match what the binary
//! prints; regenerate them with `GRPC_DEMO_BLESS=1 cargo test --test completions`.

mod common;

use std::{
    io::Read,
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    sync::{mpsc, OnceLock},
    thread,
    time::Duration,
};

use clap::{CommandFactory, ValueEnum};
use clap_complete::{Generator, Shell};
use grpc_demo::{cli::Cli, completions};

const BIN: &str = env!("CARGO_BIN_EXE_grpc-demo");

/// How long one shell may take to load a script and complete one line.
const SHELL_LIMIT: Duration = Duration::from_secs(60);

fn test_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/completions")
}

/// Runs `command` to its end, killing it (by PID) after `limit`.
fn output_within(mut command: Command, limit: Duration) -> Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| panic!("spawning {command:?}: {err}"));
    let pid = child.id();
    let (done_tx, done_rx) = mpsc::channel();
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let err_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        let _ = done_tx.send((buf, child.wait()));
    });
    let Ok((stdout, status)) = done_rx.recv_timeout(limit) else {
        // SAFETY: kill(2) on the PID of a child we started and have not reaped.
        unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
        panic!("{command:?} did not finish within {limit:?}");
    };
    Output {
        status: status.expect("waiting for the shell"),
        stdout,
        stderr: err_reader.join().expect("stderr reader"),
    }
}

struct Shells {
    bash: PathBuf,
    zsh: PathBuf,
    fish: PathBuf,
}

fn shells() -> &'static Shells {
    static SHELLS: OnceLock<Shells> = OnceLock::new();
    SHELLS.get_or_init(|| {
        let installed = common::run_setup("tests/completions/setup.sh");
        let get = |key: &str| installed.get(key);
        Shells {
            bash: get("BASH"),
            zsh: get("ZSH"),
            fish: get("FISH"),
        }
    })
}

/// What the freshly built binary prints for `grpc-demo completions SHELL`.
fn printed_script(shell: Shell) -> Vec<u8> {
    let output = Command::new(BIN)
        .args(["completions", &shell.to_string()])
        .output()
        .expect("running grpc-demo completions");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn lines(output: &Output, shell: &str, words: &[&str]) -> Vec<String> {
    assert!(
        output.status.success(),
        "{shell} completing {words:?} failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The words bash offers for the command line `words` (the last one is the
/// word being completed; "" for a new word), in a clean bash without the
/// bash-completion package, after `source <(grpc-demo completions bash)` as
/// docs/client.md says.
fn bash_complete(words: &[&str]) -> Vec<String> {
    const HARNESS: &str = r#"
source <("$GRPC_DEMO" completions bash) || exit 10
if declare -F _init_completion >/dev/null; then
    echo "bash-completion is loaded; this test is about bash without it" >&2
    exit 11
fi
spec=$(complete -p grpc-demo) || exit 12
function=${spec#*-F }
function=${function%% *}
COMP_WORDS=("$@")
COMP_CWORD=$(( $# - 1 ))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
COMP_TYPE=9
COMP_KEY=9
"$function" grpc-demo "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"#;
    let mut bash = Command::new(&shells().bash);
    bash.args(["--norc", "--noprofile", "-c", HARNESS, "bash"])
        .args(words)
        .env("GRPC_DEMO", BIN)
        .env_remove("BASH_ENV")
        .env_remove("ENV");
    lines(&output_within(bash, SHELL_LIMIT), "bash", words)
}

/// The words zsh offers for the command line `words`, typed and TAB-completed
/// in an interactive zsh with compinit and the script on its fpath (see
/// tests/completions/zsh-complete.zsh). Fails on anything the completion
/// functions print on stderr.
fn zsh_complete(words: &[&str]) -> Vec<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let fpath = dir.path().join("functions");
    let work = dir.path().join("work");
    std::fs::create_dir_all(&fpath).expect("creating the fpath dir");
    std::fs::create_dir_all(&work).expect("creating the work dir");
    std::fs::write(
        fpath.join(Shell::Zsh.file_name(completions::BIN_NAME)),
        printed_script(Shell::Zsh),
    )
    .expect("writing the zsh script");
    let mut zsh = Command::new(&shells().zsh);
    zsh.arg("-f")
        .arg(test_dir().join("zsh-complete.zsh"))
        .arg(&fpath)
        .arg(&work)
        .args(words);
    lines(&output_within(zsh, SHELL_LIMIT), "zsh", words)
}

/// The words fish offers for the command line `words` (`complete -C`), after
/// `grpc-demo completions fish | source`.
fn fish_complete(words: &[&str]) -> Vec<String> {
    let mut fish = Command::new(&shells().fish);
    fish.args([
        "--no-config",
        "-c",
        "$GRPC_DEMO completions fish | source; or exit 10; complete -C -- $argv[1]",
    ])
    .arg(words.join(" "))
    .env("GRPC_DEMO", BIN);
    lines(&output_within(fish, SHELL_LIMIT), "fish", words)
        .into_iter()
        // Each candidate is followed by a tab and its description.
        .map(|line| line.split('\t').next().unwrap_or_default().to_owned())
        .collect()
}

type Completer = fn(&[&str]) -> Vec<String>;

const SHELLS: [(&str, Completer); 3] = [
    ("bash", bash_complete),
    ("zsh", zsh_complete),
    ("fish", fish_complete),
];

#[track_caller]
fn assert_offers(shell: &str, words: &[&str], offered: &[String], expected: &[&str]) {
    let missing: Vec<&&str> = expected
        .iter()
        .filter(|word| !offered.iter().any(|o| o == *word))
        .collect();
    assert!(
        missing.is_empty(),
        "{shell}: completing {words:?} offered {offered:?}, without {missing:?}"
    );
}

/// Representative lines and words each must offer (not the full lists).
const REPRESENTATIVE: &[(&[&str], &[&str])] = &[
    // A subcommand's own flag: clap_complete 4.6.11's bash script offered
    // nothing past the first word (clap-rs/clap#6421).
    (&["grpc-demo", "hello", "--na"], &["--name"]),
    // A subcommand.
    (&["grpc-demo", "he"], &["hello", "health"]),
    // The any-service commands' own flags.
    (&["grpc-demo", "call", "--emit"], &["--emit-defaults"]),
    (&["grpc-demo", "describe", "--proto"], &["--protoset"]),
    // A flag's values.
    (&["grpc-demo", "hello", "-o", ""], &["text", "json"]),
    (
        &["grpc-demo", "stream", "--role", ""],
        &["customer", "agent"],
    ),
    // Two levels down.
    (
        &["grpc-demo", "bench", "hello", "--conc"],
        &["--concurrency"],
    ),
];

/// A positional's values. clap_complete's fish generator does not complete
/// positionals at all (documented in its fish.rs): fish offers file names.
const POSITIONAL: (&[&str], &[&str]) =
    (&["grpc-demo", "completions", ""], &["bash", "zsh", "fish"]);

fn check(shell: &str, complete: Completer, cases: &[(&[&str], &[&str])]) {
    for (words, expected) in cases {
        assert_offers(shell, words, &complete(words), expected);
    }
}

#[test]
fn bash_completes_flags_subcommands_and_values() {
    check("bash", bash_complete, REPRESENTATIVE);
    check("bash", bash_complete, &[POSITIONAL]);
}

#[test]
fn zsh_completes_flags_subcommands_and_values() {
    check("zsh", zsh_complete, REPRESENTATIVE);
    check("zsh", zsh_complete, &[POSITIONAL]);
}

#[test]
fn fish_completes_flags_subcommands_and_values() {
    check("fish", fish_complete, REPRESENTATIVE);
}

/// Every command path of the CLI (`[]`, `["hello"]`, `["bench", "stream"]`,
/// …) with the long flags clap defines on it, so a flag added later is
/// checked without naming it here.
fn command_paths() -> Vec<(Vec<String>, Vec<String>)> {
    fn walk(command: &clap::Command, path: Vec<String>, out: &mut Vec<(Vec<String>, Vec<String>)>) {
        let flags = command
            .get_arguments()
            .filter(|arg| !arg.is_hide_set())
            .filter_map(|arg| arg.get_long())
            .map(|long| format!("--{long}"))
            .collect();
        out.push((path.clone(), flags));
        for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
            let mut sub_path = path.clone();
            sub_path.push(sub.get_name().to_owned());
            walk(sub, sub_path, out);
        }
    }
    let mut out = Vec::new();
    walk(&Cli::command(), Vec::new(), &mut out);
    out
}

/// `grpc-demo SUBCOMMAND --<TAB>` offers every long flag of that subcommand,
/// in every shell, with nothing printed on stderr (a broken zsh spec breaks
/// a whole subcommand).
#[test]
fn every_subcommand_offers_all_its_flags_in_every_shell() {
    for (path, flags) in command_paths() {
        let mut words = vec![completions::BIN_NAME];
        words.extend(path.iter().map(String::as_str));
        words.push("--");
        let expected: Vec<&str> = flags.iter().map(String::as_str).collect();
        for (shell, complete) in SHELLS {
            assert_offers(shell, &words, &complete(&words), &expected);
        }
    }
}

#[test]
fn checked_in_completions_match_the_cli() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    // Only GRPC_DEMO_BLESS=1 rewrites the scripts: `=0` (or empty) checks
    // them, as when unset.
    let bless = std::env::var_os("GRPC_DEMO_BLESS").is_some_and(|value| value == "1");
    let mut stale = Vec::new();
    for &shell in Shell::value_variants() {
        let generated = completions::script(shell);
        let path = dir.join(shell.file_name(completions::BIN_NAME));
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
fn the_binary_prints_the_same_scripts() {
    for &shell in Shell::value_variants() {
        assert_eq!(
            printed_script(shell),
            completions::script(shell),
            "grpc-demo completions {shell}"
        );
    }
}
