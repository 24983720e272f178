"""Train a model in a flow (`transform.train`): the user's `train(df, params)` runs in the
Python sandbox (sandbox.py) and returns its metrics, or (metrics, model). The sandbox has
no network, so nothing is tracked from there: the run carries a *record* of the training
(parameters, metrics, code and the model's files) that the flows service logs to MLflow
as the flow's owner after the run (flows_service/mlflow_record.py).

A scikit-learn estimator is saved in MLflow's sklearn flavour (where `mlflow` is
installed), anything else pickled. The model's files are read from the sandbox's folder
without following links (the code there could plant one to a file it may not read) and
at most MAX_MODEL_BYTES of them: a record travels in the run's result.
"""

from __future__ import annotations

import base64
import json
import math
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from .sandbox import Limits, SandboxError, child_prelude, run_sandboxed

MAX_MODEL_BYTES = 24 * 2**20
MAX_MODEL_FILES = 500
MAX_DEPTH = 8
MAX_METRICS = 200
MAX_PARAMS = 100
MAX_OUT_JSON = 2**20
MODEL_FOLDER = "model"
# MLflow 3 reports usage from a thread of its own: with no network here it waited on it
# (a training that saved a model then hung until its time limit, now and then).
QUIET = {"MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}

TRAIN_CHILD = (
    child_prelude("a flow's training code")
    + r"""
import json, math, os, pickle
params = json.load(open("params.json"))
sys.addaudithook(guard)
def save_model(model):
    try:
        import sklearn
        from sklearn.base import BaseEstimator
    except ImportError:
        BaseEstimator = None
    if BaseEstimator is not None and isinstance(model, BaseEstimator):
        try:
            import mlflow.sklearn
        except ImportError:
            pass
        else:
            import importlib.util
            skops = importlib.util.find_spec("skops") is not None
            mlflow.sklearn.save_model(
                model, "model",
                pip_requirements=[f"scikit-learn=={sklearn.__version__}"],
                serialization_format=mlflow.sklearn.SERIALIZATION_FORMAT_SKOPS if skops
                else mlflow.sklearn.SERIALIZATION_FORMAT_CLOUDPICKLE,
            )
            return "sklearn"
    os.mkdir("model")
    with open("model/model.pkl", "wb") as out:
        pickle.dump(model, out)
    return "pickle"
try:
    namespace = {"pd": pd, "__name__": "train"}
    exec(compile(code, "train.py", "exec"), namespace)
    if "train" not in namespace:
        raise NameError("define train(df, params) returning metrics, or (metrics, model)")
    result = namespace["train"](frame, params)
    model = None
    if isinstance(result, tuple) and len(result) == 2:
        result, model = result
    if not isinstance(result, dict):
        raise TypeError("train(df, params) must return a dict of metrics, or (metrics, model)")
    metrics = {}
    for name, value in result.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"metric names are text, not {name!r}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise TypeError(f"metric {name!r} is not a number: {value!r}") from None
        if not math.isfinite(number):
            raise ValueError(f"metric {name!r} is {number}: not a finite number")
        metrics[name] = number
    flavour = save_model(model) if model is not None else ""
except BaseException as exc:
    line = ""
    for frame_summary in traceback.extract_tb(exc.__traceback__):
        if frame_summary.filename == "train.py":
            line = f" (line {frame_summary.lineno})"
    sys.stderr.write(f"GALILEAN-ERROR {type(exc).__name__}{line}: {exc}\n")
    sys.exit(3)
with open("out.json", "w") as out:
    json.dump({"metrics": metrics, "model": flavour}, out)
"""
)

# What MLflow takes as a metric or parameter name (the flows service checks the record
# it is given with the same rule).
MLFLOW_NAME = re.compile(r"[A-Za-z0-9_\-. /]{1,250}")


def finite(value: int | float) -> float:
    """`value` as a float; NaN for an integer too large for one (never finite)."""
    try:
        return float(value)
    except OverflowError:
        return math.nan


@dataclass
class Training:
    """What a training node did: for its output row and for MLflow."""

    node: str
    code: str
    params: dict[str, Any]
    metrics: dict[str, float]
    model_format: str = ""  # sklearn | pickle | "" (no model)
    files: dict[str, bytes] = field(default_factory=dict)  # the model's, by relative path
    experiment: str = ""
    run_name: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "code": self.code,
            "params": self.params,
            "metrics": self.metrics,
            "model_format": self.model_format,
            "files": {path: base64.b64encode(data).decode() for path, data in self.files.items()},
            "experiment": self.experiment,
            "run_name": self.run_name,
        }

    def row(self) -> pa.Table:
        """The node's output: one row of its metrics (the names as they were given)."""
        return pa.table({name: [value] for name, value in self.metrics.items()})


