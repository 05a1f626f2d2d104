#!/usr/bin/env python3
"""Driver for bench/compare.sh: runs every server with every load generator
at each load shape, 3 times (in interleaved rounds: every server once, then
again), and prints medians and ratios as Markdown.

Environment: RUNS (3), DURATION seconds per run (5), WARMUP seconds (1),
ONLY (comma-separated sections: unary,bidi,watch,report,cost,memory,client,curves,memcurves),
ONLY_SERVERS ('|'-separated server names; grpc-demo is always run), SHAPES
(in-flight x connections for unary and bidi, e.g. 64x4,256x4),
GRPC_DEMO_BEFORE (another grpc-demo binary, run as the row "grpc-demo (before)"),
MEM_STREAMS and MEM_CONNECTIONS (the memory curves' steps, e.g. 1k,3k,10k),
MEM_STEPS (only the first N steps of each memory curve, for a quick look).
"""
import json
import os
import re
import resource
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVER_CORE, LOAD_CORE = "0", "1"
RUNS = int(os.environ.get("RUNS", "3"))
DURATION = float(os.environ.get("DURATION", "5"))
WARMUP = float(os.environ.get("WARMUP", "1"))
ONLY = set(filter(None, os.environ.get("ONLY", "unary,bidi,watch,report,cost,memory,client,curves,memcurves").split(",")))
GRPC_DEMO = os.path.join(ROOT, "target/release/grpc-demo")
# Built without grpc-demo's `compression` feature: tonic as it comes.
BASELINE = os.path.join(ROOT, "target/release/examples/baseline")
# The same with tonic's gzip and zstd features, as grpc-demo has them.
BASELINE_COMPRESSION = os.path.join(ROOT, "target/bench/baseline-compression")
CPP = os.path.join(ROOT, "target/bench/cpp-server")
JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"
PYTHON = os.environ["PYTHON"]
PYGEN = os.environ["PYGEN"]
GRPCURL = os.environ["GRPCURL"]
CLK_TCK = os.sysconf("SC_CLK_TCK")

SERVERS = {
    # Default flags: only where to listen is given.
    "grpc-demo": [GRPC_DEMO, "serve", "--host", "127.0.0.1", "--port", "0"],
    "tonic-bare (current-thread)": [BASELINE, "0", "current"],
    "tonic-bare (multi-thread, 1 worker)": [BASELINE, "0", "multi"],
    # The same floor with the allocator grpc-demo links (jemalloc), preloaded.
    "tonic-bare (current-thread) + jemalloc": ["env", f"LD_PRELOAD={JEMALLOC}", BASELINE, "0", "current"],
    # The same floor with tonic's gzip and zstd features, as grpc-demo is built.
    "tonic-bare (current-thread) + gzip + zstd": [BASELINE_COMPRESSION, "0", "current"],
    "C++ grpc 1.51 (callback)": [CPP, "0"],
    "Python grpcio (thread pool)": [PYTHON, os.path.join(ROOT, "tests/interop/server.py")],
    "Python grpc.aio": [PYTHON, os.path.join(ROOT, "bench/python_aio_server.py")],
}
SHAPES = [(1, 1), (64, 4), (256, 4)]  # (in flight, connections)
# The server- and client-streaming rows: 64 streams over 4
# connections, 1,000 messages each, as fast as flow control allows. The
# Python servers are left out: their watch is not the same service (price
# 100 + seq) and the thread-pool one prints every reading on stdout.
# The cost of optional features: the same server with each on or off.
FEATURE_SERVERS = {
    "grpc-demo (default: access log on, metrics off)": SERVERS["grpc-demo"],
    "grpc-demo --metrics-addr": SERVERS["grpc-demo"] + ["--metrics-addr", "127.0.0.1:0"],
    "grpc-demo --access-log off": SERVERS["grpc-demo"] + ["--access-log", "off"],
    "grpc-demo --metrics-addr --access-log off": SERVERS["grpc-demo"] + ["--metrics-addr", "127.0.0.1:0", "--access-log", "off"],
    "tonic-bare (current-thread)": SERVERS["tonic-bare (current-thread)"],
}
# A before/after of grpc-demo itself, side by side in one run:
# GRPC_DEMO_BEFORE=path/to/an/older/grpc-demo adds it as a row.
if os.environ.get("GRPC_DEMO_BEFORE"):
    SERVERS["grpc-demo (before)"] = [os.environ["GRPC_DEMO_BEFORE"]] + SERVERS["grpc-demo"][1:]
# A quicker look: ONLY_SERVERS="tonic-bare (current-thread)|C++ grpc 1.51 (callback)"
# (grpc-demo is always in), SHAPES="64x4" for the unary and bidi sections.
if os.environ.get("ONLY_SERVERS"):
    _keep = set(os.environ["ONLY_SERVERS"].split("|")) | {"grpc-demo", "grpc-demo (before)"}
    SERVERS = {name: cmd for name, cmd in SERVERS.items() if name in _keep}
if os.environ.get("SHAPES"):
    SHAPES = [tuple(int(n) for n in shape.split("x")) for shape in os.environ["SHAPES"].split(",")]
PATTERN_SERVERS = [name for name in SERVERS if not name.startswith("Python")]
PATTERN_STREAMS, PATTERN_CONNECTIONS, PATTERN_MESSAGES = 64, 4, 1000
PATTERNS = {
    "watch": ("Server streaming StockService.watch", "quotes", "msgs/s"),
    "report": ("Client streaming ReportService.report", "readings", "readings/s"),
}


