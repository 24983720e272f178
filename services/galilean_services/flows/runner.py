"""Run a flow on DuckDB: plan it (plan.py), then execute the steps; a run record with row
counts per node, the error and the node that raised it, and logs."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from sqlglot import exp

from . import polars_runner
from .cache import ResultCache
from .compiler import compile_node, upstream_of
from .issues import FlowInvalid, NodeError, NodeFailed, first_line
from .model import Flow
from .net import HttpPolicy
from .paths import flow_file, written_atomically
from .plan import Program, counts_behind, counts_query, counts_record, plan
from .probe import binds, connect, table_exists
from .registry import NodeKind, Registry, default_registry
from .sql import to_sql

ENGINES = ("auto", "duckdb")


@dataclass
class RunResult:
    status: str  # succeeded | failed
    started: float
    ended: float
    nodes: dict[str, dict[str, int]] = field(default_factory=dict)  # rows_in, rows_out
    outputs: dict[str, pa.Table] = field(default_factory=dict)  # display nodes
    error: dict[str, Any] | None = None  # {"node": id, "message": ...}
    logs: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)  # held results taken from the cache
    engine: str = "duckdb"  # duckdb | polars: which engine ran the flow


def kind_of(registry: Registry, name: str) -> NodeKind:
    kind = registry.get(name)
    assert kind is not None, name  # validated before running
    return kind


def execute(
    program: Program,
    con: duckdb.DuckDBPyConnection,
    registry: Registry,
    result: RunResult,
    *,
    http_policy: HttpPolicy | None = None,
    request: dict[str, Any] | None = None,
    cache: ResultCache | None = None,
    connections: Any = None,
) -> None:
    """Run the program's steps on `con`, filling `result` (raises on failure)."""
    flow = program.flow
    ctx = dataclasses.replace(
        program.ctx, http_policy=http_policy, request=request, connections=connections
    )
    fell_back: set[str] = set()  # try nodes whose try side failed
    for step in program.steps:
        node = flow.node(step.node)
        ctx.node_id = node.id
        tolerant = str(getattr(registry.get(node.kind), "tolerant", ""))
        try:
            if step.action == "eager":
                inputs = _eager_inputs(step.node, step.inputs, tolerant, con, fell_back, result)
                out = kind_of(registry, node.kind).produce(node.params, inputs, ctx)
                con.register(step.table, out)
                rows_in = sum(t.num_rows for t in inputs.values())
                result.logs.append(f"{node.id}: {node.kind}, {rows_in} rows in, {out.num_rows} out")
            elif step.action == "hold":
                held = cache.get(step.key) if cache is not None and step.key else None
                if held is not None:
                    con.register(step.table, held)
                    result.logs.append(f"{node.id}: reused {held.num_rows} rows (unchanged)")
                    result.reused.append(node.id)
                else:
                    con.execute(f'CREATE TEMP TABLE "{step.table}" AS {step.sql}')
                    if cache is not None and step.key:
                        cache.put(step.key, con.table(step.table).to_arrow_table())
            elif step.action == "file":
                # Streamed by DuckDB's COPY, not through Arrow as other writers are.
                target = flow_file(ctx, node.params["path"])
                fmt = node.params.get("format", "parquet").upper()
                with written_atomically(target, ctx.base_dir) as partial:
                    # Into the partial file itself, not a `tmp_<name>` beside it.
                    con.execute(
                        f"COPY ({step.sql}) TO {exp.Literal.string(str(partial)).sql()} "
                        f"(FORMAT {fmt}, USE_TMP_FILE false)"
                    )
                result.logs.append(f"{node.id}: wrote {target.name}")
            elif step.action == "write":
                rows = con.sql(step.sql).to_arrow_table()
                result.logs.append(kind_of(registry, node.kind).write(node.params, rows, ctx))
            else:
                result.outputs[node.id] = con.sql(step.sql).to_arrow_table()
        except (NodeError, duckdb.Error, ValueError, OSError) as exc:
            message = str(exc) if isinstance(exc, NodeError) else first_line(exc)
            at = node.id
            if isinstance(exc, duckdb.Error):  # one query spans many nodes: whose SQL?
                at, message = blame(program, registry, con, node.id, message)
            guard = program.guarded.get(node.id)
            if guard is None:
                raise NodeFailed(at, message) from None
            fell_back.add(guard)
            result.logs.append(f"{node.id}: failed ({message}); {guard} falls back")
    if program.counted:
        skip = set(program.guarded) if fell_back else set()
        result.nodes = _row_counts(program, con, cache, result.reused, skip)


def blame(
    program: Program,
    registry: Registry,
    con: duckdb.DuckDBPyConnection,
    node_id: str,
    message: str,
) -> tuple[str, str]:
    """The node whose SQL DuckDB cannot plan, and why: a node's query is compiled with
    the CTEs of every node before it, so the first of `node_id` and its upstream nodes
    (parents first) that does not bind is the one at fault. An error only the data
    shows (a cast, a division) binds everywhere: it stays with `node_id`."""
    ctx = dataclasses.replace(program.ctx, upstream={})
    ctx.materialized = {
        n: t for n, t in program.ctx.materialized.items() if table_exists(con, t)
    }  # a table whose step did not run yet is compiled from its node instead
    flow = program.flow
    for current in upstream_of(flow, node_id, frozenset(ctx.materialized)):
        kind = registry.get(flow.node(current).kind)
        if current in ctx.materialized or kind is None or kind.eager:
            continue  # rows already made (or made in Python): not this query's fault
        try:
            reason = binds(con, to_sql(compile_node(flow, current, ctx, registry)))
        except FlowInvalid as invalid:
            reason = invalid.issues[0].message
        if reason is not None:
            return current, reason
    return node_id, message


