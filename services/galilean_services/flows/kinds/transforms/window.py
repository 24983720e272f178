"""`transform.window`: a window function over partitions."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlglot import exp

from ...polars_expr import NoPolarsForm, aggregate, column_or_star
from ...registry import Columns, CompileContext, NodeKind
from ...sql import column, ident
from ..columns import AGGREGATES, COLUMN, missing

WINDOW_FUNCTIONS = [
    "row_number",
    "rank",
    "dense_rank",
    "sum",
    "avg",
    "min",
    "max",
    "count",
    "lag",
    "lead",
]


def window_expr(params: dict[str, Any]) -> pl.Expr:
    """A window function as DuckDB computes it (ORDER BY with NULLs last)."""
    function = params["function"]
    partition = params.get("partition_by") or None
    order = params.get("order_by", [])
    if function in ("row_number", "rank", "dense_rank", "lag", "lead"):
        if len(order) != 1 and function != "row_number":
            raise NoPolarsForm(f"{function} over more or fewer than one order column")
        if function == "row_number":
            value = pl.int_range(1, pl.len() + 1, dtype=pl.Int64)
            if not order:
                return value.over(partition) if partition else value
            keys = [o["column"] for o in order]
            directions = {bool(o.get("descending")) for o in order}
            if len(directions) > 1:
                raise NoPolarsForm("row_number over mixed directions")
            return value.over(
                partition, order_by=keys, descending=directions.pop(), nulls_last=True
            )
        key, descending = pl.col(order[0]["column"]), bool(order[0].get("descending"))
        if function in ("lag", "lead"):
            if "column" not in params:
                raise NoPolarsForm(f"{function} without a column")
            shifted = pl.col(params["column"]).shift(1 if function == "lag" else -1)
            return shifted.over(partition, order_by=key, descending=descending, nulls_last=True)
        if function == "rank":
            ranked = key.rank("min", descending=descending)
            after = key.count() + 1  # NULLs sort last, all tied: after every ranked row
        else:
            ranked = key.rank("dense", descending=descending)
            after = ranked.max().fill_null(0) + 1
        value = pl.when(key.is_null()).then(after).otherwise(ranked).cast(pl.Int64)
        return value.over(partition) if partition else value
    if order:  # a running aggregate over peers: not promised
        raise NoPolarsForm(f"{function} with an order (a running total)")
    value = aggregate(function, column_or_star(params))
    return value.over(partition) if partition else value


RUNNING = ("sum", "avg", "min", "max", "count")


def _running_value(function: str, value: pl.Expr | None) -> pl.Expr:
    """The running `function` of `value` (None: COUNT(*)) in the over's order, NULLs
    skipped: NULL until the first value, as DuckDB's frame aggregates are."""
    if value is None:
        return pl.int_range(1, pl.len() + 1, dtype=pl.Int64)
    if function == "count":
        return value.is_not_null().cast(pl.Int64).cum_sum()
    if function == "avg":
        total = value.cast(pl.Float64).cum_sum().forward_fill()
        return total / value.is_not_null().cast(pl.Int64).cum_sum()
    running = {"sum": value.cum_sum, "min": value.cum_min, "max": value.cum_max}
    return running[function]().forward_fill()


def running_frame(frame: pl.LazyFrame, params: dict[str, Any]) -> pl.LazyFrame:
    """`frame` with a running aggregate (SUM/AVG/MIN/MAX/COUNT OVER (PARTITION BY …
    ORDER BY …)) as DuckDB computes it: NULL order keys last; with frame "rows" each row
    counts the rows up to itself (ties in any order), by default (SQL's RANGE) tied rows
    share the value after the last of them (the same whatever order ties are in)."""
    function, order = params["function"], params["order_by"]
    directions = {bool(o.get("descending")) for o in order}
    if len(directions) > 1:
        raise NoPolarsForm(f"a running {function} over mixed directions")
    keys = [o["column"] for o in order]
    value = _running_value(function, column_or_star(params))
    if params.get("frame") != "rows":  # the value after the last peer, for every peer
        position = pl.int_range(pl.len())
        last = position == pl.len() - 1
        for key in keys:
            last = last | pl.col(key).ne_missing(pl.col(key).shift(-1))
        value = value.gather(pl.when(last).then(position).backward_fill())
    value = value.over(
        params.get("partition_by") or None,
        order_by=keys,
        descending=directions.pop(),
        nulls_last=True,
    )
    return frame.with_columns(value.alias(params["as"]))


class Window(NodeKind):
    name = "transform.window"
    blocking = True
    title = "Window function"
    category = "transform"
    params_schema = {
        "type": "object",
        "required": ["function", "as"],
        "properties": {
            "function": {"enum": WINDOW_FUNCTIONS},
            "column": COLUMN,
            "partition_by": {"type": "array", "items": COLUMN},
            "order_by": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["column"],
                    "properties": {"column": COLUMN, "descending": {"type": "boolean"}},
                },
            },
            "as": {"type": "string", "minLength": 1},
            "frame": {
                "enum": ["peers", "rows"],
                "description": "with order_by, a running aggregate: 'peers' (SQL's RANGE, "
                "the default) gives tied rows one value, 'rows' counts up to each row",
            },
        },
        "additionalProperties": False,
    }

    def faster_on_duckdb(self, params: dict[str, Any]) -> bool:
        # DuckDB sorts each partitioning once for all its ordered windows, in parallel;
        # Polars' over(order_by=…) sorts per window (1.3-1.5x slower at 10M rows,
        # bench/results/flows.md, windows).
        return bool(params.get("order_by"))

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        known = upstream["in"]
        return None if known is None else [*known, params["as"]]

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        names = [
            *params.get("partition_by", []),
            *[o["column"] for o in params.get("order_by", [])],
        ]
        if "column" in params:
            names.append(params["column"])
        elif params["function"] not in ("row_number", "rank", "dense_rank", "count"):
            return [("column", f"{params['function']} needs a column")]
        return missing(names, upstream["in"], "columns")

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        function = params["function"]
        args: list[exp.Expression] = [column(params["column"])] if "column" in params else []
        if function == "count" and not args:
            args = [exp.Star()]
        name = AGGREGATES.get(function, function.upper())
        call = exp.func(name, *args)
        order = [
            exp.Ordered(this=column(o["column"]), desc=bool(o.get("descending")), nulls_first=False)
            for o in params.get("order_by", [])
        ]
        rows = params.get("frame") == "rows" and order and function in RUNNING
        spec = exp.WindowSpec(
            kind="ROWS", start="UNBOUNDED", start_side="PRECEDING", end="CURRENT ROW"
        )
        window = exp.Window(
            this=call,
            partition_by=[column(c) for c in params.get("partition_by", [])],
            order=exp.Order(expressions=order) if order else None,
            spec=spec if rows else None,
        )
        return exp.select(exp.Star(), window.as_(ident(params["as"]))).from_(inputs["in"])

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        if params.get("order_by") and params["function"] in RUNNING:
            return running_frame(inputs["in"], params)
        return inputs["in"].with_columns(window_expr(params).alias(params["as"]))

    def same_rows(self, params: dict[str, Any]) -> bool:
        return True
