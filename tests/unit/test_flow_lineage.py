"""Column lineage read off the compiled query (flows/lineage.py): a column's origins in the
sources and each node on the way with what it does to it (passes, renames, derives,
filters, groups, joins); what only a run knows is named `unknown`, never guessed."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from flow_builders import ORDERS, REGIONS, document, edge, inline

from galilean_server.flows_designer import FlowsDesigner
from galilean_services.flows import parse_flow
from galilean_services.flows.lineage import ColumnNotFound, column_lineage

EXAMPLES = Path(__file__).parents[2] / "extensions" / "galilean_server" / "examples" / "flows"


def traced(tmp_path: Path, content: dict[str, Any], node: str, column: str) -> dict[str, Any]:
    """The lineage of `column` of `node`, the known columns as validation gives them."""
    (tmp_path / "f.flow").write_text(json.dumps(content))
    designer = FlowsDesigner(tmp_path)
    known = designer.validate({"path": "f.flow", "content": content})["columns"]
    flow = parse_flow(json.dumps(content))
    answer: dict[str, Any] = column_lineage(flow, node, column, known, tmp_path).as_dict()
    return answer


def roles(answer: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(s["node"], s["column"], s["role"]) for s in answer["path"]]


def chain(*steps: tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
    """`orders` (ORDERS inline) → each step (id, kind, params) in turn."""
    nodes = [{"id": "orders", **inline(ORDERS)}]
    nodes += [{"id": i, "kind": k, "params": p} for i, k, p in steps]
    ids = [n["id"] for n in nodes]
    return document(nodes, list(itertools.pairwise(ids)))


def test_a_renamed_column_comes_from_its_old_name(tmp_path: Path) -> None:
    content = chain(("named", "transform.rename", {"mapping": {"amount": "value"}}))
    answer = traced(tmp_path, content, "named", "value")
    assert answer["origins"] == [{"node": "orders", "column": "amount"}]
    assert roles(answer) == [("orders", "amount", "source"), ("named", "value", "renames")]
    assert answer["unknown"] == []


def test_a_derived_column_comes_from_both_columns_it_reads(tmp_path: Path) -> None:
    params = {"name": "label", "expression": "region || ':' || customer"}
    answer = traced(
        tmp_path, chain(("labelled", "transform.add_column", params)), "labelled", "label"
    )
    assert sorted(o["column"] for o in answer["origins"]) == ["customer", "region"]
    assert {o["node"] for o in answer["origins"]} == {"orders"}
    last = answer["path"][-1]
    assert (last["node"], last["role"]) == ("labelled", "derives")
    assert "region" in last["expression"]
    assert "customer" in last["expression"]
    assert "node_" not in last["expression"]  # the user's columns, not the CTEs'


def test_a_filter_and_an_aggregate_on_the_way(tmp_path: Path) -> None:
    content = json.loads((EXAMPLES / "sales_by_region.flow").read_text())
    (tmp_path / "sales.csv").write_text((EXAMPLES / "sales.csv").read_text())
    answer = traced(tmp_path, content, "show", "revenue")
    assert answer["origins"] == [{"node": "orders", "column": "amount"}]
    assert roles(answer) == [
        ("orders", "amount", "source"),
        ("big_orders", "amount", "filters"),
        ("per_region", "revenue", "derives"),
        ("biggest_first", "revenue", "passes"),
        ("show", "revenue", "passes"),
    ]
    grouped = traced(tmp_path, content, "show", "region")
    assert ("per_region", "region", "groups") in roles(grouped)
    counted = traced(tmp_path, content, "show", "orders")  # COUNT(*): no column
    assert counted["origins"] == []
    assert roles(counted)[0] == ("per_region", "orders", "derives")


def test_a_join_takes_columns_from_the_left_and_the_right(tmp_path: Path) -> None:
    nodes = [
        {"id": "orders", **inline(ORDERS)},
        {"id": "regions", **inline(REGIONS)},
        {
            "id": "joined",
            "kind": "transform.join",
            "params": {"how": "left", "on": [{"left": "region", "right": "region"}]},
        },
    ]
    edges = [edge(1, "orders", "joined", port="left"), edge(2, "regions", "joined", port="right")]
    content = document(nodes, edges)
    manager = traced(tmp_path, content, "joined", "manager")
    assert manager["origins"] == [{"node": "regions", "column": "manager"}]
    assert roles(manager)[-1] == ("joined", "manager", "joins")
    amount = traced(tmp_path, content, "joined", "amount")
    assert amount["origins"] == [{"node": "orders", "column": "amount"}]


def test_an_eager_node_stops_the_trace_and_is_named_unknown(tmp_path: Path) -> None:
    code = "def transform(df):\n    return df"
    content = chain(
        ("py", "transform.python", {"code": code}),
        ("named", "transform.rename", {"mapping": {"amount": "value"}}),
    )
    answer = traced(tmp_path, content, "named", "value")
    assert answer["unknown"] == ["py"]  # only a run knows what its code gives
    assert answer["origins"] == []
    assert answer["path"] == []


def test_a_column_the_node_lacks_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ColumnNotFound, match="no column 'nope'"):
        traced(tmp_path, chain(), "orders", "nope")


def test_columns_kept_beside_an_added_one_keep_their_spelling(tmp_path: Path) -> None:
    """add_column keeps the others with DuckDB's COLUMNS(lambda), which sqlglot cannot
    expand: the known columns stand for it; DuckDB's names are case-insensitive, and the
    answer spells them as the flow does."""
    source = {
        "id": "orders",
        "kind": "source.inline",
        "params": {
            "columns": [
                {"name": "Amount", "type": "DOUBLE"},
                {"name": "Region", "type": "VARCHAR"},
            ],
            "rows": [[1.0, "north"]],
        },
    }
    nodes = [
        source,
        {"id": "big", "kind": "transform.filter", "params": {"condition": "Amount > 0"}},
        {
            "id": "twice",
            "kind": "transform.add_column",
            "params": {"name": "Double", "expression": "Amount * 2"},
        },
    ]
    content = document(nodes, [("orders", "big"), ("big", "twice")])
    kept = traced(tmp_path, content, "twice", "Region")
    assert kept["origins"] == [{"node": "orders", "column": "Region"}]
    assert roles(kept) == [
        ("orders", "Region", "source"),
        ("big", "Region", "filters"),
        ("twice", "Region", "passes"),
    ]
    added = traced(tmp_path, content, "twice", "Double")
    assert added["origins"] == [{"node": "orders", "column": "Amount"}]
    assert roles(added)[-1] == ("twice", "Double", "derives")


def test_a_union_takes_a_column_from_both_inputs(tmp_path: Path) -> None:
    nodes = [
        {"id": "first", **inline(ORDERS)},
        {"id": "second", **inline(ORDERS)},
        {"id": "both", "kind": "transform.union", "params": {}},
    ]
    edges = [edge(1, "first", "both", port="a"), edge(2, "second", "both", port="b")]
    answer = traced(tmp_path, document(nodes, edges), "both", "amount")
    assert {o["node"] for o in answer["origins"]} == {"first", "second"}
