"""Sources: inline rows and files (CSV, Parquet, JSON)."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlglot import exp

from ..issues import NodeError
from ..paths import file_identity, flow_file, flow_files, is_glob, path_problem
from ..polars_expr import NoPolarsForm, cast_expr
from ..probe import describe
from ..registry import Columns, CompileContext, NodeKind
from ..sql import column, ident, literal, resolve

SQL_TYPES = ["VARCHAR", "BIGINT", "INTEGER", "DOUBLE", "BOOLEAN", "DATE", "TIMESTAMP", "DECIMAL"]


class InlineSource(NodeKind):
    name = "source.inline"
    title = "Inline data"
    category = "source"
    inputs = ()
    params_schema = {
        "type": "object",
        "required": ["columns", "rows"],
        "properties": {
            "columns": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string", "minLength": 1},
                        "type": {"enum": SQL_TYPES},
                    },
                },
            },
            "rows": {"type": "array", "items": {"type": "array"}},
        },
        "additionalProperties": False,
    }

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        return [c["name"] for c in params["columns"]]

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        width = len(params["columns"])
        return [
            (f"rows[{i}]", f"row has {len(row)} values for {width} columns")
            for i, row in enumerate(params["rows"])
            if len(row) != width
        ]

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        cols = params["columns"]
        names = [c["name"] for c in cols]
        if not params["rows"]:
            nulls = [
                exp.cast(exp.null(), c.get("type", "VARCHAR")).as_(ident(c["name"])) for c in cols
            ]
            return exp.select(*nulls).where(exp.false())
        values = exp.values(
            [tuple(literal(resolve(v, ctx.params)) for v in row) for row in params["rows"]],
            alias="t",
            columns=names,
        )
        projections = [
            exp.cast(column(c["name"]), c["type"]).as_(ident(c["name"]))
            if c.get("type")
            else column(c["name"])
            for c in cols
        ]
        return exp.select(*projections).from_(values)

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        cols = params["columns"]
        rows = [[resolve(v, ctx.params) for v in row] for row in params["rows"]]
        data = {}
        for i, col in enumerate(cols):
            values = pl.Series(col["name"], [row[i] for row in rows], strict=False)
            if values.dtype == pl.Null:
                values = values.cast(pl.String)  # as DuckDB: an all-NULL column is text
            if values.dtype == pl.Object or values.dtype.is_nested():
                raise NoPolarsForm(f"values of column {col['name']!r}")
            data[col["name"]] = values
        frame = pl.DataFrame(data).lazy()
        typed = [
            cast_expr(pl.col(c["name"]), data[c["name"]].dtype, c["type"], strict=True)
            for c in cols
            if c.get("type")
        ]
        return frame.with_columns(typed) if typed else frame


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


KINDS = [InlineSource, FileSource]
