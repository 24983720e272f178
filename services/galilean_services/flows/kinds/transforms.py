"""Transforms, each compiled to one SELECT over its inputs."""

from __future__ import annotations

import difflib
from typing import Any

import polars as pl
from sqlglot import exp

from ..polars_expr import NoPolarsForm, schema_of, translate
from ..registry import Columns, CompileContext, NodeKind
from ..sql import ExpressionError, column, ident, literal, parse_expression, referenced_columns

COLUMN_LIST = {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1}
AGGREGATES = {
    "sum": "SUM",
    "count": "COUNT",
    "count_distinct": "COUNT_DISTINCT",
    "avg": "AVG",
    "min": "MIN",
    "max": "MAX",
    "median": "MEDIAN",
}


def missing(names: list[str], known: Columns, path: str) -> list[tuple[str, str]]:
    if known is None:
        return []
    problems = []
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append((path, f"column {name!r} does not exist upstream{hint}"))
    return problems


def fits(value: Any, dtype: Any) -> bool:
    """A JSON value that a column of `dtype` holds as it is (no silent change of type)."""
    if dtype is None:
        return False
    if isinstance(value, bool):
        return bool(dtype == pl.Boolean)
    if isinstance(value, int):
        return bool(dtype.is_numeric())
    if isinstance(value, float):
        return bool(dtype.is_float())
    return isinstance(value, str) and dtype == pl.String


def expression_problems(
    text: str, known: Columns, path: str, params: dict[str, Any] | None = None
) -> list[tuple[str, str]]:
    try:
        tree = parse_expression(text)
    except ExpressionError as exc:
        return [(path, str(exc))]
    return missing(sorted(referenced_columns(tree)), known, path)


class Select(NodeKind):
    name = "transform.select"
    title = "Select columns"
    category = "transform"
    params_schema = {
        "type": "object",
        "required": ["columns"],
        "properties": {"columns": COLUMN_LIST},
        "additionalProperties": False,
    }

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        return list(params["columns"])

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        return missing(params["columns"], upstream["in"], "columns")

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        return exp.select(*[column(c) for c in params["columns"]]).from_(inputs["in"])

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        return inputs["in"].select([pl.col(c) for c in params["columns"]])

    def same_rows(self, params: dict[str, Any]) -> bool:
        return True


class Filter(NodeKind):
    name = "transform.filter"
    title = "Filter rows"
    category = "transform"
    params_schema = {
        "type": "object",
        "required": ["condition"],
        "properties": {"condition": {"type": "string", "minLength": 1}},
        "additionalProperties": False,
    }

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        return expression_problems(params["condition"], upstream["in"], "condition")

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        condition = parse_expression(params["condition"], ctx.params)
        return exp.select("*").from_(inputs["in"]).where(condition)

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        condition = parse_expression(params["condition"], ctx.params)
        return inputs["in"].filter(translate(condition, schema_of(inputs["in"])))


class Rename(NodeKind):
    name = "transform.rename"
    title = "Rename columns"
    category = "transform"
    params_schema = {
        "type": "object",
        "required": ["mapping"],
        "properties": {
            "mapping": {
                "type": "object",
                "additionalProperties": {"type": "string", "minLength": 1},
            }
        },
        "additionalProperties": False,
    }

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        known = upstream["in"]
        return None if known is None else [params["mapping"].get(c, c) for c in known]

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        return missing(list(params["mapping"]), upstream["in"], "mapping")

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        renames = [exp.alias_(column(old), ident(new)) for old, new in params["mapping"].items()]
        star = exp.Star(rename=renames) if renames else exp.Star()
        return exp.select(star).from_(inputs["in"])

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        return inputs["in"].rename(params["mapping"])

    def same_rows(self, params: dict[str, Any]) -> bool:
        return True


