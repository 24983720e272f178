"""MLflow behind Galilean, in one run on one real hub started with MLflow enabled: its start
time, memory (PSS), tracking-API latency direct vs through the gateway vs through the hub's
proxy and gateway, artifact MiB/s with the real MLflow client through the hub vs plain HTTP
direct, and what MLflow's own environment adds to the hub image.

(a) "direct" is a second MLflow started in this process by the gateway's real `Backend`
(the hub's MLflow port and secret are not visible from outside), called with that
backend's own secret headers; (b) is the real gateway application in this process in front
of that same MLflow (the hub replaced by a table of tokens); (c) is the hub's MLflow
through configurable-http-proxy and the hub's gateway, with a user's hub token.

Usage: python bench/mlflow.py [--calls 300] [--artifact-mib 64] [--out bench/results/mlflow.md]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from mlflow_app import PREFIX, gateway_in_process  # noqa: E402

from conftest import admin_client, approved_user  # noqa: E402
from galilean_services.mlflow_service import policy  # noqa: E402
from galilean_services.mlflow_service.app import Gateway  # noqa: E402
from galilean_services.mlflow_service.settings import MlflowSettings  # noqa: E402
from harness.hub import Hub  # noqa: E402

API = "api/2.0/mlflow"
ARTIFACTS = "api/2.0/mlflow-artifacts/artifacts"
HEALTH_TIMEOUT = 300.0
HUB_USER = "mlbench"
DIRECT_USER, DIRECT_TOKEN, DIRECT_GROUPS = "alice", "alice-token", ("lab",)
SEED_EXPERIMENTS, SEED_RUNS = 5, 4
MIB = 1 << 20
NOTES = """
## Notes

- (a) and (b) call the same in-process MLflow as user alice; (c) calls the hub's own MLflow
  (same settings, its own fresh SQLite) as a hub user: each user has the same seeded
  experiments and runs. (b) minus (a) is the gateway; (c) minus (b) is mostly the proxy.
- The in-process gateway (b) runs in a thread of the benchmark's process, so it shares
  the caller's GIL: a slight overestimate of the gateway's cost.
- Each artifact transfer is one sample, in the order of the table; where plain requests
  through the hub beat direct, that is noise: read the two as equal.
"""

# Runs in the dev venv's python (mlflow-skinny): only the transfers are timed.
CLIENT_SCRIPT = """
import json, os, sys, tempfile, time
import mlflow
from mlflow import MlflowClient
path, name = sys.argv[1], sys.argv[2]
mlflow.set_experiment(name)
with mlflow.start_run() as run:
    started = time.perf_counter()
    mlflow.log_artifact(path)
    upload = time.perf_counter() - started
with tempfile.TemporaryDirectory() as folder:
    started = time.perf_counter()
    got = MlflowClient().download_artifacts(run.info.run_id, os.path.basename(path), folder)
    download = time.perf_counter() - started
    size = os.path.getsize(got)
print(json.dumps({"upload": upload, "download": download, "size": size}))
"""


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=positive, default=300, help="calls per target and API")
    parser.add_argument("--artifact-mib", type=positive, default=64, help="artifact size")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "mlflow.md")
    return parser.parse_args()


@dataclass
class Target:
    """One way to reach an MLflow: base URL (ending in /) and the headers that let us in."""

    name: str
    base: str
    headers: dict[str, str]
    session: requests.Session = field(default_factory=requests.Session)
    experiments: list[str] = field(default_factory=list)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        reply = self.session.request(
            method, self.base + path, json=body, headers=self.headers, timeout=120
        )
        if reply.status_code != 200:
            raise RuntimeError(f"{self.name}: {method} {path} -> {reply.status_code} {reply.text}")
        return reply.json() if reply.content else None


def wait_for_health(hub: Hub) -> dict[str, Any]:
    deadline = time.monotonic() + HEALTH_TIMEOUT
    url = f"{hub.url}/services/mlflow/galilean/health"
    while time.monotonic() < deadline:
        with contextlib.suppress(requests.RequestException):
            reply = requests.get(url, timeout=5)
            if reply.status_code == 200:
                return dict(reply.json())
        time.sleep(0.25)
    raise RuntimeError(f"{url} did not answer 200 in {HEALTH_TIMEOUT:.0f} s:\n{hub.log()[-3000:]}")


def gateway_process(hub: Hub) -> psutil.Process:
    assert hub.proc is not None
    for process in psutil.Process(hub.proc.pid).children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if "galilean_services.mlflow_service" in " ".join(process.cmdline()):
                return process
    raise RuntimeError("no process of the hub runs galilean_services.mlflow_service")


def pss_mib(processes: list[psutil.Process]) -> float:
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += process.memory_full_info().pss
    return total / MIB


def memory(hub: Hub) -> dict[str, float]:
    gateway = gateway_process(hub)
    tree = gateway.children(recursive=True)  # MLflow's process group: CLI and workers
    parts = {"gateway": pss_mib([gateway]), "MLflow": pss_mib(tree)}
    return {**parts, "processes": float(len(tree)), "total": sum(parts.values())}


def seed(target: Target) -> None:
    """Experiments with runs for the target's user, so searches return real rows."""
    for index in range(SEED_EXPERIMENTS):
        name = f"bench-{target.name[:1]}-{index}-{time.time_ns()}"
        ident = target.call("POST", f"{API}/experiments/create", {"name": name})["experiment_id"]
        target.experiments.append(str(ident))
        for run in range(SEED_RUNS):
            made = target.call(
                "POST", f"{API}/runs/create", {"experiment_id": ident, "start_time": run + 1}
            )
            body = {"run_id": made["run"]["info"]["run_id"], "key": "auc", "value": 0.5}
            target.call("POST", f"{API}/runs/log-metric", {**body, "timestamp": 1})


