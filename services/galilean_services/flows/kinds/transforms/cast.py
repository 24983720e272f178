"""`transform.cast`: change column types."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlglot import exp

from ...polars_expr import cast_expr, schema_of
from ...registry import Columns, CompileContext, NodeKind
from ...sql import column, ident
from ..columns import SQL_TYPES, missing


class Cast(NodeKind):
    name = "transform.cast"
    title = "Change column types"
    category = "transform"
    params_schema = {
        "type": "object",
        "required": ["types"],
        "properties": {
            "types": {"type": "object", "additionalProperties": {"enum": SQL_TYPES}},
            "on_error": {"enum": ["fail", "null"], "default": "fail"},
        },
        "additionalProperties": False,
    }

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        return missing(list(params["types"]), upstream["in"], "types")

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        safe = params.get("on_error") == "null"
        casts = [
            (exp.TryCast if safe else exp.Cast)(this=column(name), to=exp.DataType.build(kind)).as_(
                ident(name)
            )
            for name, kind in params["types"].items()
        ]
        return exp.select(exp.Star(replace=casts)).from_(inputs["in"])

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        schema = schema_of(inputs["in"])
        strict = params.get("on_error") != "null"
        return inputs["in"].with_columns(
            cast_expr(pl.col(name), schema.get(name), kind, strict).alias(name)
            for name, kind in params["types"].items()
        )

    def same_rows(self, params: dict[str, Any]) -> bool:
        return True
