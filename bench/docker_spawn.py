"""Spawn-to-ready seconds of a user container (docker mode), median of N, on a Docker
engine started here (root on Linux), with the images built from the Dockerfiles: Galilean's
user image against a bare JupyterLab image (bench/images/bare-notebook.Dockerfile: the same
base, user and entry point, jupyterhub + jupyterlab only), each behind a hub of its own,
spawns interleaved in one run.

Usage: python bench/docker_spawn.py [--runs 5]      Writes bench/results/docker-spawn.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from flows_api import Flows, document, wait_ready  # noqa: E402

from conftest import admin_client  # noqa: E402
from harness.client import HubClient  # noqa: E402
from harness.docker_engine import BASE_IMAGE, DockerEngine, why_no_engine  # noqa: E402
from harness.docker_stack import (  # noqa: E402
    NOTEBOOK,
    build_images,
    create_network,
    docker_mode_hub,
)
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


BARE_IMAGE = "galilean/bare-notebook:bench"
GALILEAN, BARE = "Galilean user image", "bare JupyterLab"


def build_bare(engine: DockerEngine) -> float:
    began = time.monotonic()
    dockerfile = str(REPO / "bench" / "images" / "bare-notebook.Dockerfile")
    arguments = ("--build-arg", f"BASE_IMAGE={BASE_IMAGE}", "-f", dockerfile, "-t", BARE_IMAGE)
    engine.docker("build", *arguments, str(REPO), timeout=1800)
    return time.monotonic() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    reason = why_no_engine()
    if reason:
        sys.exit(f"skipped: {reason}")

    engine = DockerEngine().start()
    databases: list[Postgres] = []
    hubs: dict[str, Hub] = {}
    try:
        builds = build_images(engine)  # also gives the base image its extra CAs
        builds[BARE_IMAGE] = build_bare(engine)
        gateway = create_network(engine)
        for name, image in ((GALILEAN, NOTEBOOK), (BARE, BARE_IMAGE)):
            databases.append(Postgres().start())
            hubs[name] = docker_mode_hub(
                engine,
                Path(tempfile.mkdtemp()),
                gateway,
                databases[-1],
                GALILEAN_DOCKER_IMAGE=image,
            ).start()
        admins = {name: admin_client(hub) for name, hub in hubs.items()}
        seconds: dict[str, list[float]] = {name: [] for name in hubs}
        for run in range(options.runs):
            for name, admin in admins.items():
                seconds[name].append(admin.start_server())
                admin.stop_server()
                print(f"run {run + 1} {name}: {seconds[name][-1]:.2f} s", flush=True)
        runs = flow_runs(hubs[GALILEAN], admins[GALILEAN], options.runs)
        sizes = {
            tag: int(engine.docker("image", "inspect", "-f", "{{.Size}}", tag).strip())
            for tag in builds
            if ":" in tag
        }
    finally:
        for hub in hubs.values():
            hub.stop()
        for database in databases:
            database.stop()
        engine.stop()

    base = statistics.median(seconds[BARE])
    spawn_rows = [
        f"| {name} | {statistics.median(values):.2f} | {min(values):.2f} | "
        f"{max(values):.2f} | {statistics.median(values) / base:.2f} |"
        for name, values in seconds.items()
    ]

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
        f"Spawn to ready of a user container (POST /hub/api/users/admin/server until ready), "
        f"median of {options.runs} interleaved spawns, same machine, same run:",
        "",
        "| image | median s | min s | max s | ratio to bare |",
        "| --- | ---: | ---: | ---: | ---: |",
        *spawn_rows,
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
