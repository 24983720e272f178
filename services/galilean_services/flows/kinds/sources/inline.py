"""`source.inline`: rows written in the flow itself."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlglot import exp

from ...polars_code_expr import cast_code, value_code
from ...polars_expr import NoPolarsForm, Schema, cast_expr
from ...registry import Columns, CompileContext, NodeKind
from ...sql import column, ident, literal, resolve
from ..columns import SQL_TYPES


class InlineSource(NodeKind):
    name = "source.inline"
    constant = True
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

    def lazy_code(
        self,
        params: dict[str, Any],
        inputs: dict[str, str],
        ctx: CompileContext,
        schemas: dict[str, Schema],
    ) -> str | None:
        self.lazy(params, {}, ctx)  # NoPolarsForm where `lazy` has no form
        cols, rows = params["columns"], params["rows"]
        series, casts = [], []
        for i, col in enumerate(cols):
            values = "[" + ", ".join(value_code(row[i]) for row in rows) + "]"
            read = pl.Series([resolve(row[i], ctx.params) for row in rows], strict=False).dtype
            typed = ", dtype=pl.String" if read == pl.Null else ""  # as `lazy`
            series.append(f"pl.Series({col['name']!r}, {values}{typed}, strict=False)")
            if col.get("type"):
                source = pl.String() if read == pl.Null else read
                casts.append(cast_code(f"pl.col({col['name']!r})", source, col["type"], True))
        frame = (
            "pl.DataFrame(\n    [\n"
            + "".join(f"        {c},\n" for c in series)
            + "    ]\n).lazy()"
        )
        return f"{frame}.with_columns([{', '.join(casts)}])" if casts else frame
