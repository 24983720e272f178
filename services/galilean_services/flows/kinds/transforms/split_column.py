"""`transform.split_column`: split a text column in several."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlglot import exp

from ...polars_expr import NoPolarsForm, schema_of
from ...registry import Columns, CompileContext, NodeKind
from ...sql import column, ident, literal
from ..columns import COLUMN, missing


class SplitColumn(NodeKind):
    name = "transform.split_column"
    title = "Split a column"
    category = "transform"
    params_schema = {
        "type": "object",
        "required": ["column", "separator", "into"],
        "properties": {
            "column": COLUMN,
            "separator": {"type": "string", "minLength": 1},
            "into": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
        },
        "additionalProperties": False,
    }

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        known = upstream["in"]
        return None if known is None else [*known, *params["into"]]

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        return missing([params["column"]], upstream["in"], "column")

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        parts = [
            exp.func(
                "SPLIT_PART", column(params["column"]), literal(params["separator"]), literal(i + 1)
            ).as_(ident(name))
            for i, name in enumerate(params["into"])
        ]
        return exp.select(exp.Star(), *parts).from_(inputs["in"])

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        value = pl.col(params["column"])
        if schema_of(inputs["in"]).get(params["column"]) != pl.String:
            raise NoPolarsForm("splitting a column that is not text")
        pieces = value.str.split(params["separator"])
        return inputs["in"].with_columns(
            # SPLIT_PART: '' past the last piece, NULL only for a NULL value.
            pl.when(value.is_null())
            .then(None)
            .otherwise(pieces.list.get(i, null_on_oob=True).fill_null(""))
            .alias(name)
            for i, name in enumerate(params["into"])
        )

    def same_rows(self, params: dict[str, Any]) -> bool:
        return True
