"""Flows built in code for the engine's tests: small pandas frames as inline sources, a
chain builder, and a runner that checks both engines agree. Shared by the unit and
integration tests of the engine (test files never import each other)."""

from __future__ import annotations

import decimal
import json
import math
from typing import Any

import pandas as pd

from galilean_services.flows import parse_flow
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


def flow_of(*steps: dict[str, Any], extra: list[dict[str, Any]] | None = None, **doc: Any) -> Any:
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


def result(flow: Any, **params: Any) -> pd.DataFrame:
    """The display node's rows; the flow runs on both engines, which must agree on the
    rows (in any order) and on every node's row counts."""
    outcome = run(flow, params)
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
