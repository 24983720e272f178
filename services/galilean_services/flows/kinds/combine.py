"""Transforms that combine rows: group and aggregate, join, union, deduplicate."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlglot import exp

from ..polars_expr import NoPolarsForm, aggregate, column_or_star, schema_of
from ..registry import Columns, CompileContext, NodeKind
from ..sql import column, ident
from .transforms import AGGREGATES, missing


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

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        measures = [
            aggregate(agg["function"], column_or_star(agg)).alias(agg["as"])
            for agg in params["aggregations"]
        ]
        if ctx.count_rows_as:
            measures.append(pl.len().alias(ctx.count_rows_as))
        groups = params.get("group_by", [])
        if groups:
            return inputs["in"].group_by(groups).agg(measures)
        return inputs["in"].select(measures)


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

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        left, right = inputs["left"], inputs["right"]
        left_on = [k["left"] for k in params["on"]]
        right_on = [k["right"] for k in params["on"]]
        how = params["how"]
        if how in ("semi", "anti"):
            return left.join(right, left_on=left_on, right_on=right_on, how=how)
        left_names = list(schema_of(left))
        same = {k["right"] for k in params["on"] if k["left"] == k["right"]}
        right_names = [c for c in schema_of(right) if c not in same]
        if set(left_names) & set(right_names):  # SQL would give two columns of one name
            raise NoPolarsForm("columns of the same name on both sides")
        suffix = "__galilean_right"
        joined = left.join(
            right, left_on=left_on, right_on=right_on, how=how, coalesce=False, suffix=suffix
        )
        # As the SQL form: the left's columns, then the right's but the same-named keys.
        return joined.select([*left_names, *right_names])


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

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        both = pl.concat([inputs["a"], inputs["b"]], how="diagonal_relaxed")
        return both.unique() if params.get("distinct") else both


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

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        keys = params.get("columns")
        return inputs["in"].unique(subset=keys or None, keep="any")


KINDS = [Aggregate, Join, Union, Deduplicate]
