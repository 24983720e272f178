"""Validation blames the node that names a wrong column, every such node at once and
before anything runs (files' columns read from their headers); an engine error that only
a run finds names the node whose SQL failed, not the destination whose query ran it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from flow_builders import filtered_totals, graph

from galilean_services.flows import parse_flow
from galilean_services.flows.issues import FlowInvalid
from galilean_services.flows.runner import run
from galilean_services.flows.validate import validate

GALILEAN = Path(sys.executable).parent / "galilean"
ORDERS = "region,amount,customer\nnorth,10,a\nsouth,20,b\nnorth,5,c\n"


def flow_doc(source: dict[str, Any], condition: str, group_by: str, **extra: Any) -> str:
    """The blame flow over a CSV or Parquet file (`source`: the file node's params)."""
    file_source = {"kind": "source.file", "params": source}
    return json.dumps(filtered_totals(file_source, condition, group_by, **extra))


def planted(folder: Path, name: str = "orders.csv") -> Path:
    (folder / "orders.csv").write_text(ORDERS)
    pd.read_csv(folder / "orders.csv").to_parquet(folder / "orders.parquet")
    path = folder / "bad.flow"
    path.write_text(flow_doc({"path": name}, "amout > 5", "regoin"))
    return path


def galilean(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GALILEAN), *args], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("name", ["orders.csv", "orders.parquet"])
def test_both_planted_errors_at_their_nodes(tmp_path: Path, name: str) -> None:
    path = planted(tmp_path, name)
    issues = validate(parse_flow(path.read_text()), base_dir=tmp_path)
    found = {(i.node, i.path, i.code) for i in issues}
    assert found == {("big", "condition", "unknown-column"), ("agg", "group_by", "unknown-column")}
    messages = {i.node: i.message for i in issues}
    assert messages["big"] == "column 'amout' does not exist upstream (did you mean 'amount'?)"
    assert messages["agg"] == "column 'regoin' does not exist upstream (did you mean 'region'?)"
    with pytest.raises(FlowInvalid) as raised:  # a run stops before any engine runs
        run(parse_flow(path.read_text()), base_dir=tmp_path)
    assert {i.node for i in raised.value.issues} == {"big", "agg"}


def test_the_cli_validates_and_lists_both(tmp_path: Path) -> None:
    path = planted(tmp_path)
    done = galilean("flow", "validate", str(path))
    assert done.returncode == 2
    assert "✗ big [condition]: column 'amout' does not exist upstream" in done.stderr
    assert "✗ agg [group_by]: column 'regoin' does not exist upstream" in done.stderr
    assert "2 problem(s)" in done.stderr
    as_json = json.loads(galilean("flow", "validate", "--json", str(path)).stdout)
    assert as_json["ok"] is False
    assert [(i["node"], i["code"]) for i in as_json["issues"]] == [
        ("big", "unknown-column"),
        ("agg", "unknown-column"),
    ]
    ran = galilean("flow", "run", str(path))  # the same two, and nothing ran
    assert ran.returncode == 2
    assert "✗ big [condition]" in ran.stderr
    assert "✗ agg [group_by]" in ran.stderr


def test_a_good_flow_validates(tmp_path: Path) -> None:
    (tmp_path / "orders.csv").write_text(ORDERS)
    path = tmp_path / "good.flow"
    path.write_text(flow_doc({"path": "orders.csv"}, "amount > 5", "region"))
    done = galilean("flow", "validate", str(path))
    assert done.returncode == 0, done.stderr
    assert "no problems" in done.stderr


def test_a_file_not_there_or_outside_is_not_read(tmp_path: Path) -> None:
    """No header to read: the columns are unknown (the run says what is wrong); a link
    out of the flow's folder is not followed to read one."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text("password\nhunter2\n")
    folder = tmp_path / "flow"
    folder.mkdir()
    (folder / "linked.csv").symlink_to(outside / "secret.csv")
    missing = parse_flow(flow_doc({"path": "missing.csv"}, "amout > 5", "regoin"))
    assert validate(missing, base_dir=folder) == []
    result = run(missing, base_dir=folder)
    assert result.status == "failed"
    assert result.error is not None
    assert result.error["node"] == "orders"
    assert "missing.csv" in result.error["message"]
    linked = parse_flow(flow_doc({"path": "linked.csv"}, "amout > 5", "regoin"))
    assert validate(linked, base_dir=folder) == []
    with pytest.raises(FlowInvalid) as raised:
        run(linked, base_dir=folder)
    assert [(i.node, i.message) for i in raised.value.issues] == [
        ("orders", "path 'linked.csv' leaves the flow's folder")
    ]


def test_an_engine_error_names_the_node_whose_sql_failed(tmp_path: Path) -> None:
    """The file is named by a flow parameter: its columns are known only when it runs.
    DuckDB runs one query for the whole graph; the error is the filter's."""
    (tmp_path / "orders.csv").write_text(ORDERS)
    doc = flow_doc(
        {"path": {"$param": "file"}},
        "amout > 5",
        "region",
        parameters=[{"name": "file", "type": "string", "default": "orders.csv"}],
    )
    flow = parse_flow(doc)
    assert validate(flow, base_dir=tmp_path) == []
    result = run(flow, base_dir=tmp_path)
    assert result.status == "failed"
    assert result.error is not None
    assert result.error["node"] == "big"
    assert '"amout"' in result.error["message"]
    assert "failed at big:" in result.logs[-1]


def test_an_error_only_the_data_shows_stays_with_the_node_that_ran(tmp_path: Path) -> None:
    """A cast that binds but fails on a row: no node's SQL is wrong; the node whose step
    ran the query is named (the aggregation: its rows are held in a table), and the
    message names the column."""
    (tmp_path / "orders.csv").write_text(ORDERS)
    doc = flow_doc({"path": "orders.csv"}, "CAST(customer AS INTEGER) > 0", "region")
    result = run(parse_flow(doc), base_dir=tmp_path, engine="duckdb")
    assert result.status == "failed"
    assert result.error is not None
    assert result.error["node"] == "agg"
    assert "Conversion Error" in result.error["message"]
    assert "column customer" in result.error["message"]


def test_declared_python_columns_are_checked_downstream(tmp_path: Path) -> None:
    code = "def transform(df):\n    return df.assign(b=df.a * 2)\n"
    flow = graph(
        [
            {
                "id": "rows",
                "kind": "source.inline",
                "params": {"columns": [{"name": "a"}], "rows": [[1]]},
            },
            {
                "id": "py",
                "kind": "transform.python",
                "params": {"code": code, "output_columns": ["a", "b"]},
            },
            {"id": "pick", "kind": "transform.select", "params": {"columns": ["c"]}},
            {"id": "show", "kind": "destination.display", "params": {}},
        ],
        [("rows", "py"), ("py", "pick"), ("pick", "show")],
        name="python",
    )
    issues = validate(flow, base_dir=tmp_path)
    assert [(i.node, i.message) for i in issues] == [("pick", "column 'c' does not exist upstream")]
