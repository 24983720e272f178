"""`transform.add_column`: a column computed from an expression."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlglot import exp

from ...polars_code_expr import expression_code
from ...polars_expr import Schema, schema_of, translate
from ...registry import Columns, CompileContext, NodeKind
from ...sql import ident, parse_expression
from ..columns import SQL_EXPRESSION, expression_problems


class AddColumn(NodeKind):
    name = "transform.add_column"
    title = "Add or replace a column"
    category = "transform"
    params_schema = {
        "type": "object",
        "required": ["name", "expression"],
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "expression": SQL_EXPRESSION,
        },
        "additionalProperties": False,
    }

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        known = upstream["in"]
        if known is None:
            return None
        return known if params["name"] in known else [*known, params["name"]]

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        return expression_problems(params["expression"], upstream["in"], "expression")

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        name = params["name"]
        value = parse_expression(params["expression"], ctx.params).as_(ident(name))
        known = ctx.upstream.get("in")
        if known is not None and name in known:
            return exp.select(exp.Star(replace=[value])).from_(inputs["in"])  # keeps its place
        if known is not None:
            return exp.select(exp.Star(), value).from_(inputs["in"])
        # Upstream columns unknown until run time: every column but this one, then it.
        others = exp.func(
            "COLUMNS",
            exp.Lambda(
                this=exp.NEQ(this=exp.to_identifier("c"), expression=exp.Literal.string(name)),
                expressions=[exp.to_identifier("c")],
            ),
        )
        return exp.select(others, value).from_(inputs["in"])

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        tree = parse_expression(params["expression"], ctx.params)
        value = translate(tree, schema_of(inputs["in"])).alias(params["name"])
        return inputs["in"].with_columns(value)  # replaces a column in its place

    def lazy_code(
        self,
        params: dict[str, Any],
        inputs: dict[str, str],
        ctx: CompileContext,
        schemas: dict[str, Schema],
    ) -> str | None:
        value = expression_code(params["expression"], ctx.params, schemas["in"])
        return f"{inputs['in']}.with_columns(({value}).alias({params['name']!r}))"

    def same_rows(self, params: dict[str, Any]) -> bool:
        return True
