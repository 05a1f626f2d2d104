//! The documentation's examples, run as written. Every Markdown file of the
//! project is read (`*.md` at the top, in `docs/` and in `patches/`); in
//! each, every line inside a fenced block (whatever the fence's language)
//! that starts with `$ ` and names `grpc-demo` is run by bash with the
//! freshly built binary first on PATH, and what it prints (stdout, then
//! stderr) must be the lines that follow it, up to the next `$ ` line or the
//! end of the block (blank lines aside). `$ echo $?` checks the exit code of
//! the command before. Other `$ ` lines (transcripts of other programs, such
//! as `bench/attacks.sh` in SECURITY.md) are not run.
//!
//! A file's `$ grpc-demo serve …` example starts its server on a free port
//! instead of 50000 (that address may be taken on a test machine), its
//! announced line compared with the port masked; the file's clients reach it
//! through GRPC_DEMO_ADDR. A file with client examples and no `serve` one
//! gets a default server.
//!
//! What varies from run to run is masked, never skipped: the port, and every
//! number in what `grpc-demo bench` prints (its words and the order of its
//! lines are still checked). A documented line `…` stands for any number of
//! lines. The figures that do not vary, the quotes of `watch` and the
//! summary of `report`, are checked a second time against their definition
//! (docs/client.md), computed here, so that the documentation cannot simply
//! copy what the program prints.

mod common;

use std::{
    io::{BufRead, BufReader, Read},
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::mpsc,
    thread,
    time::Duration,
};

use common::{grpc_demo, BIN};

/// How long one documented command may run before it counts as hung.
const COMMAND_LIMIT: Duration = Duration::from_secs(60);

/// One `$ command`, where it is documented, and the lines the document says
/// it prints.
#[derive(Debug)]
struct Example {
    file: String,
    line: usize,
    command: String,
    expected: Vec<String>,
}

impl Example {
    fn place(&self) -> String {
        format!("{}:{}: $ {}", self.file, self.line, self.command)
    }

    /// Run by this test: a `grpc-demo` command or `echo $?`.
    fn is_run(&self) -> bool {
        self.command == "echo $?"
            || self
                .command
                .split_whitespace()
                .any(|word| word == "grpc-demo")
    }
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every Markdown file of the project: `*.md` at the top, in `docs/` and
/// in `patches/` (not the vendored crate's own), sorted.
fn documented_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in [
        repo().to_path_buf(),
        repo().join("docs"),
        repo().join("patches"),
    ] {
        for entry in
            std::fs::read_dir(&dir).unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        {
            let path = entry.expect("directory entry").path();
            if path.extension().is_some_and(|ext| ext == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The `$ ` examples in the fenced blocks of one Markdown text.
fn examples(file: &str, text: &str) -> Vec<Example> {
    let mut examples = Vec::new();
    let mut in_fence = false;
    // Whether the last example is still collecting its output.
    let mut open = false;
    for (index, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            open = false;
            continue;
        }
        if !in_fence {
            continue;
        }
        if let Some(command) = line.strip_prefix("$ ") {
            examples.push(Example {
                file: file.to_owned(),
                line: index + 1,
                command: command.trim().to_owned(),
                expected: Vec::new(),
            });
            open = true;
        } else if open && !line.trim().is_empty() {
            examples
                .last_mut()
                .expect("an open example")
                .expected
                .push(line.to_owned());
        }
    }
    examples
}

/// The port of a `listening on HOST:PORT` line replaced by `PORT`.
fn without_port(line: &str) -> String {
    match line.rsplit_once(':') {
        Some((head, port)) if port.chars().all(|c| c.is_ascii_digit()) => format!("{head}:PORT"),
        _ => line.to_owned(),
    }
}

/// Every number (digits, with a decimal point or not) replaced by `N`.
fn without_numbers(line: &str) -> String {
    let mut masked = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            while chars
                .peek()
                .is_some_and(|&next| next.is_ascii_digit() || next == '.')
            {
                chars.next();
            }
            masked.push('N');
        } else {
            masked.push(c);
        }
    }
    masked
}

/// Whether `printed` is what `expected` documents, a line `…` in it
/// standing for any number of lines.
fn lines_match(expected: &[String], printed: &[String]) -> bool {
    match expected.split_first() {
        None => printed.is_empty(),
        Some((first, rest)) if first.trim() == "…" => {
            (0..=printed.len()).any(|skip| lines_match(rest, &printed[skip..]))
        }
        Some((first, rest)) => printed.first() == Some(first) && lines_match(rest, &printed[1..]),
    }
}

/// Runs `command` with bash, bounded by [`COMMAND_LIMIT`]: stdout then
/// stderr, as lines without the blank ones, and the exit code.
fn run_shell(command: &str, addr: &str) -> Result<(Vec<String>, Option<i32>), String> {
    let bin_dir = Path::new(BIN).parent().expect("binary directory");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut child = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", command])
        .env("PATH", &path)
        .env("GRPC_DEMO_ADDR", addr)
        .env_remove("GRPC_DEMO_TOKEN")
        .env_remove("GRPC_DEMO_PORT")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| format!("running bash: {err}"))?;
    let stdout = read_all(child.stdout.take().expect("stdout"));
    let stderr = read_all(child.stderr.take().expect("stderr"));
    // Killed by PID when dropped, if still running.
    let mut child = common::KillOnDrop(child);
    let Some(status) = child.wait(COMMAND_LIMIT) else {
        return Err(format!("still running after {COMMAND_LIMIT:?}"));
    };
    let printed = format!(
        "{}{}",
        stdout.join().expect("stdout reader"),
        stderr.join().expect("stderr reader")
    );
    let lines = printed
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(str::to_owned)
        .collect();
    Ok((lines, status.code()))
}

