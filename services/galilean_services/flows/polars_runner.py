"""Run a planned flow on Polars instead of DuckDB, when every node it needs has a Polars
form with the same meaning (each kind's `lazy`): the program's steps are the same
(eager nodes first, blocking nodes held, then the destinations) and interpret.py runs
them; this module is the Polars backend (each node's rows as a lazy frame).

Polars is the faster engine on one machine for what flows mostly do (scans of Parquet,
filters, joins to small tables, group-bys with distinct counts). Where a node has no
Polars form (a SQL transform, a CSV source, an expression Polars reads differently), or
Polars fails before anything was written, the caller runs the flow on DuckDB, the
reference engine, handing over what eager nodes already made (`Outcome.eager`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
from sqlglot import exp

from .cache import ResultCache
from .graph import upstream_of
from .interpret import OUTPUTS, Interpreter, RunResult, Services, run_context, user_message
from .issues import NodeError, NodeFailed, first_line
from .plan import Action, Program, Step, carry_counts, counts_behind, counts_record
from .polars_expr import NoPolarsForm
from .polars_tally import Tally, single_chains
from .registry import CompileContext, NodeKind, Registry

ROWS_IN = "__galilean_rows_in"
# Anything Polars may raise while building or running a plan: the flow then runs on DuckDB.
POLARS_TROUBLE = (NoPolarsForm, pl.exceptions.PolarsError, OSError, ValueError, TypeError)


@dataclass
class Outcome:
    done: bool  # False: run the flow on DuckDB instead (see `reason`)
    reason: str = ""
    eager: dict[str, pa.Table] = field(default_factory=dict)  # eager nodes' rows so far


def arrow_of(frame: pl.DataFrame) -> pa.Table:
    """Arrow as DuckDB gives it (plain, not large, strings), so outputs do not depend on
    the engine that made them."""
    table = frame.to_arrow()
    fields = [
        f.with_type(pa.string())
        if pa.types.is_large_string(f.type) or pa.types.is_string_view(f.type)
        else f
        for f in table.schema
    ]
    return table.cast(pa.schema(fields))


def static_problem(program: Program, registry: Registry) -> str:
    """Why this program cannot run on Polars, as far as can be told without data."""
    needed: set[str] = set()
    for step in program.steps:
        needed.update(upstream_of(program.flow, step.node))
    for node_id in sorted(needed):
        kind = registry.kind_of(program.flow.node(node_id).kind)
        if kind.tolerant:  # a try node
            return f"node {node_id}: {kind.name} may fall back (DuckDB decides when)"
        if not kind.eager and type(kind).lazy is NodeKind.lazy:
            return f"node {node_id}: {kind.name} has no Polars form"
    return ""


class Frames:
    """Each node's rows as a lazy frame, built from the graph when first asked for."""

    def __init__(
        self, program: Program, registry: Registry, ctx: CompileContext, tally: Tally
    ) -> None:
        self.flow, self.registry, self.ctx = program.flow, registry, ctx
        self.tally = tally
        self.built: dict[tuple[str, str], pl.LazyFrame] = {}

    def kind(self, node_id: str) -> NodeKind:
        return self.registry.kind_of(self.flow.node(node_id).kind)

    def inputs(self, node_id: str) -> dict[str, pl.LazyFrame]:
        return {
            port: self.get(src, out) for port, (src, out) in self.flow.input_edges(node_id).items()
        }

    def get(self, node_id: str, port: str = "out") -> pl.LazyFrame:
        if (node_id, "out") not in self.built:
            # Its upstream first, parents before children: each build then finds its inputs
            # built, and a long chain of nodes cannot exhaust the stack.
            held = frozenset(n for n, p in self.built if p == "out")
            for parent in upstream_of(self.flow, node_id, held)[:-1]:
                if (parent, "out") not in self.built:
                    self.built[(parent, "out")] = self.build(parent)
        if (node_id, port) not in self.built:
            if port != "out":
                node = self.flow.node(node_id)
                frame = self.kind(node_id).lazy_output(
                    node.params, port, self.get(node_id), self.ctx
                )
            else:
                frame = self.build(node_id)
            self.built[(node_id, port)] = frame
        return self.built[(node_id, port)]

    def build(self, node_id: str, count_rows_as: str = "") -> pl.LazyFrame:
        """The node's frame from its inputs' (with `count_rows_as`, also counting its
        input rows in that column, if the kind can)."""
        node = self.flow.node(node_id)
        inputs = self.inputs(node_id)
        self.ctx.node_id, self.ctx.count_rows_as = node_id, count_rows_as
        try:
            return self.tally.wrap(node_id, self.kind(node_id).lazy(node.params, inputs, self.ctx))
        finally:
            self.ctx.count_rows_as = ""

    def hold(self, node_id: str, rows: pl.DataFrame) -> None:
        self.built[(node_id, "out")] = rows.lazy()


