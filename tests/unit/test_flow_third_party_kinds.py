"""A third party's kinds declare on NodeKind what the engine needs (blocking, tolerant),
in a registry of their own, and the engine treats them so: it asks the registry, never a
kind's name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
from flow_builders import ORDERS, edge, graph, inline, same
from sqlglot import exp

from galilean_services.flows import Flow
from galilean_services.flows.cache import ResultCache
from galilean_services.flows.issues import NodeError
from galilean_services.flows.kinds import register_builtin
from galilean_services.flows.plan import Action, plan
from galilean_services.flows.polars_runner import static_problem
from galilean_services.flows.registry import (
    Columns,
    CompileContext,
    EagerKind,
    NodeKind,
    Registry,
)
from galilean_services.flows.runner import run

NO_PARAMS = {"type": "object", "properties": {}, "additionalProperties": False}


class Largest(NodeKind):
    """The row with the largest amount: it must see every row first (blocking) and gives
    far fewer rows than it reads (summarizes: a run holds its result for reruns)."""

    name = "acme.largest"
    title = "Largest amount"
    category = "transform"
    params_schema = NO_PARAMS
    blocking = True
    summarizes = True

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        by_amount = exp.Ordered(this=exp.column("amount"), desc=True, nulls_first=False)
        return exp.select("*").from_(inputs["in"]).order_by(by_amount).limit(1)


class Either(EagerKind):
    """The rows of `primary`, else of `backup` (tolerant: `primary` may fail)."""

    name = "acme.either"
    title = "Primary, else backup"
    category = "control"
    inputs = ("primary", "backup")
    params_schema = NO_PARAMS
    tolerant = "primary"

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        return upstream.get("primary") or upstream.get("backup")

    def produce(
        self, params: dict[str, Any], inputs: dict[str, pa.Table], ctx: CompileContext
    ) -> pa.Table:
        return inputs["primary"] if "primary" in inputs else inputs["backup"]


class Flaky(EagerKind):
    """A remote source that is down."""

    name = "acme.flaky"
    title = "Flaky API"
    category = "source"
    inputs = ()
    params_schema = NO_PARAMS

    def produce(
        self, params: dict[str, Any], inputs: dict[str, pa.Table], ctx: CompileContext
    ) -> pa.Table:
        raise NodeError("the API is down")


def acme_registry() -> Registry:
    registry = Registry()
    register_builtin(registry)
    for kind in (Largest(), Either(), Flaky()):
        registry.register(kind)
    return registry


def either_flow(primary: dict[str, Any]) -> Flow:
    return graph(
        [
            {"id": "primary", **primary},
            {"id": "backup", **inline(ORDERS.head(2))},
            {"id": "either", "kind": "acme.either", "params": {}},
            {"id": "out", "kind": "destination.display", "params": {}},
        ],
        [
            edge(1, "primary", "either", port="primary"),
            edge(2, "backup", "either", port="backup"),
            edge(3, "either", "out"),
        ],
    )


def test_a_blocking_kind_is_held_and_its_result_reused(tmp_path: Path) -> None:
    registry = acme_registry()
    flow = graph(
        [
            {"id": "orders", **inline(ORDERS)},
            {"id": "top", "kind": "acme.largest", "params": {}},
            {"id": "out", "kind": "destination.display", "params": {}},
        ],
        [("orders", "top"), ("top", "out")],
    )
    program = plan(flow, base_dir=tmp_path, registry=registry)
    assert [(s.node, s.action) for s in program.steps] == [
        ("top", Action.HOLD),
        ("out", Action.DISPLAY),
    ]
    cache = ResultCache()
    first = run(flow, base_dir=tmp_path, registry=registry, cache=cache)
    assert first.status == "succeeded", first.error
    assert first.outputs["out"].to_pylist()[0]["amount"] == 40.0
    again = run(flow, base_dir=tmp_path, registry=registry, cache=cache)
    assert again.reused == ["top"]
    assert again.outputs["out"].to_pylist() == first.outputs["out"].to_pylist()


def test_a_tolerant_input_may_fail_without_failing_the_run(tmp_path: Path) -> None:
    registry = acme_registry()
    missing = either_flow({"kind": "source.file", "params": {"path": "not-there.parquet"}})
    outcome = run(missing, base_dir=tmp_path, registry=registry)
    assert outcome.status == "succeeded", outcome.error
    same(outcome.outputs["out"].to_pandas(), ORDERS.head(2), sort=["id"])
    assert any(line.startswith("either: primary side failed") for line in outcome.logs)
    # DuckDB decides when to fall back: the flow does not run on Polars.
    program = plan(missing, base_dir=tmp_path, registry=registry)
    assert "acme.either may fall back" in static_problem(program, registry)


def test_a_node_only_a_tolerant_input_needs_may_fail(tmp_path: Path) -> None:
    registry = acme_registry()
    flow = either_flow({"kind": "acme.flaky", "params": {}})
    assert plan(flow, base_dir=tmp_path, registry=registry).guarded == {"primary": "either"}
    outcome = run(flow, base_dir=tmp_path, registry=registry)
    assert outcome.status == "succeeded", outcome.error
    assert outcome.outputs["out"].num_rows == 2
    assert "primary: failed (the API is down); either falls back" in outcome.logs
