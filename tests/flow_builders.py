"""Flows built in code for the engine's tests: small pandas frames as inline sources, a
chain builder, a graph builder (nodes and edges by hand), the filter-then-aggregate flow
the blame tests plant errors in, and a runner that checks both engines agree. Shared by
the unit and integration tests (test files never import each other)."""

from __future__ import annotations

import decimal
import itertools
import json
import math
from typing import Any

import pandas as pd

from galilean_services.flows import Flow, parse_flow
from galilean_services.flows.runner import run

ORDERS = pd.DataFrame(
    {
        "id": [1, 2, 3, 4, 5, 6],
        "region": ["north", "south", "north", "east", None, "south"],
        "amount": [10.0, 25.5, None, 7.25, 3.0, 40.0],
        "customer": ["a", "b", "a", "c", "d", "b"],
    }
)
REGIONS = pd.DataFrame({"region": ["north", "south", "west"], "manager": ["Ann", "Bo", "Cy"]})


def inline(df: pd.DataFrame) -> dict[str, Any]:
    types = {"int64": "BIGINT", "float64": "DOUBLE", "object": "VARCHAR"}
    rows = [[None if pd.isna(v) else v for v in row] for row in df.itertuples(index=False)]
    return {
        "kind": "source.inline",
        "params": {
            "columns": [{"name": c, "type": types[str(df[c].dtype)]} for c in df.columns],
            "rows": rows,
        },
    }


def edge(
    number: int, source: str, target: str, out: str = "out", port: str = "in"
) -> dict[str, Any]:
    """Edge `e<number>` from `source`'s output `out` to `target`'s input `port`."""
    return {
        "id": f"e{number}",
        "from": {"node": source, "port": out},
        "to": {"node": target, "port": port},
    }


Edges = list[tuple[str, str]] | list[dict[str, Any]]


def document(nodes: list[dict[str, Any]], edges: Edges, **extra: Any) -> dict[str, Any]:
    """A `.flow` document; `edges` as (source, target) pairs (ids e0, e1, ...) or as
    `edge(...)` dicts."""
    listed = [e if isinstance(e, dict) else edge(i, *e) for i, e in enumerate(edges)]
    return {
        "galilean_flow": 1,
        "name": extra.pop("name", "test flow"),
        "nodes": nodes,
        "edges": listed,
        **extra,
    }


def graph(nodes: list[dict[str, Any]], edges: Edges, **extra: Any) -> Flow:
    """The flow of `document(nodes, edges, **extra)`, parsed."""
    return parse_flow(json.dumps(document(nodes, edges, **extra)))


def filtered_totals(
    source: dict[str, Any], condition: str, group_by: str, **extra: Any
) -> dict[str, Any]:
    """`orders` (the `source` node's kind and params) → `big` (filter on `condition`) →
    `agg` (sum of amount as total by `group_by`) → `show` (display): the document the
    blame tests plant a wrong column or two in."""
    totals = [{"column": "amount", "function": "sum", "as": "total"}]
    nodes = [
        {"id": "orders", **source},
        {"id": "big", "kind": "transform.filter", "params": {"condition": condition}},
        {
            "id": "agg",
            "kind": "transform.aggregate",
            "params": {"group_by": [group_by], "aggregations": totals},
        },
        {"id": "show", "kind": "destination.display", "params": {}},
    ]
    extra.setdefault("name", "two planted errors")
    return document(nodes, [("orders", "big"), ("big", "agg"), ("agg", "show")], **extra)


def summed_orders(*after: dict[str, Any], by: str = "customer") -> dict[str, Any]:
    """orders (orders.parquet) → totals (sum of amount as total by `by`: a blocking node)
    → each node of `after` in a chain: a `.flow` document."""
    sums = [{"column": "amount", "function": "sum", "as": "total"}]
    nodes = [
        {"id": "orders", "kind": "source.file", "params": {"path": "orders.parquet"}},
        {
            "id": "totals",
            "kind": "transform.aggregate",
            "params": {"group_by": [by], "aggregations": sums},
        },
        *after,
    ]
    ids = [node["id"] for node in nodes]
    return document(nodes, list(itertools.pairwise(ids)))


def flow_of(*steps: dict[str, Any], extra: list[dict[str, Any]] | None = None, **doc: Any) -> Flow:
    """A chain: orders → steps... → display `out`; `extra` adds nodes and edges by hand."""
    nodes = [{"id": "orders", **inline(ORDERS)}]
    edges = []
    previous = "orders"
    for number, step in enumerate(steps):
        node_id = step.pop("id", f"s{number}")
        nodes.append({"id": node_id, **step})
        port = (
            "left"
            if step["kind"] == "transform.join"
            else ("a" if step["kind"] == "transform.union" else "in")
        )
        edges.append(
            {"id": f"e{number}", "from": {"node": previous}, "to": {"node": node_id, "port": port}}
        )
        previous = node_id
    nodes.append({"id": "out", "kind": "destination.display", "params": {}})
    edges.append({"id": "e_out", "from": {"node": previous}, "to": {"node": "out"}})
    for item in extra or []:
        (edges if "from" in item else nodes).append(item)
    return parse_flow(
        json.dumps({"galilean_flow": 1, "name": "test", "nodes": nodes, "edges": edges, **doc})
    )


def result(flow: Flow, **params: Any) -> pd.DataFrame:
    """The display node's rows; the flow runs on both engines, which must agree on the
    rows (in any order) and on every node's row counts."""
    outcome = run(flow, params, engine="polars")
    assert outcome.status == "succeeded", outcome.error
    reference = run(flow, params, engine="duckdb")
    assert reference.status == "succeeded", reference.error
    assert normalized(outcome.outputs["out"]) == normalized(reference.outputs["out"])
    assert outcome.nodes == reference.nodes
    return outcome.outputs["out"].to_pandas()


def normalized(table: Any) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names, and rows as comparable tuples in a fixed order (the engines differ
    in integer widths and in the order of unsorted rows)."""

    def value(v: Any) -> Any:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return None
        if isinstance(v, decimal.Decimal | float) and not isinstance(v, bool):
            return round(float(v), 9)
        return v

    rows = [tuple(value(v) for v in row.values()) for row in table.to_pylist()]
    return table.schema.names, sorted(rows, key=lambda r: [(v is None, str(v)) for v in r])


def same(actual: pd.DataFrame, expected: pd.DataFrame, sort: list[str] | None = None) -> None:
    if sort:
        actual = actual.sort_values(sort).reset_index(drop=True)
        expected = expected.sort_values(sort).reset_index(drop=True)
    pd.testing.assert_frame_equal(
        actual.reset_index(drop=True), expected.reset_index(drop=True), check_dtype=False
    )
