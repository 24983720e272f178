"""Control kinds: a conditional branch, a merge, and try/fallback.

- `control.branch` sends each row to its `true` or `false` output by a condition (a
  condition on parameters only, like `:mode = 'full'`, routes the whole data one way).
- `control.merge` takes the rows of both inputs, matching columns by name (a column only
  one side has is empty on the other side's rows): it joins branches again.
- `control.try` gives the rows of its `try` input; if anything on that side fails at run
  time (a missing file, an API that is down, user code that raises), it gives the rows of
  its `fallback` input instead, and the run's log says why.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pyarrow as pa
from sqlglot import exp

from ..polars_expr import schema_of, translate
from ..registry import Columns, CompileContext, EagerKind, NodeKind
from ..sql import parse_expression
from .transforms import Filter


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


class Try(EagerKind):
    name = "control.try"
    title = "Try, else fallback"
    category = "control"
    inputs = ("try", "fallback")  # the runner decides at run time which side to give
    params_schema = {"type": "object", "properties": {}, "additionalProperties": False}
    # The `try` side may fail without failing the run (see runner.execute).
    tolerant = "try"

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        return upstream.get("try") or upstream.get("fallback")

    def produce(
        self, params: dict[str, Any], inputs: dict[str, pa.Table], ctx: CompileContext
    ) -> pa.Table:
        return inputs["try"] if "try" in inputs else inputs["fallback"]


KINDS = [Branch, Merge, Try]
