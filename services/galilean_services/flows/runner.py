"""Run a flow: plan it (plan.py), then interpret its steps (interpret.py) on Polars when
every node it needs has a Polars form (polars_runner.py), else on DuckDB, the reference
engine (the backend here); a run record with row counts per node, the error and the node
that raised it, and logs."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec

import duckdb
import pyarrow as pa
from sqlglot import exp

from . import polars_runner
from .budget import Budget, use_for_polars
from .cache import ResultCache
from .compiler import compile_node
from .disk_cache import DEFAULT_DISK_BYTES, DiskCache
from .engine_choice import faster_on_duckdb
from .graph import upstream_of
from .interpret import Interpreter, RunResult, Services, run_context, user_message
from .issues import FlowInvalid, NodeError, NodeFailed, first_line
from .model import Flow
from .net import HttpPolicy
from .plan import (
    Program,
    Step,
    carry_counts,
    checked,
    counts_behind,
    counts_query,
    counts_record,
    plan,
)
from .probe import binds, connect, table_exists
from .registry import Registry, default_registry
from .sql import to_sql

ENGINES = ("auto", "polars", "duckdb")
P = ParamSpec("P")


class DuckDBBackend:
    """Each step's rows from its SQL, on one DuckDB connection."""

    errors: tuple[type[BaseException], ...] = (NodeError, duckdb.Error, ValueError, OSError)

    def __init__(
        self, program: Program, registry: Registry, con: duckdb.DuckDBPyConnection
    ) -> None:
        self.program, self.registry, self.con = program, registry, con
        self.counted: dict[str, int] = {}  # rows out of the nodes whose rows were made

    def input_ports(self, step: Step) -> list[str]:
        return list(step.inputs)

    def before_outputs(self) -> None:
        pass

    def input_rows(self, step: Step, port: str) -> pa.Table:
        rows = self.con.sql(step.inputs[port]).to_arrow_table()
        source, out = self.program.flow.input_edges(step.node)[port]
        if out == "out":
            self.counted[source] = rows.num_rows
        return rows

    def keep(self, step: Step, rows: pa.Table) -> None:
        self.con.register(step.table, rows)
        self.counted[step.node] = rows.num_rows

    def hold(self, step: Step, copy: bool) -> pa.Table | None:
        made = self.con.execute(f'CREATE TEMP TABLE "{step.table}" AS {step.sql}').fetchone()
        if made is not None:
            self.counted[step.node] = int(made[0])
        return self.con.table(step.table).to_arrow_table() if copy else None

    def write_file(self, step: Step, partial: Path, fmt: str) -> None:
        # Streamed by DuckDB's COPY, not through Arrow as other writers are.
        target = exp.Literal.string(str(partial)).sql()
        written = self.con.execute(
            f"COPY ({step.sql}) TO {target} (FORMAT {fmt.upper()}, USE_TMP_FILE false)"
        ).fetchone()
        if written is not None:
            self.counted[step.node] = int(written[0])

    def rows(self, step: Step) -> pa.Table:
        rows = self.con.sql(step.sql).to_arrow_table()
        self.counted[step.node] = rows.num_rows
        return rows

    def blame(self, node_id: str, exc: BaseException) -> tuple[str, str]:
        if isinstance(exc, duckdb.Error):  # one query spans many nodes: whose SQL?
            return blame(self.program, self.registry, self.con, node_id, first_line(exc))
        return node_id, user_message(exc)


def execute(
    program: Program,
    con: duckdb.DuckDBPyConnection,
    registry: Registry,
    result: RunResult,
    services: Services | None = None,
    cache: ResultCache | None = None,
) -> None:
    """Run the program's steps on `con`, filling `result` (raises on failure)."""
    ctx = run_context(program, services or Services())
    backend = DuckDBBackend(program, registry, con)
    interpreter = Interpreter(program, registry, backend, result, ctx, cache)
    interpreter.run()
    if program.counted:
        skip = set(program.guarded) if interpreter.fell_back else set()
        result.nodes = _row_counts(program, con, cache, result, backend.counted, skip)


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


