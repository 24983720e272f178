"""Transforms that change types, values and shape: cast, map values, split, window, pivot,
melt, and a SQL transform over the input."""

from __future__ import annotations

from typing import Any

import polars as pl
import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from ..polars_expr import NoPolarsForm, aggregate, cast_expr, column_or_star, schema_of
from ..registry import Columns, CompileContext, NodeKind
from ..sql import DIALECT, column, ident, literal, sql_error
from .sources import SQL_TYPES
from .transforms import AGGREGATES, missing

WINDOW_FUNCTIONS = [
    "row_number",
    "rank",
    "dense_rank",
    "sum",
    "avg",
    "min",
    "max",
    "count",
    "lag",
    "lead",
]


def window_expr(params: dict[str, Any]) -> pl.Expr:
    """A window function as DuckDB computes it (ORDER BY with NULLs last)."""
    function = params["function"]
    partition = params.get("partition_by") or None
    order = params.get("order_by", [])
    if function in ("row_number", "rank", "dense_rank", "lag", "lead"):
        if len(order) != 1 and function != "row_number":
            raise NoPolarsForm(f"{function} over more or fewer than one order column")
        if function == "row_number":
            value = pl.int_range(1, pl.len() + 1, dtype=pl.Int64)
            if not order:
                return value.over(partition) if partition else value
            keys = [o["column"] for o in order]
            directions = {bool(o.get("descending")) for o in order}
            if len(directions) > 1:
                raise NoPolarsForm("row_number over mixed directions")
            return value.over(partition, order_by=keys, descending=directions.pop(),
                              nulls_last=True)  # fmt: skip
        key, descending = pl.col(order[0]["column"]), bool(order[0].get("descending"))
        if function in ("lag", "lead"):
            if "column" not in params:
                raise NoPolarsForm(f"{function} without a column")
            shifted = pl.col(params["column"]).shift(1 if function == "lag" else -1)
            return shifted.over(partition, order_by=key, descending=descending,
                                nulls_last=True)  # fmt: skip
        if function == "rank":
            ranked = key.rank("min", descending=descending)
            after = key.count() + 1  # NULLs sort last, all tied: after every ranked row
        else:
            ranked = key.rank("dense", descending=descending)
            after = ranked.max().fill_null(0) + 1
        value = pl.when(key.is_null()).then(after).otherwise(ranked).cast(pl.Int64)
        return value.over(partition) if partition else value
    if order:  # a running aggregate over peers: not promised
        raise NoPolarsForm(f"{function} with an order (a running total)")
    value = aggregate(function, column_or_star(params))
    return value.over(partition) if partition else value


class Cast(NodeKind):
    name = "transform.cast"
    title = "Change column types"
    category = "transform"
    params_schema = {
        "type": "object",
        "required": ["types"],
        "properties": {
            "types": {"type": "object", "additionalProperties": {"enum": SQL_TYPES}},
            "on_error": {"enum": ["fail", "null"], "default": "fail"},
        },
        "additionalProperties": False,
    }

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        return missing(list(params["types"]), upstream["in"], "types")

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        safe = params.get("on_error") == "null"
        casts = [
            (exp.TryCast if safe else exp.Cast)(this=column(name), to=exp.DataType.build(kind)).as_(
                ident(name)
            )
            for name, kind in params["types"].items()
        ]
        return exp.select(exp.Star(replace=casts)).from_(inputs["in"])

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        schema = schema_of(inputs["in"])
        strict = params.get("on_error") != "null"
        return inputs["in"].with_columns(
            cast_expr(pl.col(name), schema.get(name), kind, strict).alias(name)
            for name, kind in params["types"].items()
        )

    def same_rows(self, params: dict[str, Any]) -> bool:
        return True


