"""`transform.fill_missing` by mean, median, mode, forward and backward fill, per group and
in an order: the flow runs on Polars (not a fallback) and gives DuckDB's rows, with NULLs,
ties, negatives and NULL group and order keys."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest
from flow_builders import result

from galilean_services.flows import parse_flow
from galilean_services.flows.kinds.transforms.fill_missing import FillMissing
from galilean_services.flows.runner import run

COLUMNS = {
    "id": "BIGINT",
    "g": "VARCHAR",
    "n": "BIGINT",
    "x": "DOUBLE",
    "s": "VARCHAR",
    "t": "BIGINT",
}
ROWS = [
    [1, "a", 4, 1.5, "p", 3],
    [2, "a", None, None, None, 1],
    [3, "a", -3, -2.0, "q", None],
    [4, "a", 2, 1.5, "q", 2],
    [5, "b", None, 7.0, "r", 5],
    [6, "b", None, None, None, 4],
    [7, None, 5, None, "p", 6],
    [8, None, None, 0.25, "p", 9],
    [9, "c", None, None, None, 8],
]


def source() -> dict[str, Any]:
    columns = [{"name": name, "type": kind} for name, kind in COLUMNS.items()]
    return {"kind": "source.inline", "params": {"columns": columns, "rows": ROWS}}


def fill_flow(params: dict[str, Any]) -> Any:
    nodes = [
        {"id": "src", **source()},
        {"id": "fill", "kind": "transform.fill_missing", "params": params},
        {"id": "out", "kind": "destination.display", "params": {}},
    ]
    edges = [
        {"id": "e0", "from": {"node": "src"}, "to": {"node": "fill"}},
        {"id": "e1", "from": {"node": "fill"}, "to": {"node": "out"}},
    ]
    return parse_flow(json.dumps({"galilean_flow": 1, "name": "t", "nodes": nodes, "edges": edges}))


def filled(params: dict[str, Any]) -> dict[int, Any]:
    """Both engines agree (result()), the flow ran on Polars; the rows by id."""
    flow = fill_flow(params)
    frame = result(flow)
    assert run(flow).engine == "polars"
    return {int(row["id"]): row for _, row in frame.iterrows()}


def column(rows: dict[int, Any], name: str) -> list[Any]:
    return [None if pd.isna(rows[i][name]) else rows[i][name] for i in sorted(rows)]


UP = [{"column": "t"}]
DOWN = [{"column": "t", "descending": True}]
CASES = [
    {"method": {"n": "mean", "x": "mean"}},
    {"method": {"n": "median", "x": "median"}},
    {"method": {"n": "mode", "s": "mode"}},
    {"method": {"n": "mean", "x": "median", "s": "mode"}, "group_by": ["g"]},
    {"method": {"n": "forward", "s": "backward"}, "order_by": UP},
    {"method": {"n": "forward", "x": "backward", "s": "forward"}, "order_by": DOWN},
    {"method": {"n": "forward", "x": "backward"}, "order_by": UP, "group_by": ["g"]},
    {"method": {"n": "median"}, "fill": {"s": "?"}, "drop_rows_missing": ["x"]},
    {"method": {"x": "forward"}, "order_by": UP, "drop_rows_missing": ["x"]},
]


@pytest.mark.parametrize("params", CASES)
def test_each_method_means_the_same_on_both_engines(params: dict[str, Any]) -> None:
    filled(params)


def test_mean_and_median_make_doubles_and_split_even_counts() -> None:
    rows = filled({"method": {"n": "median", "x": "mean"}})
    assert column(rows, "n") == [4.0, 3.0, -3.0, 2.0, 3.0, 3.0, 5.0, 3.0, 3.0]  # of -3 2 4 5
    assert column(rows, "x")[1] == pytest.approx((1.5 - 2.0 + 1.5 + 7.0 + 0.25) / 5)


def test_mode_ties_go_to_the_smallest_value_per_group() -> None:
    rows = filled({"method": {"s": "mode", "n": "mode"}, "group_by": ["g"]})
    # a: p once, q twice → q; b: only r; NULL group: p; c: nothing to fill with
    assert column(rows, "s") == ["p", "q", "q", "q", "r", "r", "p", "p", None]
    # a: 4, -3, 2 all once → -3; b: none; NULL group: 5
    assert column(rows, "n") == [4, -3, -3, 2, None, None, 5, 5, None]


def test_forward_and_backward_fill_follow_the_order_with_null_keys_last() -> None:
    rows = filled({"method": {"n": "forward", "s": "backward"}, "order_by": UP})
    # t order: 1(id2) 2(id4) 3(id1) 4(id6) 5(id5) 6(id7) 8(id9) 9(id8) NULL(id3)
    assert column(rows, "n") == [4, None, -3, 2, 4, 4, 5, 5, 5]
    assert column(rows, "s") == ["p", "q", "q", "q", "r", "r", "p", "p", "p"]


def test_check_asks_for_an_order_and_one_way_per_column() -> None:
    kind = FillMissing()
    upstream = {"in": ["a", "b"]}
    problems = kind.check({"method": {"a": "forward"}, "fill": {"a": 0}}, upstream)
    assert [path for path, _ in problems] == ["method", "order_by"]
    assert kind.check({"method": {"c": "mean"}, "group_by": ["d"]}, upstream) == [
        ("method", "column 'c' does not exist upstream"),
        ("group_by", "column 'd' does not exist upstream"),
    ]


def test_a_mean_of_text_has_no_polars_form_and_says_so() -> None:
    outcome = run(fill_flow({"method": {"s": "median"}}))
    assert outcome.engine == "duckdb"
    assert "median of 's'" in outcome.logs[0]
