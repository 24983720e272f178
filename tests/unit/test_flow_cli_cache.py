"""The CLI keeps blocking nodes' results in the user's result cache on disk: a rerun in a
new process, after editing a node after the aggregation, starts from the aggregation's
result; `--no-cache` neither reads nor writes the cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from flow_builders import document

from galilean_services.flows.disk_cache import default_folder


def write_flow(folder: Path, condition: str) -> Path:
    totals = [{"column": "amount", "function": "sum", "as": "total"}]
    rows = [["north", 10], ["south", 5], ["north", 7]]
    nodes = [
        {
            "id": "orders",
            "kind": "source.inline",
            "params": {
                "columns": [
                    {"name": "region", "type": "VARCHAR"},
                    {"name": "amount", "type": "BIGINT"},
                ],
                "rows": rows,
            },
        },
        {
            "id": "agg",
            "kind": "transform.aggregate",
            "params": {"group_by": ["region"], "aggregations": totals},
        },
        {"id": "keep", "kind": "transform.filter", "params": {"condition": condition}},
        {"id": "show", "kind": "destination.display", "params": {}},
    ]
    edges = [("orders", "agg"), ("agg", "keep"), ("keep", "show")]
    path = folder / "totals.flow"
    path.write_text(json.dumps(document(nodes, edges)))
    return path


def galilean(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "GALILEAN_USER_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "galilean_services.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        check=True,
    )


def test_a_rerun_in_a_new_process_reuses_the_aggregation(tmp_path: Path) -> None:
    flow = write_flow(tmp_path, "total > 0")
    first = galilean(tmp_path, "flow", "run", str(flow))
    assert "reused" not in first.stderr
    cache = default_folder({"GALILEAN_USER_HOME": str(tmp_path)})
    assert list(cache.glob("*.parquet")), "the aggregation's result is kept on disk"
    write_flow(tmp_path, "total > 12")  # a node after the blocking one changes
    second = galilean(tmp_path, "flow", "run", str(flow))
    assert "agg: reused 2 rows (unchanged)" in second.stderr
    assert "north" in second.stdout
    assert "south" not in second.stdout


def test_no_cache_neither_reads_nor_writes_it(tmp_path: Path) -> None:
    flow = write_flow(tmp_path, "total > 0")
    galilean(tmp_path, "flow", "run", str(flow), "--no-cache")
    assert not default_folder({"GALILEAN_USER_HOME": str(tmp_path)}).exists()
