"""A flow compiled for one set of parameter values: the SQL of every step, in order.

Planning needs no database connection, so a plan can be cached and run many times (the
published endpoints do): eager nodes' rows and held results get names known in advance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlglot import exp

from .cache import ResultCache, subgraph_key
from .compiler import compile_node, resolve_params, table
from .graph import inputs_by_node, upstream_of
from .issues import FlowInvalid
from .model import Flow
from .registry import CompileContext, NodeKind, Registry, default_registry
from .sql import to_sql
from .validate import validate


class Action(StrEnum):
    """What a step does (interpret.py says it once for every engine)."""

    EAGER = "eager"  # make an eager node's rows in Python, from its inputs' queries
    HOLD = "hold"  # keep a blocking node's rows in a table (reused from the cache if unchanged)
    FILE = "file"  # stream a `file_sink` destination's rows to its file
    WRITE = "write"  # give a destination's rows to its kind's `write`
    DISPLAY = "display"  # give the rows back (the run's outputs)


@dataclass
class Step:
    node: str
    action: Action
    sql: str = ""  # the node's query (eager: unused)
    inputs: dict[str, str] = field(default_factory=dict)  # eager: port → input query
    table: str = ""  # eager, hold: the table that keeps the rows
    key: str = ""  # hold: content hash of the subgraph, for the result cache ("" = none)


@dataclass
class Program:
    flow: Flow
    ctx: CompileContext
    steps: list[Step]
    counted: list[str] = field(default_factory=list)  # nodes whose rows the run counts
    registry: Registry | None = None
    # Nodes only a tolerant input needs (a try node's `try` side): their failure means
    # "fall back", not a failed run (node → the tolerant node).
    guarded: dict[str, str] = field(default_factory=dict)

    def kind_of(self, node_id: str) -> NodeKind:
        """The kind of one of the flow's nodes (what callers ask instead of its name)."""
        return (self.registry or default_registry()).kind_of(self.flow.node(node_id).kind)


def checked(flow: Flow, registry: Registry, base_dir: Path | None = None) -> None:
    issues = validate(flow, registry, base_dir)
    if issues:
        raise FlowInvalid(issues)


def destinations(flow: Flow, registry: Registry) -> list[str]:
    return [n.id for n in flow.nodes if registry.kind_of(n.kind).category == "destination"]


def plan(
    flow: Flow,
    params: dict[str, Any] | None = None,
    base_dir: Path | None = None,
    registry: Registry | None = None,
    *,
    targets: list[str] | None = None,
    limit: int | None = None,
    counts: bool = True,
    validated: bool = False,
    hold: bool | str = True,
    materialized: dict[str, str] | None = None,
) -> Program:
    """Steps that run `targets` (default: every destination). With `limit`, targets are
    displayed, first rows only (a preview), and nothing is held or counted. Without
    `hold`, blocking nodes stay inside the one query (best for one small destination);
    with `hold="always"`, a preview holds them too (to take them from a result cache).
    `hold="last"` holds only the last blocking node that summarizes on each way to a
    target (what a rerun after an edit downstream reuses; the rest stays in one query),
    `hold="shared"` only those of them that several targets need (made once).
    `materialized` names tables that already hold some nodes' rows (node id → table)."""
    registry = registry or default_registry()
    if not validated:
        checked(flow, registry, base_dir or Path.cwd())
    ctx = CompileContext(resolve_params(flow, params), base_dir or Path.cwd())
    ctx.materialized.update(materialized or {})
    wanted = targets if targets is not None else destinations(flow, registry)
    steps = _eager_steps(flow, wanted, ctx, registry)
    if (limit is None and hold) or hold == "always":
        chosen = last_blocking(flow, wanted, ctx, registry, hold) if hold in HOLD_SOME else None
        steps += _held_steps(flow, wanted, ctx, registry, chosen)
    for node_id in wanted:
        query = compile_node(flow, node_id, ctx, registry)
        kind = registry.kind_of(flow.node(node_id).kind)
        if limit is not None:
            steps.append(Step(node_id, Action.DISPLAY, to_sql(query.limit(limit))))
        else:
            steps.append(Step(node_id, _output_action(kind), to_sql(query)))
    program = Program(flow, ctx, steps, registry=registry)
    program.guarded = guarded_nodes(flow, wanted, registry)
    if counts and limit is None:
        for sink in wanted:
            program.counted += [n for n in upstream_of(flow, sink) if n not in program.counted]
    return program


