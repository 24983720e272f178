"""`destination.display`: the result returned to the caller."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlglot import exp

from ...polars_expr import Schema
from ...registry import CompileContext, NodeKind


class Display(NodeKind):
    name = "destination.display"
    title = "Display (the result returned)"
    category = "destination"
    params_schema = {
        "type": "object",
        "properties": {"limit": {"type": "integer", "minimum": 1}},
        "additionalProperties": False,
    }

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        query = exp.select("*").from_(inputs["in"])
        return query.limit(params["limit"]) if "limit" in params else query

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        return inputs["in"].head(params["limit"]) if "limit" in params else inputs["in"]

    def lazy_code(
        self,
        params: dict[str, Any],
        inputs: dict[str, str],
        ctx: CompileContext,
        schemas: dict[str, Schema],
    ) -> str | None:
        limit = params.get("limit")
        return f"{inputs['in']}.head({limit!r})" if limit is not None else inputs["in"]

    def same_rows(self, params: dict[str, Any]) -> bool:
        return "limit" not in params
