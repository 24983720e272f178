"""Transforms that change types, values and shape: cast, map values, split, window, pivot,
melt, and a SQL transform over the input."""

from __future__ import annotations

from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from ..registry import Columns, CompileContext, NodeKind
from ..sql import DIALECT, column, ident, literal
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
        except ParseError as exc:
            raise ValueError(f"not valid SQL: {str(exc).splitlines()[0]}") from None
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
