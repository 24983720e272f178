"""The Python transform: user code in another process (see ..sandbox)."""

from __future__ import annotations

import logging
from typing import Any

import pyarrow as pa

from ...issues import NodeError
from ...registry import Columns, CompileContext, NodeKind
from ...sandbox import Limits, SandboxError, capped, run_python

log = logging.getLogger("galilean.flows")


def code_problems(code: str, function: str, hint: str) -> list[tuple[str, str]]:
    """A user-code node's `code`: it compiles and defines `function` (else `hint`)."""
    try:
        compile(code, f"{function}.py", "exec")
    except SyntaxError as exc:
        return [("code", f"line {exc.lineno}: {exc.msg}")]
    if f"def {function}" not in code:
        return [("code", hint)]
    return []


def node_limits(params: dict[str, Any], node: str) -> Limits:
    """The time and memory a user-code node asks for, within the administrator's caps
    (NodeError names a bad cap); each lowering the flow asked for is logged."""
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
            log.warning("%s: %s", node, note)
    return limits


class PythonTransform(NodeKind):
    name = "transform.python"
    user_code = True
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
            "output_columns": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "minItems": 1,
                "uniqueItems": True,
                "description": "the columns transform(df) returns, declared so that the "
                "nodes after it are checked before the flow runs (the run holds it to them)",
            },
        },
        "additionalProperties": False,
    }

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        declared = params.get("output_columns")
        return list(declared) if isinstance(declared, list) else None

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        return code_problems(
            params["code"], "transform", "define transform(df) returning a DataFrame"
        )

    def produce(
        self, params: dict[str, Any], inputs: dict[str, pa.Table], ctx: CompileContext
    ) -> pa.Table:
        limits = node_limits(params, ctx.node_id or self.name)
        try:
            rows = run_python(params["code"], inputs["in"], limits)
        except SandboxError as exc:
            raise NodeError(str(exc)) from None
        declared = params.get("output_columns")
        if isinstance(declared, list) and rows.column_names != declared:
            raise NodeError(
                f"output_columns: transform(df) returned the columns {rows.column_names}, "
                f"not the declared {declared}"
            )
        return rows
