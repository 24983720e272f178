"""Row counts per node from the run's own pass: what was made (written, displayed,
held) and carried through nodes that keep their rows, not a second upstream query."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flow_builders import ORDERS, graph, summed_orders

from galilean_services.flows import parse_flow, polars_runner, runner
from galilean_services.flows.runner import run


def no_second_pass(*_: Any, **__: Any) -> Any:
    raise AssertionError("the upstream was queried again to count rows")


def sorted_copy(target: str) -> Any:
    """orders (Parquet) → doubled (add a column) → ordered (sort) → save (a file)."""
    nodes = [
        {"id": "orders", "kind": "source.file", "params": {"path": "orders.parquet"}},
        {
            "id": "doubled",
            "kind": "transform.add_column",
            "params": {"name": "double", "expression": "amount * 2"},
        },
        {"id": "ordered", "kind": "transform.sort", "params": {"keys": [{"column": "id"}]}},
        {"id": "save", "kind": "destination.file", "params": {"path": target}},
    ]
    return graph(nodes, [("orders", "doubled"), ("doubled", "ordered"), ("ordered", "save")])


@pytest.mark.parametrize("engine", ["auto", "duckdb"])
@pytest.mark.parametrize("target", ["out.parquet", "out.csv"])
def test_counts_come_from_the_rows_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str, target: str
) -> None:
    ORDERS.to_parquet(tmp_path / "orders.parquet")
    flow = sorted_copy(target)
    monkeypatch.setattr(runner, "counts_query", no_second_pass)
    monkeypatch.setattr(polars_runner.pl, "collect_all", no_second_pass)
    outcome = run(flow, base_dir=tmp_path, engine=engine)
    assert outcome.status == "succeeded", outcome.error
    assert outcome.engine == ("polars" if engine == "auto" else "duckdb")
    every = {"rows_in": len(ORDERS), "rows_out": len(ORDERS)}
    assert outcome.nodes["orders"] == {"rows_in": 0, "rows_out": len(ORDERS)}
    assert outcome.nodes["doubled"] == outcome.nodes["ordered"] == outcome.nodes["save"] == every


def test_duckdb_counts_from_held_results_and_displayed_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = {"id": "big", "kind": "transform.filter", "params": {"condition": "total > 20"}}
    out = {"id": "out", "kind": "destination.display", "params": {}}
    flow = parse_flow(json.dumps(summed_orders(big, out)))
    ORDERS.to_parquet(tmp_path / "orders.parquet")
    reference = run(flow, base_dir=tmp_path, engine="duckdb")
    asked: list[list[str]] = []
    real = runner.counts_query

    def recorded(program: Any, needed: list[str]) -> str:
        asked.append(needed)
        return real(program, needed)

    monkeypatch.setattr(runner, "counts_query", recorded)
    outcome = run(flow, base_dir=tmp_path, engine="duckdb")
    assert outcome.nodes == reference.nodes
    assert outcome.nodes["big"] == {"rows_in": 4, "rows_out": 1}
    assert asked == [["orders"]]  # the held aggregation, the displayed rows: not queried


def test_polars_counts_a_filter_in_the_pass_that_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ORDERS.to_parquet(tmp_path / "orders.parquet")
    nodes = [
        {"id": "orders", "kind": "source.file", "params": {"path": "orders.parquet"}},
        {"id": "big", "kind": "transform.filter", "params": {"condition": "amount > 20"}},
        {"id": "save", "kind": "destination.file", "params": {"path": "out.parquet"}},
    ]
    flow = graph(nodes, [("orders", "big"), ("big", "save")])
    passes: list[int] = []
    real = polars_runner.pl.collect_all

    def spy(queries: Any, **options: Any) -> Any:
        queries = list(queries)
        passes.append(len(queries))
        return real(queries, **options)

    monkeypatch.setattr(polars_runner.pl, "collect_all", spy)
    outcome = run(flow, base_dir=tmp_path)
    assert outcome.engine == "polars"
    assert passes == [2]  # the write and the filter's count, together
    kept = int((ORDERS["amount"] > 20).sum())
    assert outcome.nodes["big"] == {"rows_in": len(ORDERS), "rows_out": kept}
    assert outcome.nodes["save"] == {"rows_in": kept, "rows_out": kept}
