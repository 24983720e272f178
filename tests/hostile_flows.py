"""Helpers shared by the hostile-flow tests of both modes (test_flows_hostile.py embedded,
test_docker.py docker): a write that takes seconds, killed while it writes."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from flow_builders import document
from flows_api import Flows


def processes_with(*needles: str) -> list[int]:
    """Pids whose command line holds every needle (by pid, never by name)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if all(n.encode() in cmdline for n in needles):
            found.append(int(entry.name))
    return found


def big_copy(home: Path) -> dict[str, Any]:
    """A flow whose write takes a few seconds: 4M rows from CSV to Parquet, over an
    earlier output that must survive a killed run."""
    import pyarrow.csv as pacsv

    if not (home / "big.csv").exists():
        n = 4_000_000
        table = pa.table({"n": pa.array(range(n)), "s": pa.array([f"row-{i}" for i in range(n)])})
        pacsv.write_csv(table, home / "big.csv")
    pq.write_table(pa.table({"previous": [1]}), home / "big.parquet")
    return document(
        [
            {"id": "f", "kind": "source.file", "params": {"path": "big.csv"}},
            {"id": "w", "kind": "destination.file", "params": {"path": "big.parquet"}},
        ],
        [("f", "w")],
    )


def start_and_catch_writing(alice: Flows, flow: dict[str, Any], home: Path) -> str:
    created = alice.ok("POST", "/api/flows", {"flow": flow}, 201)
    run = alice.ok("POST", f"/api/flows/{created['id']}/runs", {}, 202)
    deadline = time.monotonic() + 60
    while not list(home.glob("big.parquet*.partial")):
        assert time.monotonic() < deadline, "the run never started writing"
        time.sleep(0.01)
    return str(run["id"])


def assert_killed_cleanly(alice: Flows, run_id: str, home: Path, why: str) -> None:
    run = alice.wait_run(run_id)
    assert run["status"] == "failed", run
    assert why in run["error"]["message"], run["error"]
    assert not list(home.glob("big.parquet*.partial"))
    assert pq.read_table(home / "big.parquet").column_names == ["previous"]
    assert processes_with("galilean_services.flows_service.worker", str(home)) == []
