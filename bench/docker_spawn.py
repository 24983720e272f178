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

from conftest import admin_client  # noqa: E402
from harness.docker_engine import DockerEngine, why_no_engine  # noqa: E402
from harness.docker_stack import build_images, create_network, docker_mode_hub  # noqa: E402
from harness.postgres import Postgres  # noqa: E402


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
    ]
    out = REPO / "bench" / "results" / "docker-spawn.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
