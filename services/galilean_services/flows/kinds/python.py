"""The Python transform: user code in another process (see ..sandbox)."""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from ..registry import Columns, CompileContext, NodeKind


def python_table(node_id: str) -> str:
    """Where the runner registers the transform's result before the query runs."""
    return f"python_{node_id}"


class PythonTransform(NodeKind):
    name = "transform.python"
    title = "Python transform"
    category = "transform"
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

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        # The rows come from the sandbox; the runner registers them under this name.
        return exp.select("*").from_(exp.to_table(python_table(ctx.node_id)))


KINDS = [PythonTransform]