fn read_all(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Starts `grpc-demo serve ARGS` (port 50000 → a free one) and returns it
/// with the line it announced.
fn start_server(args: &str) -> Result<(common::KillOnDrop, String), String> {
    let args: Vec<&str> = args
        .split_whitespace()
        .map(|arg| if arg == "50000" { "0" } else { arg })
        .collect();
    let mut child = grpc_demo()
        .arg("serve")
        .args(&args)
        .env_remove("GRPC_DEMO_PORT")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|err| format!("spawning serve: {err}"))?;
    let stdout = child.stdout.take().expect("stdout");
    let server = common::KillOnDrop(child);
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = sender.send(line);
    });
    let line = receiver
        .recv_timeout(Duration::from_secs(30))
        .map_err(|_| "the server did not announce itself within 30 s".to_owned())?;
    Ok((server, line.trim_end().to_owned()))
}

/// Runs one file's examples in order; returns what went wrong, one entry
/// per example that failed.
fn run_file(examples: &[Example]) -> Vec<String> {
    let mut failures = Vec::new();
    let mut server: Option<common::KillOnDrop> = None;
    let mut addr = String::new();
    let mut last_code = None;
    for example in examples.iter().filter(|example| example.is_run()) {
        if let Some(args) = example.command.strip_prefix("grpc-demo serve") {
            if server.is_some() {
                failures.push(format!("{}: one server per file", example.place()));
                continue;
            }
            match start_server(args) {
                Ok((started, line)) => {
                    let expected: Vec<String> =
                        example.expected.iter().map(|l| without_port(l)).collect();
                    if expected != [without_port(&line)] {
                        failures.push(format!(
                            "{}\n  documented: {expected:?}\n  printed:    {line:?}",
                            example.place()
                        ));
                    }
                    let port = line.rsplit(':').next().unwrap_or_default();
                    addr = format!("localhost:{port}");
                    server = Some(started);
                }
                Err(err) => failures.push(format!("{}: {err}", example.place())),
            }
            continue;
        }
        if example.command == "echo $?" {
            let documented = example.expected.join("\n");
            let actual = last_code.map_or("(none)".to_owned(), |code: i32| code.to_string());
            if documented != actual {
                failures.push(format!(
                    "{}: the command before exited {actual}, documented {documented}",
                    example.place()
                ));
            }
            continue;
        }
        if server.is_none() {
            match start_server("--port 0") {
                Ok((started, line)) => {
                    let port = line.rsplit(':').next().unwrap_or_default();
                    addr = format!("localhost:{port}");
                    server = Some(started);
                }
                Err(err) => {
                    failures.push(format!("{}: default server: {err}", example.place()));
                    continue;
                }
            }
        }
        match run_shell(&example.command, &addr) {
            Ok((printed, code)) => {
                last_code = code;
                let (expected, printed): (Vec<String>, Vec<String>) =
                    if example.command.starts_with("grpc-demo bench") {
                        (
                            example
                                .expected
                                .iter()
                                .map(|l| without_numbers(l))
                                .collect(),
                            printed.iter().map(|l| without_numbers(l)).collect(),
                        )
                    } else {
                        (example.expected.clone(), printed)
                    };
                if !lines_match(&expected, &printed) {
                    failures.push(format!(
                        "{}\n  documented: {expected:#?}\n  printed:    {printed:#?}",
                        example.place()
                    ));
                }
            }
            Err(err) => {
                last_code = None;
                failures.push(format!("{}: {err}", example.place()));
            }
        }
    }
    failures
}