def checked_metrics(raw: Any) -> dict[str, float]:
    """The child's metrics, checked again here (its output is the user code's)."""
    if not isinstance(raw, dict):
        raise SandboxError("train(df, params) returned no metrics")
    if len(raw) > MAX_METRICS:
        raise SandboxError(f"train(df, params) returned {len(raw)} metrics: at most {MAX_METRICS}")
    metrics: dict[str, float] = {}
    for name, value in raw.items():
        if not MLFLOW_NAME.fullmatch(name):
            raise SandboxError(
                f"metric {name[:60]!r}: MLflow names are letters, digits, _ - . / and spaces "
                "(at most 250)"
            )
        number = finite(value) if isinstance(value, int | float) else math.nan
        if not math.isfinite(number):
            raise SandboxError(f"metric {name!r} is not a finite number")
        metrics[name] = number
    return metrics


def model_files(folder: Path) -> dict[str, bytes]:
    """The files under folder/model, by path relative to it: regular files only, opened
    without following a link at any step (a link, a device or a file with other names is
    refused), at most MAX_MODEL_FILES and MAX_MODEL_BYTES in all."""
    found: dict[str, bytes] = {}
    try:
        top = os.open(folder / MODEL_FOLDER, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return found
    except OSError:
        raise SandboxError("the model's folder is not a plain folder") from None
    try:
        _read_folder(top, "", 0, found, [0])
    except OSError as exc:  # changed while read: a folder became something else
        raise SandboxError(f"the model's files could not be read ({exc.strerror})") from None
    finally:
        os.close(top)
    return found


def _read_folder(
    fd: int, prefix: str, depth: int, found: dict[str, bytes], total: list[int]
) -> None:
    if depth > MAX_DEPTH:
        raise SandboxError(f"the model's files are more than {MAX_DEPTH} folders deep")
    for name in sorted(os.listdir(fd)):
        path = f"{prefix}{name}"
        info = os.stat(name, dir_fd=fd, follow_symlinks=False)
        if stat.S_ISDIR(info.st_mode):
            child = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            try:
                _read_folder(child, f"{path}/", depth + 1, found, total)
            finally:
                os.close(child)
            continue
        if not stat.S_ISREG(info.st_mode):
            raise SandboxError(f"the model's {path!r} is not a regular file")
        if len(found) >= MAX_MODEL_FILES:
            raise SandboxError(f"the model has more than {MAX_MODEL_FILES} files")
        handle = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=fd)
        with os.fdopen(handle, "rb") as source:
            opened = os.fstat(source.fileno())
            if not stat.S_ISREG(opened.st_mode) or opened.st_nlink != 1:
                raise SandboxError(f"the model's {path!r} is not a file of its own")
            data = source.read(MAX_MODEL_BYTES - total[0] + 1)
        total[0] += len(data)
        if total[0] > MAX_MODEL_BYTES:
            raise SandboxError(
                f"the model is over {MAX_MODEL_BYTES // 2**20} MiB: a flow records models up "
                "to that size (train larger ones from a notebook with experiments.run)"
            )
        found[path] = data


def train(
    node: str,
    code: str,
    params: Mapping[str, Any],
    table: pa.Table,
    limits: Limits | None = None,
) -> Training:
    """Run `train(df, params)` from `code` on `table` in the sandbox (SandboxError says
    what went wrong, for the user)."""

    def collect(folder: Path) -> Training:
        try:
            handle = os.open(folder / "out.json", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except FileNotFoundError:
            raise SandboxError("train(df, params) did not finish") from None
        except OSError:  # a link
            raise SandboxError("the training's result is not readable") from None
        with os.fdopen(handle, "rb") as source:
            info = os.fstat(source.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_OUT_JSON:
                raise SandboxError("the training's result is not readable")
            try:
                result = json.loads(source.read(MAX_OUT_JSON))
            except (ValueError, RecursionError):
                raise SandboxError("the training's result is not readable") from None
        if not isinstance(result, dict):
            raise SandboxError("the training's result is not readable")
        flavour = result.get("model") if result.get("model") in ("sklearn", "pickle") else ""
        return Training(
            node=node,
            code=code,
            params=dict(params),
            metrics=checked_metrics(result.get("metrics")),
            model_format=str(flavour),
            files=model_files(folder) if flavour else {},
        )

    files = {"code.py": code.encode(), "params.json": json.dumps(dict(params)).encode()}
    return run_sandboxed(TRAIN_CHILD, files, table, limits, collect, QUIET)
