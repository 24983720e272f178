"""What a run keeps for a rerun: with a result cache, the last blocking node that reduces
rows on each way to a destination (an aggregation), not a window that keeps every row;
editing the window then reuses the aggregation. Without a cache nothing is held apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flow_builders import ORDERS, summed_orders

from galilean_services.flows import parse_flow
from galilean_services.flows.model import Flow, dump_flow
from galilean_services.flows.plan import Action, plan
from galilean_services.flows.runner import run


def totals_ranked(descending: bool) -> Flow:
    rank = {
        "function": "rank",
        "order_by": [{"column": "total", "descending": descending}],
        "as": "place",
    }
    ranked = {"id": "ranked", "kind": "transform.window", "params": rank}
    save = {"id": "save", "kind": "destination.file", "params": {"path": "out.parquet"}}
    return parse_flow(json.dumps(summed_orders(ranked, save, by="region")))


def held(flow: Flow, hold: bool | str, folder: Path) -> list[str]:
    program = plan(flow, base_dir=folder, hold=hold)
    return [step.node for step in program.steps if step.action is Action.HOLD]


def test_the_aggregation_is_held_for_a_rerun_the_window_is_not(tmp_path: Path) -> None:
    ORDERS.to_parquet(tmp_path / "orders.parquet")
    flow = totals_ranked(descending=True)
    assert held(flow, "last", tmp_path) == ["totals"]
    assert held(flow, "shared", tmp_path) == []
    assert held(flow, True, tmp_path) == ["totals", "ranked"]  # every blocking node


def test_a_window_two_destinations_need_is_made_once(tmp_path: Path) -> None:
    ORDERS.to_parquet(tmp_path / "orders.parquet")
    document = json.loads(dump_flow(totals_ranked(descending=True)))
    document["nodes"].append({"id": "show", "kind": "destination.display", "params": {}})
    document["edges"].append({"id": "e9", "from": {"node": "ranked"}, "to": {"node": "show"}})
    flow = parse_flow(json.dumps(document))
    assert held(flow, "last", tmp_path) == ["totals", "ranked"]
    assert held(flow, "shared", tmp_path) == ["ranked"]


@pytest.mark.parametrize("engine", ["auto", "duckdb"])
def test_editing_the_window_reuses_the_aggregation(tmp_path: Path, engine: str) -> None:
    ORDERS.to_parquet(tmp_path / "orders.parquet")
    cache = tmp_path / "cache"
    first = run(
        totals_ranked(descending=True), base_dir=tmp_path, cache_folder=cache, engine=engine
    )
    assert first.status == "succeeded"
    assert first.reused == []
    second = run(
        totals_ranked(descending=False), base_dir=tmp_path, cache_folder=cache, engine=engine
    )
    assert second.status == "succeeded"
    assert second.reused == ["totals"]
    assert second.nodes["ranked"] == first.nodes["ranked"]