def _eager_inputs(
    node_id: str,
    queries: dict[str, str],
    tolerant: str,
    con: duckdb.DuckDBPyConnection,
    fell_back: set[str],
    result: RunResult,
) -> dict[str, pa.Table]:
    """An eager node's inputs; a try node's try side may fail, leaving it out."""
    if tolerant and tolerant in queries and node_id not in fell_back:
        try:  # the other inputs are only the fallback: not computed when this works
            return {tolerant: con.sql(queries[tolerant]).to_arrow_table()}
        except duckdb.Error as exc:
            result.logs.append(f"{node_id}: {tolerant} side failed ({first_line(exc)})")
            fell_back.add(node_id)
    inputs = {p: con.sql(sql).to_arrow_table() for p, sql in queries.items() if p != tolerant}
    if tolerant:
        result.logs.append(f"{node_id}: gave the fallback rows")
    return inputs


def _row_counts(
    program: Program,
    con: duckdb.DuckDBPyConnection,
    cache: ResultCache | None,
    reused: list[str],
    skip: set[str],
) -> dict[str, dict[str, int]]:
    """Rows out of every counted node, in one query; the nodes behind a reused result
    are not scanned again: their counts come from the run that made it."""
    rows_out = counts_behind(program, cache, reused)
    needed = [n for n in program.counted if n not in rows_out and n not in skip]
    if needed:
        rows_out.update(dict(con.sql(counts_query(program, needed)).fetchall()))
    return counts_record(program, cache, rows_out)


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
    program = plan(flow, params, base_dir, registry, targets=[node_id], limit=limit)
    result = RunResult(status="running", started=time.time(), ended=0.0)
    with connect(program.ctx.base_dir) as con:
        try:
            execute(program, con, registry, result)
        except NodeFailed as exc:
            raise NodeError(f"{exc.node}: {exc.message}") from None
    return result.outputs[node_id]


def run(
    flow: Flow,
    params: dict[str, Any] | None = None,
    base_dir: Path | None = None,
    registry: Registry | None = None,
    *,
    http_policy: HttpPolicy | None = None,
    request: dict[str, Any] | None = None,
    memory_limit: str = "",
    cache: ResultCache | None = None,
    connections: Any = None,
    engine: str = "auto",
) -> RunResult:
    """Run every destination; FlowInvalid (before anything runs) for a flow with problems.
    With a `cache`, held results of unchanged subgraphs are reused (and kept). Engine
    `auto` runs on Polars when every node has a Polars form (polars_runner), else on
    DuckDB; `duckdb` always on DuckDB (which alone honours `memory_limit`)."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    registry = registry or default_registry()
    program = plan(flow, params, base_dir, registry)
    eager: dict[str, pa.Table] = {}
    note = "engine: DuckDB (as asked)"
    if engine == "auto":
        problem = polars_runner.static_problem(program, registry)
        if not problem:
            result = RunResult(status="running", started=time.time(), ended=0.0, engine="polars")
            try:
                outcome = polars_runner.execute(
                    program, registry, result, http_policy=http_policy, request=request,
                    cache=cache, connections=connections,
                )  # fmt: skip
            except NodeFailed as exc:
                return _finished(result, exc)
            if outcome.done:
                result.logs.insert(0, "engine: Polars")
                return _finished(result)
            problem, eager = outcome.reason, outcome.eager
        note = f"engine: DuckDB (Polars cannot run {problem})"
    if eager:  # what eager nodes made is not made twice
        names = {node: f"eager_{node}" for node in eager}
        program = plan(flow, params, base_dir, registry, materialized=names)
    with connect(program.ctx.base_dir, memory_limit) as con:
        for node, rows in eager.items():
            con.register(f"eager_{node}", rows)
        result = run_program(
            program, registry, con=con, http_policy=http_policy, request=request, cache=cache,
            connections=connections,
        )  # fmt: skip
    result.logs.insert(0, note)
    return result


def _finished(result: RunResult, failure: NodeFailed | None = None) -> RunResult:
    if failure is None:
        result.status = "succeeded"
    else:
        result.status = "failed"
        result.error = {"node": failure.node, "message": failure.message}
        result.logs.append(f"failed at {failure.node}: {failure.message}")
    result.ended = time.time()
    return result


def run_program(
    program: Program,
    registry: Registry,
    *,
    con: duckdb.DuckDBPyConnection | None = None,
    http_policy: HttpPolicy | None = None,
    request: dict[str, Any] | None = None,
    cache: ResultCache | None = None,
    connections: Any = None,
) -> RunResult:
    result = RunResult(status="running", started=time.time(), ended=0.0)
    own = con is None
    con = connect(program.ctx.base_dir) if con is None else con
    try:
        execute(
            program, con, registry, result, http_policy=http_policy, request=request,
            cache=cache, connections=connections,
        )  # fmt: skip
        result.status = "succeeded"
    except NodeFailed as exc:
        _finished(result, exc)
    except (duckdb.Error, ValueError, OSError) as exc:
        result.status = "failed"
        result.error = {"node": None, "message": first_line(exc)}
        result.logs.append(f"failed: {first_line(exc)}")
    finally:
        if own:
            con.close()
    result.ended = time.time()
    return result


__all__ = ["FlowInvalid", "NodeFailed", "RunResult", "connect", "execute", "preview", "run"]
