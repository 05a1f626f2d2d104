//! `grpc-demo call`, `list`, `describe` and `health` against real peers: a
//! Python grpcio server of a service this project does not have
//! (tests/interop/everything.proto, every kind of field, all four kinds of
//! method, one that fails with BadRequest details), with and without
//! reflection, over TCP and a Unix socket; the same calls through grpcurl
//! 1.8.6, compared as parsed JSON, field by field; and our own server for
//! health while it drains. Peers come from tests/interop/setup.sh.

mod common;

use std::{
    io::{BufRead, BufReader, Write},
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    sync::OnceLock,
    time::Duration,
};

use common::{grpc_demo, read_line, run, stderr, stdout, wait_until, KillOnDrop, Server};
use serde_json::Value;

struct Peers {
    python: PathBuf,
    grpcurl: PathBuf,
    /// everything_pb2*.py and everything.protoset, generated at this run.
    gen: PathBuf,
}

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop")
}

fn peers() -> &'static Peers {
    static PEERS: OnceLock<Peers> = OnceLock::new();
    PEERS.get_or_init(|| {
        let installed = common::run_setup("tests/interop/setup.sh");
        let python = installed.get("PYTHON");
        let gen = Path::new(env!("CARGO_TARGET_TMPDIR")).join("everything");
        let _ = std::fs::remove_dir_all(&gen);
        std::fs::create_dir_all(&gen).expect("creating the stub folder");
        let output = Command::new(&python)
            .args(["-m", "grpc_tools.protoc", "-I"])
            .arg(interop_dir())
            .arg(format!("--python_out={}", gen.display()))
            .arg(format!("--grpc_python_out={}", gen.display()))
            .arg(format!(
                "--descriptor_set_out={}",
                gen.join("everything.protoset").display()
            ))
            .arg("--include_imports")
            .arg(interop_dir().join("everything.proto"))
            .output()
            .expect("running grpc_tools.protoc");
        assert!(output.status.success(), "protoc: {}", stderr(&output));
        Peers {
            python,
            grpcurl: installed.get("GRPCURL"),
            gen,
        }
    })
}

/// everything_server.py, ended (by PID) on drop.
struct Everything {
    _child: KillOnDrop,
    addr: String,
}

impl Everything {
    fn start(args: &[&str]) -> Self {
        let peers = peers();
        let mut child = KillOnDrop(
            Command::new(&peers.python)
                .arg(interop_dir().join("everything_server.py"))
                .args(args)
                .env("PYTHONPATH", &peers.gen)
                .env("PYTHONUNBUFFERED", "1")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("spawning everything_server.py"),
        );
        let mut out = child.0.stdout.take().expect("piped stdout");
        let line = read_line(&mut out).expect("the server announced its address");
        let addr = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected line {line:?}"))
            .to_owned();
        Self {
            _child: child,
            addr,
        }
    }
}

const ECHO: &str = "everything.v1.Everything/Echo";

/// A request with every kind of field set.
const KITCHEN: &str = r#"{
  "big": "-9007199254740993", "huge": "18446744073709551615", "color": "RED",
  "tags": ["a", "b<&>"], "counts": {"x": 1, "y": -2}, "word": "hi",
  "blob": "AAEC/w==", "nested": {"depth": 3, "colors": ["GREEN", "RED"]},
  "when": "2024-01-02T03:04:05.123456789Z", "took": "1.500s", "maybe": "perhaps",
  "extra": {"k": [1, "two", null, true, {"z": 1.5}]}, "ratio": 0.1, "flag": true,
  "small": -5, "note": ""
}"#;

fn call(addr: &str, args: &[&str]) -> Output {
    grpc_demo()
        .args(["call", "--addr", addr])
        .args(args)
        .output()
        .expect("running grpc-demo call")
}

fn grpcurl(addr: &str, method: &str, data: &str) -> Vec<Value> {
    let output = Command::new(&peers().grpcurl)
        .args(["-plaintext", "-max-time", "10", "-d", data, addr, method])
        .stdin(Stdio::null())
        .output()
        .expect("running grpcurl");
    assert!(output.status.success(), "grpcurl: {}", stderr(&output));
    json_values(&stdout(&output))
}

