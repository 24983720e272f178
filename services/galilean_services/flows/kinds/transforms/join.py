"""`transform.join`: join two inputs on key columns."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlglot import exp

from ...polars_expr import NoPolarsForm, Schema, schema_of
from ...registry import Columns, CompileContext, NodeKind
from ...sql import ident
from ..columns import column_of, missing


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
                    "properties": {"left": column_of("left"), "right": column_of("right")},
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

    def lazy_code(
        self,
        params: dict[str, Any],
        inputs: dict[str, str],
        ctx: CompileContext,
        schemas: dict[str, Schema],
    ) -> str | None:
        left, right = inputs["left"], inputs["right"]
        left_on = [k["left"] for k in params["on"]]
        right_on = [k["right"] for k in params["on"]]
        how = params["how"]
        keys = f"left_on={left_on!r}, right_on={right_on!r}, how={how!r}"
        if how in ("semi", "anti"):
            return f"{left}.join({right}, {keys})"
        left_names = list(schemas["left"])
        same = {k["right"] for k in params["on"] if k["left"] == k["right"]}
        right_names = [c for c in schemas["right"] if c not in same]
        if set(left_names) & set(right_names):
            raise NoPolarsForm("columns of the same name on both sides")
        joined = f'{left}.join(\n    {right}, {keys}, coalesce=False, suffix="__galilean_right"\n)'
        return f"{joined}.select({[*left_names, *right_names]!r})"
