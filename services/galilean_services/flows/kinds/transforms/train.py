"""`transform.train`: train a model on the rows that reach it, with the user's
`train(df, params)` in the Python sandbox (see ...training). Its output is one row of
the metrics; the run carries the training's record, which the flows service logs to
MLflow as the flow's owner (a scheduled flow is a scheduled retrain)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from ...issues import NodeError
from ...registry import Columns, CompileContext, NodeKind
from ...sandbox import SandboxError
from ...training import MAX_PARAMS, train
from .python import code_problems, node_limits

EXPERIMENT = {
    "type": "string",
    "pattern": "^[A-Za-z0-9_][A-Za-z0-9_ ./-]{0,249}$",
    "description": "the MLflow experiment (default: your own, users/<you>/default)",
}
# One of three (anyOf, which the designer's form renders as a choice; a list of types it
# cannot render). Parameters are a list of {name, value}: the form names every control.
SCALAR = {
    "anyOf": [
        {"type": "number", "title": "number"},
        {"type": "string", "title": "text"},
        {"type": "boolean", "title": "yes / no"},
    ]
}


class TrainModel(NodeKind):
    name = "transform.train"
    user_code = True
    title = "Train a model (MLflow)"
    category = "transform"
    eager = True
    cacheable = False  # a training is an event: each run trains and is recorded
    params_schema = {
        "type": "object",
        "required": ["code"],
        "properties": {
            "code": {
                "type": "string",
                "minLength": 1,
                "description": "defines train(df, params) returning a dict of metrics, or "
                "(metrics, model)",
            },
            "params": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name", "value"],
                    "properties": {
                        "name": {"type": "string", "pattern": "^[A-Za-z0-9_. /-]{1,250}$"},
                        "value": SCALAR,
                    },
                    "additionalProperties": False,
                },
                "maxItems": MAX_PARAMS,
                "description": "given to train(df, params) as a dict and logged as the run's "
                "parameters",
            },
            "experiment": EXPERIMENT,
            "run_name": {"type": "string", "maxLength": 250},
            "metrics": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "minItems": 1,
                "uniqueItems": True,
                "description": "the metrics train(df, params) returns, declared so that the "
                "nodes after it are checked before the flow runs (the run holds it to them)",
            },
            "timeout_seconds": {"type": "number", "exclusiveMinimum": 0, "maximum": 3600},
            "memory_mb": {"type": "integer", "minimum": 256, "maximum": 65536},
        },
        "additionalProperties": False,
    }

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        declared = params.get("metrics")
        return list(declared) if isinstance(declared, list) else None

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        problems = code_problems(
            params["code"], "train", "define train(df, params) returning a dict of metrics"
        )
        if problems:
            return problems
        names = [item["name"] for item in params.get("params") or []]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            return [("params", f"parameter {twice[0]!r} is given twice")]
        return []

    def produce(
        self, params: dict[str, Any], inputs: dict[str, pa.Table], ctx: CompileContext
    ) -> pa.Table:
        node = ctx.node_id or self.name
        limits = node_limits(params, node)
        try:
            given = {item["name"]: item["value"] for item in params.get("params") or []}
            training = train(node, params["code"], given, inputs["in"], limits)
        except SandboxError as exc:
            raise NodeError(str(exc)) from None
        declared = params.get("metrics")
        if isinstance(declared, list) and list(training.metrics) != declared:
            raise NodeError(
                f"metrics: train(df, params) returned the metrics {list(training.metrics)}, "
                f"not the declared {declared}"
            )
        training.experiment = str(params.get("experiment") or "")
        training.run_name = str(params.get("run_name") or "")
        if ctx.trainings is not None:
            ctx.trainings.append(training)
        return training.row()
