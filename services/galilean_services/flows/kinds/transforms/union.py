"""`transform.union`: the rows of both inputs."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlglot import exp

from ...polars_expr import Schema
from ...registry import Columns, CompileContext, NodeKind


class Union(NodeKind):
    name = "transform.union"
    title = "Union"
    category = "transform"
    inputs = ("a", "b")
    params_schema = {
        "type": "object",
        "properties": {"distinct": {"type": "boolean", "default": False}},
        "additionalProperties": False,
    }

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        return upstream.get("a")

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        a = exp.select("*").from_(inputs["a"])
        b = exp.select("*").from_(inputs["b"])
        return exp.Union(this=a, expression=b, distinct=bool(params.get("distinct")), by_name=True)

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        both = pl.concat([inputs["a"], inputs["b"]], how="diagonal_relaxed")
        return both.unique() if params.get("distinct") else both

    def lazy_code(
        self,
        params: dict[str, Any],
        inputs: dict[str, str],
        ctx: CompileContext,
        schemas: dict[str, Schema],
    ) -> str | None:
        both = f'pl.concat([{inputs["a"]}, {inputs["b"]}], how="diagonal_relaxed")'
        return f"{both}.unique()" if params.get("distinct") else both
