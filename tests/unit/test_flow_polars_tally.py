"""Polars counts the rows of filters and joins in the middle of a flow as they stream by,
in the query that writes the result: the same counts as DuckDB's, no count query for
them, and a node whose rows go two ways is counted by a query, never twice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flow_builders import ORDERS, REGIONS, edge, graph

from galilean_services.flows import polars_runner
from galilean_services.flows.model import Flow
from galilean_services.flows.polars_tally import single_chains
from galilean_services.flows.runner import run


def star(tmp_path: Path, targets: list[tuple[str, str]]) -> Flow:
    """orders → big (filter) → named (join regions) → targets."""
    ORDERS.to_parquet(tmp_path / "orders.parquet")
    REGIONS.to_parquet(tmp_path / "regions.parquet")
    nodes: list[dict[str, Any]] = [
        {"id": "orders", "kind": "source.file", "params": {"path": "orders.parquet"}},
        {"id": "regions", "kind": "source.file", "params": {"path": "regions.parquet"}},
        {"id": "big", "kind": "transform.filter", "params": {"condition": "amount > 5"}},
        {
            "id": "named",
            "kind": "transform.join",
            "params": {"how": "inner", "on": [{"left": "region", "right": "region"}]},
        },
    ]
    edges = [
        edge(0, "orders", "big"),
        edge(1, "big", "named", port="left"),
        edge(2, "regions", "named", port="right"),
    ]
    for number, (node_id, path) in enumerate(targets, start=3):
        nodes.append({"id": node_id, "kind": "destination.file", "params": {"path": path}})
        edges.append(edge(number, "named", node_id))
    return graph(nodes, edges)


def test_a_chain_is_counted_on_the_way_as_duckdb_counts_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow = star(tmp_path, [("save", "out.parquet")])
    reference = run(flow, base_dir=tmp_path, engine="duckdb")
    queried: list[list[str]] = []
    real_uncounted = polars_runner.uncounted

    def uncounted(*args: Any) -> list[str]:
        found = real_uncounted(*args)
        queried.append(found)
        return found

    monkeypatch.setattr(polars_runner, "uncounted", uncounted)
    outcome = run(flow, base_dir=tmp_path)
    assert outcome.engine == "polars"
    assert outcome.nodes == reference.nodes
    assert outcome.nodes["big"] == {"rows_in": 6, "rows_out": 4}
    for nodes in queried[1:]:  # the tally's own choice is queried[0]
        assert "big" not in nodes
        assert "named" not in nodes  # joined: counted as its rows went by


def test_rows_that_go_two_ways_are_counted_once(tmp_path: Path) -> None:
    flow = star(tmp_path, [("one", "one.parquet"), ("two", "two.csv")])
    assert single_chains(flow, ["big", "named"]) == set()  # named's rows go two ways
    reference = run(flow, base_dir=tmp_path, engine="duckdb")
    outcome = run(flow, base_dir=tmp_path)
    assert outcome.engine == "polars"
    assert outcome.nodes == reference.nodes
    kept = int((ORDERS["amount"] > 5).sum())
    assert outcome.nodes["big"]["rows_out"] == kept


def test_a_source_is_counted_by_a_query_not_a_tally(tmp_path: Path) -> None:
    flow = star(tmp_path, [("save", "out.parquet")])
    assert single_chains(flow, ["orders", "big"]) == {"big"}
