"""`transform.window`: a window function over partitions."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlglot import exp

from ...polars_expr import NoPolarsForm, aggregate, column_or_star
from ...registry import Columns, CompileContext, NodeKind
from ...sql import column, ident
from ..columns import AGGREGATES, missing

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
            "column": {"type": "string"},
            "partition_by": {"type": "array", "items": {"type": "string"}},
            "order_by": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["column"],
                    "properties": {"column": {"type": "string"}, "descending": {"type": "boolean"}},
                },
            },
            "as": {"type": "string", "minLength": 1},
        },
        "additionalProperties": False,
    }

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
        window = exp.Window(
            this=call,
            partition_by=[column(c) for c in params.get("partition_by", [])],
            order=exp.Order(expressions=order) if order else None,
        )
        return exp.select(exp.Star(), window.as_(ident(params["as"]))).from_(inputs["in"])

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        return inputs["in"].with_columns(window_expr(params).alias(params["as"]))

    def same_rows(self, params: dict[str, Any]) -> bool:
        return True
