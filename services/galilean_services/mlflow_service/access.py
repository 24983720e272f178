"""The MLflow service's one verb: using MLflow at all. What a user sees inside it is
MLflow's own permissions (per experiment and model), which the gateway feeds."""

from __future__ import annotations

from ..kit.auth import Scopes

SCOPES = Scopes(
    "mlflow",
    {"use": "Use MLflow: track experiments, runs and models (each shared as its owner says)."},
)