def collect(frame: pl.LazyFrame) -> pl.DataFrame:
    return frame.collect(engine="streaming")


class PolarsBackend:
    """Each step's rows from its node's lazy frame. Nothing is handled per step: any
    trouble ends the Polars run (`execute` decides what it means)."""

    errors: tuple[type[BaseException], ...] = ()

    def __init__(
        self, program: Program, frames: Frames, cache: ResultCache | None, result: RunResult
    ) -> None:
        self.program, self.frames = program, frames
        self.cache, self.result = cache, result
        self.counted: dict[str, int] = {}  # rows out of eager, held and output nodes
        self.eager: dict[str, pa.Table] = {}  # eager nodes' rows
        self.to_count: list[str] = []  # nodes whose rows the first output counts on its way

    def input_ports(self, step: Step) -> list[str]:
        return list(self.program.flow.input_edges(step.node))

    def collect(self, query: pl.LazyFrame) -> pl.DataFrame:
        """`query`'s rows; the tallied nodes it ran are counted."""
        before = self.frames.tally.snapshot()
        rows = collect(query)
        self.counted.update(self.frames.tally.since(before, self.counted))
        return rows

    def input_rows(self, step: Step, port: str) -> pa.Table:
        source, out = self.program.flow.input_edges(step.node)[port]
        return arrow_of(self.collect(self.frames.get(source, out)))

    def keep(self, step: Step, rows: pa.Table) -> None:
        if step.action is Action.EAGER:
            self.eager[step.node] = rows
        self.frames.hold(step.node, pl.from_arrow(rows))  # type: ignore[arg-type]
        self.counted[step.node] = rows.num_rows

    def hold(self, step: Step, copy: bool) -> pa.Table | None:
        rows = self.collect(self.frames.build(step.node, count_rows_as=ROWS_IN))
        if ROWS_IN in rows.columns:  # an aggregation counted its input on the way
            (source,) = self.program.flow.inputs_of(step.node).values()
            self.counted[source] = int(rows[ROWS_IN].sum() or 0)
            rows = rows.drop(ROWS_IN)
        self.frames.hold(step.node, rows)
        self.counted[step.node] = rows.height
        return arrow_of(rows) if copy else None

    def before_outputs(self) -> None:
        """Every destination has a form before anything is written; the nodes whose row
        counts nothing else gives are counted by the first output, in the same pass (the
        queries share their scans)."""
        outputs = [step.node for step in self.program.steps if step.action in OUTPUTS]
        for node in outputs:
            self.frames.get(node)
        if self.program.counted:
            known = {**counts_behind(self.program, self.cache, self.result.reused)}
            known.update(self.counted)
            known.update(dict.fromkeys(outputs, 0))  # each output counts its own rows
            known.update(dict.fromkeys(self.frames.tally.nodes, 0))  # counted on the way
            self.to_count = uncounted(self.program, known)

    def with_counts(self, query: pl.LazyFrame) -> pl.DataFrame:
        """`query`'s rows; the first time, with the row counts before_outputs asked for,
        in one pass."""
        counts, self.to_count = self.to_count, []
        if not counts:
            return self.collect(query)
        before = self.frames.tally.snapshot()
        found = pl.collect_all(
            [query, *(self.frames.get(n).select(pl.len()) for n in counts)], engine="streaming"
        )
        self.counted.update(self.frames.tally.since(before, self.counted))
        self.counted.update({n: int(f.item()) for n, f in zip(counts, found[1:], strict=True)})
        return found[0]

    def write_file(self, step: Step, partial: Path, fmt: str) -> None:
        frame = self.frames.get(step.node)
        if fmt == "parquet":
            self.with_counts(frame.sink_parquet(partial, lazy=True))
            self.counted[step.node] = pq.read_metadata(partial).num_rows  # the footer's
        else:
            rows = arrow_of(self.with_counts(frame))
            _write_csv(rows, partial)
            self.counted[step.node] = rows.num_rows

    def rows(self, step: Step) -> pa.Table:
        rows = arrow_of(self.with_counts(self.frames.get(step.node)))
        self.counted[step.node] = rows.num_rows
        return rows

    def blame(self, node_id: str, exc: BaseException) -> tuple[str, str]:
        return node_id, user_message(exc)


