"""`control.branch`: each row to its `true` or `false` output."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlglot import exp

from ...polars_expr import schema_of, translate
from ...registry import CompileContext
from ...sql import parse_expression
from ..transforms.filter import Filter


class Branch(Filter):
    """A filter's condition, but both sides kept: `true` and `false` outputs."""

    name = "control.branch"
    title = "Conditional branch"
    category = "control"
    outputs = ("true", "false")

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        return exp.select("*").from_(inputs["in"])

    def output(
        self, params: dict[str, Any], port: str, node: exp.Table, ctx: CompileContext
    ) -> exp.Query:
        condition = parse_expression(params["condition"], ctx.params)
        if port == "false":  # rows where the condition is false or unknown (NULL)
            condition = exp.not_(exp.func("COALESCE", exp.paren(condition), exp.false()))
        return exp.select("*").from_(node).where(condition)

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        return inputs["in"]

    def lazy_output(
        self, params: dict[str, Any], port: str, node: pl.LazyFrame, ctx: CompileContext
    ) -> pl.LazyFrame:
        tree = parse_expression(params["condition"], ctx.params)
        condition = translate(tree, schema_of(node))
        return node.filter(condition if port == "true" else ~condition.fill_null(False))
