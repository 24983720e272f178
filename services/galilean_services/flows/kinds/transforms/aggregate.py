"""`transform.aggregate`: group and aggregate."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlglot import exp

from ...polars_code_expr import aggregate_code
from ...polars_expr import Schema, aggregate, column_or_star
from ...registry import Columns, CompileContext, NodeKind
from ...sql import column, ident
from ..columns import AGGREGATES, COLUMN, missing


class Aggregate(NodeKind):
    name = "transform.aggregate"
    blocking = True
    summarizes = True
    title = "Group and aggregate"
    category = "transform"
    params_schema = {
        "type": "object",
        "required": ["aggregations"],
        "properties": {
            "group_by": {"type": "array", "items": COLUMN},
            "aggregations": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["function", "as"],
                    "properties": {
                        "column": COLUMN,
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

    def lazy_code(
        self,
        params: dict[str, Any],
        inputs: dict[str, str],
        ctx: CompileContext,
        schemas: dict[str, Schema],
    ) -> str | None:
        measures = [
            f"{aggregate_code(agg['function'], agg.get('column'))}.alias({agg['as']!r})"
            for agg in params["aggregations"]
        ]
        listed = "\n" + "".join(f"    {m},\n" for m in measures)  # one a line
        groups = params.get("group_by", [])
        if groups:
            return f"{inputs['in']}.group_by({list(groups)!r}).agg({listed})"
        return f"{inputs['in']}.select({listed})"