/// Every JSON value in `text` (indented or one per line).
fn json_values(text: &str) -> Vec<Value> {
    serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .map(|value| value.unwrap_or_else(|err| panic!("not JSON ({err}): {text}")))
        .collect()
}

/// Numbers compared as numbers (`1` and `1.0` are the same value).
fn normalized(value: &Value) -> Value {
    match value {
        Value::Number(number) => number
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| value.clone(), Value::Number),
        Value::Array(items) => Value::Array(items.iter().map(normalized).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(key, value)| (key.clone(), normalized(value)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Field by field: the same fields, each with the same value.
fn assert_same_messages(ours: &[Value], theirs: &[Value]) {
    assert_eq!(
        ours.len(),
        theirs.len(),
        "ours {ours:?}\ngrpcurl {theirs:?}"
    );
    for (ours, theirs) in ours.iter().zip(theirs) {
        let (Value::Object(ours), Value::Object(theirs)) = (normalized(ours), normalized(theirs))
        else {
            panic!("not objects: {ours} / {theirs}");
        };
        let our_keys: Vec<&String> = ours.keys().collect();
        let their_keys: Vec<&String> = theirs.keys().collect();
        assert_eq!(our_keys, their_keys, "the fields differ");
        for (key, value) in &theirs {
            assert_eq!(&ours[key], value, "field {key}");
        }
    }
}

fn succeeded(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status.code(),
        stderr(output)
    );
    stdout(output)
}

#[test]
fn every_kind_of_field_is_printed_as_grpcurl_prints_it() {
    let server = Everything::start(&[]);
    let ours = json_values(&succeeded(&call(&server.addr, &[ECHO, "-d", KITCHEN])));
    let theirs = grpcurl(&server.addr, ECHO, KITCHEN);
    assert_same_messages(&ours, &theirs);
    // What the mapping says, not only what grpcurl says.
    assert_eq!(ours[0]["big"], "-9007199254740993");
    assert_eq!(ours[0]["huge"], "18446744073709551615");
    assert_eq!(ours[0]["color"], "RED");
    assert_eq!(ours[0]["took"], "1.500s");
    assert_eq!(ours[0]["tags"][1], "b<&>");
}

#[test]
fn the_default_output_is_indented_and_json_one_line_per_message() {
    let server = Everything::start(&[]);
    let data = r#"{"count": 3, "template": {"word": "w", "big": "7"}}"#;
    let indented = succeeded(&call(
        &server.addr,
        &["everything.v1.Everything/Count", "-d", data],
    ));
    assert!(indented.starts_with("{\n  \""), "{indented}");
    let lines = succeeded(&call(
        &server.addr,
        &["everything.v1.Everything/Count", "-d", data, "-o", "json"],
    ));
    let lines: Vec<&str> = lines.lines().collect();
    assert_eq!(
        lines,
        [
            r#"{"big":"7","word":"w","small":1}"#,
            r#"{"big":"7","word":"w","small":2}"#,
            r#"{"big":"7","word":"w","small":3}"#
        ]
    );
    assert_same_messages(
        &json_values(&indented),
        &grpcurl(&server.addr, "everything.v1.Everything/Count", data),
    );
}

#[test]
fn client_and_bidi_streams_send_every_message_of_data() {
    let server = Everything::start(&[]);
    let data = "{\"big\":\"1\",\"tags\":[\"a\"]}\n{\"big\":\"2\",\"tags\":[\"b\"]}{\"big\":\"40\"}";
    for method in [
        "everything.v1.Everything/Sum",
        "everything.v1.Everything.Chat",
    ] {
        let ours = json_values(&succeeded(&call(&server.addr, &[method, "-d", data])));
        let theirs = grpcurl(&server.addr, &method.replace(".Chat", "/Chat"), data);
        assert_same_messages(&ours, &theirs);
    }
    let sum = json_values(&succeeded(&call(
        &server.addr,
        &["everything.v1.Everything/Sum", "-d", data],
    )));
    assert_eq!(sum, [serde_json::json!({"big": "43", "tags": ["a", "b"]})]);
}

#[test]
fn emit_defaults_prints_unset_fields() {
    let server = Everything::start(&[]);
    let out = succeeded(&call(&server.addr, &[ECHO, "-d", "{}", "--emit-defaults"]));
    let message = &json_values(&out)[0];
    assert_eq!(message["big"], "0");
    assert_eq!(message["color"], "COLOR_UNSPECIFIED");
    assert_eq!(message["tags"], serde_json::json!([]));
    let out = succeeded(&call(&server.addr, &[ECHO, "-d", "{}"]));
    assert_eq!(json_values(&out), [serde_json::json!({})]);
}

#[test]
fn a_bidi_stream_from_stdin_is_answered_message_by_message() {
    let server = Everything::start(&[]);
    let mut child = KillOnDrop(
        grpc_demo()
            .args([
                "call",
                "--addr",
                &server.addr,
                "everything.v1.Everything/Chat",
                "-d",
                "@-",
                "-o",
                "json",
                "--timeout",
                "30s",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawning call"),
    );
    let mut input = child.0.stdin.take().expect("piped stdin");
    let mut answers = BufReader::new(child.0.stdout.take().expect("piped stdout"));
    for word in ["one", "two"] {
        // The answer to each message comes while stdin is still open.
        writeln!(input, "{{\"word\":\"{word}\"}}").expect("writing stdin");
        input.flush().expect("flushing stdin");
        let mut line = String::new();
        answers.read_line(&mut line).expect("reading an answer");
        assert_eq!(line, format!("{{\"word\":\"{word}\"}}\n"));
    }
    // A message that is JSON but not a Kitchen ends the stream: the answers
    // so far stand, the error names the line and column in all of stdin.
    write!(input, "{{\"word\":\"three\",\n  \"nope\":1}}").expect("writing stdin");
    drop(input);
    let status = child.wait(Duration::from_secs(10)).expect("call ended");
    assert_eq!(status.code(), Some(1));
    let mut shown = String::new();
    std::io::Read::read_to_string(
        &mut child.0.stderr.take().expect("piped stderr"),
        &mut shown,
    )
    .expect("stderr");
    let error: Value = serde_json::from_str(&shown).expect("-o json: the error as JSON");
    assert_eq!(
        error["message"],
        "invalid request in <stdin>:4:8: unrecognized field name 'nope'; did you mean note?"
    );
}

#[test]
fn proto_files_and_protosets_replace_reflection() {
    let server = Everything::start(&["--no-reflection"]);
    let proto = interop_dir().join("everything.proto");
    let protoset = peers().gen.join("everything.protoset");
    let by_proto = succeeded(&call(
        &server.addr,
        &[ECHO, "-d", KITCHEN, "--proto", &proto.to_string_lossy()],
    ));
    let by_include = succeeded(&call(
        &server.addr,
        &[
            ECHO,
            "-d",
            KITCHEN,
            "-I",
            &interop_dir().to_string_lossy(),
            "--proto",
            "everything.proto",
        ],
    ));
    let by_protoset = succeeded(&call(
        &server.addr,
        &[
            ECHO,
            "-d",
            KITCHEN,
            "--protoset",
            &protoset.to_string_lossy(),
        ],
    ));
    let expected = json_values(&by_proto);
    assert_same_messages(&json_values(&by_include), &expected);
    assert_same_messages(&json_values(&by_protoset), &expected);
    assert_eq!(expected[0]["huge"], "18446744073709551615");

    // With a schema from files the request is checked before connecting:
    // no server needed for a bad one.
    let (code, line) = failure(&call(
        "127.0.0.1:1",
        &[
            ECHO,
            "-d",
            r#"{"nested":{"dpth":1}}"#,
            "--proto",
            &proto.to_string_lossy(),
        ],
    ));
    assert_eq!(code, Some(1));
    assert_eq!(
        line,
        "error: invalid request in -d:1:17: unrecognized field name 'dpth'; did you mean depth?"
    );

    // Without either, this server cannot be asked.
    let output = call(&server.addr, &[ECHO, "-d", "{}"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let line = stderr(&output);
    assert!(line.contains("does not offer reflection"), "{line}");
    assert!(
        line.contains("--proto") && line.contains("--protoset"),
        "{line}"
    );
}

#[test]
fn a_missing_import_names_the_file_and_the_search_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("a.proto");
    std::fs::write(&file, "syntax = \"proto3\";\nimport \"other/b.proto\";\n").expect("write");
    let output = run(&[
        "call",
        "--addr",
        "127.0.0.1:1",
        "--proto",
        &file.to_string_lossy(),
        "x.Y/Z",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let line = stderr(&output);
    assert!(line.contains("other/b.proto"), "{line}");
    assert!(
        line.contains(&dir.path().to_string_lossy().to_string()),
        "{line}"
    );
    assert_eq!(line.lines().count(), 1, "{line}");
}

#[test]
fn a_unix_socket_server_is_reached_by_reflection() {
    let dir = tempfile::tempdir().expect("tempdir");
    let socket = dir.path().join("everything.sock");
    let server = Everything::start(&["--uds", &socket.to_string_lossy()]);
    assert_eq!(server.addr, format!("unix://{}", socket.display()));
    let ours = json_values(&succeeded(&call(&server.addr, &[ECHO, "-d", KITCHEN])));
    let theirs = {
        let output = Command::new(&peers().grpcurl)
            .args(["-plaintext", "-max-time", "10", "-unix", "-d", KITCHEN])
            .arg(&socket)
            .arg(ECHO)
            .stdin(Stdio::null())
            .output()
            .expect("running grpcurl");
        assert!(output.status.success(), "grpcurl: {}", stderr(&output));
        json_values(&stdout(&output))
    };
    assert_same_messages(&ours, &theirs);
    let listed = succeeded(
        &grpc_demo()
            .args(["list", "--addr", &server.addr])
            .output()
            .expect("list"),
    );
    assert!(
        listed
            .lines()
            .any(|line| line == "everything.v1.Everything"),
        "{listed}"
    );
}

#[test]
fn error_details_are_shown_by_name_and_fields() {
    let server = Everything::start(&[]);
    let output = call(&server.addr, &["everything.v1.Everything/Fail"]);
    assert_eq!(output.status.code(), Some(64 + 3));
    assert_eq!(
        stderr(&output),
        "error: INVALID_ARGUMENT: no good\n  google.rpc.BadRequest {\"fieldViolations\":[{\"description\":\"must be a real word\",\"field\":\"word\"}]}\n"
    );
    let output = call(
        &server.addr,
        &["everything.v1.Everything/Fail", "-o", "json"],
    );
    assert_eq!(output.status.code(), Some(67));
    let error: Value = serde_json::from_str(stderr(&output).trim()).expect("one JSON line");
    assert_eq!(error["code"], "INVALID_ARGUMENT");
    assert_eq!(
        error["details"],
        serde_json::json!([{
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"field": "word", "description": "must be a real word"}]
        }])
    );
}

/// Exit code and the one stderr line of a failed call.
fn failure(output: &Output) -> (Option<i32>, String) {
    let line = stderr(output);
    assert_eq!(line.lines().count(), 1, "one line: {line}");
    assert!(stdout(output).is_empty(), "{}", stdout(output));
    (output.status.code(), line.trim_end().to_owned())
}

#[test]
fn what_the_schema_does_not_have_is_named_with_the_closest_name() {
    let server = Everything::start(&[]);
    let addr = server.addr.as_str();
    assert_eq!(
        failure(&call(addr, &["everything.v1.Everything/Ech"])),
        (
            Some(1),
            "error: everything.v1.Everything has no method Ech; did you mean Echo?".to_owned()
        )
    );
    assert_eq!(
        failure(&call(addr, &["everything.v1.Everythin/Echo"])),
        (
            Some(1),
            "error: no service everything.v1.Everythin; did you mean everything.v1.Everything?"
                .to_owned()
        )
    );
    let (code, line) = failure(&call(
        addr,
        &[ECHO, "-d", "{\"big\":\"1\",\n \"wrod\":\"x\"}"],
    ));
    assert_eq!(code, Some(1));
    assert!(
        line.starts_with("error: invalid request in -d:2:")
            && line.ends_with("unrecognized field name 'wrod'; did you mean word?"),
        "{line}"
    );
    let (code, line) = failure(&call(addr, &[ECHO, "-d", "{\"big\": }"]));
    assert_eq!(code, Some(1));
    assert!(
        line.starts_with("error: invalid request in -d:1:9: "),
        "{line}"
    );
    let (code, line) = failure(&call(addr, &[ECHO, "-d", "{} {}"]));
    assert_eq!(code, Some(1));
    assert!(line.contains("takes one request message"), "{line}");
}

#[test]
fn a_missing_method_or_an_unknown_flag_is_a_usage_error() {
    let server = Everything::start(&[]);
    let (code, line) = failure(&call(&server.addr, &["everything.v1.Everything"]));
    assert_eq!(code, Some(2), "{line}");
    assert!(line.contains("is a service"), "{line}");
    assert_eq!(run(&["call"]).status.code(), Some(2));
    assert_eq!(
        run(&["call", "--no-such-flag", "a.B/C"]).status.code(),
        Some(2)
    );
}

#[test]
fn list_and_describe_read_the_schema() {
    let server = Everything::start(&[]);
    let listed = succeeded(&run(&["list", "--addr", &server.addr]));
    assert!(
        listed
            .lines()
            .any(|line| line == "everything.v1.Everything"),
        "{listed}"
    );
    let methods = succeeded(&run(&[
        "list",
        "--addr",
        &server.addr,
        "everything.v1.Everything",
    ]));
    assert_eq!(
        methods,
        "everything.v1.Everything.Chat\neverything.v1.Everything.Count\neverything.v1.Everything.Echo\neverything.v1.Everything.Fail\neverything.v1.Everything.Sum\n"
    );
    let service = succeeded(&run(&[
        "describe",
        "--addr",
        &server.addr,
        "everything.v1.Everything",
    ]));
    assert!(
        service.contains(
            "rpc Chat(stream everything.v1.Kitchen) returns (stream everything.v1.Kitchen);"
        ),
        "{service}"
    );
    let message = succeeded(&run(&[
        "describe",
        "--addr",
        &server.addr,
        "everything.v1.Kitchen",
    ]));
    for line in [
        "map<string, int32> counts = 5;",
        "oneof choice {",
        "optional string note = 17;",
        "google.protobuf.Timestamp when = 10;",
        "repeated string tags = 4;",
    ] {
        assert!(message.contains(line), "{line} in {message}");
    }
}

#[test]
fn describe_keeps_the_comments_and_options_of_the_source() {
    // --proto: protox keeps the comments; nothing is connected to (the
    // address is a closed port).
    let proto = interop_dir().join("everything.proto");
    let proto = proto.to_string_lossy();
    let include = interop_dir();
    let include = include.to_string_lossy();
    let local = |symbol: &str, extra: &[&str]| {
        let mut args = vec![
            "describe",
            "--addr",
            "127.0.0.1:1",
            "--proto",
            &proto,
            "-I",
            &include,
            symbol,
        ];
        args.extend_from_slice(extra);
        succeeded(&run(&args))
    };
    let colour = local("everything.v1.Color", &[]);
    assert_eq!(
        colour,
        "// everything.v1.Color\n// A colour, to test enums by name.\nenum Color {\n  COLOR_UNSPECIFIED = 0;\n  RED = 1;\n  GREEN = 2;\n}\n"
    );
    let kitchen = local("everything.v1.Kitchen", &[]);
    for line in [
        "  double ratio = 14; // A JSON number, or \"NaN\" and \"Infinity\".\n",
        "  // A nested message, also used in the oneof.\n  message Inner {\n",
        "    repeated everything.v1.Color colors = 2 [packed = true];\n",
    ] {
        assert!(kitchen.contains(line), "{line} in {kitchen}");
    }
    let count = local("everything.v1.CountRequest", &[]);
    assert!(
        count.ends_with(
            "  everything.v1.Kitchen template = 2;\n  reserved 3, 5 to 7;\n  reserved \"interval\";\n}\n"
        ),
        "{count}"
    );
    let echo = local("everything.v1.Everything.Echo", &[]);
    assert_eq!(
        echo,
        "// Answers the request as it came.\nrpc Echo(everything.v1.Kitchen) returns (everything.v1.Kitchen) { option idempotency_level = NO_SIDE_EFFECTS; }\n"
    );

    // -o json: the same source, and the descriptor in proto3 JSON.
    let json: Value = serde_json::from_str(&local("everything.v1.Kitchen", &["-o", "json"]))
        .expect("one JSON object");
    assert_eq!(json["symbol"], "everything.v1.Kitchen");
    assert_eq!(json["kind"], "message");
    assert_eq!(json["file"], "everything.proto");
    assert_eq!(json["source"], Value::from(kitchen));
    assert_eq!(json["descriptor"]["name"], "Kitchen");
    assert_eq!(json["descriptor"]["field"][0]["name"], "big");
    assert_eq!(json["descriptor"]["field"][0]["type"], "TYPE_INT64");

    // By reflection from our own server: its protos' comments too.
    let server = Server::start(&[]);
    let greet = succeeded(&run(&[
        "describe",
        "--addr",
        &server.addr(),
        "packages.GreetService",
    ]));
    assert!(
        greet.contains(
            "  // Answers with \"hello, \" followed by the name in the request.\n  rpc sayHello("
        ),
        "{greet}"
    );
}

#[test]
fn list_with_json_output_prints_one_object_per_line() {
    let server = Everything::start(&[]);
    let objects = |args: &[&str]| -> Vec<Value> {
        let mut all = vec!["list", "--addr", &server.addr, "-o", "json"];
        all.extend_from_slice(args);
        succeeded(&run(&all))
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|err| panic!("{err}: {line}")))
            .collect()
    };
    let services = objects(&[]);
    assert!(
        services
            .iter()
            .any(|service| service == &serde_json::json!({"service": "everything.v1.Everything"})),
        "{services:?}"
    );
    let methods = objects(&["everything.v1.Everything"]);
    let names: Vec<&str> = methods
        .iter()
        .filter_map(|method| method["name"].as_str())
        .collect();
    assert_eq!(names, ["Chat", "Count", "Echo", "Fail", "Sum"]);
    assert_eq!(
        methods[0],
        serde_json::json!({
            "method": "everything.v1.Everything.Chat",
            "service": "everything.v1.Everything",
            "name": "Chat",
            "input": "everything.v1.Kitchen",
            "output": "everything.v1.Kitchen",
            "clientStreaming": true,
            "serverStreaming": true,
        })
    );
    assert_eq!(methods[1]["clientStreaming"], false);
    assert_eq!(methods[1]["serverStreaming"], true);
}

#[test]
fn a_stream_has_no_deadline_unless_timeout_is_given() {
    // What -v shows is what goes out: `grpc-timeout` is the deadline.
    let server = Server::start(&[]);
    let addr = server.addr();
    let sent = |args: &[&str]| {
        let output = run(args);
        assert!(output.status.success(), "{}", stderr(&output));
        // The last request block is the call's (reflection's come first).
        let shown = stderr(&output);
        let last = shown
            .rsplit("Request metadata to send:")
            .next()
            .unwrap_or_default()
            .split("\n\n")
            .next()
            .unwrap_or_default()
            .to_owned();
        last.contains("grpc-timeout:")
    };
    let watch = "packages.StockService/watch";
    let one_quote = r#"{"symbol":"A","count":1}"#;
    assert!(!sent(&[
        "call", "-v", "--addr", &addr, watch, "-d", one_quote
    ]));
    assert!(sent(&[
        "call",
        "-v",
        "--addr",
        &addr,
        "--timeout",
        "30s",
        watch,
        "-d",
        one_quote
    ]));
    // A unary call keeps the default deadline.
    assert!(sent(&[
        "call",
        "-v",
        "--addr",
        &addr,
        "packages.GreetService/sayHello"
    ]));
    // health --watch likewise (ended by Ctrl-C below).
    let mut watcher = KillOnDrop(
        grpc_demo()
            .args(["health", "-v", "--watch", "--addr", &addr])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawning health --watch"),
    );
    let mut lines = BufReader::new(watcher.0.stdout.take().expect("piped stdout"));
    let mut line = String::new();
    lines.read_line(&mut line).expect("the first status");
    assert_eq!(line, "SERVING\n");
    watcher.signal(libc::SIGINT);
    let mut shown = String::new();
    std::io::Read::read_to_string(
        &mut watcher.0.stderr.take().expect("piped stderr"),
        &mut shown,
    )
    .expect("stderr");
    assert!(shown.contains("Request metadata to send:"), "{shown}");
    assert!(!shown.contains("grpc-timeout"), "{shown}");
}

#[test]
fn our_own_server_is_called_through_reflection_v1() {
    let server = Server::start(&[]);
    let out = succeeded(&run(&[
        "call",
        "--addr",
        &server.addr(),
        "packages.GreetService/sayHello",
        "-d",
        r#"{"name":"any"}"#,
        "-o",
        "json",
    ]));
    assert_eq!(out, "{\"msg\":\"hello, any\"}\n");
    assert!(server.wait_for_log(
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        Duration::from_secs(10)
    ));
}

#[test]
fn health_exits_by_the_status() {
    let server = Server::start(&["--drain-delay", "30s"]);
    let addr = server.addr();
    let health = |extra: &[&str]| {
        let mut args = vec!["health", "--addr", addr.as_str()];
        args.extend_from_slice(extra);
        run(&args)
    };
    let output = health(&[]);
    assert_eq!(
        (output.status.code(), stdout(&output)),
        (Some(0), "SERVING\n".to_owned())
    );
    let output = health(&["--service", "packages.GreetService"]);
    assert_eq!(output.status.code(), Some(0));
    let output = health(&["--service", "no.Such"]);
    assert_eq!(output.status.code(), Some(64 + 5), "{}", stderr(&output));
    // Draining: still serving RPCs, health says NOT_SERVING (exit 1).
    server.signal(libc::SIGTERM);
    let mut last = None;
    assert!(
        wait_until(Duration::from_secs(10), || {
            let output = health(&[]);
            last = Some((output.status.code(), stdout(&output), stderr(&output)));
            output.status.code() == Some(1)
        }),
        "{last:?}"
    );
    assert_eq!(
        last.map(|(_, out, _)| out),
        Some("NOT_SERVING\n".to_owned())
    );
    drop(server);
    let output = run(&["health", "--addr", &addr]);
    assert_eq!(output.status.code(), Some(78), "{}", stderr(&output));
}

#[test]
fn health_watch_prints_each_change() {
    let server = Server::start(&["--drain-delay", "30s"]);
    let mut watcher = KillOnDrop(
        grpc_demo()
            .args([
                "health",
                "--watch",
                "--timeout",
                "60s",
                "--addr",
                &server.addr(),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawning health --watch"),
    );
    let mut lines = BufReader::new(watcher.0.stdout.take().expect("piped stdout"));
    let mut line = String::new();
    lines.read_line(&mut line).expect("the first status");
    assert_eq!(line, "SERVING\n");
    server.signal(libc::SIGTERM);
    line.clear();
    lines.read_line(&mut line).expect("the change");
    assert_eq!(line, "NOT_SERVING\n");
    watcher.signal(libc::SIGINT);
    assert_eq!(
        watcher
            .wait(Duration::from_secs(10))
            .and_then(|status| status.code()),
        Some(130)
    );
}

#[test]
fn reflection_calls_carry_the_calls_metadata_or_reflect_headers() {
    let server = Server::start(&[]);
    let verbose = |extra: &[&str]| {
        let mut args = vec![
            "call",
            "-v",
            "--addr",
            "",
            "packages.GreetService/sayHello",
            "-H",
            "x-call: 1",
        ];
        let addr = server.addr();
        args[3] = &addr;
        args.extend_from_slice(extra);
        let output = run(&args);
        assert!(output.status.success(), "{}", stderr(&output));
        stderr(&output)
    };
    let shown = verbose(&[]);
    assert_eq!(shown.matches("x-call: 1").count(), 2, "{shown}");
    let shown = verbose(&["--reflect-header", "x-reflect: 2"]);
    assert_eq!(shown.matches("x-call: 1").count(), 1, "{shown}");
    assert_eq!(shown.matches("x-reflect: 2").count(), 1, "{shown}");
    assert!(
        shown.find("x-reflect: 2") < shown.find("x-call: 1"),
        "reflection first: {shown}"
    );
}

#[test]
fn bench_call_loads_any_method_of_any_kind() {
    let server = Everything::start(&[]);
    let bench = |method: &str, data: &str| {
        let output = run(&[
            "bench",
            "--addr",
            &server.addr,
            "-n",
            "20",
            "-c",
            "2",
            "-o",
            "json",
            "call",
            method,
            "-d",
            data,
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
        serde_json::from_str::<Value>(&stdout(&output)).expect("one JSON report")
    };
    let report = bench(ECHO, KITCHEN);
    assert_eq!(
        (report["workload"].clone(), report["ok"].clone()),
        ("call".into(), 20.into())
    );
    let report = bench(
        "everything.v1.Everything/Count",
        r#"{"count":3,"template":{"word":"w"}}"#,
    );
    assert_eq!(
        (report["ok"].clone(), report["messages"].clone()),
        (20.into(), 60.into())
    );
    let report = bench(
        "everything.v1.Everything/Chat",
        "{\"big\":\"1\"}{\"big\":\"2\"}",
    );
    assert_eq!(
        (
            report["ok"].clone(),
            report["messages_per_stream"].clone(),
            report["messages"].clone()
        ),
        (20.into(), 2.into(), 40.into())
    );
    let report = bench("everything.v1.Everything/Fail", "{}");
    assert_eq!(
        (report["ok"].clone(), report["failed"].clone()),
        (0.into(), 20.into())
    );
    assert!(report.to_string().contains("INVALID_ARGUMENT"), "{report}");

    let output = run(&[
        "bench",
        "--addr",
        &server.addr,
        "call",
        "everything.v1.Everything/Ech",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("did you mean Echo?"));
    let output = run(&[
        "bench",
        "--addr",
        &server.addr,
        "--payload-size",
        "10",
        "call",
        ECHO,
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}

#[test]
fn call_takes_the_typed_clients_tls_and_token_flags() {
    let dir = tempfile::tempdir().expect("tempdir");
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("certificate");
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, certified.cert.pem()).expect("write cert");
    std::fs::write(&key, certified.signing_key.serialize_pem()).expect("write key");
    let server = Server::start(&[
        "--tls-cert",
        &cert.to_string_lossy(),
        "--tls-key",
        &key.to_string_lossy(),
        "--token",
        "sesame",
    ]);
    let addr = format!("https://localhost:{}", server.port);
    let base = [
        "call",
        "--addr",
        addr.as_str(),
        "--ca",
        &cert.to_string_lossy(),
        "packages.GreetService/sayHello",
        "-o",
        "json",
    ]
    .map(str::to_owned);
    let call = |extra: &[&str]| {
        let mut args: Vec<&str> = base.iter().map(String::as_str).collect();
        args.extend_from_slice(extra);
        run(&args)
    };
    // Reflection is open; the service wants the token.
    let output = call(&[]);
    assert_eq!(output.status.code(), Some(64 + 16), "{}", stderr(&output));
    let output = call(&["--token", "sesame", "-d", r#"{"name":"tls"}"#]);
    assert_eq!(
        stdout(&output),
        "{\"msg\":\"hello, tls\"}\n",
        "{}",
        stderr(&output)
    );
}
