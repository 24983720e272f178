"""What used a dataset's snapshots: today an MLflow run trained on one (kind
`experiment_run`, recorded by `experiments.run` in a notebook). Anyone who may read the
dataset records their own use; the lineage lists every use of its snapshots, each with
a link to the run in the MLflow UI (`/services/mlflow/#/experiments/<id>/runs/<id>`, next
to this service's own prefix, so a hub's base URL is kept)."""

from __future__ import annotations

import re
from typing import Any

from ..kit import body as checks
from ..kit.errors import ValidationError
from .store import USE_FIELDS

KINDS = ("experiment_run",)
MLFLOW_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # MLflow's run ids: 32 hex digits
ID_SCHEMA = {"type": "string", "pattern": MLFLOW_ID.pattern}
USE_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["kind", "run_id", "experiment_id"],
    "properties": {
        "kind": {"enum": list(KINDS)},
        "run_id": ID_SCHEMA,
        "experiment_id": ID_SCHEMA,
        "experiment": {"type": "string", "maxLength": 500},
        "run_name": {"type": "string", "maxLength": 255},
    },
}


def _mlflow_id(body: dict[str, Any], field: str) -> str:
    value = checks.text(body, field, limit=64)
    if not MLFLOW_ID.fullmatch(value):
        raise ValidationError(
            f"{field}: an MLflow id (letters, digits, - and _, at most 64)", [{"field": field}]
        )
    return value


def check_use(body: dict[str, Any]) -> dict[str, str]:
    """A use to record: {kind, run_id, experiment_id, experiment?, run_name?}; each
    refusal names its field."""
    unknown = sorted(set(body) - set(USE_FIELDS))
    if unknown:
        raise ValidationError(f"{unknown[0]}: not a field of a use", [{"field": unknown[0]}])
    kind = checks.text(body, "kind", limit=32)
    if kind not in KINDS:
        raise ValidationError(f"kind: one of {', '.join(KINDS)}", [{"field": "kind"}])
    return {
        "kind": kind,
        "run_id": _mlflow_id(body, "run_id"),
        "experiment_id": _mlflow_id(body, "experiment_id"),
        "experiment": checks.text(body, "experiment", "", limit=500),
        "run_name": checks.text(body, "run_name", "", limit=255),
    }


def mlflow_prefix(datasets_prefix: str) -> str:
    """The MLflow service's prefix beside this one: /x/services/datasets/ → /x/services/mlflow/"""
    base = datasets_prefix.rstrip("/").rpartition("/")[0]
    return f"{base}/mlflow/"


def run_link(mlflow: str, experiment_id: str, run_id: str) -> str:
    return f"{mlflow}#/experiments/{experiment_id}/runs/{run_id}"


def public_use(row: dict[str, Any], mlflow: str) -> dict[str, Any]:
    """A stored use as the API shows it, with its link to the MLflow UI."""
    return {
        "dataset_id": row["dataset_id"],
        "number": row["number"],
        **{field: row[field] for field in USE_FIELDS},
        "recorded_by": row["recorded_by"],
        "created": row["created"],
        "link": run_link(mlflow, row["experiment_id"], row["run_id"]),
    }
