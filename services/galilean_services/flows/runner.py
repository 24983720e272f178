"""Run a flow on DuckDB: one query per destination, row counts per node, a run record."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from sqlglot import exp

from .compiler import compile_node, resolve_params, table, upstream_of
from .issues import FlowInvalid, NodeError
from .model import Flow
from .paths import flow_file, written_atomically
from .registry import CompileContext, NodeKind, Registry, default_registry
from .sql import to_sql
from .validate import validate


@dataclass
class RunResult:
    status: str  # succeeded | failed
    started: float
    ended: float
    nodes: dict[str, dict[str, int]] = field(default_factory=dict)  # rows_in, rows_out
    outputs: dict[str, pa.Table] = field(default_factory=dict)  # display nodes
    error: dict[str, Any] | None = None  # {"node": id, "message": ...}
    logs: list[str] = field(default_factory=list)


def kind_of(registry: Registry, name: str) -> NodeKind:
    kind = registry.get(name)
    assert kind is not None, name  # validated before running
    return kind


def connect(base_dir: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection that can touch files only under the flow's folder (defence in
    depth under the kinds' own path checks: user expressions run in this engine)."""
    con = duckdb.connect()
    folder = str(base_dir.resolve()).rstrip("/") + "/"
    con.execute("SET allowed_directories = $dirs", {"dirs": [folder]})
    con.execute("SET enable_external_access = false")
    return con


def run_eager_nodes(
    flow: Flow,
    targets: list[str],
    con: duckdb.DuckDBPyConnection,
    ctx: CompileContext,
    registry: Registry,
    logs: list[str] | None = None,
) -> None:
    """Eager nodes upstream of `targets` (Python transforms, spreadsheets, remote APIs)
    make their rows first, fed by their inputs' queries; the rows are held for the one
    query that follows."""
    for target in targets:
        for node_id in upstream_of(flow, target, frozenset(ctx.materialized)):
            node = flow.node(node_id)
            kind = registry.get(node.kind)
            if kind is None or not kind.eager or node_id in ctx.materialized:
                continue
            inputs = {
                port: con.sql(to_sql(compile_node(flow, src, ctx, registry))).to_arrow_table()
                for port, src in flow.inputs_of(node_id).items()
            }
            try:
                out = kind.produce(node.params, inputs, ctx)
            except NodeError as exc:
                raise NodeFailed(node_id, str(exc)) from None
            name = f"eager_{node_id}"
            con.register(name, out)
            ctx.materialized[node_id] = name
            if logs is not None:
                rows_in = sum(t.num_rows for t in inputs.values())
                logs.append(f"{node_id}: {node.kind}, {rows_in} rows in, {out.num_rows} out")


# Kinds that must see all their input before giving a row: their (usually small) output
# is kept in a temporary table, so destinations and row counts reuse it.
BLOCKING = {"transform.aggregate", "transform.window", "transform.deduplicate", "transform.pivot"}


def hold_blocking_nodes(
    flow: Flow,
    targets: list[str],
    con: duckdb.DuckDBPyConnection,
    ctx: CompileContext,
    registry: Registry,
) -> None:
    seen: set[str] = set()
    for target in targets:
        for node_id in upstream_of(flow, target):
            if node_id in seen or flow.node(node_id).kind not in BLOCKING:
                continue
            seen.add(node_id)
            query = to_sql(compile_node(flow, node_id, ctx, registry))
            name = f"held_{node_id}"
            con.execute(f'CREATE TEMP TABLE "{name}" AS {query}')
            ctx.materialized[node_id] = name


