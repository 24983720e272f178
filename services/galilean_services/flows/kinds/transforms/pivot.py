"""`transform.pivot`: values of a column become columns."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlglot import exp

from ...polars_expr import aggregate
from ...registry import Columns, CompileContext, NodeKind
from ...sql import column, ident, literal
from ..columns import AGGREGATES, COLUMN, missing


class Pivot(NodeKind):
    """Rows to columns for the listed values (listed so the output's columns are known)."""

    name = "transform.pivot"
    blocking = True
    summarizes = True
    title = "Pivot"
    category = "transform"
    params_schema = {
        "type": "object",
        "required": ["index", "column", "values", "value", "function"],
        "properties": {
            "index": {"type": "array", "items": COLUMN, "minItems": 1},
            "column": COLUMN,
            "values": {"type": "array", "items": {"type": ["string", "number"]}, "minItems": 1},
            "value": COLUMN,
            "function": {"enum": ["sum", "avg", "min", "max", "count"]},
        },
        "additionalProperties": False,
    }

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        return [*params["index"], *[str(v) for v in params["values"]]]

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        names = [*params["index"], params["column"], params["value"]]
        return missing(names, upstream["in"], "columns")

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        index = [column(c) for c in params["index"]]
        cells = [
            exp.func(
                AGGREGATES[params["function"]],
                exp.Case().when(column(params["column"]).eq(literal(v)), column(params["value"])),
            ).as_(ident(str(v)))
            for v in params["values"]
        ]
        return exp.select(*index, *cells).from_(inputs["in"]).group_by(*index)

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        picked = pl.col(params["column"])
        cells = [
            # As SUM(CASE WHEN column = v THEN value END): the value where the column is v.
            aggregate(params["function"], pl.col(params["value"]).filter(picked == v)).alias(str(v))
            for v in params["values"]
        ]
        return inputs["in"].group_by(params["index"]).agg(cells)
