"""A flow that trains a model, run on a schedule by the flows service on the real hub
(issue 16: "runs launched from the service side (a scheduled retrain) run as the owner"):
the training runs in the run's sandbox without the network, and the service logs it to
the hub's MLflow as the flow's owner, through the gateway, which trusts the flows service
for that and gives the owner's permissions. The owner finds the run (params, metrics,
tags naming the flow's version and run, the code and the model) as if logged from a
notebook; another user cannot see it; a training that names someone else's experiment
fails the run at its node."""

from __future__ import annotations

import time
from typing import Any

from flows_api import Flows, wait_ready
from mlflow_hub import API, MLFLOW, call, training_flow, wait_mlflow

from conftest import admin_client, approved_user
from harness.hub import Hub


def test_a_flows_training_is_logged_to_mlflow_as_its_owner(lab_hub: Hub) -> None:
    admin = admin_client(lab_hub)
    owner = approved_user(lab_hub, admin, "retrainer")
    other = approved_user(lab_hub, admin, "onlooker")
    wait_ready(lab_hub.url)
    wait_mlflow(lab_hub)
    flows = Flows.of(owner)
    created = flows.ok("POST", "/api/flows", {"flow": training_flow(run_name="night")}, 201)
    # A scheduled retrain: every 2 s (six fields: the last is seconds), stopped after one.
    flows.ok("PUT", f"/api/flows/{created['id']}/schedule", {"cron": "* * * * * */2"})
    scheduled: list[dict[str, Any]] = []
    deadline = time.monotonic() + 60
    while not scheduled:
        assert time.monotonic() < deadline, "no scheduled run within 60 s"
        time.sleep(0.5)
        runs = flows.ok("GET", f"/api/flows/{created['id']}/runs")
        scheduled = [r for r in runs if r["trigger"] == "schedule"]
    flows.ok("DELETE", f"/api/flows/{created['id']}/schedule", status=204)
    started = scheduled[-1]
    run = flows.wait_run(started["id"], timeout=180)
    assert run["status"] == "succeeded", run
    assert run["outputs"]["out"]["rows"] == [[14.0, 3.0]]
    (line,) = [ln for ln in run["logs"].splitlines() if "logged to MLflow" in ln]
    assert "users/retrainer/default" in line
    run_id = line.split(" as run ")[1].split()[0]

    got = call(owner, "GET", f"{API}/runs/get?run_id={run_id}")
    assert got.status_code == 200, got.text
    info, data = got.json()["run"]["info"], got.json()["run"]["data"]
    assert info["user_id"] == "retrainer"
    assert info["run_name"] == "night"
    assert {p["key"]: p["value"] for p in data["params"]} == {"scale": "2"}
    assert {m["key"]: m["value"] for m in data["metrics"]} == {"total": 14.0, "rows": 3.0}
    tags = {t["key"]: t["value"] for t in data["tags"]}
    assert tags["galilean.flow"] == "nightly retrain"
    assert tags["galilean.flow_version"] == "1"
    assert tags["galilean.flow_run"] == started["id"]
    assert tags["galilean.model_format"] == "pickle"
    listed = call(owner, "GET", f"{API}/artifacts/list?run_id={run_id}&path=model")
    assert [f["path"] for f in listed.json()["files"]] == ["model/model.pkl"]
    code = call(owner, "GET", f"{MLFLOW}/get-artifact?path=train.py&run_uuid={run_id}")
    assert "def train" in code.text

    # Another user: the run is not theirs to see.
    assert call(other, "GET", f"{API}/runs/get?run_id={run_id}").status_code == 403

    # Someone else's experiment: the run fails at the training node, saying why.
    theirs = call(other, "POST", f"{API}/experiments/create", json={"name": "onlooker-models"})
    assert theirs.status_code == 200, theirs.text
    doc = training_flow(experiment="onlooker-models", name="into theirs")
    created = flows.ok("POST", "/api/flows", {"flow": doc}, 201)
    started = flows.ok("POST", f"/api/flows/{created['id']}/runs", {}, 202)
    failed = flows.wait_run(started["id"], timeout=180)
    assert failed["status"] == "failed"
    assert failed["error"]["node"] == "fit"
    assert "MLflow refused" in failed["error"]["message"]