class AddColumn(NodeKind):
    name = "transform.add_column"
    title = "Add or replace a column"
    category = "transform"
    params_schema = {
        "type": "object",
        "required": ["name", "expression"],
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "expression": {"type": "string", "minLength": 1},
        },
        "additionalProperties": False,
    }

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        known = upstream["in"]
        if known is None:
            return None
        return known if params["name"] in known else [*known, params["name"]]

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        return expression_problems(params["expression"], upstream["in"], "expression")

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        name = params["name"]
        value = parse_expression(params["expression"], ctx.params).as_(ident(name))
        known = ctx.upstream.get("in")
        if known is not None and name in known:
            return exp.select(exp.Star(replace=[value])).from_(inputs["in"])  # keeps its place
        if known is not None:
            return exp.select(exp.Star(), value).from_(inputs["in"])
        # Upstream columns unknown until run time: every column but this one, then it.
        others = exp.func(
            "COLUMNS",
            exp.Lambda(
                this=exp.NEQ(this=exp.to_identifier("c"), expression=exp.Literal.string(name)),
                expressions=[exp.to_identifier("c")],
            ),
        )
        return exp.select(others, value).from_(inputs["in"])

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        tree = parse_expression(params["expression"], ctx.params)
        value = translate(tree, schema_of(inputs["in"])).alias(params["name"])
        return inputs["in"].with_columns(value)  # replaces a column in its place

    def same_rows(self, params: dict[str, Any]) -> bool:
        return True


class Sort(NodeKind):
    name = "transform.sort"
    title = "Sort rows"
    category = "transform"
    params_schema = {
        "type": "object",
        "required": ["keys"],
        "properties": {
            "keys": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["column"],
                    "properties": {
                        "column": {"type": "string"},
                        "descending": {"type": "boolean", "default": False},
                    },
                },
            }
        },
        "additionalProperties": False,
    }

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        return missing([k["column"] for k in params["keys"]], upstream["in"], "keys")

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        order = [
            exp.Ordered(this=column(k["column"]), desc=bool(k.get("descending")), nulls_first=False)
            for k in params["keys"]
        ]
        return exp.select("*").from_(inputs["in"]).order_by(*order)

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        keys = params["keys"]
        return inputs["in"].sort(
            [k["column"] for k in keys],
            descending=[bool(k.get("descending")) for k in keys],
            nulls_last=True,
            maintain_order=True,
        )

    def same_rows(self, params: dict[str, Any]) -> bool:
        return True


class FillMissing(NodeKind):
    name = "transform.fill_missing"
    title = "Handle missing values"
    category = "transform"
    params_schema = {
        "type": "object",
        "properties": {
            "fill": {"type": "object", "description": "column → value used where it is NULL"},
            "drop_rows_missing": {"type": "array", "items": {"type": "string"}},
        },
        "additionalProperties": False,
    }

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        return missing(list(params.get("fill", {})), upstream["in"], "fill") + missing(
            params.get("drop_rows_missing", []), upstream["in"], "drop_rows_missing"
        )

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        fills = [
            exp.func("COALESCE", column(name), literal(value)).as_(ident(name))
            for name, value in params.get("fill", {}).items()
        ]
        star = exp.Star(replace=fills) if fills else exp.Star()
        query = exp.select(star).from_(inputs["in"])
        for name in params.get("drop_rows_missing", []):
            query = query.where(column(name).is_(exp.null()).not_())
        return query

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        schema = schema_of(inputs["in"])
        fills = []
        for name, value in params.get("fill", {}).items():
            if not fits(value, schema.get(name)):
                raise NoPolarsForm(f"filling {name!r} with {value!r}")
            fills.append(pl.col(name).fill_null(value))
        frame = inputs["in"].with_columns(fills) if fills else inputs["in"]
        dropped = params.get("drop_rows_missing", [])
        return frame.drop_nulls(subset=dropped) if dropped else frame

    def same_rows(self, params: dict[str, Any]) -> bool:
        return not params.get("drop_rows_missing")


class Sample(NodeKind):
    name = "transform.sample"
    title = "Sample rows"
    category = "transform"
    params_schema = {
        "type": "object",
        "required": ["percent"],
        "properties": {
            "percent": {"type": "number", "exclusiveMinimum": 0, "maximum": 100},
            "seed": {"type": "integer", "default": 0},
        },
        "additionalProperties": False,
    }

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        # Reproducible on any SQL engine: a hash of the whole row and the seed.
        buckets = 10_000
        keep = round(float(params["percent"]) * buckets / 100)
        # The table's name used as a column is the whole row (a struct) in DuckDB.
        row = exp.func(
            "HASH", exp.Column(this=inputs["in"].this.copy()), literal(params.get("seed", 0))
        )
        return (
            exp.select("*")
            .from_(inputs["in"])
            .where(
                exp.Mod(this=row, expression=exp.Literal.number(buckets)) < exp.Literal.number(keep)
            )
        )


KINDS = [
    Select,
    Filter,
    Rename,
    AddColumn,
    Sort,
    FillMissing,
    Sample,
]
