"""Log a run's trainings (the `transform.train` nodes') to MLflow as the flow's owner.

The run's worker has no network (it ran user code), so it only brings back a record of
each training (flows/training.py). The service, a control plane that runs no user code,
replays it through the MLflow gateway with its own hub token, naming the owner in
X-Galilean-Acting-For: the gateway trusts the flows service for that and applies the
owner's permissions, so the run is the owner's (MANAGE) as if they had logged it from a
notebook. The record comes from the worker, so it is checked like any input: names,
sizes and paths. Models are uploaded as bytes and never loaded here.

    parameters, metrics, tags (the flow, its version, the run, the node, the schedule)
    artifacts: train.py (the code) and model/... (the model's files)
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from ..experiment_names import default_experiment
from ..flows.training import (
    MAX_METRICS,
    MAX_MODEL_BYTES,
    MAX_MODEL_FILES,
    MAX_PARAMS,
    MLFLOW_NAME,
    finite,
)

API = "api/2.0/mlflow/"
ARTIFACTS = "api/2.0/mlflow-artifacts/artifacts/"
ACTING_FOR = "X-Galilean-Acting-For"
TIMEOUT = 300.0
MAX_CODE = 2**20
MAX_PARAM_VALUE = 6000
EXPERIMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_ ./-]{0,249}$")
FILE_PATH = re.compile(r"^[A-Za-z0-9_\-.]+(?:/[A-Za-z0-9_\-.]+)*$")
ORIGIN_TAGS = {
    "flow": "galilean.flow",
    "version": "galilean.flow_version",
    "run": "galilean.flow_run",
    "schedule": "galilean.schedule",
}


class RecordError(Exception):
    """The training could not be recorded; the message is for the run's log."""


@dataclass(frozen=True)
class Recorded:
    node: str
    run_id: str
    experiment_id: str
    experiment: str

    def log_line(self) -> str:
        return (
            f"{self.node}: logged to MLflow as run {self.run_id} in experiment {self.experiment!r}"
        )


@dataclass(frozen=True)
class Training:
    """A worker's record of one training, checked."""

    node: str
    code: str
    params: dict[str, str]
    metrics: dict[str, float]
    model_format: str
    files: dict[str, bytes]
    experiment: str
    run_name: str


def checked(raw: Any) -> Training:
    """The worker's record, checked (RecordError names what is wrong)."""
    if not isinstance(raw, dict):
        raise RecordError("a training's record is not an object")
    node = raw.get("node")
    if not isinstance(node, str) or not node or len(node) > 200:
        raise RecordError("a training's record names no node")
    code = raw.get("code")
    if not isinstance(code, str) or len(code) > MAX_CODE:
        raise RecordError(f"{node}: the code is missing or over {MAX_CODE // 1024} KiB")
    params = _params(node, raw.get("params"))
    metrics = _metrics(node, raw.get("metrics"))
    model_format = raw.get("model_format") or ""
    if model_format not in ("", "sklearn", "pickle"):
        raise RecordError(f"{node}: unknown model format")
    experiment = raw.get("experiment") or ""
    if not isinstance(experiment, str) or (experiment and not EXPERIMENT.fullmatch(experiment)):
        raise RecordError(f"{node}: experiment is not a valid experiment name")
    run_name = raw.get("run_name") or ""
    if not isinstance(run_name, str) or len(run_name) > 250:
        raise RecordError(f"{node}: run_name is over 250 characters")
    return Training(
        node,
        code,
        params,
        metrics,
        model_format,
        _files(node, raw.get("files")),
        experiment,
        run_name,
    )


def _params(node: str, raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict) or len(raw) > MAX_PARAMS:
        raise RecordError(f"{node}: params is not an object of at most {MAX_PARAMS} values")
    params = {}
    for key, value in raw.items():
        if not MLFLOW_NAME.fullmatch(key):
            raise RecordError(f"{node}: parameter name {key[:60]!r} is not an MLflow name")
        if not isinstance(value, str | int | float | bool) or value is None:
            raise RecordError(f"{node}: parameter {key!r} is not text, a number or a boolean")
        text = json.dumps(value) if isinstance(value, bool) else str(value)
        if len(text) > MAX_PARAM_VALUE:
            raise RecordError(f"{node}: parameter {key!r} is over {MAX_PARAM_VALUE} characters")
        params[key] = text
    return params


