"""`transform.rename`: rename columns."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlglot import exp

from ...polars_expr import Schema
from ...registry import Columns, CompileContext, NodeKind
from ...sql import column, ident
from ..columns import missing


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

    def lazy_code(
        self,
        params: dict[str, Any],
        inputs: dict[str, str],
        ctx: CompileContext,
        schemas: dict[str, Schema],
    ) -> str | None:
        return f"{inputs['in']}.rename({dict(params['mapping'])!r})"

    def same_rows(self, params: dict[str, Any]) -> bool:
        return True