def the_three():
    """grpc-demo, bare tonic and the C++ server: those of them this run has
    (ONLY_SERVERS, a built C++ server)."""
    return [name for name in ["grpc-demo", "tonic-bare (current-thread)", "C++ grpc 1.51 (callback)"]
            if name in SERVERS and (name != "C++ grpc 1.51 (callback)" or os.path.exists(CPP))]


def log(*args):
    print(*args, file=sys.stderr, flush=True)


class Server:
    """A server pinned to SERVER_CORE; ended by PID."""

    def __init__(self, name, extra_args=()):
        env = dict(os.environ, PYTHONPATH=PYGEN, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            ["taskset", "-c", SERVER_CORE] + (SERVERS.get(name) or FEATURE_SERVERS[name]) + list(extra_args),
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 30)
        line = self.proc.stdout.readline() if ready else ""
        match = re.search(r":(\d+)\s*$", line)
        if not match:
            self.stop()
            raise RuntimeError(f"{name} did not announce a port: {line!r}")
        self.addr = f"127.0.0.1:{match.group(1)}"
        self.mark()

    def mark(self):
        """Starts the span that cpu_share() measures."""
        self.cpu_start, self.wall_start = self.cpu_seconds(), time.monotonic()

    def cpu_share(self):
        """The server's CPU time ÷ wall time since mark()."""
        return (self.cpu_seconds() - self.cpu_start) / max(time.monotonic() - self.wall_start, 1e-9)

    def status_kib(self, field):
        with open(f"/proc/{self.proc.pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0

    def open_fds(self):
        """Its open file descriptors (sockets included), now."""
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def cpu_seconds(self):
        with open(f"/proc/{self.proc.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def grpc_frame(payload):
    return b"\x00" + struct.pack(">I", len(payload)) + payload


def message_request(msg_type, index):
    # field 1 msgType (varint), field 2 msgIndex (varint)
    body = b""
    if msg_type:
        body += b"\x08" + varint(msg_type)
    if index:
        body += b"\x10" + varint(index)
    return body


def h2load_body(kind):
    if kind == "unary":
        return grpc_frame(b"\x0a\x05world")  # helloRequest{name: "world"}
    return b"".join(grpc_frame(message_request(t, i)) for i, t in enumerate([0, 1, 2]))


def run_h2load(server, kind, in_flight, connections, body_file):
    path = "/packages.GreetService/sayHello" if kind == "unary" else "/packages.MessageService/iter_message"
    per_conn = max(1, in_flight // connections)
    cmd = ["taskset", "-c", LOAD_CORE, "h2load", "-t", "1", "-c", str(connections), "-m", str(per_conn),
           "-D", str(int(DURATION)), f"--warm-up-time={int(WARMUP)}",
           "-H", "content-type: application/grpc", "-H", "te: trailers", "-d", body_file,
           f"http://{server.addr}{path}"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=DURATION + WARMUP + 60).stdout
    rps = float(re.search(r"finished in [\d.]+\w*, ([\d.]+) req/s", out).group(1))
    succeeded = int(re.search(r"(\d+) succeeded", out).group(1))
    failed = int(re.search(r"(\d+) failed", out).group(1)) + int(re.search(r"(\d+) errored", out).group(1))
    mean = re.search(r"time for request:\s+\S+\s+\S+\s+(\S+)", out).group(1)
    return {"rps": rps, "mps": rps * (3 if kind == "bidi" else 1), "mean_us": to_us(mean),
            "p50_us": None, "p99_us": None, "ok": succeeded, "failed": failed}


def to_us(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 1, "ms": 1000, "s": 1_000_000}[unit]


def run_bench(server, kind, in_flight, connections):
    cmd = ["taskset", "-c", LOAD_CORE, GRPC_DEMO, "bench", "hello" if kind == "unary" else "stream",
           "-c", str(in_flight), "--connections", str(connections), "-z", f"{DURATION}s",
           "--warmup", f"{WARMUP}s", "-o", "json", "--addr", server.addr, "--timeout", "30s"]
    if kind == "bidi":
        cmd[6:6] = ["--messages", "100"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=DURATION + WARMUP + 60)
    report = json.loads(proc.stdout)
    return {"rps": report["rpcs_per_sec"], "mps": report["messages_per_sec"],
            "mean_us": report["latency_us"]["mean"], "p50_us": report["latency_us"]["p50"],
            "p99_us": report["latency_us"]["p99"], "ok": report["ok"], "failed": report["failed"]}


def measure(name, loadgen, kind, in_flight, connections, body_file):
    """One run on a fresh server: the load, the server's CPU use and peak RSS."""
    server = Server(name)
    try:
        started = time.monotonic()
        if loadgen == "h2load":
            result = run_h2load(server, kind, in_flight, connections, body_file)
        else:
            result = run_bench(server, kind, in_flight, connections)
        elapsed = time.monotonic() - started
        result["server_cpu"] = (server.cpu_seconds() - server.cpu_start) / elapsed
        result["hwm_kib"] = server.status_kib("VmHWM")
        return result
    finally:
        server.stop()


def interleaved(names, run_one, what):
    """RUNS rounds, each running every server once in turn (not one server's
    runs back to back), so that a slow spell of this shared machine falls on
    every server alike rather than on one. Returns each server's runs; a run
    that fails is logged, not fatal."""
    rows = {name: [] for name in names}
    for _ in range(RUNS):
        for name in names:
            try:
                rows[name].append(run_one(name))
            except Exception as err:  # a peer that falls over is reported, not fatal
                log(f"{name} / {what}: {err}")
    return rows


def median(results, key):
    values = [r[key] for r in results if r.get(key) is not None]
    return statistics.median(values) if values else None


def fmt(value, digits=0):
    return "–" if value is None else f"{value:,.{digits}f}"


def section_load(kind, results):
    unit = "req/s" if kind == "unary" else "msgs/s"
    key = "rps" if kind == "unary" else "mps"
    body = tempfile.NamedTemporaryFile(delete=False)
    body.write(h2load_body(kind))
    body.close()
    print(f"\n## {'Unary sayHello' if kind == 'unary' else 'Bidi iter_message'}\n")
    if kind == "bidi":
        print("h2load sends each stream's 3 messages (START, PROGRESS, END) in one go;"
              " `grpc-demo bench stream --messages 100` plays ping-pong (send, await the answer, send).\n")
    for loadgen in ["h2load", "grpc-demo bench"]:
        for in_flight, connections in SHAPES:
            print(f"\n### {loadgen}, {in_flight} in flight over {connections} connection(s)\n")
            print(f"| server | {unit} (median of {RUNS}) | vs grpc-demo | p50 | p99 | mean | server CPU | peak RSS | failed |")
            print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
            rows = interleaved(
                SERVERS, lambda name: measure(name, loadgen, kind, in_flight, connections, body.name),
                f"{loadgen} / {kind} {in_flight}x{connections}")
            for name, runs in rows.items():
                results.append({"kind": kind, "loadgen": loadgen, "in_flight": in_flight,
                                "connections": connections, "server": name, "runs": runs})
            ours = median(rows["grpc-demo"], key)
            for name, runs in rows.items():
                value = median(runs, key)
                ratio = f"{ours / value:.2f}×" if ours and value else "–"
                p50, p99 = median(runs, "p50_us"), median(runs, "p99_us")
                print(f"| {name} | {fmt(value)} | {ratio} | {fmt(p50 and p50 / 1000, 2)} ms | "
                      f"{fmt(p99 and p99 / 1000, 2)} ms | {fmt((median(runs, 'mean_us') or 0) / 1000, 2)} ms | "
                      f"{fmt((median(runs, 'server_cpu') or 0) * 100)}% | {fmt((median(runs, 'hwm_kib') or 0) / 1024, 1)} MiB | "
                      f"{fmt(median(runs, 'failed'))} |")
            sys.stdout.flush()
    os.unlink(body.name)


def section_cost(results):
    """Unary h2load 64 in flight over 4 connections, each feature on and off."""
    body = tempfile.NamedTemporaryFile(delete=False)
    body.write(h2load_body("unary"))
    body.close()
    print("\n## What the optional features cost (unary sayHello, h2load, 64 in flight over 4 connections)\n")
    print(f"| server | req/s (median of {RUNS}) | vs default grpc-demo | vs tonic-bare | server CPU |")
    print("|---|---:|---:|---:|---:|")
    rows = interleaved(FEATURE_SERVERS, lambda name: measure(name, "h2load", "unary", 64, 4, body.name), "cost")
    for name, runs in rows.items():
        results.append({"kind": "cost", "server": name, "runs": runs})
    default = median(rows["grpc-demo (default: access log on, metrics off)"], "rps")
    bare = median(rows["tonic-bare (current-thread)"], "rps")
    for name, runs in rows.items():
        value = median(runs, "rps")
        print(f"| {name} | {fmt(value)} | {value / default:.2f}× | {value / bare:.2f}× | "
              f"{fmt((median(runs, 'server_cpu') or 0) * 100)}% |" if value and default and bare else f"| {name} | – | – | – | – |")
    sys.stdout.flush()
    os.unlink(body.name)


def bench_json(server, args, timeout):
    cmd = ["taskset", "-c", LOAD_CORE, GRPC_DEMO, "bench"] + args + [
        "-o", "json", "--addr", server.addr, "--timeout", "60s"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if not proc.stdout.strip():
        raise RuntimeError(f"bench failed ({proc.returncode}): {proc.stderr.strip()}")
    return json.loads(proc.stdout)


def pattern_body(workload):
    """h2load's request body: one WatchRequest, or a whole report stream."""
    if workload == "watch":
        # symbol "BENCH", count, interval_ms 0
        return grpc_frame(b"\x0a\x05BENCH\x10" + varint(PATTERN_MESSAGES))
    # Reading{device "bench", value i (double, field 2)}, as bench report sends
    return b"".join(grpc_frame(b"\x0a\x05bench" + (b"\x11" + struct.pack("<d", i) if i else b""))
                    for i in range(PATTERN_MESSAGES))


def run_h2load_pattern(server, workload, body_file):
    path = "/packages.StockService/watch" if workload == "watch" else "/packages.ReportService/report"
    # The windows of grpc-demo bench's client (2 MiB per stream; 8 MiB per
    # connection, bench has 5): h2load's default 64 KiB would throttle the
    # quote streams before any server is busy.
    cmd = ["taskset", "-c", LOAD_CORE, "h2load", "-t", "1", "-c", str(PATTERN_CONNECTIONS),
           "-m", str(PATTERN_STREAMS // PATTERN_CONNECTIONS), "-w", "21", "-W", "23", "-D", str(int(DURATION)),
           f"--warm-up-time={int(WARMUP)}", "-H", "content-type: application/grpc", "-H", "te: trailers",
           "-d", body_file, f"http://{server.addr}{path}"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=DURATION + WARMUP + 60).stdout
    rps = float(re.search(r"finished in [\d.]+\w*, ([\d.]+) req/s", out).group(1))
    failed = int(re.search(r"(\d+) failed", out).group(1)) + int(re.search(r"(\d+) errored", out).group(1))
    mean = re.search(r"time for request:\s+\S+\s+\S+\s+(\S+)", out).group(1)
    return {"mps": rps * PATTERN_MESSAGES, "mean_us": to_us(mean), "p50_us": None, "p99_us": None,
            "ok": int(re.search(r"(\d+) succeeded", out).group(1)), "failed": failed}


def run_bench_pattern(server, workload):
    """A stream's messages count only once it completes, and bench's timed
    phase starts with no stream in flight, so a run cut by time (-z) would
    lose up to a whole stream per slot, the more the slower the server. So:
    a short timed run first (the warm-up, and an estimate of the rate),
    then a run of a fixed number of streams sized to last about DURATION,
    timed to its last stream."""
    shape = [workload, "--messages", str(PATTERN_MESSAGES), "-c", str(PATTERN_STREAMS),
             "--connections", str(PATTERN_CONNECTIONS)]
    estimate = bench_json(server, shape + ["-z", f"{max(WARMUP, 1):g}s"], timeout=WARMUP + 90)
    rounds = round(estimate["messages_per_sec"] * DURATION / PATTERN_MESSAGES / PATTERN_STREAMS)
    streams = PATTERN_STREAMS * min(max(rounds, 2), 1000)
    server.mark()
    report = bench_json(server, shape + ["-n", str(streams)], timeout=DURATION * 10 + 120)
    return {"mps": report["messages_per_sec"], "mean_us": report["latency_us"]["mean"],
            "p50_us": report["latency_us"]["p50"], "p99_us": report["latency_us"]["p99"],
            "ok": report["ok"], "failed": report["failed"], "streams": streams}


def measure_pattern(name, loadgen, workload, body_file):
    """One run on a fresh server: the load, then the server's CPU use (over
    the measured part) and peak RSS."""
    server = Server(name)
    try:
        if loadgen == "h2load":
            server.mark()
            result = run_h2load_pattern(server, workload, body_file)
        else:
            result = run_bench_pattern(server, workload)
        result["server_cpu"] = server.cpu_share()
        result["hwm_kib"] = server.status_kib("VmHWM")
        return result
    finally:
        server.stop()


def section_pattern(workload, results):
    title, what, unit = PATTERNS[workload]
    body = tempfile.NamedTemporaryFile(delete=False)
    body.write(pattern_body(workload))
    body.close()
    print(f"\n## {title}\n")
    print(f"{PATTERN_STREAMS} streams in flight over {PATTERN_CONNECTIONS} connections, {PATTERN_MESSAGES:,}"
          f" {what} per stream, as fast as flow control allows"
          f"{' (interval_ms 0)' if workload == 'watch' else ''}; {unit} counts the {what}. h2load"
          f" {'sends one WatchRequest and reads the streamed response' if workload == 'watch' else 'sends the whole stream of readings as one request body'}"
          f" (2 MiB stream and 8 MiB connection windows) and counts completed streams; `grpc-demo bench {workload} --messages {PATTERN_MESSAGES}"
          f" -c {PATTERN_STREAMS} --connections {PATTERN_CONNECTIONS}` checks every stream's count and status,"
          f" after a {max(WARMUP, 1):g} s timed run (warm-up and rate estimate) runs a fixed number of"
          f" streams sized to last about {DURATION:g} s, so that no stream is cut; its latencies are per whole stream.\n")
    for loadgen in ["h2load", "grpc-demo bench"]:
        print(f"\n### {loadgen}, {PATTERN_STREAMS} streams over {PATTERN_CONNECTIONS} connections\n")
        print(f"| server | {unit} (median of {RUNS}) | vs grpc-demo | p50 | p99 | mean | server CPU | peak RSS | failed |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        rows = interleaved(PATTERN_SERVERS, lambda name: measure_pattern(name, loadgen, workload, body.name),
                           f"{loadgen} {workload}")
        for name, runs in rows.items():
            results.append({"kind": workload, "loadgen": loadgen, "in_flight": PATTERN_STREAMS,
                            "connections": PATTERN_CONNECTIONS, "server": name, "runs": runs})
        ours = median(rows["grpc-demo"], "mps")
        for name, runs in rows.items():
            value = median(runs, "mps")
            ratio = f"{ours / value:.2f}×" if ours and value else "–"
            p50, p99 = median(runs, "p50_us"), median(runs, "p99_us")
            print(f"| {name} | {fmt(value)} | {ratio} | {fmt(p50 and p50 / 1000, 2)} ms | "
                  f"{fmt(p99 and p99 / 1000, 2)} ms | {fmt((median(runs, 'mean_us') or 0) / 1000, 2)} ms | "
                  f"{fmt((median(runs, 'server_cpu') or 0) * 100)}% | {fmt((median(runs, 'hwm_kib') or 0) / 1024, 1)} MiB | "
                  f"{fmt(median(runs, 'failed'))} |")
        sys.stdout.flush()
    os.unlink(body.name)


def section_memory(results):
    print("\n## Memory: 10,000 open idle streams over 100 connections\n")
    print("`grpc-demo bench stream --messages 2 --hold 8s -c 10000 --connections 100 -n 10000`;"
          " peak RSS (VmHWM) of the server.\n")
    print("| server | peak RSS (median) | vs grpc-demo | streams OK |")
    print("|---|---:|---:|---:|")
    rows = {}
    for name in the_three():
        runs = []
        for _ in range(RUNS):
            server = Server(name)
            try:
                cmd = ["taskset", "-c", LOAD_CORE, GRPC_DEMO, "bench", "stream", "--messages", "2", "--hold", "8s",
                       "-c", "10000", "--connections", "100", "-n", "10000", "-o", "json",
                       "--timeout", "60s", "--addr", server.addr]
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
                report = json.loads(proc.stdout)
                runs.append({"hwm_kib": server.status_kib("VmHWM"), "ok": report["ok"]})
            finally:
                server.stop()
        rows[name] = runs
        results.append({"kind": "memory", "server": name, "runs": runs})
    ours = median(rows["grpc-demo"], "hwm_kib")
    for name, runs in rows.items():
        value = median(runs, "hwm_kib")
        print(f"| {name} | {fmt(value / 1024, 1)} MiB | {ours / value:.2f}× | {fmt(median(runs, 'ok'))} |")


def section_client(results):
    print("\n## Client start-up: one `hello` as a fresh process\n")
    server = Server("grpc-demo")
    try:
        commands = {
            "grpc-demo hello": f"{GRPC_DEMO} hello --addr {server.addr}",
            "grpcurl 1.8.6": f"{GRPCURL} -plaintext -d '{{\"name\":\"world\"}}' {server.addr} packages.GreetService/sayHello",
            "Python grpcio client": f"env PYTHONPATH={PYGEN} {PYTHON} {ROOT}/tests/interop/client.py {server.addr} --hello-only",
        }
        with tempfile.NamedTemporaryFile(suffix=".json") as export:
            cmd = ["taskset", "-c", LOAD_CORE, "hyperfine", "-N", "--warmup", "3", "--runs", "30",
                   "--export-json", export.name] + list(commands.values())
            subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=True)
            data = json.load(open(export.name))
    finally:
        server.stop()
    medians = {name: r["median"] for name, r in zip(commands, data["results"])}
    ours = medians["grpc-demo hello"]
    print("| client | median wall time (30 runs) | vs grpc-demo |")
    print("|---|---:|---:|")
    for name, value in medians.items():
        print(f"| {name} | {value * 1000:.1f} ms | {value / ours:.1f}× |")
    results.append({"kind": "client", "medians_s": medians})


# Curves (issue 22): each server's latency against offered load, as a share
# of its own capacity, and throughput against concurrency and against
# connections; SVGs from `grpc-demo bench --sweep --plot` into docs/curves/.
CURVE_SHARES = [0.10, 0.25, 0.50, 0.75, 0.90, 1.00, 1.10]
CURVE_WORKLOADS = {"hello": [], "stream": ["--messages", "10"], "watch": ["--messages", "100"],
                   "report": ["--messages", "100"]}
CURVE_CONCURRENCY = "1..1024"
# 1, 2, 4 … 64 connections with the same 64 RPCs in flight throughout
# (64 per connection at first, one each at the end): only how the load is
# spread over connections changes from step to step.
CURVE_CONNECTIONS, CURVE_CONNECTIONS_IN_FLIGHT = "1..64", 64


def slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def sweep_rows(server, args, timeout):
    """`grpc-demo bench --sweep … -o json`: one JSON object per step."""
    cmd = ["taskset", "-c", LOAD_CORE, GRPC_DEMO, "bench"] + args + ["-o", "json", "--addr", server.addr]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"bench {' '.join(args)}: exit {proc.returncode}: {proc.stderr.strip()[:300]}")
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def curve_verdict(rows, key):
    """A cliff: a step where throughput falls (by > 10%) or p99 jumps > 10x."""
    for before, after in zip(rows, rows[1:]):
        if after.get(key) and before.get(key) and after[key] < 0.9 * before[key]:
            return f"throughput falls at step {after['step']}"
        p99a, p99b = before["latency_us"].get("p99"), after["latency_us"].get("p99")
        if p99a and p99b and p99b > 10 * p99a:
            return f"p99 jumps ×{p99b / p99a:.0f} at step {after['step']}"
    return "none"


def section_curves(results):
    out_dir = os.path.join(ROOT, "docs/curves")
    os.makedirs(out_dir, exist_ok=True)
    servers = the_three()
    step = f"-z {max(DURATION / 2, 1):g}s after a {WARMUP:g} s warm-up"
    print("\n## Curves: latency against offered load, throughput against concurrency and connections\n")
    print(f"Each server on one core, `grpc-demo bench` on the other. Capacity: a closed loop of 64 in flight over"
          f" 4 connections. Then an open-loop sweep at {', '.join(f'{x:.0%}' for x in CURVE_SHARES)} of that"
          f" capacity ({step} per step, 4 connections, up to 512 in flight; units of work: RPCs for hello, whole"
          f" streams for the others), and for hello two closed-loop sweeps (log steps): concurrency"
          f" {CURVE_CONCURRENCY} over 4 connections, and connections {CURVE_CONNECTIONS} with"
          f" {CURVE_CONNECTIONS_IN_FLIGHT} in flight throughout (`--sweep connections={CURVE_CONNECTIONS}"
          f" --steps 7 --steps-scale log -c {CURVE_CONNECTIONS_IN_FLIGHT}`: {CURVE_CONNECTIONS_IN_FLIGHT} per"
          f" connection at first, one each at the end). Plots in docs/curves/, drawn by `bench --plot`.\n")
    print("| server | workload | capacity (/s) | p99 at 25% | p99 at 90% | ratio (goal ≤ 5×) | cliff | plot |")
    print("|---|---|---:|---:|---:|---:|---|---|")
    for name in servers:
        for workload, extra in CURVE_WORKLOADS.items():
            server = Server(name)
            try:
                capacity = bench_json(server, [workload] + extra + ["-c", "64", "--connections", "4", "-z",
                                      f"{DURATION:g}s", "--warmup", f"{WARMUP:g}s"], DURATION + WARMUP + 60)
                rate = capacity["rpcs_per_sec"]
                rates = ",".join(f"{rate * share:.1f}" for share in CURVE_SHARES)
                plot = f"{slug(name)}-{workload}-latency.svg"
                rows = sweep_rows(server, [workload] + extra + [
                    "--sweep", f"rate={rates}", "-c", "512", "--connections", "4",
                    "-z", f"{max(DURATION / 2, 1):g}s", "--warmup", f"{WARMUP:g}s",
                    "--plot", os.path.join(out_dir, plot), "--plot-server", name],
                    len(CURVE_SHARES) * (DURATION + WARMUP + 10) + 60)
            except Exception as err:  # a peer that falls over is reported, not fatal
                log(f"{name} / curves {workload}: {err}")
                continue
            finally:
                server.stop()
            results.append({"kind": "curve", "server": name, "workload": workload, "capacity": rate, "steps": rows})
            p99 = {share: row["latency_us"].get("p99") for share, row in zip(CURVE_SHARES, rows)}
            low, high = p99.get(0.25), p99.get(0.90)
            ratio = f"{high / low:.1f}×" if low and high else "–"
            print(f"| {name} | {workload} | {fmt(rate)} | {fmt(low and low / 1000, 2)} ms | "
                  f"{fmt(high and high / 1000, 2)} ms | {ratio} | {curve_verdict(rows, 'achieved_rate_per_sec')} |"
                  f" [svg](docs/curves/{plot}) |")
            sys.stdout.flush()
        closed_loop_curve(name, "concurrency", CURVE_CONCURRENCY, 6, ["--connections", "4"],
                          f"concurrency {CURVE_CONCURRENCY}", out_dir, results)
        closed_loop_curve(name, "connections", CURVE_CONNECTIONS, 7, ["-c", str(CURVE_CONNECTIONS_IN_FLIGHT)],
                          f"connections {CURVE_CONNECTIONS} ({CURVE_CONNECTIONS_IN_FLIGHT} in flight)",
                          out_dir, results)


def closed_loop_curve(name, setting, values, steps, fixed, label, out_dir, results):
    """hello's throughput against `setting` (log steps) on a fresh server:
    the plot, and a row of the curves table."""
    server = Server(name)
    try:
        plot = f"{slug(name)}-hello-{setting}.svg"
        rows = sweep_rows(server, ["hello", "--sweep", f"{setting}={values}", "--steps", str(steps),
                                   "--steps-scale", "log"] + fixed + [
                                   "-z", f"{max(DURATION / 2, 1):g}s", "--warmup", f"{WARMUP:g}s",
                                   "--plot", os.path.join(out_dir, plot), "--plot-server", name],
                          steps * (DURATION + WARMUP + 10) + 60)
        results.append({"kind": "curve", "server": name, "workload": f"hello {setting}", "steps": rows})
        best = max((row.get("rpcs_per_sec") or 0 for row in rows), default=0)
        print(f"| {name} | hello, {label} | {fmt(best)} (best step) | – | – | – |"
              f" {curve_verdict(rows, 'rpcs_per_sec')} | [svg](docs/curves/{plot}) |")
    except Exception as err:  # a peer that falls over is reported, not fatal
        log(f"{name} / curves {setting}: {err}")
    finally:
        server.stop()
    sys.stdout.flush()


# Memory curves (issue 22): each server's RSS against open idle streams and
# against open idle connections, a fresh server per step (an allocator keeps
# what a bigger step took). SVGs drawn here with matplotlib into docs/curves/.
def counts(env, default):
    """A list of counts from the environment (1k = 1,000), else `default`;
    MEM_STEPS=N keeps the first N."""
    text = os.environ.get(env)
    values = default if not text else [
        int(float(v[:-1]) * 1000) if v.lower().endswith("k") else int(v) for v in text.split(",") if v]
    return values[:int(os.environ["MEM_STEPS"])] if os.environ.get("MEM_STEPS") else values


MEM_STREAMS = counts("MEM_STREAMS", [1_000, 3_000, 10_000, 30_000, 100_000])
MEM_STREAM_CONNECTIONS = 100
MEM_CONNECTIONS = counts("MEM_CONNECTIONS", [100, 300, 1_000, 3_000, 10_000])


def grpc_demo_memory_flags():
    """What grpc-demo needs to hold the largest step (its defaults: 256
    streams per connection, 1,000 connections, 100 per client address)."""
    per_connection = -(-max(MEM_STREAMS, default=0) // MEM_STREAM_CONNECTIONS)
    connections = max(MEM_CONNECTIONS + [MEM_STREAM_CONNECTIONS]) + 10
    return ["--max-concurrent-streams", str(max(per_connection, 256)),
            "--max-connections", str(max(connections, 1000)),
            "--max-connections-per-ip", str(max(connections, 100))]


def hold_for(streams):
    """How long each stream stays open: long enough for the last one to open
    before the first one ends (the bench's one core opens them: 100,000
    took 36 s unpinned, so a second per 1,000)."""
    return max(2 * DURATION, 2) + streams / 1000


def deadline_for(hold, streams):
    """Each stream's deadline (bench --timeout): its hold plus the time to
    open all of them, with room."""
    return hold + 60 + streams / 500


def held_memory(name, bench_args, hold, units):
    """A fresh server, its RSS empty; then `grpc-demo bench stream --messages 2
    --hold HOLD` with `bench_args`, the server's RSS and open descriptors
    sampled every 100 ms while it runs (the highest samples), its RSS
    settled (the median of the samples from the highest one to the end: the
    streams held, once what opening them took is freed), and its peak RSS
    (VmHWM) at the end."""
    extra = grpc_demo_memory_flags() if name == "grpc-demo" else []
    server = Server(name, extra)
    try:
        time.sleep(0.5)
        empty_kib, empty_fds = server.status_kib("VmRSS"), server.open_fds()
        cmd = ["taskset", "-c", LOAD_CORE, GRPC_DEMO, "bench", "stream", "--messages", "2", "--hold", f"{hold:g}s"
               ] + bench_args + ["-o", "json", "--timeout", f"{deadline_for(hold, units):g}s", "--connect-timeout", "20s",
                                 "--addr", server.addr]
        limit = deadline_for(hold, units) + 30  # past every stream's deadline
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            bench = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
            held_kib = fds = 0
            samples = []
            deadline = time.monotonic() + limit
            try:
                while bench.poll() is None:
                    if server.proc.poll() is not None:
                        raise RuntimeError(f"the server exited ({server.proc.returncode})")
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"bench still running after {limit:.0f} s")
                    samples.append(server.status_kib("VmRSS"))
                    held_kib = max(held_kib, samples[-1])
                    fds = max(fds, server.open_fds())
                    time.sleep(0.1)
            finally:
                if bench.poll() is None:
                    bench.kill()
                    bench.wait()
            peak_kib = server.status_kib("VmHWM")
            out.seek(0)
            err.seek(0)
            text = out.read()
            if not text.strip():
                raise RuntimeError(f"bench failed ({bench.returncode}): {err.read().strip()[:300]}")
            report = json.loads(text)
        settled_kib = (statistics.median(samples[samples.index(held_kib):]) if samples else held_kib)
        return {"empty_kib": empty_kib, "held_kib": held_kib, "settled_kib": settled_kib, "hwm_kib": peak_kib,
                "ok": report["ok"],
                "failed": report["failed"], "sockets": fds - empty_fds,
                "max_latency_us": report.get("latency_us", {}).get("max"), "hold_s": hold}
    finally:
        server.stop()


def memory_curve(name, what, steps, shape):
    """One server's curve: a step per count (a failure is a row, not the
    end). `shape(count)` gives bench's arguments, the hold, and the streams
    and connections the step holds."""
    rows = []
    fd_limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    for count in steps:
        row = {"count": count}
        bench_args, hold, streams, connections = shape(count)
        if connections + 64 > fd_limit:
            row["error"] = f"over the fd limit ({fd_limit:,})"
            rows.append(row)
            continue
        try:
            row.update(held_memory(name, bench_args, hold, streams + connections))
            # Every stream ended OK and none waited for another to end (a
            # stream queued behind a full connection waits a whole hold),
            # and the server had a socket per connection.
            row["all_held"] = (row["ok"] == streams and row["max_latency_us"] is not None
                               and row["max_latency_us"] < 2 * hold * 1e6 and row["sockets"] >= connections)
        except Exception as err:  # a server that falls over is a row of the table
            first_line = str(err).splitlines()[0][:200] if str(err) else type(err).__name__
            row["error"] = first_line.replace("|", "/")  # a cell of a Markdown table
            log(f"{name} / memory {what} {count}: {err}")
        rows.append(row)
    return rows


def fitted_kib_per_unit(rows, field="held_kib"):
    """Least-squares slope of held (or settled) RSS against the count, over
    the steps held."""
    points = [(r["count"], r[field]) for r in rows if r.get("all_held") and field in r]
    if len(points) < 2:
        return None
    mean_x = statistics.mean(x for x, _ in points)
    mean_y = statistics.mean(y for _, y in points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else None


def memory_table(what, unit, curves):
    print(f"| server | {what} | RSS empty | RSS held | RSS settled | peak RSS (VmHWM) | per {unit} over empty |"
          f" per {unit}, slope from the step before | settled, per {unit} over empty | server sockets | streams OK"
          f" | note |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, rows in curves.items():
        before = None
        for row in rows:
            if "error" in row:
                print(f"| {name} | {row['count']:,} | – | – | – | – | – | – | – | – | – | failed: {row['error']} |")
                continue
            over = (row["held_kib"] - row["empty_kib"]) / row["count"]
            slope = ((row["held_kib"] - before["held_kib"]) / (row["count"] - before["count"])
                     if before else None)
            settled = row.get("settled_kib", row["held_kib"])
            settled_over = (settled - row["empty_kib"]) / row["count"]
            note = "" if row["all_held"] else "not all open at once (left out of the slopes)"
            print(f"| {name} | {row['count']:,} | {row['empty_kib'] / 1024:,.1f} MiB | {row['held_kib'] / 1024:,.1f} MiB |"
                  f" {settled / 1024:,.1f} MiB | {row['hwm_kib'] / 1024:,.1f} MiB | {over:,.2f} KiB |"
                  f" {fmt(slope, 2)}{' KiB' if slope is not None else ''} | {settled_over:,.2f} KiB |"
                  f" {row['sockets']:,} | {row['ok']:,} | {note} |")
            if row["all_held"]:
                before = row
    print()
    for name, rows in curves.items():
        slope = fitted_kib_per_unit(rows)
        settled = fitted_kib_per_unit(rows, "settled_kib")
        figure = "–" if slope is None else f"{slope:,.2f} KiB"
        settled_figure = "–" if settled is None else f"{settled:,.2f} KiB"
        print(f"- {name}: {figure} per idle {unit} held, {settled_figure} settled (least-squares slopes over the"
              f" steps held)")


def plot_memory(path, title, x_label, curves):
    """RSS held (solid) and peak (dashed) against the count, a line per
    server, log scales; nothing (said on stderr) without matplotlib."""
    try:
        import matplotlib
        matplotlib.use("svg")
        matplotlib.rcParams["svg.fonttype"] = "none"  # text as text, not paths
        import matplotlib.pyplot as plt
    except ImportError:
        log(f"no matplotlib here (bench/compare.sh installs it): {path} not drawn")
        return False
    fig, ax = plt.subplots(figsize=(9.6, 6.4))
    for index, (name, rows) in enumerate(curves.items()):
        held = [r for r in rows if "error" not in r]
        if not held:
            continue
        color = f"C{index}"
        ax.plot([r["count"] for r in held], [r["held_kib"] / 1024 for r in held], "o-", color=color,
                label=f"{name}: RSS while held")
        ax.plot([r["count"] for r in held], [r["hwm_kib"] / 1024 for r in held], "s--", color=color, alpha=0.6,
                label=f"{name}: peak (VmHWM)")
        ax.plot([r["count"] for r in held], [r.get("settled_kib", r["held_kib"]) / 1024 for r in held], "^:",
                color=color, alpha=0.8, label=f"{name}: RSS settled")
        failed = [r["count"] for r in rows if "error" in r]
        if failed:
            ax.plot(failed, [held[-1]["held_kib"] / 1024] * len(failed), "x", color=color, markersize=10,
                    label=f"{name}: failed here (no figure)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(x_label)
    ax.set_ylabel("server resident memory (MiB, log scale)")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True


def section_memcurves(results):
    out_dir = os.path.join(ROOT, "docs/curves")
    os.makedirs(out_dir, exist_ok=True)
    servers = the_three()
    flags = " ".join(grpc_demo_memory_flags())
    print("\n## Memory curves: open idle streams, open idle connections\n")
    print(f"A fresh server per step, on one core; `grpc-demo bench stream --messages 2 --hold HOLD` on the other"
          f" opens the streams (START answered, then idle for HOLD = {max(2 * DURATION, 2):g} s + 1 s per 1,000"
          f" streams, so that the last opens before the first ends). RSS held: the server's highest VmRSS, sampled"
          f" every 100 ms while bench runs (it includes what opening them all at once took, freed but not yet"
          f" given back); settled: the median of the samples from that highest one to the end (the streams held,"
          f" once the allocator has returned what opening them took); peak: its VmHWM at the end; empty: its VmRSS"
          f" before the load. Per stream or connection: (held − empty) ÷ count, and the slope from the step"
          f" before. grpc-demo runs with"
          f" `{flags}` (its defaults are 256 streams per connection, 1,000 connections and 100 per client"
          f" address); bare tonic and the C++ server have no such limits by default. Server sockets: the most"
          f" descriptors the server had open beyond its empty self. The fd limit is raised to"
          f" {resource.getrlimit(resource.RLIMIT_NOFILE)[0]:,} for both sides.\n")
    print(f"### Open idle streams over {MEM_STREAM_CONNECTIONS} connections\n")
    print(f"`-c N --connections {MEM_STREAM_CONNECTIONS} -n N`: N streams held at once.\n")
    stream_curves = {}
    for name in servers:
        stream_curves[name] = memory_curve(
            name, "streams", MEM_STREAMS,
            lambda n: (["-c", str(n), "--connections", str(MEM_STREAM_CONNECTIONS), "-n", str(n)], hold_for(n),
                       n, MEM_STREAM_CONNECTIONS))
        results.append({"kind": "memory streams", "server": name, "steps": stream_curves[name]})
    plot = "memory-streams.svg"
    drawn = plot_memory(os.path.join(out_dir, plot),
                        f"Server memory against open idle streams ({MEM_STREAM_CONNECTIONS} connections, one core)",
                        f"open idle streams over {MEM_STREAM_CONNECTIONS} connections (log scale)", stream_curves)
    memory_table("streams", "stream", stream_curves)
    if drawn:
        print(f"\nPlot: [svg](docs/curves/{plot})")
    sys.stdout.flush()

    print("\n### Open idle connections, no stream on them\n")
    print("`-c 1 --connections N -n 1`: bench opens the N connections (each answered by the server's SETTINGS)"
          " before its one stream starts, and holds them while that stream is held.\n")
    connection_curves = {}
    for name in servers:
        connection_curves[name] = memory_curve(
            name, "connections", MEM_CONNECTIONS,
            lambda n: (["-c", "1", "--connections", str(n), "-n", "1"], max(2 * DURATION, 2), 1, n))
        results.append({"kind": "memory connections", "server": name, "steps": connection_curves[name]})
    plot = "memory-connections.svg"
    drawn = plot_memory(os.path.join(out_dir, plot), "Server memory against open idle connections (one core)",
                        "open idle HTTP/2 connections, no stream (log scale)", connection_curves)
    memory_table("connections", "connection", connection_curves)
    if drawn:
        print(f"\nPlot: [svg](docs/curves/{plot})")
    sys.stdout.flush()


def raise_fd_limit():
    """Soft fd limit to the hard one, for this script and all it starts (the
    servers and the load generator hold thousands of sockets)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main():
    results = []
    raise_fd_limit()
    print(f"# bench/compare.sh — {time.strftime('%Y-%m-%d %H:%M')}\n")
    print(f"Machine: {os.cpu_count()} cores ({open('/proc/cpuinfo').read().split('model name')[1].split(':')[1].splitlines()[0].strip()}),"
          f" server on core {SERVER_CORE}, load generator on core {LOAD_CORE};"
          f" {RUNS} runs of {DURATION:g} s (+{WARMUP:g} s warm-up) per cell, medians shown.")
    for kind in ["unary", "bidi"]:
        if kind in ONLY:
            section_load(kind, results)
    for workload in PATTERNS:
        if workload in ONLY:
            section_pattern(workload, results)
    if "cost" in ONLY:
        section_cost(results)
    if "memory" in ONLY:
        section_memory(results)
    if "client" in ONLY:
        section_client(results)
    if "curves" in ONLY:
        section_curves(results)
    if "memcurves" in ONLY:
        section_memcurves(results)
    os.makedirs(os.path.join(ROOT, "target/bench"), exist_ok=True)
    with open(os.path.join(ROOT, "target/bench/results.json"), "w") as out:
        json.dump(results, out, indent=1)


if __name__ == "__main__":
    main()