class NodeFailed(Exception):
    def __init__(self, node: str, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message


def _checked(flow: Flow, registry: Registry) -> None:
    issues = validate(flow, registry)
    if issues:
        raise FlowInvalid(issues)


def preview(
    flow: Flow,
    node_id: str,
    limit: int = 100,
    params: dict[str, Any] | None = None,
    base_dir: Path | None = None,
    registry: Registry | None = None,
) -> pa.Table:
    """The first `limit` rows of one node, computing only what they need."""
    registry = registry or default_registry()
    _checked(flow, registry)
    base = base_dir or Path.cwd()
    ctx = CompileContext(resolve_params(flow, params), base)
    with connect(base) as con:
        run_eager_nodes(flow, [node_id], con, ctx, registry)
        query = compile_node(flow, node_id, ctx, registry).limit(limit)
        return con.sql(to_sql(query)).to_arrow_table()


def run(
    flow: Flow,
    params: dict[str, Any] | None = None,
    base_dir: Path | None = None,
    registry: Registry | None = None,
) -> RunResult:
    registry = registry or default_registry()
    _checked(flow, registry)
    base = base_dir or Path.cwd()
    ctx = CompileContext(resolve_params(flow, params), base)
    result = RunResult(status="running", started=time.time(), ended=0.0)
    destinations = [n for n in flow.nodes if registry.get(n.kind).category == "destination"]  # type: ignore[union-attr]
    current = ""
    try:
        with connect(base) as con:
            run_eager_nodes(flow, [n.id for n in destinations], con, ctx, registry, result.logs)
            hold_blocking_nodes(flow, [n.id for n in destinations], con, ctx, registry)
            for node in destinations:
                current = node.id
                query = compile_node(flow, node.id, ctx, registry)
                if node.kind == "destination.file":
                    # Streamed by DuckDB's COPY, not through Arrow as other writers are.
                    target = flow_file(ctx, node.params["path"])
                    fmt = node.params.get("format", "parquet").upper()
                    with written_atomically(target) as partial:
                        con.execute(
                            f"COPY ({to_sql(query)}) TO "
                            f"{exp.Literal.string(str(partial)).sql()} (FORMAT {fmt})"
                        )
                    result.logs.append(f"{node.id}: wrote {target.name}")
                elif kind_of(registry, node.kind).writes:
                    rows = con.sql(to_sql(query)).to_arrow_table()
                    try:
                        result.logs.append(
                            kind_of(registry, node.kind).write(node.params, rows, ctx)
                        )
                    except NodeError as exc:
                        raise NodeFailed(node.id, str(exc)) from None
                else:
                    result.outputs[node.id] = con.sql(to_sql(query)).to_arrow_table()
            current = ""
            result.nodes = _row_counts(flow, con, ctx, registry, [n.id for n in destinations])
        result.status = "succeeded"
    except FlowInvalid:
        raise
    except NodeFailed as exc:
        result.status = "failed"
        result.error = {"node": exc.node, "message": exc.message}
        result.logs.append(f"failed at {exc.node}: {exc.message}")
    except (duckdb.Error, ValueError, OSError) as exc:
        result.status = "failed"
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        result.error = {"node": current or None, "message": message}
        result.logs.append(f"failed at {current or 'the flow'}: {message}")
    result.ended = time.time()
    return result


def _row_counts(
    flow: Flow,
    con: duckdb.DuckDBPyConnection,
    ctx: CompileContext,
    registry: Registry,
    sinks: list[str],
) -> dict[str, dict[str, int]]:
    """Rows out of every node that feeds a destination, in one query (held nodes are
    counted from their tables)."""
    needed: list[str] = []
    for sink in sinks:
        needed += [n for n in upstream_of(flow, sink) if n not in needed]
    if not needed:
        return {}
    ctes: list[exp.Expression] = []
    seen: set[str] = set()
    for node_id in needed:  # held nodes cut their upstream off: ask for every node
        for cte in compile_node(flow, node_id, ctx, registry).args["with_"].expressions:
            if cte.alias not in seen:
                seen.add(cte.alias)
                ctes.append(cte)
    counts = [
        exp.select(exp.Literal.string(n).as_("node"), exp.func("COUNT", exp.Star()).as_("n")).from_(
            table(n)
        )
        for n in needed
    ]
    union: Any = counts[0]
    for part in counts[1:]:
        union = exp.union(union, part, distinct=False)
    query = exp.select("*").from_(union.subquery("counts"))
    query.set("with_", exp.With(expressions=ctes))
    rows_out = dict(con.sql(to_sql(query)).fetchall())
    return {
        n: {
            "rows_in": sum(rows_out.get(src, 0) for src in flow.inputs_of(n).values()),
            "rows_out": int(rows_out[n]),
        }
        for n in needed
    }
