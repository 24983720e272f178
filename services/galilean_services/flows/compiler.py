"""Compile a flow (or the part of it a node needs) into ONE relational query.

Each node becomes a common table expression over its inputs' CTEs; the engine sees the
whole graph and pushes filters, projections and limits down through it. The query is a
sqlglot tree: printed for DuckDB here, it can be printed for Spark or Trino as well
(`to_sql(query, "spark")`), which is how a flow will run on a distributed engine.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from .graph import upstream_of
from .issues import FlowInvalid, Issue
from .model import Flow
from .registry import Columns, CompileContext, Registry, default_registry
from .sql import ExpressionError

PARAM_TYPES = {"string": str, "integer": int, "number": float, "boolean": bool}


def cte_name(node_id: str) -> str:
    return f"node_{node_id}"


def table(node_id: str, port: str = "out") -> exp.Table:
    name = cte_name(node_id) if port == "out" else f"{cte_name(node_id)}__{port}"
    return exp.Table(this=exp.to_identifier(name, quoted=True))


def compile_node(
    flow: Flow, node_id: str, ctx: CompileContext, registry: Registry | None = None
) -> exp.Query:
    """`SELECT * FROM <node>` with every CTE it needs (and nothing else)."""
    registry = registry or default_registry()
    ctes = []
    known: dict[str, Columns] = {}
    for current in upstream_of(flow, node_id, frozenset(ctx.materialized)):
        node = flow.node(current)
        if current in ctx.materialized:
            held = exp.select("*").from_(exp.to_table(ctx.materialized[current]))
            ctes.append(_cte(current, held))
            continue
        kind = registry.get(node.kind)
        if kind is None:
            raise FlowInvalid(
                [Issue("unknown-kind", f"unknown node kind {node.kind!r}", node=current)]
            )
        sources = flow.input_edges(current)
        inputs = {port: table(src, out) for port, (src, out) in sources.items()}
        ctx.upstream = {port: known.get(src) for port, (src, _) in sources.items()}
        try:
            ctes += _port_ctes(flow, sources.values(), ctes, ctx, registry)
            ctx.node_id = current
            query = kind.compile(node.params, inputs, ctx)
            known[current] = kind.columns(node.params, ctx.upstream)
        except (ExpressionError, ValueError, KeyError) as exc:
            message = str(exc).strip("'\"")
            raise FlowInvalid([Issue("compile", message, node=current)]) from None
        ctes.append(_cte(current, query))
    final = exp.select("*").from_(table(node_id))
    final.set("with_", exp.With(expressions=ctes))
    return final


def _port_ctes(
    flow: Flow,
    sources: Any,
    ctes: list[exp.CTE],
    ctx: CompileContext,
    registry: Registry,
) -> list[exp.CTE]:
    """CTEs for the output ports (other than `out`) that feed the node being compiled."""
    made: list[exp.CTE] = []
    have = {cte.alias for cte in ctes}
    for src, port in sources:
        name = table(src, port).name
        if port == "out" or name in have:
            continue
        node = flow.node(src)
        kind = registry.get(node.kind)
        assert kind is not None  # compiled just before
        ctx.node_id = src
        query = kind.output(node.params, port, table(src), ctx)
        made.append(
            exp.CTE(
                this=query,
                alias=exp.TableAlias(this=exp.to_identifier(name, quoted=True)),
                materialized=False,
            )
        )
        have.add(name)
    return made


def _cte(node_id: str, query: exp.Query) -> exp.CTE:
    # NOT MATERIALIZED: the engine may inline it and push work through it.
    return exp.CTE(
        this=query,
        alias=exp.TableAlias(this=exp.to_identifier(cte_name(node_id), quoted=True)),
        materialized=False,
    )


def resolve_params(flow: Flow, given: dict[str, Any] | None) -> dict[str, Any]:
    """Flow parameters: defaults, overridden by `given` (strings from a CLI or a query
    string are converted); a wrong type is an Issue naming the parameter."""
    given = dict(given or {})
    values: dict[str, Any] = {}
    issues: list[Issue] = []
    declared = {p.name: p for p in flow.parameters}
    for name in given:
        if name not in declared:
            issues.append(Issue("param", f"unknown parameter {name!r}", path=name))
    for param in flow.parameters:
        raw = given.get(param.name, param.default)
        try:
            values[param.name] = convert(raw, param.type)
        except ValueError:
            issues.append(
                Issue(
                    "param",
                    f"parameter {param.name!r} must be {param.type}, got {raw!r}",
                    path=param.name,
                )
            )
    if issues:
        raise FlowInvalid(issues)
    return values


def convert(value: Any, type_name: str) -> Any:
    if value is None:
        return None
    target = PARAM_TYPES[type_name]
    if isinstance(value, str) and target is not str:
        if target is bool:
            if value.lower() in ("true", "1", "yes"):
                return True
            if value.lower() in ("false", "0", "no"):
                return False
            raise ValueError(value)
        return target(value)
    if target is bool and not isinstance(value, bool):
        raise ValueError(value)
    if target in (int, float) and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise ValueError(value)
    if target is int and isinstance(value, float) and not value.is_integer():
        raise ValueError(value)
    return target(value)
