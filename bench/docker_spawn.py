"""Spawn-to-ready seconds of a user container (docker mode), median of N, on a Docker
engine started here (root on Linux), with the images built from the Dockerfiles.

Usage: python bench/docker_spawn.py [--runs 5]      Writes bench/results/docker-spawn.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from flows_api import Flows, document, wait_ready  # noqa: E402

from conftest import admin_client  # noqa: E402
from harness.client import HubClient  # noqa: E402
from harness.docker_engine import DockerEngine, why_no_engine  # noqa: E402
from harness.docker_stack import build_images, create_network, docker_mode_hub  # noqa: E402
from harness.hub import Hub  # noqa: E402
from harness.postgres import Postgres  # noqa: E402


def flow_runs(hub: Hub, admin: HubClient, count: int) -> list[float]:
    """Seconds from a run's start (the service's own timestamps) to its recorded end."""
    wait_ready(hub.url)
    folder = Path(hub.env["GALILEAN_DOCKER_SHARED_DIR"]) / "admin"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rows.csv").write_text("n\n1\n2\n")
    flows = Flows.of(admin)
    flow = document(
        [
            {"id": "f", "kind": "source.file", "params": {"path": "rows.csv"}},
            {"id": "out", "kind": "destination.display", "params": {}},
        ],
        [("f", "out")],
    )
    created = flows.ok("POST", "/api/flows", {"flow": flow}, 201)
    seconds = []
    for _ in range(count):
        run = flows.wait_run(flows.ok("POST", f"/api/flows/{created['id']}/runs", {}, 202)["id"])
        assert run["status"] == "succeeded", run
        seconds.append(run["ended"] - run["started"])
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    reason = why_no_engine()
    if reason:
        sys.exit(f"skipped: {reason}")

    engine = DockerEngine().start()
    postgres = None
    hub = None
    try:
        builds = build_images(engine)
        gateway = create_network(engine)
        postgres = Postgres().start()
        hub = docker_mode_hub(engine, Path(tempfile.mkdtemp()), gateway, postgres).start()
        admin = admin_client(hub)
        seconds = []
        for run in range(options.runs):
            seconds.append(admin.start_server())
            admin.stop_server()
            print(f"run {run + 1}: {seconds[-1]:.2f} s", flush=True)
        runs = flow_runs(hub, admin, options.runs)
        sizes = {
            tag: int(engine.docker("image", "inspect", "-f", "{{.Size}}", tag).strip())
            for tag in builds
            if ":" in tag
        }
    finally:
        if hub:
            hub.stop()
        if postgres:
            postgres.stop()
        engine.stop()

    lines = [
        "# Docker mode",
        "",
        "| step | seconds | size MB |",
        "| --- | ---: | ---: |",
        *(
            f"| build {step} | {value:.0f} | {sizes[step] / 1e6:.0f} |"
            if step in sizes
            else f"| {step} | {value:.0f} | |"
            for step, value in builds.items()
        ),
        "",
        f"Spawn to ready of a user container: median {statistics.median(seconds):.2f} s, "
        f"min {min(seconds):.2f} s, max {max(seconds):.2f} s over {options.runs} runs.",
        "",
        "A flow run in docker mode is a container from the user's image (a 2-row CSV → "
        "display), from the service starting it to its result recorded: median "
        f"{statistics.median(runs):.2f} s, min {min(runs):.2f} s, max {max(runs):.2f} s over "
        f"{options.runs} runs (embedded mode: see run_start.md).",
    ]
    out = REPO / "bench" / "results" / "docker-spawn.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
