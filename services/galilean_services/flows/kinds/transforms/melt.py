"""`transform.melt`: columns become rows (unpivot)."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlglot import exp

from ...registry import Columns, CompileContext, NodeKind
from ...sql import column, ident, literal
from ..columns import COLUMN, missing


class Melt(NodeKind):
    """Columns to rows: one row per (id columns, melted column)."""

    name = "transform.melt"
    title = "Melt (unpivot)"
    category = "transform"
    params_schema = {
        "type": "object",
        "required": ["id_columns", "value_columns"],
        "properties": {
            "id_columns": {"type": "array", "items": COLUMN},
            "value_columns": {"type": "array", "items": COLUMN, "minItems": 1},
            "variable_name": {"type": "string", "default": "variable"},
            "value_name": {"type": "string", "default": "value"},
        },
        "additionalProperties": False,
    }

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        return [
            *params["id_columns"],
            params.get("variable_name", "variable"),
            params.get("value_name", "value"),
        ]

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        return missing([*params["id_columns"], *params["value_columns"]], upstream["in"], "columns")

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        ids = [column(c) for c in params["id_columns"]]
        parts = [
            exp.select(
                *ids,
                literal(name).as_(ident(params.get("variable_name", "variable"))),
                column(name).as_(ident(params.get("value_name", "value"))),
            ).from_(inputs["in"])
            for name in params["value_columns"]
        ]
        query: Any = parts[0]
        for part in parts[1:]:
            query = exp.union(query, part, distinct=False)
        return exp.select("*").from_(query.subquery("melted"))

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        return inputs["in"].unpivot(
            on=params["value_columns"],
            index=params["id_columns"],
            variable_name=params.get("variable_name", "variable"),
            value_name=params.get("value_name", "value"),
        )