def _row_counts(
    program: Program,
    con: duckdb.DuckDBPyConnection,
    cache: ResultCache | None,
    result: RunResult,
    counted: dict[str, int],
    skip: set[str],
) -> dict[str, dict[str, int]]:
    """Rows out of every counted node: from the rows the run made (held, eager,
    written, displayed), carried through nodes that keep their input's rows, and the
    rest in one query; the nodes behind a reused result are not scanned again: their
    counts come from the run that made it."""
    rows_out = {**counts_behind(program, cache, result.reused), **counted}
    for node in skip:  # what a failed tolerant side made is not the run's
        rows_out.pop(node, None)
    carry_counts(program, rows_out)
    for node in skip:
        rows_out.pop(node, None)
    needed = [n for n in program.counted if n not in rows_out and n not in skip]
    if needed:
        rows_out.update(dict(con.sql(counts_query(program, needed)).fetchall()))
    return counts_record(program, cache, rows_out)


@dataclasses.dataclass
class Preview:
    """A node's first rows, which held results were reused, and how long it took."""

    rows: pa.Table
    reused: list[str]
    seconds: float
    engine: str = "duckdb"


def preview_of(
    flow: Flow,
    node_id: str,
    limit: int = 100,
    params: dict[str, Any] | None = None,
    base_dir: Path | None = None,
    registry: Registry | None = None,
    *,
    cache: ResultCache | None = None,
    cache_folder: Path | None = None,
    cache_bytes: int = DEFAULT_DISK_BYTES,
    memory_limit: str = "",
    spill_root: Path | None = None,
    connections: Any = None,
    secrets: Any = None,
) -> Preview:
    """The first `limit` rows of one node, computing only what they need, with the held
    results it reused and the time taken; with a cache (or a cache folder), blocking
    nodes are held and taken from it when unchanged. NodeFailed names the node at fault
    (FlowInvalid: the flow's problems); preview() gives the rows alone. `connections`:
    the owner's SQL connections (None: the current user's, read from their folder);
    `secrets`: a reader of the owner's secrets (secret_refs.SecretReader)."""
    registry = registry or default_registry()
    budget = Budget.of(memory_limit, spill_root)
    cache = _cache(cache, cache_folder, cache_bytes, budget)
    hold: bool | str = "always" if cache is not None else True
    program = plan(flow, params, base_dir, registry, targets=[node_id], limit=limit, hold=hold)
    result = RunResult(status="running", started=time.time(), ended=0.0)
    with connect(program.ctx.base_dir, memory_limit, spill_root) as con:
        services = Services(connections=connections, secrets=secrets)
        execute(program, con, registry, result, services, cache)
    seconds = time.time() - result.started
    return Preview(result.outputs[node_id], sorted(result.reused), seconds)


def _rows_only(of: Callable[P, Preview]) -> Callable[P, pa.Table]:
    def rows(*args: P.args, **kwargs: P.kwargs) -> pa.Table:
        try:
            return of(*args, **kwargs).rows
        except NodeFailed as exc:
            raise NodeError(f"{exc.node}: {exc.message}") from None

    rows.__doc__ = """The first `limit` rows of one node, computing only what they need; with
    a cache (or a cache folder), blocking nodes are held and taken from it when unchanged
    (preview_of's arguments; NodeError names the node at fault)."""
    return rows


