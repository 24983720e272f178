"""What isolation costs a run: from the service starting a run's worker to the engine's
first work (the run result's `started`), and to the whole run's end, for a tiny flow —
a plain child process (as before issue 10) against bubblewrap (embedded mode's default).

Usage: python bench/run_start.py [--repeat 7]
Writes bench/results/run_start.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "services"))

from galilean_services.execution.confinement import ProcessLimits  # noqa: E402
from galilean_services.execution.isolation import Isolation, choose  # noqa: E402
from galilean_services.execution.plane import LocalPlane  # noqa: E402

FLOW = {
    "galilean_flow": 1,
    "name": "tiny",
    "nodes": [
        {"id": "f", "kind": "source.file", "params": {"path": "rows.csv"}},
        {"id": "out", "kind": "destination.display", "params": {}},
    ],
    "edges": [{"id": "e", "from": {"node": "f"}, "to": {"node": "out"}}],
}


async def one(plane: LocalPlane, folder: Path) -> tuple[float, float]:
    job = {"content": json.dumps(FLOW), "params": {}, "base_dir": str(folder), "engine": "auto"}
    began = time.time()
    child = await plane.spawn("galilean_services.flows_service.worker", folder, "me", "bench")
    out, _err = await child.communicate(json.dumps(job).encode())
    ended = time.time()
    result = json.loads(out.decode().strip().splitlines()[-1])
    assert result["status"] == "succeeded", result
    return result["started"] - began, ended - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    options = parser.parse_args()
    limits = ProcessLimits()
    planes = {
        "plain process (no isolation)": LocalPlane(Isolation("none", network=True), limits),
        "bubblewrap": LocalPlane(choose("bubblewrap", False), limits),
    }
    timings: dict[str, list[tuple[float, float]]] = {name: [] for name in planes}
    with tempfile.TemporaryDirectory(prefix="galilean-run-start-") as tmp:
        folder = Path(tmp)
        (folder / "rows.csv").write_text("n\n1\n2\n")
        for _ in range(options.repeat):  # interleaved: both see the same machine
            for name, plane in planes.items():
                timings[name].append(asyncio.run(one(plane, folder)))
    lines = [
        "# Run start: what isolation costs",
        "",
        f"A 2-node flow (a 2-row CSV → display), one worker per run as the service starts "
        f"it; median of {options.repeat}, interleaved, 2 cores. *First engine work* is the "
        "engine's own start time in the run result (imports included); *whole run* ends when "
        "the result is read.",
        "",
        "| worker | to first engine work s | whole run s |",
        "| --- | ---: | ---: |",
    ]
    for name, values in timings.items():
        first = statistics.median(v[0] for v in values)
        whole = statistics.median(v[1] for v in values)
        lines.append(f"| {name} | {first:.3f} | {whole:.3f} |")
    text = "\n".join(lines) + "\n"
    (REPO / "bench" / "results" / "run_start.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
