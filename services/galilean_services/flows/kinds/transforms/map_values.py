"""`transform.map_values`: replace values by a mapping."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlglot import exp

from ...polars_expr import NoPolarsForm, schema_of
from ...registry import Columns, CompileContext, NodeKind
from ...sql import column, ident, literal
from ..columns import COLUMN, missing


class MapValues(NodeKind):
    name = "transform.map_values"
    title = "Map values"
    category = "transform"
    params_schema = {
        "type": "object",
        "required": ["column", "mapping"],
        "properties": {
            "column": COLUMN,
            "mapping": {"type": "object"},
            "default": {"description": "value for unmapped ones; absent: keep them"},
        },
        "additionalProperties": False,
    }

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        return missing([params["column"]], upstream["in"], "column")

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        name = params["column"]
        case = exp.Case()
        for old, new in params["mapping"].items():
            case = case.when(exp.cast(column(name), "VARCHAR").eq(literal(old)), literal(new))
        fallback = literal(params["default"]) if "default" in params else column(name)
        return exp.select(exp.Star(replace=[case.else_(fallback).as_(ident(name))])).from_(
            inputs["in"]
        )

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        name = params["column"]
        dtype = schema_of(inputs["in"]).get(name)
        if dtype is None or not (dtype == pl.String or dtype.is_integer()):
            raise NoPolarsForm("mapping values of this type")  # its text differs by engine
        text = pl.col(name).cast(pl.String)
        chain: Any = pl
        for old, new in params["mapping"].items():
            chain = chain.when(text == old).then(pl.lit(new))
        fallback = pl.lit(params["default"]) if "default" in params else pl.col(name)
        value = chain.otherwise(fallback) if params["mapping"] else fallback
        return inputs["in"].with_columns(value.alias(name))

    def same_rows(self, params: dict[str, Any]) -> bool:
        return True
