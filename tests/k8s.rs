//! deploy/k8s/: the manifests validated against the Kubernetes
//! API schemas with `kubernetes-validate` (PyPI, pinned in
//! tests/interop/requirements.txt, installed into the interop venv by
//! tests/interop/setup.sh), the promises docs/scaling.md makes about them
//! checked field by field, and the Deployment's own `args` run against the
//! real binary with the kubelet's probe (grpc.health.v1 Check, service "").

mod common;

use std::{
    collections::HashMap,
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::{mpsc, OnceLock},
    thread,
    time::Duration,
};

use common::{grpc_demo, run, stderr, KillOnDrop};
use serde_json::Value;

const MANIFESTS: [&str; 4] = [
    "deployment.yaml",
    "service.yaml",
    "service-headless.yaml",
    "pdb.yaml",
];

/// Kubernetes versions to validate against: the oldest with the preStop
/// `sleep` action on by default, and the newest kubernetes-validate knows.
const KUBERNETES_VERSIONS: [&str; 2] = ["1.30.0", "1.37.0"];

struct Venv {
    python: PathBuf,
}

fn venv() -> &'static Venv {
    static VENV: OnceLock<Venv> = OnceLock::new();
    VENV.get_or_init(|| Venv {
        python: common::run_setup("tests/interop/setup.sh").get("PYTHON"),
    })
}

fn manifest_paths() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/k8s");
    MANIFESTS.iter().map(|name| dir.join(name)).collect()
}

/// Every manifest, parsed by PyYAML (kubernetes-validate's own parser),
/// keyed by `Kind/name`.
fn manifests() -> HashMap<String, Value> {
    let output = Command::new(&venv().python)
        .args([
            "-c",
            "import json, sys, yaml\n\
             docs = [d for p in sys.argv[1:] for d in yaml.safe_load_all(open(p)) if d]\n\
             print(json.dumps(docs))",
        ])
        .args(manifest_paths())
        .output()
        .expect("running python");
    assert!(output.status.success(), "{}", stderr(&output));
    let docs: Vec<Value> = serde_json::from_slice(&output.stdout).expect("JSON from python");
    docs.into_iter()
        .map(|doc| {
            let key = format!(
                "{}/{}",
                doc["kind"].as_str().unwrap_or("?"),
                doc["metadata"]["name"].as_str().unwrap_or("?")
            );
            (key, doc)
        })
        .collect()
}

fn seconds(value: &Value) -> u64 {
    value
        .as_u64()
        .unwrap_or_else(|| panic!("{value} is not a whole number of seconds"))
}

/// The value after `flag` in the container's args, as a duration.
fn duration_arg(args: &[String], flag: &str) -> Duration {
    let value = args
        .iter()
        .position(|arg| arg == flag)
        .and_then(|at| args.get(at + 1))
        .unwrap_or_else(|| panic!("the Deployment's args have no {flag}: {args:?}"));
    humantime::parse_duration(value).unwrap_or_else(|err| panic!("{flag} {value}: {err}"))
}

fn container_args(deployment: &Value) -> Vec<String> {
    deployment["spec"]["template"]["spec"]["containers"][0]["args"]
        .as_array()
        .expect("container args")
        .iter()
        .map(|arg| arg.as_str().expect("string arg").to_owned())
        .collect()
}

#[test]
fn the_manifests_validate_against_the_kubernetes_schemas() {
    let validate = venv()
        .python
        .parent()
        .expect("venv bin dir")
        .join("kubernetes-validate");
    for version in KUBERNETES_VERSIONS {
        let output = Command::new(&validate)
            .args(["--strict", "--kubernetes-version", version])
            .args(manifest_paths())
            .stdin(Stdio::null())
            .output()
            .expect("running kubernetes-validate");
        assert!(
            output.status.success(),
            "kubernetes-validate (Kubernetes {version}) failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            stderr(&output)
        );
    }
}

#[test]
fn kubernetes_validate_rejects_a_broken_manifest() {
    // The validation can fail: a misspelt field in a copy of the Deployment.
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = dir.path().join("deployment.yaml");
    let text = std::fs::read_to_string(&manifest_paths()[0]).expect("reading deployment.yaml");
    assert!(text.contains("terminationGracePeriodSeconds:"));
    let text = text.replace("terminationGracePeriodSeconds:", "terminationGracePeriod:");
    std::fs::write(&broken, text).expect("writing the copy");
    let validate = venv()
        .python
        .parent()
        .expect("bin")
        .join("kubernetes-validate");
    let output = Command::new(validate)
        .args(["--strict", "--kubernetes-version", KUBERNETES_VERSIONS[1]])
        .arg(&broken)
        .stdin(Stdio::null())
        .output()
        .expect("running kubernetes-validate");
    assert!(
        !output.status.success(),
        "a misspelt field passed validation"
    );
}