fn all_examples() -> Vec<Vec<Example>> {
    documented_files()
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path)
                .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
            let name = path
                .strip_prefix(repo())
                .unwrap_or(path)
                .display()
                .to_string();
            examples(&name, &text)
        })
        .collect()
}

#[test]
fn every_documented_example_runs_as_written() {
    let files = all_examples();
    let run: usize = files
        .iter()
        .map(|examples| examples.iter().filter(|e| e.is_run()).count())
        .sum();
    assert!(run >= 20, "found only {run} examples to run");
    for name in ["README.md", "docs/client.md", "docs/bench.md"] {
        assert!(
            files
                .iter()
                .flatten()
                .any(|example| example.file == name && example.is_run()),
            "no example found in {name}"
        );
    }
    let failures: Vec<String> = files
        .iter()
        .flat_map(|examples| run_file(examples))
        .collect();
    assert!(
        failures.is_empty(),
        "{} documented example(s) do not run as written:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// A `$ grpc-demo serve` example inside a ```sh block (no console fence) is
/// found as well, and only `$ ` lines that name grpc-demo are run.
#[test]
fn examples_are_found_whatever_the_fence() {
    let text = "text\n```sh\n$ grpc-demo hello\nhello, world\n\n```\n$ grpc-demo outside\n```\n$ bench/attacks.sh 1\nout\n$ echo $?\n0\n```\n";
    let found = examples("x.md", text);
    let commands: Vec<(&str, bool, usize)> = found
        .iter()
        .map(|e| (e.command.as_str(), e.is_run(), e.line))
        .collect();
    assert_eq!(
        commands,
        [
            ("grpc-demo hello", true, 3),
            ("bench/attacks.sh 1", false, 9),
            ("echo $?", true, 11)
        ]
    );
    assert_eq!(found[0].expected, ["hello, world"]);
    assert_eq!(found[1].expected, ["out"]);
}

#[test]
fn masks_and_ellipses_match_what_they_should_and_nothing_else() {
    assert_eq!(
        without_numbers("  Rate:\t\t100000.0/s asked, 4203.0/s achieved"),
        "  Rate:\t\tN/s asked, N/s achieved"
    );
    assert_eq!(
        without_port("listening on [::]:41234"),
        "listening on [::]:PORT"
    );
    let lines = |text: &str| text.lines().map(str::to_owned).collect::<Vec<_>>();
    assert!(lines_match(&lines("a\n…\nd"), &lines("a\nb\nc\nd")));
    assert!(lines_match(&lines("a\n…\nd"), &lines("a\nd")));
    assert!(lines_match(&lines("a\n…"), &lines("a\nb")));
    assert!(!lines_match(&lines("a\n…\nd"), &lines("a\nb\nc")));
    assert!(!lines_match(&lines("a\nb"), &lines("a\nb\nc")));
    assert!(!lines_match(&lines("a\nb"), &lines("a")));
}

/// The documented price walk of `StockService` (docs/client.md, "watch"),
/// written from that definition: FNV-1a of the symbol seeds splitmix64.
struct Walk {
    state: u64,
    cents: u64,
}

impl Walk {
    fn new(symbol: &str) -> Self {
        let mut seed: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in symbol.to_ascii_uppercase().bytes() {
            seed = (seed ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3);
        }
        let mut walk = Walk {
            state: seed,
            cents: 0,
        };
        walk.cents = 1000 + walk.random() % 49_000;
        walk
    }

    fn random(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// The current price in cents, then one step of the walk.
    fn next_cents(&mut self) -> u64 {
        let shown = self.cents;
        let step = self.random() % 201;
        if step > 100 {
            self.cents += (self.cents * (step - 100) / 10_000).max(1);
        } else if step < 100 {
            let fall = (self.cents * (100 - step) / (10_000 + 100 - step)).max(1);
            self.cents = self.cents.saturating_sub(fall).max(1);
        }
        shown
    }
}

/// `value` to 6 significant digits, trailing zeros dropped (docs/client.md,
/// "report"), for the values a synthetic report can have (0.01 to 1e6).
fn six_significant(value: f64) -> String {
    let magnitude = value.abs().log10().floor() as i32;
    let decimals = (5 - magnitude).max(0) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// The value of flag `name` in a documented command line.
fn flag<'a>(command: &'a str, name: &str) -> Option<&'a str> {
    let mut words = command.split_whitespace();
    words.by_ref().find(|word| *word == name)?;
    words.next().map(|word| word.trim_matches('\''))
}

#[test]
fn the_documented_quotes_and_summaries_follow_from_their_definitions() {
    let mut checked = 0;
    for example in all_examples().iter().flatten() {
        let command = example.command.as_str();
        if command.starts_with("grpc-demo watch") {
            let (Some(symbol), Some(count)) = (flag(command, "--symbol"), flag(command, "--count"))
            else {
                continue;
            };
            let count: u64 = count.parse().expect("--count N");
            if count == 0
                || !symbol
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.')
            {
                continue;
            }
            let symbol = symbol.to_ascii_uppercase();
            if flag(command, "-o") == Some("json") {
                // Its quotes carry the time they were made: not documented exactly.
                continue;
            }
            let mut walk = Walk::new(&symbol);
            let derived: Vec<String> = (1..=count)
                .map(|seq| {
                    let cents = walk.next_cents();
                    format!("{seq}\t{symbol}\t{}.{:02}", cents / 100, cents % 100)
                })
                .collect();
            assert_eq!(example.expected, derived, "{}", example.place());
            checked += 1;
        } else if command.starts_with("grpc-demo report") && flag(command, "--readings").is_none() {
            let device = flag(command, "--device").unwrap_or("sensor-1");
            let count: u64 = flag(command, "--count").map_or(10, |n| n.parse().expect("--count N"));
            let values: Vec<f64> = (0..count)
                .map(|i| ((20.0 + (i as f64 / 10.0).sin() * 5.0) * 100.0).round() / 100.0)
                .collect();
            let min = values.iter().copied().fold(f64::INFINITY, f64::min);
            let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mean = values.iter().sum::<f64>() / count as f64;
            let derived = format!(
                "count={count} min={} max={} mean={} devices={device}",
                six_significant(min),
                six_significant(max),
                six_significant(mean)
            );
            assert_eq!(example.expected, [derived], "{}", example.place());
            checked += 1;
        }
    }
    assert!(checked >= 3, "only {checked} watch/report examples checked");
}

/// The shell blocks of `markdown` (```sh … ```), each as one text.
fn sh_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_start()) {
            (None, "```sh") => current = Some(Vec::new()),
            (Some(_), "```") => blocks.push(current.take().unwrap_or_default().join("\n")),
            (Some(block), _) => block.push(line),
            (None, _) => {}
        }
    }
    blocks
}

