"""Which engine runs a flow that both could run: Polars unless a node the flow needs runs
clearly faster on DuckDB where it sits — a kind says when (`NodeKind.faster_on_duckdb`),
and it counts only on rows not yet summarized (after an aggregation, a few thousand rows
take no time on either engine, and the rest of the flow is usually faster on Polars)."""

from __future__ import annotations

from .graph import upstream_of
from .plan import Program
from .registry import Registry


def faster_on_duckdb(program: Program, registry: Registry) -> str:
    """Why DuckDB should run this program ("" when Polars should): the first needed node
    whose kind runs faster on DuckDB with no summarizing node before it."""
    flow = program.flow
    needed: set[str] = set()
    for step in program.steps:
        needed.update(upstream_of(flow, step.node))
    for node_id in sorted(needed):
        node = flow.node(node_id)
        if not registry.kind_of(node.kind).faster_on_duckdb(node.params):
            continue
        before = upstream_of(flow, node_id)
        if not any(registry.kind_of(flow.node(n).kind).summarizes for n in before):
            return f"node {node_id}: {node.kind} on rows not yet summarized"
    return ""