def _metrics(node: str, raw: Any) -> dict[str, float]:
    if not isinstance(raw, dict) or len(raw) > MAX_METRICS:
        raise RecordError(f"{node}: metrics is not an object of at most {MAX_METRICS} values")
    metrics = {}
    for key, value in raw.items():
        if not MLFLOW_NAME.fullmatch(key):
            raise RecordError(f"{node}: metric name {key[:60]!r} is not an MLflow name")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise RecordError(f"{node}: metric {key!r} is not a number")
        number = finite(value)
        if not math.isfinite(number):
            raise RecordError(f"{node}: metric {key!r} is not a finite number")
        metrics[key] = number
    return metrics


def _files(node: str, raw: Any) -> dict[str, bytes]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or len(raw) > MAX_MODEL_FILES:
        raise RecordError(f"{node}: the model has more than {MAX_MODEL_FILES} files")
    files: dict[str, bytes] = {}
    total = 0
    for path, encoded in raw.items():
        parts = path.split("/") if isinstance(path, str) else []
        if not FILE_PATH.fullmatch(path) or any(p in (".", "..") for p in parts):
            raise RecordError(f"{node}: the model's file {str(path)[:80]!r} has a bad name")
        if not isinstance(encoded, str):
            raise RecordError(f"{node}: the model's file {path!r} is not base64")
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise RecordError(f"{node}: the model's file {path!r} is not base64") from None
        total += len(data)
        if total > MAX_MODEL_BYTES:
            raise RecordError(f"{node}: the model is over {MAX_MODEL_BYTES // 2**20} MiB")
        files[path] = data
    return files


