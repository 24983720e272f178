"""The Datasets panel draws the MLflow runs trained on a dataset's snapshots from the
service's lineage: labextension/test/datasets_lineage_experiments.json holds a dataset, its
snapshots and the uses recorded on them (as the service shows them) with the lineage made
of them, so the panel's jest spec cannot drift from what the service answers."""

from __future__ import annotations

import json
from pathlib import Path

from galilean_services.datasets.lineage import lineage
from galilean_services.datasets_service.uses import mlflow_prefix, public_use, run_link

FIXTURE = Path(__file__).parents[2] / "labextension/test/datasets_lineage_experiments.json"


def test_the_fixture_is_what_the_service_answers_today() -> None:
    case = json.loads(FIXTURE.read_text())["experiments"]
    assert lineage(case["dataset"], case["snapshots"], case["uses"]) == case["lineage"]
    for use in case["uses"]:  # each use as public_use shows a stored row
        row = {k: v for k, v in use.items() if k != "link"}
        assert public_use(row, "/services/mlflow/") == use


def test_runs_hang_off_their_snapshot_and_expired_snapshots_drop_theirs() -> None:
    case = json.loads(FIXTURE.read_text())["experiments"]
    graph = lineage(case["dataset"], case["snapshots"], case["uses"])
    runs = {n["id"]: n for n in graph["nodes"] if n["kind"] == "experiment_run"}
    trained = {(e["from"], e["to"]) for e in graph["edges"] if e["how"] == "trained"}
    assert {to for _, to in trained} == set(runs)
    recorded = {f"experiment_run:{u['run_id']}" for u in case["uses"]}
    gone = recorded - set(runs)  # its snapshot (7) expired: not drawn
    assert gone == {"experiment_run:00000000000000000000000000000007"}
    assert lineage(case["dataset"], case["snapshots"]) == {
        "nodes": [n for n in graph["nodes"] if n["kind"] != "experiment_run"],
        "edges": [e for e in graph["edges"] if e["how"] != "trained"],
    }


def test_the_mlflow_link_keeps_the_hubs_base_url() -> None:
    assert mlflow_prefix("/services/datasets/") == "/services/mlflow/"
    assert mlflow_prefix("/hub-x/services/datasets/") == "/hub-x/services/mlflow/"
    assert (
        run_link("/services/mlflow/", "3", "ab12") == "/services/mlflow/#/experiments/3/runs/ab12"
    )
