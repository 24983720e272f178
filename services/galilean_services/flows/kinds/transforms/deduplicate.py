"""`transform.deduplicate`: one row per key."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlglot import exp

from ...polars_expr import Schema
from ...registry import Columns, CompileContext, NodeKind
from ...sql import column
from ..columns import COLUMN, missing


class Deduplicate(NodeKind):
    name = "transform.deduplicate"
    blocking = True
    title = "Remove duplicate rows"
    category = "transform"
    params_schema = {
        "type": "object",
        "properties": {"columns": {"type": "array", "items": COLUMN}},
        "additionalProperties": False,
    }

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        return missing(params.get("columns", []), upstream["in"], "columns")

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        keys = params.get("columns")
        if not keys:
            return exp.select("*").from_(inputs["in"]).distinct()
        # DISTINCT ON keeps the first row of each key.
        return exp.select("*").from_(inputs["in"]).distinct(*[column(c) for c in keys])

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        keys = params.get("columns")
        return inputs["in"].unique(subset=keys or None, keep="any")

    def lazy_code(
        self,
        params: dict[str, Any],
        inputs: dict[str, str],
        ctx: CompileContext,
        schemas: dict[str, Schema],
    ) -> str | None:
        keys = params.get("columns") or None
        return f'{inputs["in"]}.unique(subset={keys!r}, keep="any")'
