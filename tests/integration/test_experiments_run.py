"""`experiments.run` in a notebook, against the datasets service and the MLflow gateway in
this process (a real MLflow behind it): the trainer templates on a table snapshot written
by a flow and on a labelled-image snapshot, a function; each run carries the parameters,
the snapshot as an MLflow dataset input with its tags (and the flow version that wrote
it), the code, the metrics and the model; the dataset's lineage lists it; Bob sees neither
the run nor alice's dataset; a trainer that raises ends its run FAILED; bad arguments are
refused naming the argument."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from datasets_app import Service
from labelled_images import make_labelled
from mlflow_app import MlflowGateway

from galilean_server.kernel.api import ExperimentError, Experiments
from galilean_services.datasets.locate import store_of
from galilean_services.datasets.tables import TablesDataset
from galilean_services.folders import HOME_ENV

API = "api/2.0/mlflow"
TEMPLATES = Path(__file__).parents[2] / "extensions/galilean_server/examples/experiments"
ORIGIN = {"flow": "prep/churn.flow", "version": "3", "run": "f10a7e2c9b3d4e5f"}
EXPERIMENT = "users/alice/default"


@pytest.fixture
def tracking(mlflow_gateway: MlflowGateway, monkeypatch: pytest.MonkeyPatch) -> MlflowGateway:
    """MLflow's client reads where and as whom from the environment, when it calls."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_gateway.url)
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", "alice-token")
    monkeypatch.delenv("MLFLOW_EXPERIMENT_NAME", raising=False)
    return mlflow_gateway


def experiments_of(app: Service, gateway: MlflowGateway, user: str = "alice") -> Experiments:
    return Experiments(
        {
            "GALILEAN_DATASETS_URL": app.url + "/",
            "JUPYTERHUB_API_TOKEN": f"{user}-token",
            "JUPYTERHUB_USER": user,
            HOME_ENV: str(app.folder_of(user)),
            "MLFLOW_TRACKING_URI": gateway.url,
            "MLFLOW_EXPERIMENT_NAME": f"users/{user}/default",
        }
    )


def churn_table(app: Service) -> int:
    """A tables dataset of alice's whose one snapshot a flow wrote."""
    made = app.ok("POST", "/api/datasets", {"name": "churn-mini", "driver": "tables"}, 201)
    home = app.folder_of("alice")
    rows = pa.table(
        {
            "tenure": [float(i % 12) for i in range(24)],
            "spend": [float((i * 7) % 30) for i in range(24)],
            "plan": ["basic" if i % 3 else "pro" for i in range(24)],
            "churned": ["yes" if i % 12 < 4 else "no" for i in range(24)],
        }
    )
    with TablesDataset(store_of(home, "churn-mini"), allowed_root=home) as lake:
        lake.write("customers", rows, author="alice", origin=ORIGIN)
    return int(made["id"])


def run_of(gateway: MlflowGateway, run_id: str, who: str = "alice") -> dict[str, Any]:
    found: dict[str, Any] = gateway.ok("GET", f"{API}/runs/get?run_id={run_id}", who=who)["run"]
    return found


def keyed(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["key"]: e["value"] for e in entries}


def artifacts(gateway: MlflowGateway, run_id: str, path: str) -> list[str]:
    listed = gateway.ok("GET", f"{API}/artifacts/list?run_id={run_id}&path={path}")
    return [f["path"] for f in listed.get("files", [])]


