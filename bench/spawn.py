"""Spawn-to-ready seconds in embedded mode: Galilean's user environment against a bare
JupyterLab (jupyterhub + jupyterlab only), interleaved in one run, median of N each.

Usage: python bench/spawn.py [--runs 5] [--bare-python PATH]
Writes bench/results/spawn.md.
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
from harness.hub import Hub  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bare-python", required=True, help="Python of a bare JupyterLab venv")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="galilean-bench-") as tmp:
        common = {"GALILEAN_CULL_IDLE_SECONDS": "0"}
        hubs = {
            "Galilean user environment": Hub(Path(tmp) / "galilean", **common),
            "bare JupyterLab": Hub(
                Path(tmp) / "bare", GALILEAN_SINGLEUSER_PYTHON=options.bare_python, **common
            ),
        }
        timings: dict[str, list[float]] = {name: [] for name in hubs}
        try:
            clients = {name: admin_client(hub.start()) for name, hub in hubs.items()}
            for run in range(options.runs):
                for name, client in clients.items():
                    seconds = client.start_server()
                    client.stop_server()
                    timings[name].append(seconds)
                    print(f"run {run + 1} {name}: {seconds:.2f} s", flush=True)
        finally:
            for hub in hubs.values():
                hub.stop()

    base = statistics.median(timings["bare JupyterLab"])
    lines = [
        "# Spawn to ready, embedded mode",
        "",
        f"Median of {options.runs} interleaved spawns (POST /hub/api/users/admin/server until "
        "ready), same machine, same run.",
        "",
        "| environment | median s | min s | max s | ratio to bare |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, values in timings.items():
        median = statistics.median(values)
        lines.append(
            f"| {name} | {median:.2f} | {min(values):.2f} | {max(values):.2f} | "
            f"{median / base:.2f} |"
        )
    out = REPO / "bench" / "results" / "spawn.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
