"""Column lineage: where a node's column comes from and which nodes change it on the way,
read off the node's compiled query by sqlglot (`sqlglot.lineage`), each CTE `node_<id>`
mapped back to its node.

Sources and eager nodes (Python transforms, spreadsheets, remote APIs) stand in the query
as tables whose columns are the known ones (what validation binds); a node whose columns
only a run knows cannot be traced through and is named in `unknown`, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.lineage import Node, lineage

from .compiler import compile_node, cte_name, resolve_params
from .graph import ordered, parents_of, upstream_of
from .model import Flow
from .registry import CompileContext, Registry, default_registry
from .sql import DIALECT

# When one (node, column) is reached twice, the role that says most wins.
ROLES = ("source", "derives", "renames", "groups", "joins", "filters", "passes")
HELD = "lineage_held_{}"


class ColumnNotFound(ValueError):
    """The node has no such column (among its known columns)."""


@dataclass
class Lineage:
    node: str
    column: str
    origins: list[dict[str, str]] = field(default_factory=list)
    path: list[dict[str, str]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "column": self.column,
            "origins": self.origins,
            "path": self.path,
            "unknown": self.unknown,
        }


def column_lineage(
    flow: Flow,
    node_id: str,
    column: str,
    known: dict[str, list[str] | None],
    base_dir: Path,
    registry: Registry | None = None,
    params: dict[str, Any] | None = None,
) -> Lineage:
    """The lineage of `column` of `node_id`. `known` is each node's columns before a run
    (None: only a run knows them). Raises ColumnNotFound for a column the node lacks."""
    registry = registry or default_registry()
    answer = Lineage(node_id, column)
    columns = known.get(node_id)
    if columns is None:
        answer.unknown = first_unknown(flow, node_id, known)
        return answer
    if column not in columns:
        raise ColumnNotFound(f"column: node {node_id!r} has no column {column!r}")
    held = held_nodes(flow, node_id, registry)
    answer.unknown = [n for n in held if known.get(n) is None or registry_eager(flow, n, registry)]
    ctx = CompileContext(resolve_params(flow, params), base_dir)
    ctx.materialized.update({n: HELD.format(i) for i, n in enumerate(held)})
    schema = {
        ctx.materialized[n]: {c: "UNKNOWN" for c in known.get(n) or []}
        for n in held
        if known.get(n)
    }
    try:
        query = expand_columns(compile_node(flow, node_id, ctx, registry), known)
        root = lineage(column, query, schema=schema, dialect=DIALECT)
    except (SqlglotError, ValueError, KeyError):
        answer.unknown = sorted({node_id, *answer.unknown})
        return answer
    steps = Steps(flow, {t: n for n, t in ctx.materialized.items()}, known)
    for found in root.walk():
        steps.add(found)
    answer.path = steps.path(flow)
    answer.origins = steps.origins
    return answer


def first_unknown(flow: Flow, node_id: str, known: dict[str, list[str] | None]) -> list[str]:
    """The nodes upstream of `node_id` (itself included) whose columns only a run knows
    though their inputs' are known: where the trace stops."""
    parents = parents_of(flow)
    return [
        n
        for n in upstream_of(flow, node_id)
        if known.get(n) is None and all(known.get(p) is not None for p in parents.get(n, ()))
    ]


def expand_columns(query: exp.Query, known: dict[str, list[str] | None]) -> exp.Query:
    """DuckDB's `COLUMNS(lambda)` (add_column keeps every other column with it), which
    sqlglot cannot expand, written as the node's known columns it stands for."""
    for cte in query.find_all(exp.CTE):
        node = cte.alias[len(cte_name("")) :]
        select = cte.this
        names = known.get(node)
        if not isinstance(select, exp.Select) or names is None:
            continue
        stars = [e for e in select.expressions if isinstance(e, exp.Columns)]
        if not stars:
            continue
        named = {e.alias_or_name.lower() for e in select.expressions if e not in stars}
        kept = [exp.column(n, quoted=True) for n in names if n.lower() not in named]
        select.set("expressions", [*kept, *(e for e in select.expressions if e not in stars)])
    return query


def held_nodes(flow: Flow, node_id: str, registry: Registry) -> list[str]:
    """The nodes `node_id` reads that stand as tables: sources and eager nodes."""
    found = []
    for current in upstream_of(flow, node_id):
        kind = registry.get(flow.node(current).kind)
        if kind is None or kind.eager or not flow.input_edges(current):
            found.append(current)
    return found


