"""`transform.filter`: keep the rows a condition holds for."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlglot import exp

from ...polars_code_expr import expression_code
from ...polars_expr import Schema, schema_of, translate
from ...registry import Columns, CompileContext, NodeKind
from ...sql import parse_expression
from ..columns import SQL_EXPRESSION, expression_problems


class Filter(NodeKind):
    name = "transform.filter"
    title = "Filter rows"
    category = "transform"
    params_schema = {
        "type": "object",
        "required": ["condition"],
        "properties": {"condition": SQL_EXPRESSION},
        "additionalProperties": False,
    }

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        return expression_problems(params["condition"], upstream["in"], "condition")

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        condition = parse_expression(params["condition"], ctx.params)
        return exp.select("*").from_(inputs["in"]).where(condition)

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        condition = parse_expression(params["condition"], ctx.params)
        return inputs["in"].filter(translate(condition, schema_of(inputs["in"])))

    def lazy_code(
        self,
        params: dict[str, Any],
        inputs: dict[str, str],
        ctx: CompileContext,
        schemas: dict[str, Schema],
    ) -> str | None:
        condition = expression_code(params["condition"], ctx.params, schemas["in"])
        return f"{inputs['in']}.filter({condition})"