class MapValues(NodeKind):
    name = "transform.map_values"
    title = "Map values"
    category = "transform"
    params_schema = {
        "type": "object",
        "required": ["column", "mapping"],
        "properties": {
            "column": {"type": "string"},
            "mapping": {"type": "object"},
            "default": {"description": "value for unmapped ones; absent: keep them"},
        },
        "additionalProperties": False,
    }

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        return missing([params["column"]], upstream["in"], "column")

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        name = params["column"]
        case = exp.Case()
        for old, new in params["mapping"].items():
            case = case.when(exp.cast(column(name), "VARCHAR").eq(literal(old)), literal(new))
        fallback = literal(params["default"]) if "default" in params else column(name)
        return exp.select(exp.Star(replace=[case.else_(fallback).as_(ident(name))])).from_(
            inputs["in"]
        )

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        name = params["column"]
        dtype = schema_of(inputs["in"]).get(name)
        if dtype is None or not (dtype == pl.String or dtype.is_integer()):
            raise NoPolarsForm("mapping values of this type")  # its text differs by engine
        text = pl.col(name).cast(pl.String)
        chain: Any = pl
        for old, new in params["mapping"].items():
            chain = chain.when(text == old).then(pl.lit(new))
        fallback = pl.lit(params["default"]) if "default" in params else pl.col(name)
        value = chain.otherwise(fallback) if params["mapping"] else fallback
        return inputs["in"].with_columns(value.alias(name))

    def same_rows(self, params: dict[str, Any]) -> bool:
        return True


class SplitColumn(NodeKind):
    name = "transform.split_column"
    title = "Split a column"
    category = "transform"
    params_schema = {
        "type": "object",
        "required": ["column", "separator", "into"],
        "properties": {
            "column": {"type": "string"},
            "separator": {"type": "string", "minLength": 1},
            "into": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
        },
        "additionalProperties": False,
    }

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        known = upstream["in"]
        return None if known is None else [*known, *params["into"]]

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        return missing([params["column"]], upstream["in"], "column")

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        parts = [
            exp.func(
                "SPLIT_PART", column(params["column"]), literal(params["separator"]), literal(i + 1)
            ).as_(ident(name))
            for i, name in enumerate(params["into"])
        ]
        return exp.select(exp.Star(), *parts).from_(inputs["in"])

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        value = pl.col(params["column"])
        if schema_of(inputs["in"]).get(params["column"]) != pl.String:
            raise NoPolarsForm("splitting a column that is not text")
        pieces = value.str.split(params["separator"])
        return inputs["in"].with_columns(
            # SPLIT_PART: '' past the last piece, NULL only for a NULL value.
            pl.when(value.is_null())
            .then(None)
            .otherwise(pieces.list.get(i, null_on_oob=True).fill_null(""))
            .alias(name)
            for i, name in enumerate(params["into"])
        )

    def same_rows(self, params: dict[str, Any]) -> bool:
        return True


class Window(NodeKind):
    name = "transform.window"
    title = "Window function"
    category = "transform"
    params_schema = {
        "type": "object",
        "required": ["function", "as"],
        "properties": {
            "function": {"enum": WINDOW_FUNCTIONS},
            "column": {"type": "string"},
            "partition_by": {"type": "array", "items": {"type": "string"}},
            "order_by": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["column"],
                    "properties": {"column": {"type": "string"}, "descending": {"type": "boolean"}},
                },
            },
            "as": {"type": "string", "minLength": 1},
        },
        "additionalProperties": False,
    }

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        known = upstream["in"]
        return None if known is None else [*known, params["as"]]

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        names = [
            *params.get("partition_by", []),
            *[o["column"] for o in params.get("order_by", [])],
        ]
        if "column" in params:
            names.append(params["column"])
        elif params["function"] not in ("row_number", "rank", "dense_rank", "count"):
            return [("column", f"{params['function']} needs a column")]
        return missing(names, upstream["in"], "columns")

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        function = params["function"]
        args: list[exp.Expression] = [column(params["column"])] if "column" in params else []
        if function == "count" and not args:
            args = [exp.Star()]
        name = AGGREGATES.get(function, function.upper())
        call = exp.func(name, *args)
        order = [
            exp.Ordered(this=column(o["column"]), desc=bool(o.get("descending")), nulls_first=False)
            for o in params.get("order_by", [])
        ]
        window = exp.Window(
            this=call,
            partition_by=[column(c) for c in params.get("partition_by", [])],
            order=exp.Order(expressions=order) if order else None,
        )
        return exp.select(exp.Star(), window.as_(ident(params["as"]))).from_(inputs["in"])

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        return inputs["in"].with_columns(window_expr(params).alias(params["as"]))

    def same_rows(self, params: dict[str, Any]) -> bool:
        return True


