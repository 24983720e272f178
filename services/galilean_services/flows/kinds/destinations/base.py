"""What destinations share: their rows are their input's."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlglot import exp

from ...paths import path_problem
from ...polars_expr import Schema
from ...registry import Columns, CompileContext, NodeKind


class PassThrough(NodeKind):
    """A destination whose rows are its input's (it writes them somewhere)."""

    category = "destination"

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        return exp.select("*").from_(inputs["in"])

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        return inputs["in"]

    def lazy_code(
        self,
        params: dict[str, Any],
        inputs: dict[str, str],
        ctx: CompileContext,
        schemas: dict[str, Schema],
    ) -> str | None:
        return inputs["in"]

    def same_rows(self, params: dict[str, Any]) -> bool:
        return True


class FileDestination(PassThrough):
    """A destination that writes a file in the flow's folder; its result is its input."""

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        return path_problem(params["path"])