def test_the_table_template_on_a_flows_snapshot(datasets_app: Service, tracking: Any) -> None:
    dataset = churn_table(datasets_app)
    run = experiments_of(datasets_app, tracking).run(
        str(TEMPLATES / "table_classifier.py"),
        dataset="churn-mini",
        params={"target": "churned", "C": 0.5, "seed": 1},
        run_name="churn-baseline",
    )
    assert 0 <= run.metrics["accuracy"] <= 1
    assert run.metrics["test_rows"] == 6
    assert run.link == f"/services/mlflow/#/experiments/{run.experiment_id}/runs/{run.run_id}"
    found = run_of(tracking, run.run_id)
    assert found["info"]["status"] == "FINISHED"
    assert found["info"]["run_name"] == "churn-baseline"
    tags = keyed(found["data"]["tags"])
    link = f"/services/datasets/api/datasets/{dataset}/snapshots/1"
    assert {k: tags[k] for k in tags if k.startswith("galilean.")} == {
        "galilean.dataset": "alice/churn-mini",
        "galilean.snapshot": "1",
        "galilean.snapshot_link": link,
        "galilean.flow": "prep/churn.flow",
        "galilean.flow_version": "3",
        "galilean.flow_run": "f10a7e2c9b3d4e5f",
        "galilean.model_format": "sklearn",
    }
    assert link in tags["mlflow.note.content"]
    assert keyed(found["data"]["params"]) == {"target": "churned", "C": "0.5", "seed": "1"}
    assert keyed(found["data"]["metrics"])["accuracy"] == pytest.approx(run.metrics["accuracy"])
    (used,) = found["inputs"]["dataset_inputs"]
    assert used["dataset"]["name"] == "alice/churn-mini#1"
    assert used["dataset"]["source_type"] == "http"
    assert link in used["dataset"]["source"]
    assert '"churned"' in used["dataset"]["schema"]  # the table's columns
    assert keyed(used["tags"])["mlflow.data.context"] == "training"
    assert artifacts(tracking, run.run_id, "code") == ["code/table_classifier.py"]
    experiment = tracking.ok("GET", f"{API}/experiments/get?experiment_id={run.experiment_id}")
    assert experiment["experiment"]["name"] == EXPERIMENT

    # the dataset's lineage lists it: trained on snapshot 1, which the flow's run wrote
    graph = datasets_app.ok("GET", f"/api/datasets/{dataset}/lineage")
    node = next(n for n in graph["nodes"] if n["kind"] == "experiment_run")
    assert (node["run_id"], node["label"], node["link"]) == (
        run.run_id,
        "churn-baseline",
        run.link,
    )
    assert {"from": "snapshot:alice/churn-mini#1", "to": node["id"], "how": "trained"} in graph[
        "edges"
    ]
    assert {
        "from": "run:f10a7e2c9b3d4e5f",
        "to": "snapshot:alice/churn-mini#1",
        "how": "wrote",
    } in graph["edges"]

    # bob: the run is not his (403), alice's unshared dataset does not exist for him
    assert tracking.call("GET", f"{API}/runs/get?run_id={run.run_id}", who="bob").status_code == 403
    with pytest.raises(ExperimentError) as refused:
        experiments_of(datasets_app, tracking, "bob").run(
            lambda data, params: {"n": 1.0}, dataset="alice/churn-mini"
        )
    assert (refused.value.field, refused.value.status) == ("dataset", 404)
    reply = datasets_app.call(
        "POST",
        f"/api/datasets/{dataset}/snapshots/1/uses",
        {"kind": "experiment_run", "run_id": "b0b", "experiment_id": "1"},
        who="bob",
    )
    assert reply.status_code == 404


def test_the_image_template_on_a_labelled_snapshot(datasets_app: Service, tracking: Any) -> None:
    make_labelled(datasets_app.folder_of("alice") / "pets", "yolo")
    made = datasets_app.ok("POST", "/api/datasets", {"name": "pets", "folder": "pets"}, 201)
    datasets_app.ok("POST", f"/api/datasets/{made['id']}/snapshots", {"message": "v1"}, 201)
    run = experiments_of(datasets_app, tracking).run(
        TEMPLATES / "image_nearest_mean.py", dataset="pets", snapshot=1, params={"size": 8}
    )
    # 7 labelled images: 4 in train, 3 in val (d.png has no boxes); 3 classes
    assert (run.metrics["train_images"], run.metrics["test_images"]) == (4, 3)
    assert run.metrics["classes"] == 3
    assert 0 <= run.metrics["accuracy"] <= 1
    found = run_of(tracking, run.run_id)
    tags = keyed(found["data"]["tags"])
    assert (tags["galilean.dataset"], tags["galilean.model_format"]) == ("alice/pets", "pickle")
    assert "galilean.flow" not in tags  # a snapshot taken by hand
    (used,) = found["inputs"]["dataset_inputs"]
    assert (used["dataset"]["name"], used["dataset"]["source_type"]) == ("alice/pets#1", "http")
    assert artifacts(tracking, run.run_id, "model") == ["model/model.pkl"]
    assert artifacts(tracking, run.run_id, "code") == ["code/image_nearest_mean.py"]