/// The scripts in docs/operating.md that start a server of their own and
/// wait for it (reading the port, stopping it by signal): run as written in
/// a scratch directory, with the server they started ended after them
/// (by its PID, `$!`). Each must print on stdout exactly what its last
/// line's comment says, and the shell nothing on stderr (a `bash:` error
/// from reading a file not there yet, say).
#[test]
fn the_server_scripts_run_as_written() {
    let text =
        std::fs::read_to_string(repo().join("docs/operating.md")).expect("docs/operating.md");
    let scripts: Vec<String> = sh_blocks(&text)
        .into_iter()
        .filter(|block| block.starts_with("grpc-demo serve --port 0 > server.out &"))
        .collect();
    assert_eq!(scripts.len(), 2, "the start-up and the signals scripts");
    let bin_dir = Path::new(BIN).parent().expect("binary directory");
    for script in scripts {
        let expected = script
            .lines()
            .last()
            .and_then(|line| line.rsplit_once("# "))
            .map(|(_, comment)| comment.trim().to_owned())
            .expect("the last line says what it prints");
        let dir = tempfile::tempdir().expect("scratch directory");
        let mut child = common::KillOnDrop(
            Command::new("bash")
                .args(["--norc", "--noprofile", "-c"])
                .arg(format!(
                    "{script}\nstatus=$?; kill \"$!\" 2>/dev/null; wait \"$!\" 2>/dev/null; exit $status"
                ))
                .current_dir(dir.path())
                .env(
                    "PATH",
                    format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default()),
                )
                .env_remove("GRPC_DEMO_ADDR")
                .env_remove("GRPC_DEMO_PORT")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("running bash"),
        );
        let stdout = read_all(child.0.stdout.take().expect("stdout"));
        let stderr = read_all(child.0.stderr.take().expect("stderr"));
        let status = child.wait(COMMAND_LIMIT);
        let (stdout, stderr) = (
            stdout.join().expect("stdout reader"),
            stderr.join().expect("stderr reader"),
        );
        assert_eq!(
            status.and_then(|status| status.code()),
            Some(0),
            "{script}\nstderr:\n{stderr}"
        );
        assert_eq!(stdout.trim_end(), expected, "{script}\nstderr:\n{stderr}");
        let shell_errors: Vec<&str> = stderr
            .lines()
            .filter(|line| line.contains("bash"))
            .collect();
        assert!(
            shell_errors.is_empty(),
            "{script}\n{}",
            shell_errors.join("\n")
        );
    }
}