def _output_action(kind: NodeKind) -> Action:
    if kind.file_sink:
        return Action.FILE
    return Action.WRITE if kind.writes else Action.DISPLAY


def _eager_steps(
    flow: Flow, targets: list[str], ctx: CompileContext, registry: Registry
) -> list[Step]:
    """Eager nodes (Python transforms, spreadsheets, remote APIs) make their rows first,
    fed by their inputs' queries; the rows are held for the queries that follow."""
    steps: list[Step] = []
    for target in targets:
        for node_id in upstream_of(flow, target, frozenset(ctx.materialized)):
            kind = registry.kind_of(flow.node(node_id).kind)
            if not kind.eager or node_id in ctx.materialized:
                continue
            inputs = {
                port: to_sql(compile_node(flow, src, ctx, registry))
                for port, src in flow.inputs_of(node_id).items()
            }
            name = f"eager_{node_id}"
            steps.append(Step(node_id, Action.EAGER, inputs=inputs, table=name))
            ctx.materialized[node_id] = name
    return steps


HOLD_SOME = ("last", "shared")


def last_blocking(
    flow: Flow, targets: list[str], ctx: CompileContext, registry: Registry, which: bool | str
) -> set[str]:
    """The last blocking node on each way to a target (walking up from each target and
    stopping at blocking nodes); with `which="last"`, the last that summarizes (an
    aggregation, not a window, a fill or a deduplication: holding about as many rows as
    went in saves a rerun little and costs the run a copy) and those several targets
    reach (made once); with `which="shared"`, only those several targets reach."""
    shared = _blocking_reached(flow, targets, ctx, registry, "shared")
    if which == "shared":
        return shared
    return shared | _blocking_reached(flow, targets, ctx, registry, "last")


def _blocking_reached(
    flow: Flow, targets: list[str], ctx: CompileContext, registry: Registry, which: str
) -> set[str]:
    inputs = inputs_by_node(flow)
    reached: dict[str, int] = {}
    for target in targets:
        seen: set[str] = set()
        todo = [target]
        while todo:
            current = todo.pop()
            if current in seen or current in ctx.materialized:
                continue
            seen.add(current)
            kind = registry.kind_of(flow.node(current).kind)
            if kind.blocking and (which == "shared" or kind.summarizes):
                reached[current] = reached.get(current, 0) + 1
            else:
                todo += inputs.get(current, {}).values()
    return {n for n, count in reached.items() if which == "last" or count > 1}


def _held_steps(
    flow: Flow,
    targets: list[str],
    ctx: CompileContext,
    registry: Registry,
    chosen: set[str] | None = None,
) -> list[Step]:
    """Steps holding the blocking nodes the targets need (or only the `chosen` ones)."""
    steps: list[Step] = []
    for target in targets:
        for node_id in upstream_of(flow, target):
            kind = registry.kind_of(flow.node(node_id).kind)
            if node_id in ctx.materialized or not kind.blocking:
                continue
            if chosen is not None and node_id not in chosen:
                continue
            name = f"held_{node_id}"
            query = to_sql(compile_node(flow, node_id, ctx, registry))
            key = subgraph_key(flow, node_id, ctx, registry)
            steps.append(Step(node_id, Action.HOLD, query, table=name, key=key))
            ctx.materialized[node_id] = name
    return steps


