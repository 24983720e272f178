"""The Python transform: user code in another process (see ..sandbox)."""

from __future__ import annotations

import logging
from typing import Any

import pyarrow as pa

from ..issues import NodeError
from ..registry import Columns, CompileContext, NodeKind
from ..sandbox import Limits, SandboxError, capped, run_python

log = logging.getLogger("galilean.flows")


class PythonTransform(NodeKind):
    name = "transform.python"
    title = "Python transform"
    category = "transform"
    eager = True
    cacheable = False  # user code may read the clock, a random source, the network
    params_schema = {
        "type": "object",
        "required": ["code"],
        "properties": {
            "code": {
                "type": "string",
                "minLength": 1,
                "description": "defines transform(df) returning a pandas DataFrame",
            },
            "timeout_seconds": {"type": "number", "exclusiveMinimum": 0, "maximum": 3600},
            "memory_mb": {"type": "integer", "minimum": 256, "maximum": 65536},
        },
        "additionalProperties": False,
    }

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        return None

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        try:
            compile(params["code"], "transform.py", "exec")
        except SyntaxError as exc:
            return [("code", f"line {exc.lineno}: {exc.msg}")]
        if "def transform" not in params["code"]:
            return [("code", "define transform(df) returning a DataFrame")]
        return []

    def produce(
        self, params: dict[str, Any], inputs: dict[str, pa.Table], ctx: CompileContext
    ) -> pa.Table:
        asked = Limits(
            seconds=float(params.get("timeout_seconds", Limits.seconds)),
            memory_mb=int(params.get("memory_mb", Limits.memory_mb)),
        )
        try:
            limits, notes = capped(asked)
        except ValueError as exc:  # the administrator's setting, named
            raise NodeError(str(exc)) from None
        for name, note in notes.items():
            if name in params:  # a lowered default is not the flow's doing
                # On stderr when logging is not set up: a service run's log shows it.
                log.warning("%s: %s", ctx.node_id or self.name, note)
        try:
            return run_python(params["code"], inputs["in"], limits)
        except SandboxError as exc:
            raise NodeError(str(exc)) from None


KINDS = [PythonTransform]
