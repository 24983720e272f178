"""`transform.sort`: order the rows."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlglot import exp

from ...polars_expr import Schema
from ...registry import Columns, CompileContext, NodeKind
from ...sql import column
from ..columns import COLUMN, missing


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
                        "column": COLUMN,
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

    def lazy_code(
        self,
        params: dict[str, Any],
        inputs: dict[str, str],
        ctx: CompileContext,
        schemas: dict[str, Schema],
    ) -> str | None:
        keys = params["keys"]
        names = [k["column"] for k in keys]
        descending = [bool(k.get("descending")) for k in keys]
        return (
            f"{inputs['in']}.sort({names!r}, descending={descending!r}, nulls_last=True, "
            "maintain_order=True)"
        )

    def same_rows(self, params: dict[str, Any]) -> bool:
        return True