class Pivot(NodeKind):
    """Rows to columns for the listed values (listed so the output's columns are known)."""

    name = "transform.pivot"
    title = "Pivot"
    category = "transform"
    params_schema = {
        "type": "object",
        "required": ["index", "column", "values", "value", "function"],
        "properties": {
            "index": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "column": {"type": "string"},
            "values": {"type": "array", "items": {"type": ["string", "number"]}, "minItems": 1},
            "value": {"type": "string"},
            "function": {"enum": ["sum", "avg", "min", "max", "count"]},
        },
        "additionalProperties": False,
    }

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        return [*params["index"], *[str(v) for v in params["values"]]]

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        names = [*params["index"], params["column"], params["value"]]
        return missing(names, upstream["in"], "columns")

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        index = [column(c) for c in params["index"]]
        cells = [
            exp.func(
                AGGREGATES[params["function"]],
                exp.Case().when(column(params["column"]).eq(literal(v)), column(params["value"])),
            ).as_(ident(str(v)))
            for v in params["values"]
        ]
        return exp.select(*index, *cells).from_(inputs["in"]).group_by(*index)

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        picked = pl.col(params["column"])
        cells = [
            # As SUM(CASE WHEN column = v THEN value END): the value where the column is v.
            aggregate(params["function"], pl.col(params["value"]).filter(picked == v)).alias(str(v))
            for v in params["values"]
        ]
        return inputs["in"].group_by(params["index"]).agg(cells)


class Melt(NodeKind):
    """Columns to rows: one row per (id columns, melted column)."""

    name = "transform.melt"
    title = "Melt (unpivot)"
    category = "transform"
    params_schema = {
        "type": "object",
        "required": ["id_columns", "value_columns"],
        "properties": {
            "id_columns": {"type": "array", "items": {"type": "string"}},
            "value_columns": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "variable_name": {"type": "string", "default": "variable"},
            "value_name": {"type": "string", "default": "value"},
        },
        "additionalProperties": False,
    }

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        return [
            *params["id_columns"],
            params.get("variable_name", "variable"),
            params.get("value_name", "value"),
        ]

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        return missing([*params["id_columns"], *params["value_columns"]], upstream["in"], "columns")

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        ids = [column(c) for c in params["id_columns"]]
        parts = [
            exp.select(
                *ids,
                literal(name).as_(ident(params.get("variable_name", "variable"))),
                column(name).as_(ident(params.get("value_name", "value"))),
            ).from_(inputs["in"])
            for name in params["value_columns"]
        ]
        query: Any = parts[0]
        for part in parts[1:]:
            query = exp.union(query, part, distinct=False)
        return exp.select("*").from_(query.subquery("melted"))

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        return inputs["in"].unpivot(
            on=params["value_columns"],
            index=params["id_columns"],
            variable_name=params.get("variable_name", "variable"),
            value_name=params.get("value_name", "value"),
        )


class SqlTransform(NodeKind):
    """A SELECT written by the user over its input, which it reads as `input`."""

    name = "transform.sql"
    title = "SQL transform"
    category = "transform"
    params_schema = {
        "type": "object",
        "required": ["query"],
        "properties": {"query": {"type": "string", "minLength": 1}},
        "additionalProperties": False,
    }

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        return None

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        try:
            self._parse(params["query"])
        except ValueError as exc:
            return [("query", str(exc))]
        return []

    @staticmethod
    def _parse(text: str) -> exp.Query:
        try:
            statements = sqlglot.parse(text, read=DIALECT)
        except SqlglotError as exc:  # ParseError, and TokenError (an unclosed quote)
            raise ValueError(f"not valid SQL: {sql_error(exc)}") from None
        if len(statements) != 1 or not isinstance(statements[0], exp.Query):
            raise ValueError("write one SELECT query (reading the input as `input`)")
        tree = statements[0]
        tables = {t.name for t in tree.find_all(exp.Table)} - {
            cte.alias for cte in tree.find_all(exp.CTE)
        }
        if tables - {"input"}:
            raise ValueError(
                f"a SQL transform reads only `input`, not {sorted(tables - {'input'})}"
            )
        if any(isinstance(t.this, exp.Func) for t in tree.find_all(exp.Table)):
            raise ValueError("a SQL transform reads only `input`, not table functions")
        return tree

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        tree = self._parse(params["query"])
        for table in tree.find_all(exp.Table):
            if table.name == "input":
                table.replace(inputs["in"].copy().as_(table.alias or "input"))
        return tree


KINDS = [Cast, MapValues, SplitColumn, Window, Pivot, Melt, SqlTransform]
