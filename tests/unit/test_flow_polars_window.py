"""`transform.window` running aggregates (SUM/AVG/MIN/MAX/COUNT over an order, per
partition) run on Polars and give DuckDB's rows: tied order keys share a value (SQL's RANGE
frame) unless the frame is "rows"; NULL values are skipped, NULL keys sort last; rank,
dense_rank, lag and lead keep agreeing with ties and NULLs. A "rows" frame is compared on
unique keys only: rows tied in the order have no order in either engine."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flow_builders import result

from galilean_services.flows import parse_flow
from galilean_services.flows.runner import run

COLUMNS = {"id": "BIGINT", "p": "VARCHAR", "k": "BIGINT", "u": "BIGINT", "x": "BIGINT"}
ROWS = [
    [1, "a", 1, 10, None],
    [2, "a", 2, 20, 5],
    [3, "a", 2, 30, -3],
    [4, "a", None, 40, 4],
    [5, "a", 3, 50, -7],
    [6, "b", 1, 10, 2],
    [7, "b", 1, 20, None],
    [8, None, 5, 10, 1],
    [9, None, None, 20, None],
]


def window_flow(params: dict[str, Any]) -> Any:
    columns = [{"name": n, "type": t} for n, t in COLUMNS.items()]
    nodes = [
        {"id": "src", "kind": "source.inline", "params": {"columns": columns, "rows": ROWS}},
        {"id": "w", "kind": "transform.window", "params": {**params, "as": "v"}},
        {"id": "out", "kind": "destination.display", "params": {}},
    ]
    edges = [
        {"id": "e0", "from": {"node": "src"}, "to": {"node": "w"}},
        {"id": "e1", "from": {"node": "w"}, "to": {"node": "out"}},
    ]
    return parse_flow(json.dumps({"galilean_flow": 1, "name": "t", "nodes": nodes, "edges": edges}))


def values(params: dict[str, Any]) -> list[Any]:
    """Both engines agree, on Polars; the window's values in id order."""
    flow = window_flow(params)
    frame = result(flow)
    assert run(flow, engine="polars").engine == "polars"
    return [None if v != v else v for v in frame.sort_values("id")["v"].tolist()]


BY_K = [{"column": "k"}]
BY_K_DOWN = [{"column": "k", "descending": True}]
CASES = [
    {"function": f, "column": "x", "order_by": order, **part}
    for f in ("sum", "avg", "min", "max", "count")
    for order in (BY_K, BY_K_DOWN)
    for part in ({}, {"partition_by": ["p"]})
] + [
    {"function": "count", "order_by": BY_K, "partition_by": ["p"]},
    {"function": "sum", "column": "x", "order_by": [{"column": "u"}], "partition_by": ["p"]},
    {
        "function": "sum",
        "column": "x",
        "order_by": [{"column": "id", "descending": True}],
        "frame": "rows",
        "partition_by": ["p"],
    },
    {"function": "sum", "column": "x", "order_by": [{"column": "u"}, {"column": "id"}]},
    {"function": "sum", "column": "x", "order_by": [{"column": "p"}, {"column": "k"}]},
    {"function": "avg", "column": "x", "order_by": [{"column": "u"}, {"column": "k"}]},
    {"function": "max", "column": "x", "order_by": [{"column": "id"}], "frame": "rows"},
    {"function": "rank", "order_by": BY_K, "partition_by": ["p"]},
    {"function": "dense_rank", "order_by": BY_K_DOWN},
    {"function": "lag", "column": "x", "order_by": [{"column": "id"}], "partition_by": ["p"]},
    {"function": "lead", "column": "x", "order_by": [{"column": "id"}]},
]


@pytest.mark.parametrize("params", CASES)
def test_running_aggregates_and_ranks_agree_on_both_engines(params: dict[str, Any]) -> None:
    values(params)


def test_a_running_total_gives_tied_rows_the_value_after_the_last_of_them() -> None:
    totals = values({"function": "sum", "column": "x", "order_by": BY_K, "partition_by": ["p"]})
    # a: k=1 NULL → NULL; k=2 (5, -3) → 2 both; k=3 → -5; NULL key last → -1
    # b: k=1 tied (2, NULL) → 2; NULL partition: 1, then 1
    assert totals == [None, 2, 2, -1, -5, 2, 2, 1, 1]


def test_a_rows_frame_counts_up_to_each_row() -> None:
    totals = values(
        {"function": "sum", "column": "x", "order_by": [{"column": "id"}], "frame": "rows"}
    )
    assert totals == [None, 5, 2, 6, -1, 1, 1, 2, 2]


def test_mixed_directions_stay_on_duckdb_and_say_why() -> None:
    order = [{"column": "k"}, {"column": "u", "descending": True}]
    outcome = run(
        window_flow({"function": "sum", "column": "x", "order_by": order}), engine="polars"
    )
    assert outcome.engine == "duckdb"
    assert "a running sum over mixed directions" in outcome.logs[0]