class MlflowRecorder:
    """Replays trainings through the gateway at `url` (ending in /services/mlflow/) with
    the flows service's hub `token`."""

    def __init__(self, url: str, token: str, client: AsyncHTTPClient | None = None) -> None:
        self.url = url if url.endswith("/") else f"{url}/"
        self.token = token
        self._client = client

    @property
    def client(self) -> AsyncHTTPClient:
        """The given client, else tornado's shared one of the running loop."""
        return self._client or AsyncHTTPClient()

    async def record(
        self, owner: str, raw: Any, origin: Mapping[str, str], started: float
    ) -> Recorded:
        training = checked(raw)
        experiment = training.experiment or default_experiment(owner)
        experiment_id = await self._experiment(owner, training.node, experiment)
        tags = [
            {"key": tag, "value": str(origin[key])}
            for key, tag in ORIGIN_TAGS.items()
            if origin.get(key)
        ]
        tags += [
            {"key": "galilean.flow_node", "value": training.node},
            {"key": "mlflow.source.type", "value": "JOB"},
            {"key": "mlflow.source.name", "value": f"flow {origin.get('flow', '')}".strip()},
        ]
        if training.model_format:
            tags.append({"key": "galilean.model_format", "value": training.model_format})
        body: dict[str, Any] = {
            "experiment_id": experiment_id,
            "start_time": int(started * 1000),
            "tags": tags,
        }
        if training.run_name:
            body["run_name"] = training.run_name
        created = await self._call(owner, training.node, "POST", "runs/create", body)
        run = created.get("run")
        info = run.get("info") if isinstance(run, dict) else None
        run_id = _text(training.node, info, "run_id")
        try:
            await self._log(owner, training, run_id, started)
            await self._upload(owner, training, _text(training.node, info, "artifact_uri"))
        except RecordError:
            await self._end(owner, training.node, run_id, "FAILED")
            raise
        await self._end(owner, training.node, run_id, "FINISHED")
        return Recorded(training.node, run_id, experiment_id, experiment)

    async def _experiment(self, owner: str, node: str, name: str) -> str:
        query = urlencode({"experiment_name": name})
        found = await self._call(
            owner, node, "GET", f"experiments/get-by-name?{query}", missing_ok=True
        )
        if found:
            return _text(node, found.get("experiment"), "experiment_id")
        made = await self._call(owner, node, "POST", "experiments/create", {"name": name})
        return _text(node, made, "experiment_id")

    async def _log(self, owner: str, training: Training, run_id: str, started: float) -> None:
        stamp = int(started * 1000)
        metrics = [
            {"key": k, "value": v, "timestamp": stamp, "step": 0}
            for k, v in training.metrics.items()
        ]
        params = [{"key": k, "value": v} for k, v in training.params.items()]
        if metrics or params:
            body = {"run_id": run_id, "metrics": metrics, "params": params}
            await self._call(owner, training.node, "POST", "runs/log-batch", body)

    async def _upload(self, owner: str, training: Training, artifact_uri: str) -> None:
        prefix = "mlflow-artifacts:/"
        if not artifact_uri.startswith(prefix):
            raise RecordError(f"{training.node}: MLflow does not serve this run's artifacts")
        where = artifact_uri.removeprefix(prefix).strip("/")
        files = {"train.py": training.code.encode()}
        files |= {f"model/{path}": data for path, data in training.files.items()}
        for path, data in files.items():
            target = "/".join(quote(part, safe="") for part in f"{where}/{path}".split("/"))
            await self._request(
                owner,
                training.node,
                "PUT",
                self.url + ARTIFACTS + target,
                data,
                "application/octet-stream",
            )

    async def _end(self, owner: str, node: str, run_id: str, status: str) -> None:
        body = {"run_id": run_id, "status": status, "end_time": int(time.time() * 1000)}
        await self._call(owner, node, "POST", "runs/update", body)

    async def _call(
        self,
        owner: str,
        node: str,
        method: str,
        path: str,
        body: Any = None,
        missing_ok: bool = False,
    ) -> dict[str, Any]:
        data = None if body is None else json.dumps(body).encode()
        code, answer = await self._request(
            owner, node, method, self.url + API + path, data, "application/json", missing_ok
        )
        if code == 404 and missing_ok:
            return {}
        try:
            parsed = json.loads(answer or b"{}")
        except ValueError:
            raise RecordError(f"{node}: MLflow answered {method} {path} with no JSON") from None
        return parsed if isinstance(parsed, dict) else {}

    async def _request(
        self,
        owner: str,
        node: str,
        method: str,
        url: str,
        body: bytes | None,
        content_type: str,
        missing_ok: bool = False,
    ) -> tuple[int, bytes]:
        headers = {
            "Authorization": f"token {self.token}",
            ACTING_FOR: owner,
            "Content-Type": content_type,
        }
        request = HTTPRequest(
            url,
            method=method,
            headers=headers,
            body=body,
            request_timeout=TIMEOUT,
            follow_redirects=False,
        )
        try:
            reply = await self.client.fetch(request, raise_error=False)
        except OSError as exc:
            raise RecordError(f"{node}: MLflow is not reachable ({exc.strerror or exc})") from None
        except HTTPClientError as exc:  # a timeout, a closed stream
            raise RecordError(f"{node}: MLflow did not answer ({exc.message})") from None
        if reply.code == 404 and missing_ok:
            return reply.code, b""
        if reply.code >= 400 or reply.code < 200:
            raise RecordError(f"{node}: MLflow refused to record the training: {_why(reply)}")
        return reply.code, reply.body or b""


def _text(node: str, answer: Any, key: str) -> str:
    """`answer[key]`, text MLflow gave (RecordError when it gave none)."""
    value = answer.get(key) if isinstance(answer, dict) else None
    if not isinstance(value, str | int) or value == "":
        raise RecordError(f"{node}: MLflow's answer has no {key}")
    return str(value)


def _why(reply: Any) -> str:
    """MLflow's or the gateway's message (never the request: no token in it)."""
    try:
        body = json.loads(reply.body or b"{}")
    except ValueError:
        body = {}
    if isinstance(body, dict):
        message = body.get("message") or body.get("error")
        if isinstance(message, str) and message:
            return f"{reply.code} {message[:300]}"
    return f"{reply.code} {reply.reason or ''}".strip()
