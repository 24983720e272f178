"""`control.try`: the rows of the `try` input, else of the `fallback` one."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from ...registry import Columns, CompileContext, EagerKind


class Try(EagerKind):
    name = "control.try"
    title = "Try, else fallback"
    category = "control"
    inputs = ("try", "fallback")  # the runner decides at run time which side to give
    params_schema = {"type": "object", "properties": {}, "additionalProperties": False}
    # The `try` side may fail without failing the run (see runner.execute).
    tolerant = "try"

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        return upstream.get("try") or upstream.get("fallback")

    def produce(
        self, params: dict[str, Any], inputs: dict[str, pa.Table], ctx: CompileContext
    ) -> pa.Table:
        return inputs["try"] if "try" in inputs else inputs["fallback"]