def registry_eager(flow: Flow, node_id: str, registry: Registry) -> bool:
    """Whether a held node makes its rows in Python from inputs (lineage stops there)."""
    kind = registry.get(flow.node(node_id).kind)
    return kind is None or (kind.eager and bool(flow.input_edges(node_id)))


class Steps:
    """The (node, column, role) steps of a lineage walk, and its origins."""

    def __init__(
        self, flow: Flow, tables: dict[str, str], known: dict[str, list[str] | None]
    ) -> None:
        self.tables = tables  # a held node's table → the node
        self.known = known
        self.ctes = {cte_name(n.id): n.id for n in flow.nodes}
        self.roles: dict[tuple[str, str], str] = {}
        self.expressions: dict[tuple[str, str], str] = {}
        self.origins: list[dict[str, str]] = []

    def add(self, found: Node) -> None:
        if isinstance(found.expression, exp.Table):
            node = self.tables.get(found.expression.name)
            column = self.named(node or "", found.name.rpartition(".")[2])
            if node is not None and {"node": node, "column": column} not in self.origins:
                self.origins.append({"node": node, "column": column})
            return
        node = self.node_of(found.reference_node_name)
        if node is None:
            return  # the final `SELECT * FROM node_<id>`
        column = self.named(node, found.name[len(found.reference_node_name) + 1 :])
        held = isinstance(found.source, exp.Select) and self.reads_held(found.source)
        role = "source" if held else role_of(found.expression, column, found.source)
        key = (node, column)
        if key not in self.roles or ROLES.index(role) < ROLES.index(self.roles[key]):
            self.roles[key] = role
            self.expressions[key] = plain_sql(found.expression)

    def named(self, node: str, column: str) -> str:
        """The column's name as the node spells it (sqlglot gives DuckDB's names, which
        are case-insensitive, in lower case)."""
        spelled = [c for c in self.known.get(node) or [] if c.lower() == column.lower()]
        return column if column in spelled or not spelled else spelled[0]

    def node_of(self, cte: str) -> str | None:
        """The node of a CTE: `node_<id>`, or `node_<id>__<port>` (an output port)."""
        if cte in self.ctes:
            return self.ctes[cte]
        head = cte.rpartition("__")[0]
        return self.ctes.get(head) if head else None

    def reads_held(self, select: exp.Select) -> bool:
        source = select.args.get("from_") or select.args.get("from")
        table = source.this if isinstance(source, exp.From) else None
        return isinstance(table, exp.Table) and table.name in self.tables

    def path(self, flow: Flow) -> list[dict[str, str]]:
        """The steps in the flow's order (sources first)."""
        rank = {n: i for i, n in enumerate(ordered(parents_of(flow)))}
        keys = sorted(self.roles, key=lambda k: (rank.get(k[0], 0), k[1]))
        return [
            {
                "node": n,
                "column": c,
                "role": self.roles[(n, c)],
                "expression": self.expressions[(n, c)],
            }
            for n, c in keys
        ]


def plain_sql(expression: exp.Expr) -> str:
    """The expression as the user wrote it: its columns not qualified by the CTEs."""

    def unqualified(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and node.table:
            return exp.column(node.this.copy())
        return node

    inner = expression.this if isinstance(expression, exp.Alias) else expression
    return str(inner.transform(unqualified).sql(dialect=DIALECT))


def role_of(expression: exp.Expr, column: str, source: exp.Expr) -> str:
    """What a node does to the column: passes, renames or derives it; a column passing a
    node that drops rows, groups by it or joins is said so."""
    inner = expression.this if isinstance(expression, exp.Alias) else expression
    if not isinstance(inner, exp.Column):
        return "derives"
    if inner.name.lower() != column.lower():
        return "renames"
    if not isinstance(source, exp.Select):
        return "passes"
    group = source.args.get("group")
    if group is not None and any(
        isinstance(g, exp.Column) and g.name.lower() == inner.name.lower()
        for g in group.expressions
    ):
        return "groups"
    if source.args.get("joins"):
        return "joins"
    if any(source.args.get(k) for k in ("where", "having", "qualify", "distinct")):
        return "filters"
    return "passes"


__all__ = ["ColumnNotFound", "Lineage", "column_lineage"]
