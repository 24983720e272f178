"""What `experiments.run` trains with: a Python callable `train(data, params)` returning a
dict of metrics or `(metrics, model)`, or a .py script run in the kernel's process with
`data` and `params` as globals, which sets `metrics` (and `model`). Its code is what the
run keeps (the callable's source, or the script)."""

from __future__ import annotations

import inspect
import math
import numbers
import runpy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ExperimentError(Exception):
    """A mistake `experiments.run` names: `field` is the argument at fault."""

    def __init__(self, message: str, field: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.field = field
        self.status = status


@dataclass(frozen=True)
class Trainer:
    """A callable or a script; `name` is the code's file name in the run's artifacts."""

    function: Callable[..., Any] | None
    script: Path | None
    name: str

    def code(self) -> str:
        if self.script is not None:
            return self.script.read_text()
        try:
            return inspect.getsource(self.function)  # type: ignore[arg-type]
        except (OSError, TypeError):  # defined where no source is kept (exec, C)
            return f"# the source of {self.function!r} could not be read\n"

    def train(self, data: Any, params: Mapping[str, Any]) -> tuple[dict[str, float], Any]:
        """The metrics (checked) and the model (None when there is none)."""
        if self.script is not None:
            found = runpy.run_path(
                str(self.script), {"data": data, "params": dict(params)}, "__galilean_train__"
            )
            if "metrics" not in found:
                raise ExperimentError(f"{self.script} did not set `metrics`", "train")
            return metrics_of(found["metrics"]), found.get("model")
        assert self.function is not None
        result = self.function(data, dict(params))
        if isinstance(result, tuple) and len(result) == 2:
            return metrics_of(result[0]), result[1]
        return metrics_of(result), None


def trainer_of(train: Any) -> Trainer:
    """`train` as a Trainer: a callable, or the path of a .py file that exists."""
    if callable(train):
        name = getattr(train, "__name__", "train")
        return Trainer(train, None, f"{name if name.isidentifier() else 'train'}.py")
    if isinstance(train, str | Path):
        script = Path(train).expanduser()
        if script.suffix != ".py":
            raise ExperimentError(f"train: {str(train)!r} is not a .py script", "train")
        if not script.is_file():
            raise ExperimentError(f"train: no script {str(train)!r}", "train", 404)
        return Trainer(None, script, script.name)
    raise ExperimentError(
        f"train: a function train(data, params) or a .py script, not {type(train).__name__}",
        "train",
    )


def metrics_of(value: Any) -> dict[str, float]:
    """A trainer's metrics: names to finite numbers."""
    if not isinstance(value, Mapping):
        raise ExperimentError(
            f"train: return a dict of metrics (or (metrics, model)); got {type(value).__name__}",
            "train",
        )
    metrics: dict[str, float] = {}
    for key, number in value.items():
        if not isinstance(key, str) or not key:
            raise ExperimentError(f"train: metric name {key!r} is not a text", "train")
        ok = isinstance(number, numbers.Real) and not isinstance(number, bool)
        if not ok or not math.isfinite(float(number)):
            raise ExperimentError(f"train: metric {key!r} is not a finite number", "train")
        metrics[key] = float(number)
    return metrics


PARAM_VALUE = (str, int, float, bool)


def params_of(params: Any) -> dict[str, Any]:
    """Parameters: names to plain values (MLflow keeps them as text)."""
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise ExperimentError("params: a dict of names to values", "params")
    for key, value in params.items():
        if not isinstance(key, str) or not key:
            raise ExperimentError(f"params: name {key!r} is not a text", "params")
        if value is not None and not isinstance(value, PARAM_VALUE):
            raise ExperimentError(
                f"params: {key!r} is a {type(value).__name__}; text, numbers, true/false",
                "params",
            )
    return dict(params)
