"""Training experiments on dataset snapshots, tracked in the hub's MLflow (issue 16):

    from galilean_server.kernel.api import experiments

    def train(data, params):                       # data: the snapshot, as datasets open it
        model = LogisticRegression(C=params["C"]).fit(data[["x"]], data["y"])
        return {"accuracy": model.score(data[["x"]], data["y"])}, model

    run = experiments.run(train, dataset="sales", snapshot=3, params={"C": 1.0})
    run.link                                        # the run in the MLflow UI

`train` is a function `train(data, params) -> metrics | (metrics, model)` or a .py
script given `data` and `params` that sets `metrics` (and `model`). `data` is a tables
snapshot as a DataFrame (`datasets.frame`), a files snapshot as a folder
(`datasets.folder`). The run keeps the parameters, the snapshot as an MLflow dataset input
with tags (`galilean.dataset`, `galilean.snapshot`, `galilean.snapshot_link`, and the flow,
version and run that wrote the snapshot), the code, the metrics and the model (MLflow's
scikit-learn flavour for an estimator, else a pickle); the datasets service records the run
on the snapshot, so the dataset's lineage shows it. MLflow is reached as the environment
says (MLFLOW_TRACKING_URI and MLFLOW_TRACKING_TOKEN, which the hub gives every server).
Errors name the argument at fault (ExperimentError.field); a failed run ends FAILED."""

from __future__ import annotations

import html
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .datasets_api import Datasets, DatasetsError
from .experiments_train import ExperimentError, params_of, trainer_of
from .service_client import FromEnviron

__all__ = ["ExperimentError", "ExperimentRun", "Experiments", "experiments"]

# A snapshot's origin (what made it) → the run's tags.
ORIGIN_TAGS = {
    "flow": "galilean.flow",
    "version": "galilean.flow_version",
    "run": "galilean.flow_run",
    "notebook": "galilean.notebook",
}


@dataclass(frozen=True)
class Snapshot:
    """A dataset's snapshot as the datasets service describes it."""

    dataset_id: int
    owner: str
    name: str
    driver: str
    number: int
    origin: Mapping[str, str]
    link: str  # the snapshot in the datasets service, a path on the hub's host

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass(frozen=True)
class ExperimentRun:
    run_id: str
    experiment_id: str
    link: str  # the run in the MLflow UI, a path on the hub's host
    metrics: dict[str, float]
    dataset: str
    snapshot: int
    recorded: bool = True  # the datasets service lists it in the lineage
    tags: dict[str, str] = field(default_factory=dict)

    def _repr_html_(self) -> str:
        link, run = html.escape(self.link, quote=True), html.escape(self.run_id[:8])
        about = html.escape(f"{self.dataset} #{self.snapshot}: {self.metrics}")
        return f'MLflow run <a href="{link}" target="_blank">{run}</a> on {about}'


def _path_of(url: str, fallback: str) -> str:
    """The path of a service's URL: the same on the hub's public host (its prefix)."""
    path = urlsplit(url).path if url else ""
    return (path or fallback).rstrip("/") + "/"