def requests_of(target: Target) -> dict[str, Callable[[], Any]]:
    search = {"experiment_ids": target.experiments, "max_results": 10}
    return {
        "GET experiments/search": lambda: target.call(
            "GET", f"{API}/experiments/search?max_results=10"
        ),
        "POST runs/search": lambda: target.call("POST", f"{API}/runs/search", search),
    }


def latencies(targets: list[Target], calls: int) -> dict[tuple[str, str], list[float]]:
    """Each call of each target in turn, `calls` rounds, so load noise hits all alike."""
    plans = {t.name: requests_of(t) for t in targets}
    for target in targets:  # warm up: connections, MLflow's user sync, caches
        for make in plans[target.name].values():
            for _ in range(5):
                make()
    found: dict[tuple[str, str], list[float]] = {
        (t.name, api): [] for t in targets for api in plans[t.name]
    }
    for _ in range(calls):
        for target in targets:
            for api, make in plans[target.name].items():
                started = time.perf_counter()
                make()
                found[(target.name, api)].append((time.perf_counter() - started) * 1000)
    return found


def p50_p99(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return values[0], values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[98]


def blob(folder: Path, mib: int) -> Path:
    path = folder / f"artifact-{mib}mib.bin"
    with path.open("wb") as out:
        for _ in range(mib):
            out.write(os.urandom(MIB))
    return path


def http_transfer(target: Target, path: Path) -> tuple[float, float]:
    """PUT then GET the file as one run's artifact, plain HTTP (requests, streamed)."""
    experiment = target.experiments[0]
    run = target.call("POST", f"{API}/runs/create", {"experiment_id": experiment})
    run_id = run["run"]["info"]["run_id"]
    url = f"{target.base}{ARTIFACTS}/{experiment}/{run_id}/artifacts/{path.name}"
    started = time.perf_counter()
    with path.open("rb") as data:
        put = target.session.put(url, data=data, headers=target.headers, timeout=600)
    upload = time.perf_counter() - started
    if put.status_code != 200:
        raise RuntimeError(f"{target.name}: PUT artifact -> {put.status_code} {put.text[:300]}")
    started = time.perf_counter()
    size = 0
    with target.session.get(url, headers=target.headers, stream=True, timeout=600) as got:
        if got.status_code != 200:
            raise RuntimeError(f"{target.name}: GET artifact -> {got.status_code}")
        for chunk in got.iter_content(MIB):
            size += len(chunk)
    download = time.perf_counter() - started
    if size != path.stat().st_size:
        raise RuntimeError(f"{target.name}: downloaded {size} bytes of {path.stat().st_size}")
    return upload, download


def client_transfer(hub: Hub, token: str, path: Path) -> tuple[float, float]:
    """The real MLflow client (mlflow.log_artifact, MlflowClient.download_artifacts)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env |= {
        "MLFLOW_TRACKING_URI": f"{hub.url}/services/mlflow",
        "MLFLOW_TRACKING_TOKEN": token,
    }
    name = f"bench-client-{time.time_ns()}"
    done = subprocess.run(
        [sys.executable, "-c", CLIENT_SCRIPT, str(path), name],
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the MLflow client failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["size"] != path.stat().st_size:
        raise RuntimeError(f"the client downloaded {result['size']} bytes")
    return float(result["upload"]), float(result["download"])


def footprint() -> tuple[int, int]:
    home = MlflowSettings().mlflow_environment()
    du = subprocess.run(["du", "-sm", str(home)], capture_output=True, text=True, check=True)
    lock = REPO / "requirements" / "mlflow.lock.txt"
    pins = [line for line in lock.read_text().splitlines() if "==" in line and line[:1].isalnum()]
    return int(du.stdout.split()[0]), len(pins)


@contextlib.contextmanager
def local_mlflow(folder: Path) -> Iterator[tuple[Gateway, str]]:
    """(a) and (b): the gateway's Backend and application in this process, fresh SQLite."""
    with gateway_in_process(folder) as app:
        yield app.gateway, app.url.removesuffix(PREFIX.rstrip("/"))


def direct_target(gateway: Gateway) -> Target:
    backend = gateway.backend
    headers = policy.upstream_headers(
        [],
        user=DIRECT_USER,
        groups=DIRECT_GROUPS,
        secret=backend.secret,
        host=f"127.0.0.1:{backend.port}",
    )
    return Target("a: direct", backend.url + "/", headers)


def measure(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    found: dict[str, Any] = {"load_before": os.getloadavg()}
    hub = Hub(folder / "hub", GALILEAN_MLFLOW_ENABLED="true")
    started = time.monotonic()
    try:
        hub.start()
        found["hub_ready"] = time.monotonic() - started
        health = wait_for_health(hub)
        found["health_200"] = time.monotonic() - started
        found["started_in"] = health.get("started_in_seconds")
        found["memory_idle"] = memory(hub)
        user = approved_user(hub, admin_client(hub), HUB_USER)
        hub_target = Target(
            "c: hub proxy + gateway",
            f"{hub.url}/services/mlflow/",
            {"Authorization": f"token {user.token}"},
        )
        with local_mlflow(folder / "local") as (gateway, url):
            found["local_started_in"] = gateway.backend.ready_after
            direct = direct_target(gateway)
            inproc = Target(
                "b: gateway in-process",
                url + PREFIX,
                {"Authorization": f"token {DIRECT_TOKEN}"},
            )
            seed(direct)
            inproc.experiments = direct.experiments
            seed(hub_target)
            targets = [direct, inproc, hub_target]
            found["latency"] = latencies(targets, args.calls)
            path = blob(folder, args.artifact_mib)
            found["transfer"] = {
                "MLflow client through the hub (c)": client_transfer(hub, user.token, path),
                "requests through the hub (c)": http_transfer(hub_target, path),
                "requests direct (a)": http_transfer(direct, path),
            }
        found["memory_after"] = memory(hub)
    finally:
        hub.stop()
    found["load_after"] = os.getloadavg()
    return found


def latency_rows(latency: dict[tuple[str, str], list[float]]) -> list[str]:
    rows = [
        "| API | path | p50 ms | p99 ms | p50 / direct | p99 / direct |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for (name, api), values in sorted(latency.items(), key=lambda item: item[0][::-1]):
        p50, p99 = p50_p99(values)
        base50, base99 = p50_p99(latency[("a: direct", api)])
        rows.append(
            f"| {api} | {name} | {p50:.1f} | {p99:.1f} | {p50 / base50:.2f} | {p99 / base99:.2f} |"
        )
    return rows


def report(args: argparse.Namespace, found: dict[str, Any]) -> str:
    size, pins = footprint()
    idle, after = found["memory_idle"], found["memory_after"]
    mib = args.artifact_mib
    loads = "/".join(f"{x:.2f}" for x in found["load_before"])
    loads_after = "/".join(f"{x:.2f}" for x in found["load_after"])
    lines = [
        "# MLflow behind the Galilean gateway",
        "",
        f"`python bench/mlflow.py --calls {args.calls} --artifact-mib {mib}` on "
        f"{datetime.date.today().isoformat()}: {os.cpu_count()} cores, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"load average (1/5/15 min) {loads} before, {loads_after} after. "
        "One embedded hub with GALILEAN_MLFLOW_ENABLED=true (1 MLflow worker, SQLite, job "
        "execution off), plus a second MLflow started in-process by the gateway's Backend "
        "for the direct and in-process-gateway paths.",
        "",
        "## Start and memory",
        "",
        "| what | number |",
        "| --- | ---: |",
        f"| hub start → hub API answers through the proxy | {found['hub_ready']:.1f} s |",
        f"| hub start → /services/mlflow/galilean/health 200 | {found['health_200']:.1f} s |",
        f"| MLflow start → healthy, as the gateway reports it | {found['started_in']} s |",
        f"| same, the in-process MLflow (started after the hub) | "
        f"{found['local_started_in']:.1f} s |",
    ]
    for label, mem in (("idle after start", idle), (f"after the {args.calls} calls", after)):
        lines.append(
            f"| PSS {label}: gateway + MLflow ({mem['processes']:.0f} MLflow processes) | "
            f"{mem['gateway']:.0f} + {mem['MLflow']:.0f} = {mem['total']:.0f} MiB |"
        )
    lines += ["", f"## Tracking API latency ({args.calls} interleaved calls each)", ""]
    lines += latency_rows(found["latency"])
    lines += ["", f"## Artifact of {mib} MiB (one run's artifact, PUT then GET)", ""]
    lines += ["| how | upload MiB/s | download MiB/s |", "| --- | ---: | ---: |"]
    for how, (up, down) in found["transfer"].items():
        lines.append(f"| {how} | {mib / up:.0f} | {mib / down:.0f} |")
    lines += [
        "",
        "## What it adds to the hub image",
        "",
        f"MLflow's own environment (`du -sm <sys.prefix>/mlflow`): {size} MiB; "
        f"{pins} distributions pinned in requirements/mlflow.lock.txt.",
        NOTES,
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    args = options()
    with tempfile.TemporaryDirectory(prefix="galilean-bench-mlflow-") as tmp:
        found = measure(args, Path(tmp))
    text = report(args, found)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
