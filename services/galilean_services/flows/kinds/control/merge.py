"""`control.merge`: the rows of both inputs, columns matched by name."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlglot import exp

from ...registry import Columns, CompileContext, NodeKind


class Merge(NodeKind):
    name = "control.merge"
    title = "Merge"
    category = "control"
    inputs = ("a", "b")
    params_schema = {"type": "object", "properties": {}, "additionalProperties": False}

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        a, b = upstream.get("a"), upstream.get("b")
        if a is None or b is None:
            return None
        return a + [c for c in b if c not in a]

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        a = exp.select("*").from_(inputs["a"])
        b = exp.select("*").from_(inputs["b"])
        return exp.Union(this=a, expression=b, distinct=False, by_name=True)

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        return pl.concat([inputs["a"], inputs["b"]], how="diagonal_relaxed")
