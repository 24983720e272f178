"""MLflow experiment names Galilean gives its users, shared by the MLflow gateway (which
keeps `users/<name>/...` for <name>), the hub (each server's MLFLOW_EXPERIMENT_NAME) and
the flows service (where a flow's training is logged unless it names an experiment)."""

from __future__ import annotations


def default_experiment(user: str) -> str:
    """The experiment a user's `mlflow.start_run()` lands in (MLFLOW_EXPERIMENT_NAME):
    experiment names are global, so `users/<name>/...` is kept for <name>."""
    return f"users/{user}/default"