def execute(
    program: Program,
    registry: Registry,
    result: RunResult,
    services: Services | None = None,
    cache: ResultCache | None = None,
) -> Outcome:
    """Run the program's steps on Polars, filling `result`. A NodeError (the user's to
    fix) propagates as NodeFailed; trouble with Polars before any write gives an Outcome
    that is not done."""
    ctx = run_context(program, services or Services())
    frames = Frames(program, registry, ctx, Tally(tallied(program)))
    backend = PolarsBackend(program, frames, cache, result)
    interpreter = Interpreter(program, registry, backend, result, ctx, cache)
    try:
        interpreter.run()
        if program.counted:
            result.nodes = _row_counts(program, frames, cache, result.reused, backend.counted)
    except POLARS_TROUBLE as exc:
        if interpreter.wrote or isinstance(exc, NodeError):
            raise NodeFailed(ctx.node_id, user_message(exc)) from None
        result.outputs.clear()
        result.logs.clear()
        result.reused.clear()
        return Outcome(False, f"node {ctx.node_id}: {first_line(exc)}", backend.eager)
    return Outcome(True, eager=backend.eager)


def _write_csv(table: pa.Table, partial: Path) -> None:
    """CSV as the DuckDB path writes it (number and date formats differ by engine), by a
    connection that may write only there, into the partial file itself (not
    `tmp_<name>` beside it, a name the writer did not create)."""
    with duckdb.connect() as con:
        con.execute("SET allowed_directories = $dirs", {"dirs": [f"{partial.parent}/"]})
        con.execute("SET enable_external_access = false")
        con.register("rows", table)
        con.execute(
            f"COPY rows TO {exp.Literal.string(str(partial)).sql()} "
            "(FORMAT CSV, USE_TMP_FILE false)"
        )


def tallied(program: Program) -> set[str]:
    """The nodes counted as their rows stream by (polars_tally): those whose count the
    steps do not give (held, eager, written, displayed) nor the nodes after them keep."""
    if not program.counted:
        return set()
    made = {step.node: 0 for step in program.steps}
    return single_chains(program.flow, uncounted(program, made))


def _carried_from(program: Program, node_id: str) -> str | None:
    """The node whose row count `node_id` keeps (a node that keeps its input's rows)."""
    flow = program.flow
    edges = flow.input_edges(node_id)
    if set(edges) != {"in"} or edges["in"][1] != "out":
        return None
    kind = program.kind_of(node_id)
    return edges["in"][0] if kind.same_rows(flow.node(node_id).params) else None


def uncounted(program: Program, known: dict[str, int]) -> list[str]:
    """The nodes whose rows must be counted by a query for every counted node's count
    to be known (`known` after carrying counts through nodes that keep their rows)."""
    known = dict(known)
    carry_counts(program, known)
    queried: list[str] = []
    for node in program.counted:
        current: str | None = node
        while current is not None and current not in known:
            source = _carried_from(program, current)
            if source is None:
                if current not in queried:
                    queried.append(current)
                break
            current = source
    return queried


def _row_counts(
    program: Program,
    frames: Frames,
    cache: ResultCache | None,
    reused: list[str],
    counted: dict[str, int],
) -> dict[str, dict[str, int]]:
    """Rows out of every counted node: known from held, eager and output results (the
    first output counted the rest on its way), carried through nodes that keep their
    input's rows; counts behind a reused result come from the run that made it. A
    program without outputs counts what is left here, in one pass."""
    known = {**counts_behind(program, cache, reused), **counted}
    carry_counts(program, known)
    queried = uncounted(program, known)
    lengths = pl.collect_all([frames.get(n).select(pl.len()) for n in queried]) if queried else []
    known.update({n: int(frame.item()) for n, frame in zip(queried, lengths, strict=True)})

    def rows_out(node_id: str) -> int:
        if node_id not in known:
            source = _carried_from(program, node_id)
            assert source is not None
            known[node_id] = rows_out(source)
        return known[node_id]

    for node in program.counted:
        rows_out(node)
    return counts_record(program, cache, known)
