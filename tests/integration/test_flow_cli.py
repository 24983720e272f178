"""`galilean flow run FILE.flow --param k=v`: results, progress, and clear failures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

GALILEAN = Path(sys.executable).parent / "galilean"


def write_flow(folder: Path, **changes: object) -> Path:
    pd.DataFrame({"k": ["a", "b", "a"], "v": [1, 2, 3]}).to_parquet(folder / "data.parquet")
    doc = {
        "galilean_flow": 1,
        "name": "Sum by key",
        "parameters": [{"name": "least", "type": "integer", "default": 0}],
        "nodes": [
            {"id": "data", "kind": "source.file", "params": {"path": "data.parquet"}},
            {"id": "keep", "kind": "transform.filter", "params": {"condition": "v >= :least"}},
            {
                "id": "sum",
                "kind": "transform.aggregate",
                "params": {
                    "group_by": ["k"],
                    "aggregations": [{"column": "v", "function": "sum", "as": "total"}],
                },
            },
            {"id": "show", "kind": "destination.display", "params": {}},
        ],
        "edges": [
            {"id": "e1", "from": {"node": "data"}, "to": {"node": "keep"}},
            {"id": "e2", "from": {"node": "keep"}, "to": {"node": "sum"}},
            {"id": "e3", "from": {"node": "sum"}, "to": {"node": "show"}},
        ],
        **changes,
    }
    path = folder / "sum.flow"
    path.write_text(json.dumps(doc))
    return path


def galilean(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GALILEAN), *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_run_prints_results_and_progress(tmp_path: Path) -> None:
    done = galilean("flow", "run", str(write_flow(tmp_path)), "--param", "least=2")
    assert done.returncode == 0, done.stderr
    assert "# show: 2 rows" in done.stdout
    lines = {line.split()[0]: line for line in done.stdout.splitlines()[2:]}
    assert lines["a"].split() == ["a", "3"]
    assert lines["b"].split() == ["b", "2"]
    assert "✓ keep: 3 rows in, 2 out" in done.stderr
    assert "· engine: Polars" in done.stderr
    assert " on polars" in done.stderr.splitlines()[-1]
    on_duckdb = galilean("flow", "run", str(write_flow(tmp_path)), "--engine", "duckdb")
    assert on_duckdb.returncode == 0, on_duckdb.stderr
    assert "· engine: DuckDB (as asked)" in on_duckdb.stderr
    on_polars = galilean("flow", "run", str(write_flow(tmp_path)))
    rows = [sorted(line.split() for line in r.stdout.splitlines()) for r in (on_duckdb, on_polars)]
    assert rows[0] == rows[1]


def test_wrong_parameter_type_is_named(tmp_path: Path) -> None:
    done = galilean("flow", "run", str(write_flow(tmp_path)), "--param", "least=many")
    assert done.returncode == 2
    assert "parameter 'least' must be integer, got 'many'" in done.stderr
    assert "Traceback" not in done.stderr


def test_broken_file_says_where(tmp_path: Path) -> None:
    path = tmp_path / "broken.flow"
    path.write_text('{"galilean_flow": 1,\n  "name": ')
    done = galilean("flow", "run", str(path))
    assert done.returncode == 2
    assert f"{path}:2:" in done.stderr


def test_invalid_flow_lists_every_problem(tmp_path: Path) -> None:
    path = write_flow(tmp_path, edges=[])
    done = galilean("flow", "run", str(path))
    assert done.returncode == 2
    for node in ("keep", "sum", "show"):
        assert f"✗ {node}: input 'in' is not connected" in done.stderr
