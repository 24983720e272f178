"""Transforms, each compiled to one SELECT over its inputs."""

from __future__ import annotations

from typing import Any

from sqlglot import exp

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
    return [(path, f"column {n!r} does not exist upstream") for n in names if n not in known]


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


class Aggregate(NodeKind):
    name = "transform.aggregate"
    title = "Group and aggregate"
    category = "transform"
    params_schema = {
        "type": "object",
        "required": ["aggregations"],
        "properties": {
            "group_by": {"type": "array", "items": {"type": "string"}},
            "aggregations": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["function", "as"],
                    "properties": {
                        "column": {"type": "string"},
                        "function": {"enum": sorted(AGGREGATES)},
                        "as": {"type": "string", "minLength": 1},
                    },
                },
            },
        },
        "additionalProperties": False,
    }

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        return [*params.get("group_by", []), *[a["as"] for a in params["aggregations"]]]

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        problems = missing(params.get("group_by", []), upstream["in"], "group_by")
        for i, agg in enumerate(params["aggregations"]):
            if "column" in agg:
                problems += missing([agg["column"]], upstream["in"], f"aggregations[{i}].column")
            elif agg["function"] != "count":
                problems.append((f"aggregations[{i}].column", f"{agg['function']} needs a column"))
        return problems

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        groups = [column(c) for c in params.get("group_by", [])]
        measures = []
        for agg in params["aggregations"]:
            target = column(agg["column"]) if "column" in agg else exp.Star()
            if agg["function"] == "count_distinct":
                value: Any = exp.Count(this=exp.Distinct(expressions=[target]))
            else:
                value = exp.func(AGGREGATES[agg["function"]], target)
            measures.append(value.as_(ident(agg["as"])))
        query = exp.select(*groups, *measures).from_(inputs["in"])
        return query.group_by(*groups) if groups else query


class Join(NodeKind):
    name = "transform.join"
    title = "Join"
    category = "transform"
    inputs = ("left", "right")
    params_schema = {
        "type": "object",
        "required": ["how", "on"],
        "properties": {
            "how": {"enum": ["inner", "left", "right", "full", "semi", "anti"]},
            "on": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["left", "right"],
                    "properties": {"left": {"type": "string"}, "right": {"type": "string"}},
                },
            },
        },
        "additionalProperties": False,
    }

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        left, right = upstream.get("left"), upstream.get("right")
        if params["how"] in ("semi", "anti"):
            return left
        if left is None or right is None:
            return None
        return [*left, *[c for c in right if c not in left]]

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        return missing([k["left"] for k in params["on"]], upstream.get("left"), "on") + missing(
            [k["right"] for k in params["on"]], upstream.get("right"), "on"
        )

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        left, right = inputs["left"].as_("l"), inputs["right"].as_("r")
        condition = exp.and_(
            *[
                exp.column(k["left"], table="l", quoted=True).eq(
                    exp.column(k["right"], table="r", quoted=True)
                )
                for k in params["on"]
            ]
        )
        how = params["how"]
        if how in ("semi", "anti"):
            return exp.select("l.*").from_(left).join(right, on=condition, join_type=how.upper())
        # USING-like output: the left's columns, then the right's others.
        same = [k["right"] for k in params["on"] if k["left"] == k["right"]]
        right_cols = exp.Column(
            this=exp.Star(except_=[ident(c) for c in same]) if same else exp.Star(),
            table=ident("r"),
        )
        query = exp.select(exp.Column(this=exp.Star(), table=ident("l")), right_cols).from_(left)
        return query.join(
            right, on=condition, join_type={"full": "FULL OUTER"}.get(how, how.upper())
        )


class Union(NodeKind):
    name = "transform.union"
    title = "Union"
    category = "transform"
    inputs = ("a", "b")
    params_schema = {
        "type": "object",
        "properties": {"distinct": {"type": "boolean", "default": False}},
        "additionalProperties": False,
    }

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        return upstream.get("a")

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        a = exp.select("*").from_(inputs["a"])
        b = exp.select("*").from_(inputs["b"])
        return exp.Union(this=a, expression=b, distinct=bool(params.get("distinct")), by_name=True)


class Deduplicate(NodeKind):
    name = "transform.deduplicate"
    title = "Remove duplicate rows"
    category = "transform"
    params_schema = {
        "type": "object",
        "properties": {"columns": {"type": "array", "items": {"type": "string"}}},
        "additionalProperties": False,
    }

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        return missing(params.get("columns", []), upstream["in"], "columns")

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        keys = params.get("columns")
        if not keys:
            return exp.select("*").from_(inputs["in"]).distinct()
        # DISTINCT ON keeps the first row of each key.
        return exp.select("*").from_(inputs["in"]).distinct(*[column(c) for c in keys])


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
    Aggregate,
    Join,
    Union,
    Deduplicate,
    FillMissing,
    Sample,
]
