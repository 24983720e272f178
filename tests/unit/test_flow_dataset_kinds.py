"""Flows and datasets (issue 15): `destination.dataset` commits one snapshot per run of a
tables dataset, its origin naming the flow, version and run; `source.dataset` reads a
dataset at its head or a pinned snapshot (a tables dataset's table, a files dataset's
files); a rerun after a new snapshot reads the new data (the result cache knows);
mistakes name the node and the parameter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from flow_builders import graph, inline

from galilean_services.datasets.files import FilesDataset
from galilean_services.datasets.locate import store_of
from galilean_services.datasets.tables import TablesDataset
from galilean_services.flows.issues import FlowInvalid
from galilean_services.flows.runner import run

ORIGIN = {"flow": "reports/orders.flow", "version": "3", "run": "r1", "author": "ann"}


def write_flow(frame: pd.DataFrame, **params: Any) -> Any:
    nodes = [
        {"id": "rows", **inline(frame)},
        {"id": "keep", "kind": "destination.dataset", "params": {"dataset": "orders", **params}},
    ]
    return graph(nodes, [("rows", "keep")])


def read_flow(**params: Any) -> Any:
    nodes = [
        {"id": "data", "kind": "source.dataset", "params": {"dataset": "orders", **params}},
        {"id": "show", "kind": "destination.display", "params": {}},
    ]
    return graph(nodes, [("data", "show")])


def shown(result: Any) -> list[dict[str, Any]]:
    assert result.status == "succeeded", result.error
    rows: list[dict[str, Any]] = result.outputs["show"].to_pylist()
    return sorted(rows, key=lambda r: tuple(str(v) for v in r.values()))


def test_a_flow_writes_snapshots_and_reads_them_back(tmp_path: Path) -> None:
    first = pd.DataFrame({"id": [1, 2], "amount": [10.0, 20.0]})
    done = run(write_flow(first, table="sales", key=["id"]), home=tmp_path, origin=ORIGIN)
    assert done.status == "succeeded", done.error
    assert any("wrote 2 rows to orders.sales (snapshot 1)" in line for line in done.logs)
    more = pd.DataFrame({"id": [2, 3], "amount": [25.0, 30.0]})
    flow = write_flow(more, table="sales", mode="upsert", key=["id"])
    assert run(flow, home=tmp_path, origin={**ORIGIN, "run": "r2"}).status == "succeeded"

    lake = TablesDataset(store_of(tmp_path, "orders"), allowed_root=tmp_path)
    try:
        history = lake.snapshots()
    finally:
        lake.close()
    assert [s.number for s in history] == [1, 2]
    assert dict(history[1].origin) == {"flow": "reports/orders.flow", "version": "3", "run": "r2"}
    assert history[1].author == "ann"

    assert shown(run(read_flow(), home=tmp_path)) == [
        {"id": 1, "amount": 10.0},
        {"id": 2, "amount": 25.0},
        {"id": 3, "amount": 30.0},
    ]
    pinned = shown(run(read_flow(table="sales", snapshot=1), home=tmp_path))
    assert pinned == [{"id": 1, "amount": 10.0}, {"id": 2, "amount": 20.0}]


def test_a_files_dataset_reads_as_its_files(tmp_path: Path) -> None:
    work = tmp_path / "photos"
    (work / "train").mkdir(parents=True)
    (work / "train" / "a.png").write_bytes(b"png-a")
    store = store_of(tmp_path, "orders")
    FilesDataset(work, store).snapshot("first", "ann")
    (work / "train" / "b.png").write_bytes(b"png-bb")
    FilesDataset(work, store).snapshot("second", "ann")
    rows = shown(run(read_flow(), home=tmp_path))
    assert [(r["path"], r["size"]) for r in rows] == [("train/a.png", 5), ("train/b.png", 6)]
    assert len(rows[0]["sha256"]) == 64
    old = shown(run(read_flow(snapshot=1), home=tmp_path))
    assert [r["path"] for r in old] == ["train/a.png"]


def test_a_rerun_reads_the_new_head(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    one = pd.DataFrame({"id": [1], "amount": [1.0]})
    run(write_flow(one, table="t"), home=tmp_path)
    assert len(shown(run(read_flow(), home=tmp_path, cache_folder=cache))) == 1
    two = pd.DataFrame({"id": [1, 2], "amount": [1.0, 2.0]})
    run(write_flow(two, table="t"), home=tmp_path)
    assert len(shown(run(read_flow(), home=tmp_path, cache_folder=cache))) == 2


def test_mistakes_name_the_node_and_the_parameter(tmp_path: Path) -> None:
    missing = run(read_flow(), home=tmp_path)
    assert missing.status == "failed"
    assert missing.error is not None
    assert missing.error["node"] == "data"
    assert "dataset 'orders'" in missing.error["message"]
    frame = pd.DataFrame({"id": [1], "amount": [1.0]})
    with pytest.raises(FlowInvalid) as invalid:
        run(write_flow(frame, table="t", mode="upsert"), home=tmp_path)
    assert any(issue.node == "keep" and "key" in issue.message for issue in invalid.value.issues)
    with pytest.raises(FlowInvalid):
        run(write_flow(frame, table="t", key=["nope"]), home=tmp_path)
