"""The last stages of a SQL query on Polars: window functions (through transform.window's
`window_expr`), the projection, DISTINCT, ORDER BY and OFFSET / LIMIT."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlglot import exp

from ..kinds.transforms import window as window_kind
from ..kinds.transforms.window import window_expr
from ..polars_expr import NoPolarsForm
from .stage import AGGREGATES, RANKING, Stage, call_of

Outputs = list[tuple[str, exp.Expression]]
Ordered = list[tuple[exp.Ordered, exp.Expression]]


def windows(outputs: Outputs, ordered: Ordered, stage: Stage) -> tuple[Outputs, Ordered]:
    """Each window function as a hidden column, read by the outputs and ORDER BY."""
    columns: dict[str, pl.Expr] = {}
    made: dict[str, str] = {}

    def read(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Window):
            key = node.sql(dialect="duckdb")
            if key not in made:
                made[key] = stage.hidden()
                value = _window(node, stage, made[key])
                if value is not None:
                    columns[made[key]] = value
            return exp.column(made[key], quoted=True)
        return node

    outputs = [(name, tree.transform(read)) for name, tree in outputs]
    ordered = [(o, tree.transform(read)) for o, tree in ordered]
    stage.add(columns)
    return outputs, ordered


def _window(node: exp.Window, stage: Stage, name: str) -> pl.Expr | None:
    """The window function's values; None when a running aggregate added them to the
    stage's frame as `name` already."""
    call = node.this
    params: dict[str, Any] = {}
    argument: exp.Expression | None
    if type(call) in RANKING:
        params["function"], argument = RANKING[type(call)], call.this
        if call.args.get("offset") or call.args.get("default"):
            raise NoPolarsForm(f"{params['function'].upper()} with an offset or a default")
    elif type(call) in AGGREGATES:
        params["function"], argument = call_of(call)
    else:
        raise NoPolarsForm(f"window function {type(call).__name__.upper()}")
    if argument is not None:
        params["column"] = stage.column_of(argument)
    params["partition_by"] = [stage.column_of(p) for p in node.args.get("partition_by") or []]
    order = node.args.get("order")
    params["order_by"] = []
    for item in order.expressions if order else []:
        if item.args.get("nulls_first"):
            raise NoPolarsForm("NULLS FIRST in a window")
        column = stage.column_of(item.this)
        params["order_by"].append({"column": column, "descending": bool(item.args.get("desc"))})
    frame = _frame(node)
    if not params["order_by"] or type(call) in RANKING:
        if frame:
            raise NoPolarsForm("a window frame (ROWS or RANGE) on this function")
        return window_expr(params)
    running = getattr(window_kind, "running_frame", None)  # SUM(…) OVER (ORDER BY …)
    if running is None:
        raise NoPolarsForm(f"{params['function']} with an order (a running total)")
    stage.frame = running(stage.frame, {**params, "as": name, "frame": frame or "peers"})
    return None


def _frame(node: exp.Window) -> str:
    """'' (none written), 'peers' (RANGE … to CURRENT ROW) or 'rows' (ROWS UNBOUNDED
    PRECEDING to CURRENT ROW); any other frame stays on DuckDB."""
    spec = node.args.get("spec")
    if spec is None:
        return ""
    parts = [str(spec.args.get(k) or "").upper() for k in ("kind", "start", "start_side", "end")]
    kind, start, side, end = parts  # no end written: CURRENT ROW
    whole = (start, side, end or "CURRENT ROW") == ("UNBOUNDED", "PRECEDING", "CURRENT ROW")
    if not whole or spec.args.get("exclude"):
        raise NoPolarsForm("a window frame other than UNBOUNDED PRECEDING to CURRENT ROW")
    return "rows" if kind == "ROWS" else "peers"


def finish(select: exp.Select, outputs: Outputs, ordered: Ordered, stage: Stage) -> pl.LazyFrame:
    """The projection, DISTINCT, ORDER BY and OFFSET / LIMIT."""
    projection: dict[str, pl.Expr] = {}
    for name, tree in outputs:
        if isinstance(tree, exp.Star):
            for column in stage.visible():
                _project(projection, column, pl.col(column))
        else:
            _project(projection, name, stage.translate(tree))
    names = list(projection)
    by: list[str] = []
    for item, tree in ordered:
        by.append(_order_key(item.this, names, tree, projection, stage))
    frame = stage.frame.select(**projection)
    if select.args.get("distinct"):
        if len(projection) > len(names):
            raise NoPolarsForm("DISTINCT with ORDER BY a column it does not select")
        frame = frame.unique()
    if by:
        descending = [bool(item.args.get("desc")) for item, _ in ordered]
        nulls_last = [not item.args.get("nulls_first") for item, _ in ordered]
        frame = frame.sort(by, descending=descending, nulls_last=nulls_last)
    frame = _limited(select, frame)
    return frame.select(names) if len(projection) > len(names) else frame


def _project(projection: dict[str, pl.Expr], name: str, value: pl.Expr) -> None:
    if name in projection:
        raise NoPolarsForm(f"two output columns named {name!r}")
    projection[name] = value


def _order_key(
    target: exp.Expression,
    names: list[str],
    tree: exp.Expression,
    projection: dict[str, pl.Expr],
    stage: Stage,
) -> str:
    """The column to sort by: an output (by position or name) or a hidden one."""
    if isinstance(target, exp.Literal) and not target.is_string:
        return names[position(target, len(names)) - 1]
    if isinstance(target, exp.Column) and target.name in names:
        return target.name
    name = stage.hidden()
    projection[name] = stage.translate(tree)
    return name


def _limited(select: exp.Select, frame: pl.LazyFrame) -> pl.LazyFrame:
    limit, offset = select.args.get("limit"), select.args.get("offset")
    if limit is None and offset is None:
        return frame
    count = _whole_number(limit.expression) if limit is not None else None
    start = _whole_number(offset.expression) if offset is not None else 0
    return frame.slice(start, count)


def _whole_number(tree: exp.Expression) -> int:
    if isinstance(tree, exp.Literal) and not tree.is_string and tree.this.isdigit():
        return int(tree.this)
    raise NoPolarsForm("LIMIT or OFFSET that is not a whole number")


def position(tree: exp.Literal, outputs: int) -> int:
    """An output's position (GROUP BY 2, ORDER BY 1)."""
    if not tree.this.isdigit() or not 1 <= int(tree.this) <= outputs:
        raise NoPolarsForm(f"a position {tree.this} that is not an output's")
    return int(tree.this)
