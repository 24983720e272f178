""" "Run up to here": `run(targets=[node])` runs only what that node needs and shows its
rows; destinations elsewhere in the flow are not written."""

from __future__ import annotations

import json
from pathlib import Path

from flow_builders import document

from galilean_services.flows import parse_flow
from galilean_services.flows.runner import run


def test_running_up_to_a_node_shows_it_and_writes_nothing_else(tmp_path: Path) -> None:
    rows = {"columns": [{"name": "n", "type": "BIGINT"}], "rows": [[1], [2], [3]]}
    nodes = [
        {"id": "numbers", "kind": "source.inline", "params": rows},
        {"id": "big", "kind": "transform.filter", "params": {"condition": "n > 1"}},
        {"id": "save", "kind": "destination.file", "params": {"path": "out.csv"}},
    ]
    flow = parse_flow(json.dumps(document(nodes, [("numbers", "big"), ("big", "save")])))
    for engine in ("auto", "duckdb"):
        result = run(flow, base_dir=tmp_path, targets=["big"], engine=engine)
        assert result.status == "succeeded", result.error
        assert result.outputs["big"].column("n").to_pylist() == [2, 3]
        assert not (tmp_path / "out.csv").exists()
    whole = run(flow, base_dir=tmp_path)
    assert whole.status == "succeeded"
    assert (tmp_path / "out.csv").exists()
