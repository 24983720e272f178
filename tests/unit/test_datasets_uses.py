"""Uses of a snapshot (an MLflow run trained on it) recorded in the datasets service: anyone
who may read the dataset records their own, once per run; the lineage lists each as an
`experiment_run` node with a `trained` edge from its snapshot and a link to the MLflow UI;
bad bodies are refused naming the field; another user's unshared dataset does not exist
for them."""

from __future__ import annotations

from typing import Any

import pytest
from datasets_app import Service

RUN = "0123456789abcdef0123456789abcdef"
USE = {
    "kind": "experiment_run",
    "run_id": RUN,
    "experiment_id": "7",
    "experiment": "users/alice/default",
    "run_name": "baseline",
}


def made_dataset(app: Service, name: str, groups: list[str] | None = None) -> int:
    work = app.folder_of("alice") / name
    work.mkdir(parents=True)
    (work / "rows.csv").write_text("a,b\n1,2\n")
    body = {"name": name, "folder": name, "groups": groups or []}
    dataset = int(app.ok("POST", "/api/datasets", body, 201)["id"])
    app.ok("POST", f"/api/datasets/{dataset}/snapshots", {"message": "first"}, 201)
    return dataset


def test_a_run_on_a_snapshot_is_in_its_lineage(datasets_app: Service) -> None:
    dataset = made_dataset(datasets_app, "trained-on")
    uses = f"/api/datasets/{dataset}/snapshots/1/uses"
    made = datasets_app.ok("POST", uses, USE, 201)
    link = f"/services/mlflow/#/experiments/7/runs/{RUN}"
    assert (made["recorded_by"], made["number"], made["link"]) == ("alice", 1, link)
    again = datasets_app.ok("POST", uses, USE, 200)  # the same run: recorded once
    assert again["created"] == made["created"]
    assert [u["run_id"] for u in datasets_app.ok("GET", uses)] == [RUN]

    graph = datasets_app.ok("GET", f"/api/datasets/{dataset}/lineage")
    run = next(n for n in graph["nodes"] if n["kind"] == "experiment_run")
    assert run["id"] == f"experiment_run:{RUN}"
    assert (run["label"], run["experiment"], run["link"]) == ("baseline", USE["experiment"], link)
    trained = {"from": "snapshot:alice/trained-on#1", "to": run["id"], "how": "trained"}
    assert trained in graph["edges"]


def test_only_readers_record_and_see_uses(datasets_app: Service) -> None:
    private = made_dataset(datasets_app, "private-runs")
    shared = made_dataset(datasets_app, "shared-runs", groups=["team"])
    run = {**USE, "run_id": "b0b" * 10}
    # bob: alice's unshared dataset does not exist for him, its uses neither
    for method, body in (("POST", run), ("GET", None)):
        reply = datasets_app.call(
            method, f"/api/datasets/{private}/snapshots/1/uses", body, who="bob"
        )
        assert reply.status_code == 404, reply.text
        assert reply.json()["errors"] == [{"field": "dataset_id"}]
    # shared with his group: he records his own run (read access is enough)
    made = datasets_app.ok("POST", f"/api/datasets/{shared}/snapshots/1/uses", run, 201, who="bob")
    assert made["recorded_by"] == "bob"
    read_only = {**USE, "run_id": "c" * 32}
    datasets_app.ok(
        "POST", f"/api/datasets/{private}/snapshots/1/uses", read_only, 201, who="read-only"
    )
    refused = datasets_app.call(
        "POST", f"/api/datasets/{private}/snapshots/1/uses", USE, who="no-datasets"
    )
    assert refused.status_code == 401  # a token without the datasets scopes


@pytest.fixture(scope="module")
def checked(datasets_app: Service) -> int:
    return made_dataset(datasets_app, "checked-uses")


@pytest.mark.parametrize(
    ("change", "field", "status"),
    [
        ({"kind": "model"}, "kind", 400),
        ({"kind": None}, "kind", 400),
        ({"run_id": ""}, "run_id", 400),
        ({"run_id": "../../x"}, "run_id", 400),
        ({"experiment_id": "1" * 65}, "experiment_id", 400),
        ({"experiment": 3}, "experiment", 400),
        ({"run_name": "x" * 256}, "run_name", 400),
        ({"metrics": {}}, "metrics", 400),
    ],
)
def test_a_bad_use_names_its_field(
    datasets_app: Service, checked: int, change: dict[str, Any], field: str, status: int
) -> None:
    dataset = checked
    body = {k: v for k, v in {**USE, **change}.items() if v is not None}
    reply = datasets_app.call("POST", f"/api/datasets/{dataset}/snapshots/1/uses", body)
    assert reply.status_code == status, reply.text
    assert reply.json()["errors"] == [{"field": field}]


def test_a_use_of_a_missing_snapshot_is_not_found(datasets_app: Service) -> None:
    dataset = made_dataset(datasets_app, "one-snapshot")
    reply = datasets_app.call("POST", f"/api/datasets/{dataset}/snapshots/9/uses", USE)
    assert reply.status_code == 404, reply.text
    assert reply.json()["errors"][0]["field"] == "number"