def test_a_function_and_a_failing_one(datasets_app: Service, tracking: Any) -> None:
    experiments = experiments_of(datasets_app, tracking)
    if not any(d["name"] == "churn-mini" for d in datasets_app.ok("GET", "/api/datasets")):
        churn_table(datasets_app)

    def spend_mean(data: Any, params: dict[str, Any]) -> tuple[dict[str, float], Any]:
        return {"spend_mean": float(data["spend"].mean()) * params["scale"]}, {"kept": True}

    run = experiments.run(spend_mean, dataset="churn-mini", params={"scale": 2})
    assert run.metrics == {
        "spend_mean": pytest.approx(2 * sum((i * 7) % 30 for i in range(24)) / 24)
    }
    code = tracking.call("GET", f"get-artifact?run_id={run.run_id}&path=code/spend_mean.py")
    assert code.status_code == 200
    assert "def spend_mean(data" in code.text

    def broken(data: Any, params: dict[str, Any]) -> dict[str, float]:
        raise ZeroDivisionError("no rows")

    with pytest.raises(ExperimentError) as failed:
        experiments.run(broken, dataset="churn-mini", run_name="will-fail")
    assert failed.value.field == "train"
    assert "ZeroDivisionError: no rows" in str(failed.value)
    search = {"experiment_ids": [run.experiment_id], "filter": "attributes.run_name = 'will-fail'"}
    (ended,) = tracking.ok("POST", f"{API}/runs/search", search)["runs"]
    assert ended["info"]["status"] == "FAILED"
    dataset = next(d for d in datasets_app.ok("GET", "/api/datasets") if d["name"] == "churn-mini")
    uses = datasets_app.ok("GET", f"/api/datasets/{dataset['id']}/snapshots/1/uses")
    assert ended["info"]["run_id"] not in [u["run_id"] for u in uses]
    assert run.run_id in [u["run_id"] for u in uses]


def test_bad_arguments_name_their_field(datasets_app: Service, tracking: Any) -> None:
    experiments = experiments_of(datasets_app, tracking)
    if not any(d["name"] == "churn-mini" for d in datasets_app.ok("GET", "/api/datasets")):
        churn_table(datasets_app)

    def fine(data: Any, params: dict[str, Any]) -> dict[str, float]:
        return {"rows": float(len(data))}

    calls: list[tuple[Callable[[], object], str]] = [
        (lambda: experiments.run(fine, dataset="missing"), "dataset"),
        (lambda: experiments.run(fine, dataset=""), "dataset"),
        (lambda: experiments.run(fine, dataset="churn-mini", snapshot=9), "snapshot"),
        (lambda: experiments.run(fine, dataset="churn-mini", snapshot="1"), "snapshot"),
        (lambda: experiments.run(42, dataset="churn-mini"), "train"),
        (lambda: experiments.run("train.ipynb", dataset="churn-mini"), "train"),
        (lambda: experiments.run("nowhere/train.py", dataset="churn-mini"), "train"),
        (lambda: experiments.run(fine, dataset="churn-mini", params=[1]), "params"),
        (lambda: experiments.run(fine, dataset="churn-mini", params={"x": [1]}), "params"),
        (lambda: experiments.run(fine, dataset="churn-mini", table="nope"), "table"),
        (lambda: experiments.run(fine, dataset="churn-mini", experiment=" "), "experiment"),
        (lambda: experiments.run(lambda d, p: [1], dataset="churn-mini"), "train"),
        (lambda: experiments.run(lambda d, p: {"x": "high"}, dataset="churn-mini"), "train"),
    ]
    for call, field in calls:
        with pytest.raises(ExperimentError) as refused:
            call()
        assert refused.value.field == field, str(refused.value)
    # an experiment named for another user is refused by the gateway, naming it
    with pytest.raises(ExperimentError) as reserved:
        experiments.run(fine, dataset="churn-mini", experiment="users/bob/mine")
    assert (reserved.value.field, reserved.value.status) == ("experiment", 403)
    assert "users/bob/mine" in str(reserved.value)
