"""`source.file`: CSV, Parquet or JSON files in the flow's folder."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlglot import exp

from ...issues import NodeError
from ...paths import file_identity, flow_file, flow_files, is_glob, path_problem
from ...polars_code_expr import path_code
from ...polars_expr import NoPolarsForm, Schema
from ...probe import describe
from ...registry import Columns, CompileContext, NodeKind


class FileSource(NodeKind):
    name = "source.file"
    title = "File"
    category = "source"
    inputs = ()
    params_schema = {
        "type": "object",
        "required": ["path"],
        "properties": {
            "path": {"type": "string", "minLength": 1},
            "format": {"enum": ["auto", "csv", "parquet", "json"], "default": "auto"},
        },
        "additionalProperties": False,
    }
    readers = {"csv": "read_csv_auto", "parquet": "read_parquet", "json": "read_json_auto"}

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        return None

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        return path_problem(params["path"])

    def probe(self, params: dict[str, Any], ctx: CompileContext) -> Columns:
        path = params["path"]
        if not isinstance(path, str) or path_problem(path) or is_glob(path):
            return None  # a flow parameter (known at run time), or many files
        try:
            query = self.compile(params, {}, ctx)
        except NodeError:
            return None  # the run says so, naming the node
        return describe(query, ctx.base_dir)

    def fingerprint(self, params: dict[str, Any], ctx: CompileContext) -> str:
        return file_identity(ctx, params["path"])

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        full = flow_file(ctx, params["path"])
        fmt = params.get("format", "auto")
        if fmt == "auto":
            fmt = {".csv": "csv", ".parquet": "parquet", ".json": "json"}.get(
                full.suffix.lower(), "csv"
            )
        reader = exp.func(self.readers[fmt], exp.Literal.string(str(full)))
        return exp.select("*").from_(exp.Table(this=reader))

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        full = flow_file(ctx, params["path"])
        fmt = params.get("format", "auto")
        if fmt == "parquet" or (fmt == "auto" and full.suffix.lower() == ".parquet"):
            # The files themselves, resolved and checked: given a pattern, Polars would
            # expand it and follow symlinks out of the folder.
            return pl.scan_parquet(flow_files(ctx, params["path"]), glob=False)
        # DuckDB's CSV and JSON sniffing (delimiters, dates) is what flows are written against.
        raise NoPolarsForm("reading CSV or JSON")

    def lazy_code(
        self,
        params: dict[str, Any],
        inputs: dict[str, str],
        ctx: CompileContext,
        schemas: dict[str, Schema],
    ) -> str | None:
        full = flow_file(ctx, params["path"])
        fmt = params.get("format", "auto")
        if fmt == "parquet" or (fmt == "auto" and full.suffix.lower() == ".parquet"):
            return f"pl.scan_parquet({path_code(params['path'])})"
        raise NoPolarsForm("reading CSV or JSON")