/// Every shell block (```sh) of every Markdown file, by its place, with
/// the reason it is not run if the line before its fence says
/// `<!-- not run: REASON -->`.
fn every_sh_block() -> Vec<(String, Option<String>, String)> {
    let mut blocks = Vec::new();
    for path in documented_files() {
        let text = std::fs::read_to_string(&path).expect("a documented file");
        let file = path
            .strip_prefix(repo())
            .unwrap_or(&path)
            .display()
            .to_string();
        let lines: Vec<&str> = text.lines().collect();
        let mut index = 0;
        while index < lines.len() {
            if lines[index].trim() != "```sh" {
                index += 1;
                continue;
            }
            let start = index;
            let reason = lines[..start]
                .iter()
                .rev()
                .find(|line| !line.trim().is_empty())
                .and_then(|line| line.trim().strip_prefix("<!-- not run:"))
                .and_then(|rest| rest.strip_suffix("-->"))
                .map(|reason| reason.trim().to_owned());
            let mut body = Vec::new();
            index += 1;
            while index < lines.len() && lines[index].trim() != "```" {
                body.push(lines[index]);
                index += 1;
            }
            blocks.push((format!("{file}:{}", start + 1), reason, body.join("\n")));
            index += 1;
        }
    }
    blocks
}

/// A documented block as the test runs it: `localhost:50000` and
/// `/run/grpc-demo.sock` are the test's servers; a `grpc-demo serve` line
/// starts its server in the background on a free loopback port, waits for
/// its `listening on` line, and the server is stopped by SIGTERM at the
/// end (it must exit 0); a line commented `# until Ctrl-C` gets SIGINT
/// after a second and must exit 130; a line whose comment says it prints
/// on `(stderr)` must print something there, and nothing else may.
fn runnable(block: &str, port: u16, socket: &Path) -> String {
    let mut script = String::from("set -euo pipefail\nservers=()\n");
    for line in block.lines() {
        let line = line
            .replace("localhost:50000", &format!("localhost:{port}"))
            .replace("/run/grpc-demo.sock", &socket.display().to_string())
            .replace("127.0.0.1:9464", "127.0.0.1:0");
        let (command, comment) = match line.split_once("  #") {
            Some((command, comment)) => (command.trim_end().to_owned(), comment.trim()),
            None => (line.clone(), ""),
        };
        if let Some(args) = command.strip_prefix("grpc-demo serve") {
            let log = format!("serve{}", script.matches("servers+=").count());
            // A TCP server on loopback, not the wildcard address.
            let host = if args.contains("--uds") {
                ""
            } else {
                " --host 127.0.0.1"
            };
            script.push_str(&format!(
                "GRPC_DEMO_PORT=0 grpc-demo serve{host}{args} > {log}.out 2> {log}.err &\n\
                 servers+=($!)\n\
                 until grep -qs '^listening on' {log}.out; do\n\
                 kill -0 \"$!\" 2>/dev/null || {{ cat {log}.err >&2; exit 1; }}; sleep 0.05\n\
                 done\n"
            ));
        } else if comment == "until Ctrl-C" {
            script.push_str(&format!(
                "status=0; timeout --preserve-status -s INT 1 {command} || status=$?\n\
                 test \"$status\" = 130 || {{ echo \"exit $status, not 130: {}\" >&2; exit 1; }}\n",
                command.replace('"', "\\\"")
            ));
        } else if comment.contains("(stderr)") {
            // What it documents on stderr must be there.
            script.push_str(&format!(
                "{command} 2> documented.err\ntest -s documented.err\n"
            ));
        } else {
            script.push_str(&line);
            script.push('\n');
        }
    }
    script.push_str("for pid in \"${servers[@]}\"; do kill -TERM \"$pid\"; wait \"$pid\"; done\n");
    script
}

