"""One `experiments.run` in MLflow: the experiment found (or made) by name, then a run that
logs the parameters, the dataset input, the code, the trainer's metrics and its model, and
ends FAILED when anything goes wrong (KILLED on an interrupt). MLflow's client reads the
tracking URI and token from the environment when it calls."""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .experiments_train import ExperimentError, Trainer

MODEL = "model"  # the model's name (sklearn flavour) or artifact folder (pickle)


def _refused(error: Any, field: str, doing: str) -> ExperimentError:
    """An MlflowException as an ExperimentError; its status the gateway's own when it
    answered in Galilean's error shape (JSON with `status`), else MLflow's error code's."""
    answered = getattr(error, "json", None)
    status = answered.get("status") if isinstance(answered, dict) else None
    if not isinstance(status, int):
        status = int(error.get_http_status_code())
    return ExperimentError(f"{field}: MLflow refused to {doing}: {error.message}", field, status)


def experiment_id(name: str | None) -> str | None:
    """The id of experiment `name`, made if it does not exist yet; None: MLflow's default."""
    if name is None:
        return None
    if not isinstance(name, str) or not name.strip():
        raise ExperimentError("experiment: an experiment's name", "experiment")
    import mlflow
    from mlflow.exceptions import MlflowException

    try:
        found = mlflow.get_experiment_by_name(name)
        if found is not None:
            return str(found.experiment_id)
        return str(mlflow.create_experiment(name))
    except MlflowException as error:
        raise _refused(error, "experiment", f"open experiment {name!r}") from None


def _sklearn_format() -> str:
    import importlib.util

    import mlflow.sklearn

    if importlib.util.find_spec("skops") is not None:
        return str(mlflow.sklearn.SERIALIZATION_FORMAT_SKOPS)
    return str(mlflow.sklearn.SERIALIZATION_FORMAT_CLOUDPICKLE)


def log_model(model: Any) -> str:
    """A scikit-learn estimator in MLflow's sklearn flavour, anything else pickled as an
    artifact; which one."""
    import mlflow

    try:
        import sklearn
        from sklearn.base import BaseEstimator
    except ImportError:  # no scikit-learn here: nothing can be an estimator
        BaseEstimator = None
    if BaseEstimator is not None and isinstance(model, BaseEstimator):
        import mlflow.sklearn

        # named requirements: inferring them would load the model in a new process;
        # MLflow's default format (skops) only when skops is there, else cloudpickle
        mlflow.sklearn.log_model(
            model,
            name=MODEL,
            pip_requirements=[f"scikit-learn=={sklearn.__version__}"],
            serialization_format=_sklearn_format(),
        )
        return "sklearn"
    with tempfile.TemporaryDirectory(prefix="galilean-experiment-") as folder:
        path = Path(folder) / "model.pkl"
        with path.open("wb") as out:
            pickle.dump(model, out)
        mlflow.log_artifact(str(path), MODEL)
    return "pickle"


def _train(trainer: Trainer, data: Any, params: Mapping[str, Any]) -> tuple[dict[str, float], Any]:
    try:
        return trainer.train(data, params)
    except ExperimentError:
        raise
    except Exception as error:
        raise ExperimentError(
            f"train raised {type(error).__name__}: {error}", "train", 500
        ) from error


def tracked(
    trainer: Trainer,
    data: Any,
    params: Mapping[str, Any],
    experiment: str | None,
    run_name: str | None,
    tags: Mapping[str, str],
    dataset: Any,
) -> tuple[str, str, dict[str, float]]:
    """Train in a new MLflow run (nested in yours when one is active) → its run id,
    experiment id and metrics."""
    import mlflow
    from mlflow.exceptions import MlflowException

    try:
        run = mlflow.start_run(
            experiment_id=experiment,
            run_name=run_name,
            nested=mlflow.active_run() is not None,
            tags=dict(tags),
        )
    except MlflowException as error:
        raise _refused(error, "experiment", "start a run") from None
    try:
        if params:
            mlflow.log_params(dict(params))
        mlflow.log_input(dataset, context="training")
        mlflow.log_text(trainer.code(), f"code/{trainer.name}")
        metrics, model = _train(trainer, data, params)
        mlflow.log_metrics(metrics)
        if model is not None:
            mlflow.set_tag("galilean.model_format", log_model(model))
    except BaseException as error:
        mlflow.end_run("KILLED" if isinstance(error, KeyboardInterrupt) else "FAILED")
        if isinstance(error, MlflowException):
            raise _refused(error, "experiment", f"log run {run.info.run_id}") from error
        if isinstance(error, ExperimentError):
            error.args = (f"{error} (MLflow run {run.info.run_id} ended FAILED)",)
        raise
    mlflow.end_run()
    return run.info.run_id, str(run.info.experiment_id), metrics
