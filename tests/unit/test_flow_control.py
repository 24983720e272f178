"""Control kinds: branch, merge, try/fallback — checked against pandas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flow_builders import ORDERS, edge, graph, inline, same

from galilean_services.flows import Flow, validate
from galilean_services.flows.runner import run


def flow(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], **doc: Any) -> Flow:
    return graph(nodes, edges, name="control", **doc)


def branch_flow(condition: str, **doc: Any) -> Any:
    return flow(
        [
            {"id": "orders", **inline(ORDERS)},
            {"id": "split", "kind": "control.branch", "params": {"condition": condition}},
            {"id": "yes", "kind": "destination.display", "params": {}},
            {"id": "no", "kind": "destination.display", "params": {}},
            {"id": "again", "kind": "control.merge", "params": {}},
            {"id": "all", "kind": "destination.display", "params": {}},
        ],
        [
            edge(1, "orders", "split"),
            edge(2, "split", "yes", out="true"),
            edge(3, "split", "no", out="false"),
            edge(4, "split", "again", out="true", port="a"),
            edge(5, "split", "again", out="false", port="b"),
            edge(6, "again", "all"),
        ],
        **doc,
    )


def test_branch_routes_rows_and_merge_joins_them_again() -> None:
    outcome = run(branch_flow("amount > 9"))
    assert outcome.status == "succeeded", outcome.error
    big = ORDERS.amount > 9
    same(outcome.outputs["yes"].to_pandas(), ORDERS[big], sort=["id"])
    # Rows where the condition is unknown (amount missing) take the false side.
    same(outcome.outputs["no"].to_pandas(), ORDERS[~big], sort=["id"])
    same(outcome.outputs["all"].to_pandas(), ORDERS, sort=["id"])


def test_branch_on_a_parameter_routes_everything_one_way() -> None:
    parameters = [{"name": "full", "type": "boolean", "default": True}]
    outcome = run(branch_flow(":full", parameters=parameters))
    assert outcome.outputs["yes"].num_rows == len(ORDERS)
    assert outcome.outputs["no"].num_rows == 0
    outcome = run(branch_flow(":full", parameters=parameters), {"full": "false"})
    assert outcome.outputs["yes"].num_rows == 0
    assert outcome.outputs["no"].num_rows == len(ORDERS)


def test_unknown_output_port_and_column_are_reported() -> None:
    bad = branch_flow("nope > 1")
    bad.edges[1].source_port = "maybe"
    issues = {(i.code, i.node, i.edge) for i in validate(bad)}
    assert ("edge", "split", "e2") in issues
    assert ("unknown-column", "split", None) in issues


def try_flow(tmp_path: Path, primary: dict[str, Any]) -> Any:
    fallback = ORDERS.head(2)
    return flow(
        [
            {"id": "primary", **primary},
            {"id": "backup", **inline(fallback)},
            {"id": "either", "kind": "control.try", "params": {}},
            {"id": "out", "kind": "destination.display", "params": {}},
        ],
        [
            edge(1, "primary", "either", port="try"),
            edge(2, "backup", "either", port="fallback"),
            edge(3, "either", "out"),
        ],
    )


def test_try_gives_the_try_side_when_it_works(tmp_path: Path) -> None:
    ORDERS.to_parquet(tmp_path / "orders.parquet")
    primary = {"kind": "source.file", "params": {"path": "orders.parquet"}}
    outcome = run(try_flow(tmp_path, primary), base_dir=tmp_path)
    assert outcome.status == "succeeded", outcome.error
    same(outcome.outputs["out"].to_pandas(), ORDERS, sort=["id"])


def test_try_falls_back_on_a_missing_file(tmp_path: Path) -> None:
    primary = {"kind": "source.file", "params": {"path": "not-there.parquet"}}
    outcome = run(try_flow(tmp_path, primary), base_dir=tmp_path)
    assert outcome.status == "succeeded", outcome.error
    same(outcome.outputs["out"].to_pandas(), ORDERS.head(2), sort=["id"])
    assert any("gave the fallback rows" in line for line in outcome.logs)


def test_try_falls_back_when_user_code_raises(tmp_path: Path) -> None:
    nodes = [
        {"id": "orders", **inline(ORDERS)},
        {
            "id": "py",
            "kind": "transform.python",
            "params": {"code": "def transform(df):\n    raise ValueError('no luck')\n"},
        },
        {"id": "backup", **inline(ORDERS.head(1))},
        {"id": "either", "kind": "control.try", "params": {}},
        {"id": "out", "kind": "destination.display", "params": {}},
    ]
    edges = [
        edge(1, "orders", "py"),
        edge(2, "py", "either", port="try"),
        edge(3, "backup", "either", port="fallback"),
        edge(4, "either", "out"),
    ]
    outcome = run(flow(nodes, edges), base_dir=tmp_path)
    assert outcome.status == "succeeded", outcome.error
    assert outcome.outputs["out"].num_rows == 1
    assert any("py: failed (ValueError" in line for line in outcome.logs)
    # Without the try node the same failure fails the run, naming the node.
    plain = flow([*nodes[:2], nodes[4]], [edge(1, "orders", "py"), edge(2, "py", "out")])
    failed = run(plain, base_dir=tmp_path)
    assert failed.status == "failed"
    assert failed.error is not None
    assert failed.error["node"] == "py"