def guarded_nodes(flow: Flow, targets: list[str], registry: Registry) -> dict[str, str]:
    """Nodes whose failure a try node absorbs: upstream of its `try` input and needed by
    nothing else."""

    def tolerant_port(node_id: str) -> str:
        return registry.kind_of(flow.node(node_id).kind).tolerant

    strictly: set[str] = set()
    todo = list(targets)  # a work list, not recursion: a long chain cannot exhaust the stack
    while todo:
        node_id = todo.pop()
        if node_id in strictly:
            continue
        strictly.add(node_id)
        skip = tolerant_port(node_id)
        todo += [src for port, src in flow.inputs_of(node_id).items() if port != skip]
    guarded: dict[str, str] = {}
    for node_id in list(strictly):
        port = tolerant_port(node_id)
        src = flow.inputs_of(node_id).get(port) if port else None
        if src is not None:
            for upstream in upstream_of(flow, src):
                if upstream not in strictly:
                    guarded.setdefault(upstream, node_id)
    return guarded


def counts_query(program: Program, needed: list[str]) -> str:
    """One query counting the rows out of each of `needed` (held nodes from their tables)."""
    flow, ctx = program.flow, program.ctx
    registry = program.registry or default_registry()
    ctes: list[exp.Expression] = []
    seen: set[str] = set()
    for node_id in needed:  # held nodes cut their upstream off: ask for every node
        for cte in compile_node(flow, node_id, ctx, registry).args["with_"].expressions:
            if cte.alias not in seen:
                seen.add(cte.alias)
                ctes.append(cte)
    parts = [
        exp.select(exp.Literal.string(n).as_("node"), exp.func("COUNT", exp.Star()).as_("n")).from_(
            table(n)
        )
        for n in needed
    ]
    union: Any = parts[0]
    for part in parts[1:]:
        union = exp.union(union, part, distinct=False)
    query = exp.select("*").from_(union.subquery("counts"))
    query.set("with_", exp.With(expressions=ctes))
    return to_sql(query)


def hold_keys(program: Program) -> dict[str, str]:
    """Held node → its result cache key (held nodes that can be cached)."""
    return {s.node: s.key for s in program.steps if s.action is Action.HOLD and s.key}


def counts_behind(program: Program, cache: ResultCache | None, reused: list[str]) -> dict[str, int]:
    """Rows out of the nodes behind reused held results, as the run that made them
    counted (they are not computed again); the reused nodes themselves not included."""
    keys = hold_keys(program)
    known: dict[str, int] = {}
    for node in reused:
        behind = cache.counts(keys[node]) if cache is not None else None
        known.update({n: c for n, c in (behind or {}).items() if n != node})
    return known


def carry_counts(program: Program, known: dict[str, int]) -> None:
    """Fill in `known` (rows out, by node) through nodes that keep their one input's
    rows: such a node and its input have the same count, whichever is known."""
    flow = program.flow
    pairs = []
    for node in program.counted:
        edges = flow.input_edges(node)
        single = set(edges) == {"in"} and edges["in"][1] == "out"
        if single and program.kind_of(node).same_rows(flow.node(node).params):
            pairs.append((node, edges["in"][0]))
    changed = True
    while changed:
        changed = False
        for node, source in pairs:
            if (node in known) != (source in known):
                known.setdefault(node, known.get(source, 0))
                known.setdefault(source, known[node])
                changed = True


def counts_record(
    program: Program, cache: ResultCache | None, rows_out: dict[str, int]
) -> dict[str, dict[str, int]]:
    """Rows in and out of every counted node whose rows were counted; each held result's
    upstream counts are kept with it in the cache, for runs that reuse it."""
    flow = program.flow
    if cache is not None:
        for node, key in hold_keys(program).items():
            behind = {n: int(rows_out[n]) for n in upstream_of(flow, node) if n in rows_out}
            cache.set_counts(key, behind)
    return {
        n: {
            "rows_in": sum(int(rows_out.get(src, 0)) for src in flow.inputs_of(n).values()),
            "rows_out": int(rows_out[n]),
        }
        for n in program.counted
        if n in rows_out
    }
