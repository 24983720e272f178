"""`transform.fill_missing`: a value where a column is empty: a constant, or the column's
mean, median or mode (per group with `group_by`), or the previous or next value in
`order_by` order (forward / backward fill, per group too).

Both engines give the same answer: a mean or median is a DOUBLE (an integer column filled
with one becomes DOUBLE, as DuckDB's AVG and MEDIAN make it; a median of an even count is the
average of the middle two); the mode is the most frequent non-NULL value, ties going to the
smallest; NULL order keys sort last; a group with no value keeps its NULLs. Rows tied in
`order_by` have no order, so a fill across them is either neighbour's value.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlglot import exp

from ...polars_expr import NoPolarsForm, schema_of
from ...registry import Columns, CompileContext, NodeKind
from ...sql import column, ident, literal
from ..columns import COLUMN, fits, missing

METHODS = ["mean", "median", "mode", "forward", "backward"]
ORDERED = ("forward", "backward")
STATISTIC_SQL = {"mean": "AVG", "median": "MEDIAN"}
ORDER_LIST = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["column"],
        "properties": {"column": COLUMN, "descending": {"type": "boolean"}},
        "additionalProperties": False,
    },
}


def _count_name(number: int) -> str:
    return f"__galilean_mode_count_{number}"


class FillMissing(NodeKind):
    name = "transform.fill_missing"
    title = "Handle missing values"
    category = "transform"
    params_schema = {
        "type": "object",
        "properties": {
            "fill": {"type": "object", "description": "column → value used where it is NULL"},
            "method": {
                "type": "object",
                "description": "column → how to fill it: mean, median, mode (most frequent, "
                "ties to the smallest), forward or backward (needs order_by)",
                "additionalProperties": {"enum": METHODS},
            },
            "group_by": {
                "type": "array",
                "items": COLUMN,
                "description": "compute each method's value within these groups",
            },
            "order_by": {**ORDER_LIST, "description": "row order for forward/backward fill"},
            "drop_rows_missing": {"type": "array", "items": COLUMN},
        },
        "additionalProperties": False,
    }

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        known = upstream["in"]
        methods = params.get("method", {})
        problems = missing(list(params.get("fill", {})), known, "fill")
        problems += missing(list(methods), known, "method")
        problems += missing(params.get("group_by", []), known, "group_by")
        problems += missing([o["column"] for o in params.get("order_by", [])], known, "order_by")
        problems += missing(params.get("drop_rows_missing", []), known, "drop_rows_missing")
        for name in sorted(set(methods) & set(params.get("fill", {}))):
            problems.append(("method", f"column {name!r} is filled both by a value and a method"))
        if not params.get("order_by") and any(m in ORDERED for m in methods.values()):
            problems.append(("order_by", "forward and backward fill need an order_by"))
        return problems

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        methods: dict[str, str] = params.get("method", {})
        fills: list[exp.Expr] = [
            exp.func("COALESCE", column(name), literal(value)).as_(ident(name))
            for name, value in params.get("fill", {}).items()
        ]
        source: exp.Expression = inputs["in"]
        modes = [name for name, method in methods.items() if method == "mode"]
        if modes:
            source = _with_mode_counts(source, modes, params)
        fills += [
            exp.func("COALESCE", column(name), _fill_value(name, method, modes, params)).as_(
                ident(name)
            )
            for name, method in methods.items()
        ]
        helpers = [column(_count_name(i)) for i in range(len(modes))]
        star = exp.Star(replace=fills or None, except_=helpers or None)
        query = exp.select(star).from_(source)
        dropped = params.get("drop_rows_missing", [])
        if dropped and methods:  # drop after the windows have seen every row
            query = exp.select(exp.Star()).from_(query.subquery("filled"))
        for name in dropped:
            query = query.where(column(name).is_(exp.null()).not_())
        return query

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        schema = schema_of(inputs["in"])
        fills = []
        for name, value in params.get("fill", {}).items():
            if not fits(value, schema.get(name)):
                raise NoPolarsForm(f"filling {name!r} with {value!r}")
            fills.append(pl.col(name).fill_null(value))
        for name, method in params.get("method", {}).items():
            fills.append(_polars_fill(name, method, schema.get(name), params).alias(name))
        frame = inputs["in"].with_columns(fills) if fills else inputs["in"]
        dropped = params.get("drop_rows_missing", [])
        return frame.drop_nulls(subset=dropped) if dropped else frame

    def same_rows(self, params: dict[str, Any]) -> bool:
        return not params.get("drop_rows_missing")


def _partition(params: dict[str, Any], *extra: str) -> list[exp.Expression]:
    return [column(c) for c in [*params.get("group_by", []), *extra]]


def _with_mode_counts(source: exp.Expression, modes: list[str], params: dict[str, Any]) -> Any:
    """The input with, for each mode column, how often its value occurs in its group."""
    counts = [
        exp.Window(this=exp.func("COUNT", column(name)), partition_by=_partition(params, name)).as_(
            ident(_count_name(number))
        )
        for number, name in enumerate(modes)
    ]
    return exp.select(exp.Star(), *counts).from_(source).subquery("counted")


def _fill_value(name: str, method: str, modes: list[str], params: dict[str, Any]) -> exp.Window:
    """The window giving a NULL of `name` its value in DuckDB."""
    partition = _partition(params)
    if method in STATISTIC_SQL:
        return exp.Window(
            this=exp.func(STATISTIC_SQL[method], column(name)), partition_by=partition
        )
    if method == "mode":  # the most frequent first, then the smallest, NULLs (count 0) last
        order = [
            exp.Ordered(this=column(_count_name(modes.index(name))), desc=True),
            exp.Ordered(this=column(name), desc=False, nulls_first=False),
        ]
        return exp.Window(
            this=exp.func("FIRST_VALUE", column(name)),
            partition_by=partition,
            order=exp.Order(expressions=order),
        )
    forward = method == "forward"
    spec = exp.WindowSpec(
        kind="ROWS",
        start="UNBOUNDED" if forward else "CURRENT ROW",
        start_side="PRECEDING" if forward else None,
        end="CURRENT ROW" if forward else "UNBOUNDED",
        end_side=None if forward else "FOLLOWING",
    )
    order = [
        exp.Ordered(this=column(o["column"]), desc=bool(o.get("descending")), nulls_first=False)
        for o in params.get("order_by", [])
    ]
    function = exp.func("LAST_VALUE" if forward else "FIRST_VALUE", column(name))
    return exp.Window(
        this=exp.IgnoreNulls(this=function),
        partition_by=partition,
        order=exp.Order(expressions=order),
        spec=spec,
    )


def _polars_fill(
    name: str, method: str, dtype: pl.DataType | None, params: dict[str, Any]
) -> pl.Expr:
    """`name` with its NULLs filled by `method`, as `_fill_value` gives DuckDB."""
    groups = params.get("group_by") or None
    value = pl.col(name)
    if method in STATISTIC_SQL:
        if dtype is None or not (dtype.is_integer() or dtype.is_float()):
            raise NoPolarsForm(f"the {method} of {name!r} (not an integer or float column)")
        value = value.cast(pl.Float64)
        statistic = value.mean() if method == "mean" else value.median()
        return value.fill_null(statistic.over(groups) if groups else statistic)
    if method == "mode":
        if dtype is None or dtype.is_float() or dtype == pl.Null:
            raise NoPolarsForm(f"the mode of {name!r} (floats: NaN and -0.0 count differently)")
        mode = value.drop_nulls().mode().min()
        return value.fill_null(mode.over(groups) if groups else mode)
    order = params.get("order_by", [])
    directions = {bool(o.get("descending")) for o in order}
    if len(directions) != 1:
        raise NoPolarsForm(f"{method} fill over mixed directions or no order")
    filled = value.forward_fill() if method == "forward" else value.backward_fill()
    keys = [o["column"] for o in order]
    return filled.over(groups, order_by=keys, descending=directions.pop(), nulls_last=True)
