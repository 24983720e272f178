"""`transform.select`: keep some columns."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlglot import exp

from ...polars_expr import Schema
from ...registry import Columns, CompileContext, NodeKind
from ...sql import column
from ..columns import COLUMN_LIST, missing


class Select(NodeKind):
    name = "transform.select"
    title = "Select columns"
    category = "transform"
    params_schema = {
        "type": "object",
        "required": ["columns"],
        "properties": {"columns": COLUMN_LIST},
        "additionalProperties": False,
    }

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        return list(params["columns"])

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        return missing(params["columns"], upstream["in"], "columns")

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        return exp.select(*[column(c) for c in params["columns"]]).from_(inputs["in"])

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        return inputs["in"].select([pl.col(c) for c in params["columns"]])

    def lazy_code(
        self,
        params: dict[str, Any],
        inputs: dict[str, str],
        ctx: CompileContext,
        schemas: dict[str, Schema],
    ) -> str | None:
        return f"{inputs['in']}.select({list(params['columns'])!r})"

    def same_rows(self, params: dict[str, Any]) -> bool:
        return True