preview = _rows_only(preview_of)


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
    cache_folder: Path | None = None,
    cache_bytes: int = DEFAULT_DISK_BYTES,
    spill_root: Path | None = None,
    targets: list[str] | None = None,
    home: Path | None = None,
    origin: dict[str, str] | None = None,
    secrets: Any = None,
) -> RunResult:
    """Run every destination; FlowInvalid (before anything runs) for a flow with problems.
    With a `cache`, held results of unchanged subgraphs are reused (and kept); with a
    `cache_folder` instead, the cache is on disk there, shared by processes (at most
    `cache_bytes`; disk_cache.default_folder() is the user's). Engine
    `auto` runs on Polars when every node has a Polars form (polars_runner), else on
    DuckDB; `duckdb` always on DuckDB. A `memory_limit` (1GB, 512MiB) is the whole
    run's budget, kept by either engine (budget.py), spilling under `spill_root`.
    `targets` runs only what those nodes need ("run up to here"; default: every
    destination): a destination among them writes, any other node is displayed.
    `polars` runs on Polars whenever it can, even where auto would choose DuckDB as the
    faster (engine_choice.py). `secrets` reads the owner's secrets for the nodes that send
    one (secret_refs.py; None: such a node fails)."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    registry = registry or default_registry()
    budget = Budget.of(memory_limit, spill_root)
    cache = _cache(cache, cache_folder, cache_bytes, budget)
    checked(flow, registry, base_dir or Path.cwd())  # once: the plans below trust it
    services = Services(
        http_policy, request, connections, home, dict(origin or {}), [], secrets=secrets
    )
    note = "engine: DuckDB (as asked)"
    eager: dict[str, pa.Table] = {}
    if engine != "duckdb":
        # Polars keeps all but the last blocking nodes in one lazy query (a rerun after
        # an edit downstream reuses those from the cache); without a cache, only what
        # several targets need is made once.
        hold = "last" if cache is not None else "shared"
        lazy = plan(flow, params, base_dir, registry, targets=targets, validated=True, hold=hold)
        faster = faster_on_duckdb(lazy, registry) if engine == "auto" else ""
        if faster:
            note = f"engine: DuckDB (faster for {faster})"
        else:
            use_for_polars(budget)
            done, problem, eager = _on_polars(lazy, registry, services, cache)
            if done is not None:
                done.trainings = services.trainings or []
                return done
            note = f"engine: DuckDB (Polars cannot run {problem})"
    # DuckDB holds the last aggregation on each way (a small table that counts its rows
    # as it is made, reused by a rerun after an edit downstream) and what several targets
    # need; windows, sorts and fills stay in one query, where DuckDB shares one window
    # operator among windows of one partitioning. What eager nodes made on the way to
    # Polars is not made twice.
    names = {node: f"eager_{node}" for node in eager}
    program = plan(
        flow,
        params,
        base_dir,
        registry,
        targets=targets,
        validated=True,
        materialized=names,
        hold="last",
    )
    with connect(program.ctx.base_dir, memory_limit, spill_root) as con:
        for node, rows in eager.items():
            con.register(f"eager_{node}", rows)
        result = _run_on(program, registry, con, services, cache)
    result.logs.insert(0, note)
    result.trainings = services.trainings or []
    return result


def _cache(
    cache: ResultCache | None, folder: Path | None, max_bytes: int, budget: Budget | None
) -> ResultCache | None:
    """The cache given, else one on disk in `folder` (given; its copy in memory within
    the budget's share), else none (also when the folder cannot be made: a cache only
    saves time, it never fails a run)."""
    if cache is not None or folder is None:
        return cache
    try:
        return DiskCache(folder, max_bytes, memory_bytes=budget.cache_bytes if budget else None)
    except OSError:  # a folder this account may not write: the run goes on without
        return None


def _on_polars(
    program: Program, registry: Registry, services: Services, cache: ResultCache | None
) -> tuple[RunResult | None, str, dict[str, pa.Table]]:
    """The run on Polars; or None, why Polars cannot run it, and the rows eager nodes
    made meanwhile (not made again on DuckDB)."""
    problem = polars_runner.static_problem(program, registry)
    if problem:
        return None, problem, {}
    result = RunResult(status="running", started=time.time(), ended=0.0, engine="polars")
    try:
        outcome = polars_runner.execute(program, registry, result, services, cache)
    except NodeFailed as exc:
        return _finished(result, exc), "", {}
    if not outcome.done:
        return None, outcome.reason, outcome.eager
    result.logs.insert(0, "engine: Polars")
    return _finished(result), "", {}


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
    secrets: Any = None,
) -> RunResult:
    """Run a planned program on DuckDB (on `con`, else a connection of its own)."""
    services = Services(http_policy, request, connections, secrets=secrets)
    if con is not None:
        return _run_on(program, registry, con, services, cache)
    with connect(program.ctx.base_dir) as own:
        return _run_on(program, registry, own, services, cache)


def _run_on(
    program: Program,
    registry: Registry,
    con: duckdb.DuckDBPyConnection,
    services: Services,
    cache: ResultCache | None,
) -> RunResult:
    result = RunResult(status="running", started=time.time(), ended=0.0)
    try:
        execute(program, con, registry, result, services, cache)
    except NodeFailed as exc:
        return _finished(result, exc)
    except (duckdb.Error, ValueError, OSError) as exc:
        result.status = "failed"
        result.error = {"node": None, "message": first_line(exc)}
        result.logs.append(f"failed: {first_line(exc)}")
        result.ended = time.time()
        return result
    return _finished(result)


__all__ = [
    "FlowInvalid",
    "NodeFailed",
    "Preview",
    "RunResult",
    "connect",
    "execute",
    "preview",
    "preview_of",
    "run",
]
