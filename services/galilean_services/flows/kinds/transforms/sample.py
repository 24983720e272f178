"""`transform.sample`: a share of the rows."""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from ...registry import CompileContext, NodeKind
from ...sql import literal


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
