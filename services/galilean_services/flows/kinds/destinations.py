"""Destinations: the result shown to the caller, or a file written."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlglot import exp

from ..paths import path_problem
from ..registry import Columns, CompileContext, NodeKind


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

    def same_rows(self, params: dict[str, Any]) -> bool:
        return "limit" not in params


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

    def same_rows(self, params: dict[str, Any]) -> bool:
        return True


class FileDestination(PassThrough):
    """A destination that writes a file in the flow's folder; its result is its input."""

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        return path_problem(params["path"])


class FileWriter(FileDestination):
    """CSV or Parquet, streamed by the engine (the runner's COPY)."""

    name = "destination.file"
    title = "Write a file"
    params_schema = {
        "type": "object",
        "required": ["path"],
        "properties": {
            "path": {"type": "string", "minLength": 1},
            "format": {"enum": ["csv", "parquet"], "default": "parquet"},
        },
        "additionalProperties": False,
    }


KINDS = [Display, FileWriter]