class Experiments(FromEnviron):
    @property
    def _datasets(self) -> Datasets:
        return Datasets(self._environ)

    def run(
        self,
        train: Any,
        dataset: str,
        snapshot: int | None = None,
        params: Mapping[str, Any] | None = None,
        experiment: str | None = None,
        run_name: str | None = None,
        table: str | None = None,
    ) -> ExperimentRun:
        """Train on `dataset` at `snapshot` (None: its head) in an MLflow run of
        `experiment` (None: MLFLOW_EXPERIMENT_NAME, your default one); `table`: which
        table of a tables dataset that has several."""
        trainer = trainer_of(train)
        values = params_of(params)
        found = self._snapshot(dataset, snapshot)
        data = self._open(found, table)
        from . import experiments_mlflow as tracking

        chosen = tracking.experiment_id(experiment or self._env.get("MLFLOW_EXPERIMENT_NAME"))
        tags = self.tags_of(found)
        run_id, experiment_id, metrics = tracking.tracked(
            trainer, data, values, chosen, run_name, tags, self._input(found, data)
        )
        link = self._run_link(experiment_id, run_id)
        recorded = self._record(found, run_id, experiment_id, experiment, run_name)
        return ExperimentRun(
            run_id, experiment_id, link, metrics, found.full_name, found.number, recorded, tags
        )

    # -- the snapshot ---------------------------------------------------------------------
    def _snapshot(self, dataset: str, number: int | None) -> Snapshot:
        if not isinstance(dataset, str) or not dataset.strip("/"):
            raise ExperimentError("dataset: a dataset's name, or owner/name", "dataset")
        if number is not None and (isinstance(number, bool) or not isinstance(number, int)):
            raise ExperimentError("snapshot: a snapshot number (None: the head)", "snapshot")
        me = self._env.get("JUPYTERHUB_USER", "")
        owner, _, name = dataset.rpartition("/")
        try:
            records = self._datasets.list()
            record = next(
                (d for d in records if d["name"] == name and d["owner"] == (owner or me)), None
            )
            if record is None:
                raise ExperimentError(
                    f"dataset: no dataset {dataset!r} (yours, or shared with you as owner/name)",
                    "dataset",
                    404,
                )
            snapshots = self._datasets._call("GET", f"datasets/{record['id']}/snapshots")
        except DatasetsError as error:
            raise ExperimentError(str(error), "dataset", error.status) from None
        return self._pick(record, snapshots, number)

    def _pick(self, record: Mapping[str, Any], snapshots: Any, number: int | None) -> Snapshot:
        full = f"{record['owner']}/{record['name']}"
        if not snapshots:
            raise ExperimentError(f"snapshot: {full} has no snapshot yet", "snapshot", 404)
        chosen = max(snapshots, key=lambda s: s["number"]) if number is None else None
        chosen = chosen or next((s for s in snapshots if s["number"] == number), None)
        if chosen is None:
            raise ExperimentError(f"snapshot: {full} has no snapshot {number}", "snapshot", 404)
        prefix = _path_of(self._env.get("GALILEAN_DATASETS_URL", ""), "/services/datasets")
        n = int(chosen["number"])
        return Snapshot(
            int(record["id"]),
            str(record["owner"]),
            str(record["name"]),
            str(record["driver"]),
            n,
            {str(k): str(v) for k, v in (chosen.get("origin") or {}).items()},
            f"{prefix}api/datasets/{record['id']}/snapshots/{n}",
        )

    def _open(self, found: Snapshot, table: str | None) -> Any:
        """A tables snapshot as a DataFrame, a files snapshot as a folder (your own)."""
        me = self._env.get("JUPYTERHUB_USER", "")
        name = found.name if found.owner == me else found.full_name
        try:
            if found.driver == "tables":
                return self._datasets.frame(name, table, found.number)
            return self._datasets.folder(name, found.number)
        except DatasetsError as error:
            argument = {"name": "dataset", "snapshot": "snapshot", "table": "table"}
            raise ExperimentError(
                str(error), argument.get(error.field or "", "dataset"), error.status
            ) from None

    # -- what the run records -------------------------------------------------------------
    @staticmethod
    def tags_of(found: Snapshot) -> dict[str, str]:
        tags = {
            "galilean.dataset": found.full_name,
            "galilean.snapshot": str(found.number),
            "galilean.snapshot_link": found.link,
            "mlflow.note.content": (
                f"Trained on dataset snapshot [{found.full_name} #{found.number}]({found.link})"
            ),
        }
        for key, tag in ORIGIN_TAGS.items():
            if found.origin.get(key):
                tags[tag] = found.origin[key]
        return tags

    @staticmethod
    def _input(found: Snapshot, data: Any) -> Any:
        """The snapshot as an MLflow dataset: its rows' schema and digest for a table, a
        source and name only for a folder; its source is the snapshot's link."""
        from mlflow.data.http_dataset_source import HTTPDatasetSource

        source = HTTPDatasetSource(found.link)  # type: ignore[no-untyped-call]
        name = f"{found.full_name}#{found.number}"
        if isinstance(data, Path):
            from mlflow.data.meta_dataset import MetaDataset

            return MetaDataset(source, name=name)  # type: ignore[abstract]
        from mlflow.data.pandas_dataset import from_pandas

        return from_pandas(data, source=source, name=name)

    def _run_link(self, experiment_id: str, run_id: str) -> str:
        prefix = _path_of(self._env.get("MLFLOW_TRACKING_URI", ""), "/services/mlflow")
        return f"{prefix}#/experiments/{experiment_id}/runs/{run_id}"

    def _record(
        self,
        found: Snapshot,
        run_id: str,
        experiment_id: str,
        experiment: str | None,
        run_name: str | None,
    ) -> bool:
        """The run recorded on the snapshot (the lineage lists it); a warning if not."""
        import mlflow

        run = mlflow.get_run(run_id)
        body = {
            "kind": "experiment_run",
            "run_id": run_id,
            "experiment_id": experiment_id,
            "experiment": experiment or self._env.get("MLFLOW_EXPERIMENT_NAME") or "",
            "run_name": run_name or run.info.run_name or "",
        }
        path = f"datasets/{found.dataset_id}/snapshots/{found.number}/uses"
        try:
            self._datasets._call("POST", path, body)
        except DatasetsError as error:
            warnings.warn(
                f"MLflow run {run_id} finished, but the datasets service did not record it "
                f"on {found.full_name} #{found.number}: {error}",
                stacklevel=3,
            )
            return False
        return True

    def __repr__(self) -> str:
        return "<Galilean experiments: experiments.run(train, dataset=..., snapshot=...)>"


experiments = Experiments()