/// Every shell block of the documentation is run here as written (see
/// [`runnable`]), in a scratch directory holding the files the examples
/// name, with grpcurl and buf on PATH; it must exit 0 and print nothing on
/// stderr. A block that cannot run here says why in a comment before its
/// fence; the server scripts of docs/operating.md are run by
/// `the_server_scripts_run_as_written`.
#[test]
fn every_shell_block_runs_or_says_why_not() {
    let installed = common::run_setup("tests/interop/setup.sh");
    let tools: Vec<PathBuf> = ["GRPCURL", "BUF"]
        .iter()
        .map(|key| {
            installed
                .get(key)
                .parent()
                .expect("a tool's directory")
                .to_path_buf()
        })
        .collect();
    let bin_dir = Path::new(BIN).parent().expect("binary directory");
    let server = common::Server::start(&[]);
    let mut failures = Vec::new();
    let (mut run, mut not_run) = (0, 0);
    for (place, reason, block) in every_sh_block() {
        if let Some(reason) = reason {
            assert!(!reason.is_empty(), "{place}: say why it is not run");
            not_run += 1;
            continue;
        }
        if block.starts_with("grpc-demo serve --port 0 > server.out &") {
            continue;
        }
        run += 1;
        let dir = tempfile::tempdir().expect("scratch directory");
        for (name, content) in [
            ("request.json", "{\"name\":\"x\"}\n"),
            (
                "conversation.jsonl",
                "{\"msgType\":\"START\",\"msgIndex\":0}\n{\"msgType\":\"PROGRESS\",\"msgIndex\":1}\n{\"msgType\":\"END\",\"msgIndex\":2}\n",
            ),
            (
                "readings.ndjson",
                "{\"device\":\"a\",\"value\":1}\n{\"device\":\"b\",\"value\":3}\n",
            ),
        ] {
            std::fs::write(dir.path().join(name), content).expect("a fixture");
        }
        let socket = dir.path().join("grpc-demo.sock");
        // A block that calls the socket without serving it gets a server.
        let _uds = (block.contains("/run/grpc-demo.sock") && !block.contains("grpc-demo serve"))
            .then(|| common::UdsServer::start(&socket));
        let script = runnable(&block, server.port, &socket);
        let path = std::iter::once(bin_dir.to_path_buf())
            .chain(tools.iter().cloned())
            .map(|dir| dir.display().to_string())
            .chain(std::env::var("PATH").ok())
            .collect::<Vec<_>>()
            .join(":");
        let mut child = common::KillOnDrop(
            Command::new("bash")
                .args(["--norc", "--noprofile", "-c", &script])
                .current_dir(dir.path())
                .env("PATH", path)
                .env("GRPC_DEMO_ADDR", server.addr())
                .env_remove("GRPC_DEMO_TOKEN")
                .env_remove("GRPC_DEMO_PORT")
                .env_remove("RUST_LOG")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("running bash"),
        );
        let stdout = read_all(child.0.stdout.take().expect("stdout"));
        let stderr = read_all(child.0.stderr.take().expect("stderr"));
        let status = child.wait(COMMAND_LIMIT);
        let (_, stderr) = (
            stdout.join().expect("stdout reader"),
            stderr.join().expect("stderr reader"),
        );
        match status.and_then(|status| status.code()) {
            Some(0) if stderr.trim().is_empty() => {}
            code => failures.push(format!(
                "{place}: exit {code:?}\n{block}\nstderr:\n{stderr}"
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(run >= 10 && not_run >= 1, "run {run}, not run {not_run}");
}