#[test]
fn the_deployment_drains_within_its_grace_period_and_runs_locked_down() {
    let docs = manifests();
    let deployment = &docs["Deployment/grpc-demo"];
    let spec = &deployment["spec"];
    assert_eq!(spec["replicas"], 3);
    let pod = &spec["template"]["spec"];
    let labels = &spec["template"]["metadata"]["labels"];
    assert_eq!(&spec["selector"]["matchLabels"], labels);

    let containers = pod["containers"].as_array().expect("containers");
    assert_eq!(containers.len(), 1);
    let container = &containers[0];
    let port = &container["ports"][0];
    assert_eq!(port["name"], "grpc");
    let container_port = &port["containerPort"];

    // Native gRPC probes on the serving port.
    for probe in ["startupProbe", "readinessProbe", "livenessProbe"] {
        assert_eq!(
            &container[probe]["grpc"]["port"], container_port,
            "{probe} should be a gRPC probe on the serving port"
        );
    }

    // preStop + --shutdown-timeout fit in the grace period, with room.
    let args = container_args(deployment);
    let shutdown_timeout = duration_arg(&args, "--shutdown-timeout");
    let pre_stop = Duration::from_secs(seconds(
        &container["lifecycle"]["preStop"]["sleep"]["seconds"],
    ));
    let grace = Duration::from_secs(seconds(&pod["terminationGracePeriodSeconds"]));
    assert!(
        grace >= pre_stop + shutdown_timeout + Duration::from_secs(5),
        "terminationGracePeriodSeconds ({grace:?}) must exceed preStop ({pre_stop:?}) + \
         --shutdown-timeout ({shutdown_timeout:?}) with room to spare"
    );

    // Resources, non-root, read-only root filesystem.
    assert!(container["resources"]["requests"]["cpu"].is_string());
    assert!(container["resources"]["requests"]["memory"].is_string());
    assert!(container["resources"]["limits"]["memory"].is_string());
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert!(seconds(&pod["securityContext"]["runAsUser"]) > 0);
    let security = &container["securityContext"];
    assert_eq!(security["readOnlyRootFilesystem"], true);
    assert_eq!(security["allowPrivilegeEscalation"], false);
    assert_eq!(security["capabilities"]["drop"][0], "ALL");

    // The Services and the budget select these pods, on the named port.
    let clusterip = &docs["Service/grpc-demo"]["spec"];
    let headless = &docs["Service/grpc-demo-headless"]["spec"];
    assert_eq!(
        clusterip
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("ClusterIP"),
        "ClusterIP"
    );
    assert_eq!(headless["clusterIP"], "None");
    for service in [clusterip, headless] {
        assert_eq!(&service["selector"], labels);
        assert_eq!(service["ports"][0]["targetPort"], "grpc");
        assert_eq!(service["ports"][0]["port"], 50000);
    }
    let pdb = &docs["PodDisruptionBudget/grpc-demo"]["spec"];
    assert_eq!(&pdb["selector"]["matchLabels"], labels);
    assert_eq!(pdb["maxUnavailable"], 1);
}

#[test]
fn the_deployments_args_start_a_server_that_passes_the_kubelets_probe() {
    let docs = manifests();
    let mut args = container_args(&docs["Deployment/grpc-demo"]);
    // Same flags, on a free loopback port instead of 50000 on every address.
    let at = args.iter().position(|arg| arg == "--port").expect("--port");
    args[at + 1] = "0".to_owned();
    args.extend(["--host".to_owned(), "127.0.0.1".to_owned()]);
    let mut child = grpc_demo()
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawning grpc-demo with the Deployment's args");
    let stdout = child.stdout.take().expect("stdout");
    let server = KillOnDrop(child);
    let (line_tx, line_rx) = mpsc::channel();
    thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = line_tx.send(line);
    });
    let line = line_rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the server announced its port");
    let port = common::parse_listening_line(&line);
    let addr = format!("127.0.0.1:{port}");

    // What the kubelet's gRPC probe asks: Check with service "".
    let health = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/health.py");
    let output = Command::new(&venv().python)
        .arg(health)
        .args([&addr, "check"])
        .stdin(Stdio::null())
        .output()
        .expect("running health.py");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "SERVING",
        "{}",
        stderr(&output)
    );
    let output = run(&["hello", "--addr", &addr]);
    assert!(output.status.success(), "{}", stderr(&output));
    drop(server);
}
