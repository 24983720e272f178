"""`transform.fill_missing`: a value where a column is empty."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlglot import exp

from ...polars_expr import NoPolarsForm, schema_of
from ...registry import Columns, CompileContext, NodeKind
from ...sql import column, ident, literal
from ..columns import fits, missing


class FillMissing(NodeKind):
    name = "transform.fill_missing"
    title = "Handle missing values"
    category = "transform"
    params_schema = {
        "type": "object",
        "properties": {
            "fill": {"type": "object", "description": "column → value used where it is NULL"},
            "drop_rows_missing": {"type": "array", "items": {"type": "string"}},
        },
        "additionalProperties": False,
    }

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        return missing(list(params.get("fill", {})), upstream["in"], "fill") + missing(
            params.get("drop_rows_missing", []), upstream["in"], "drop_rows_missing"
        )

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        fills = [
            exp.func("COALESCE", column(name), literal(value)).as_(ident(name))
            for name, value in params.get("fill", {}).items()
        ]
        star = exp.Star(replace=fills) if fills else exp.Star()
        query = exp.select(star).from_(inputs["in"])
        for name in params.get("drop_rows_missing", []):
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
        frame = inputs["in"].with_columns(fills) if fills else inputs["in"]
        dropped = params.get("drop_rows_missing", [])
        return frame.drop_nulls(subset=dropped) if dropped else frame

    def same_rows(self, params: dict[str, Any]) -> bool:
        return not params.get("drop_rows_missing")
