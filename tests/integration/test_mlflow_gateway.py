"""The MLflow gateway in front of a real MLflow (its basic-auth app with Galilean's
authorization function): who may reach it, what each user sees, sharing with a hub group,
the run's user, reserved names, admin-only routes, and MLflow's own port refusing anyone
but the gateway."""

from __future__ import annotations

import asyncio
import base64
import pickle
import re
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from mlflow_app import PREFIX, TOKENS, MlflowGateway

from galilean_services.flows_service.mlflow_record import MlflowRecorder, RecordError
from galilean_services.kit.testing import FakeHubAuth, running
from galilean_services.mlflow_service.app import Gateway, make_app
from galilean_services.mlflow_service.config import GatewayConfig
from galilean_services.mlflow_service.launch import start_backend

API = "api/2.0/mlflow"


def new_experiment(app: MlflowGateway, name: str, who: str = "alice") -> str:
    return str(
        app.ok("POST", f"{API}/experiments/create", {"name": name}, who=who)["experiment_id"]
    )


def test_mlflows_own_port_refuses_all_but_the_gateway(mlflow_gateway: MlflowGateway) -> None:
    backend = mlflow_gateway.gateway.backend
    search = f"{backend.url}/{API}/experiments/search?max_results=10"
    forged = {"X-Galilean-User": "alice", "X-Galilean-Groups": "mlflow-admins"}
    for headers in (forged, {**forged, "X-Galilean-Gateway-Secret": "guess"}, {}):
        reply = requests.get(search, headers=headers, timeout=30)
        assert reply.status_code == 401, (headers, reply.status_code, reply.text[:200])
        assert "WWW-Authenticate" not in reply.headers  # no Basic-auth popup
    # The bootstrap admin's Basic credentials do not work either: the hub decides who is who.
    assert requests.get(search, auth=("_galilean_gateway", "x" * 20), timeout=30).status_code == 401
    assert requests.get(f"{backend.url}/health", timeout=30).status_code == 200


def test_who_may_reach_the_gateway(mlflow_gateway: MlflowGateway) -> None:
    for who in (None, "wrong", "no-mlflow"):
        reply = mlflow_gateway.call("GET", f"{API}/experiments/search?max_results=5", who=who)
        assert reply.status_code == 401, (who, reply.status_code, reply.text[:200])
        assert reply.json()["ok"] is False
    health = mlflow_gateway.call("GET", "galilean/health", who=None)
    assert health.status_code == 200
    assert health.json()["mlflow"] == "running"


def test_a_refusal_says_the_connection_closes(mlflow_gateway: MlflowGateway) -> None:
    """A request refused before its body is read makes tornado close the connection: the
    reply must say so, or the hub's proxy (which keeps connections open) sends the next
    request into a closed socket and the user gets a 503 (seen in CI)."""
    search = f"{mlflow_gateway.url}/{API}/experiments/search?max_results=5"
    with requests.Session() as session:
        for headers in ({}, {"Authorization": "token wrong-token"}):
            reply = session.get(search, headers=headers, timeout=30)
            assert reply.status_code == 401
            assert reply.headers.get("Connection") == "close", reply.headers
        page = session.get(
            f"{mlflow_gateway.url}/", headers={"Accept": "text/html"}, allow_redirects=False
        )
        assert page.status_code == 302
        assert page.headers.get("Connection") == "close"
        reply = session.get(search, headers={"Authorization": "token alice-token"}, timeout=30)
        assert reply.status_code == 200
        assert reply.headers.get("Connection") != "close"


def test_owners_see_their_runs_and_others_see_nothing(mlflow_gateway: MlflowGateway) -> None:
    app = mlflow_gateway
    experiment = new_experiment(app, "alice-churn")
    run = app.ok(
        "POST",
        f"{API}/runs/create",
        {"experiment_id": experiment, "user_id": "mallory", "start_time": 1},
    )["run"]
    run_id = run["info"]["run_id"]
    # The run's user is the hub user, whatever the client claimed.
    assert run["info"]["user_id"] == "alice"
    tags = {t["key"]: t["value"] for t in run["data"].get("tags", [])}
    assert tags["mlflow.user"] == "alice"
    app.ok(
        "POST",
        f"{API}/runs/log-metric",
        {"run_id": run_id, "key": "auc", "value": 0.9, "timestamp": 1},
    )
    # An artifact goes up and comes back whole, its length announced (progress bars).
    blob = bytes(range(256)) * 4096  # 1 MiB
    put = f"api/2.0/mlflow-artifacts/artifacts/{experiment}/{run_id}/artifacts/blob.bin"
    assert app.call("PUT", put, data=blob).status_code == 200
    get = f"get-artifact?path=blob.bin&run_uuid={run_id}"
    got = app.call("GET", get)
    assert got.status_code == 200
    assert got.content == blob
    assert got.headers["Content-Length"] == str(len(blob))
    assert app.call("GET", get, who="bob").status_code == 403

    # Bob: 403 on every read and write of it, and his search is empty.
    for method, path, body in [
        ("GET", f"{API}/experiments/get?experiment_id={experiment}", None),
        ("GET", f"{API}/runs/get?run_id={run_id}", None),
        (
            "POST",
            f"{API}/runs/log-metric",
            {"run_id": run_id, "key": "x", "value": 1, "timestamp": 1},
        ),
        ("POST", f"{API}/experiments/delete", {"experiment_id": experiment}),
    ]:
        reply = app.call(method, path, body, who="bob")
        assert reply.status_code == 403, (method, path, reply.status_code, reply.text[:200])
    found = app.ok("POST", f"{API}/experiments/search", {"max_results": 100}, who="bob")
    assert experiment not in [e["experiment_id"] for e in found.get("experiments", [])]
    runs = app.ok("POST", f"{API}/runs/search", {"experiment_ids": [experiment]}, who="bob")
    assert runs.get("runs", []) == []
    # A header claiming to be alice is dropped by the gateway.
    forged = app.call(
        "GET", f"{API}/runs/get?run_id={run_id}", who="bob", headers={"X-Galilean-User": "alice"}
    )
    assert forged.status_code == 403


def test_sharing_with_a_hub_group(mlflow_gateway: MlflowGateway) -> None:
    app = mlflow_gateway
    experiment = new_experiment(app, "alice-shared")
    run_id = app.ok("POST", f"{API}/runs/create", {"experiment_id": experiment})["run"]["info"][
        "run_id"
    ]
    read = f"{API}/runs/get?run_id={run_id}"
    assert app.call("GET", read, who="carol").status_code == 403
    share = {"resource_type": "experiment", "resource_id": experiment, "group": "team-a"}
    # Only a MANAGE holder shares: bob cannot even see it, so it is not confirmed to exist.
    assert (
        app.call("POST", "galilean/share", {**share, "permission": "READ"}, who="bob").status_code
        == 404
    )
    granted = app.ok("POST", "galilean/share", {**share, "permission": "READ"})
    assert granted["groups"] == [{"group": "team-a", "permission": "READ"}]
    assert app.call("GET", read, who="carol").status_code == 200
    metric = {"run_id": run_id, "key": "x", "value": 1, "timestamp": 1}
    assert app.call("POST", f"{API}/runs/log-metric", metric, who="carol").status_code == 403
    assert app.call("GET", read, who="bob").status_code == 403
    # EDIT lets the team write; NO_PERMISSIONS takes it back.
    app.ok("POST", "galilean/share", {**share, "permission": "EDIT"})
    assert app.call("POST", f"{API}/runs/log-metric", metric, who="carol").status_code == 200
    assert (
        app.ok("POST", "galilean/share", {**share, "permission": "NO_PERMISSIONS"})["groups"] == []
    )
    assert app.call("GET", read, who="carol").status_code == 403


def test_smuggled_headers_and_encoded_paths_get_nothing(mlflow_gateway: MlflowGateway) -> None:
    app = mlflow_gateway
    bobs = new_experiment(app, "bob-secret-work", who="bob")
    smuggled = {"X_Galilean_Groups": "mlflow-admins", "X_Galilean_User": "bob"}
    me = app.ok("GET", "api/2.0/mlflow/users/current", headers=smuggled)
    assert me["user"]["username"] == "alice"
    assert me["user"]["is_admin"] is False
    reply = app.call("GET", f"{API}/experiments/get?experiment_id={bobs}", headers=smuggled)
    assert reply.status_code == 403
    for path in (
        "ajax-api/3.0/mlflow/%2561ssistant/config",
        "api/2.0/mlflow/users/list%3F",
        "api/3.0/mlflow/%2572oles/list?workspace=default",
    ):
        reply = app.call("GET", path)
        assert reply.status_code == 400, (path, reply.status_code, reply.text[:200])
        assert reply.json()["errors"] == [{"field": "path"}]
    # A run credited to someone else through an encoded path: refused before MLflow.
    sneaky = {"experiment_id": bobs, "user_id": "bob"}
    assert app.call("POST", f"{API}/runs/create%3F", sneaky).status_code == 400


def test_share_requests_are_checked(mlflow_gateway: MlflowGateway) -> None:
    app = mlflow_gateway
    base = {"resource_type": "experiment", "resource_id": "1", "group": "g", "permission": "READ"}
    for field, value in [
        ("resource_type", "run"),
        ("resource_id", ""),
        ("group", " "),
        ("permission", "OWN"),
        ("resource_id", "*"),  # every experiment, to MLflow: admins only
        ("resource_id", "1 OR 1"),
        ("color", "red"),
    ]:
        reply = app.call("POST", "galilean/share", {**base, field: value})
        assert reply.status_code == 400, (field, reply.text)
        assert reply.json()["errors"][0]["field"] == field


def test_admin_only_routes_and_reserved_names(mlflow_gateway: MlflowGateway) -> None:
    app = mlflow_gateway
    for path in ("api/3.0/mlflow/roles/list?workspace=default", f"{API}/users/list"):
        assert app.call("GET", path, who="alice").status_code == 403, path
    # The hub's MLflow admin group makes an MLflow admin, who sees roles and every experiment.
    assert (
        app.call("GET", "api/3.0/mlflow/roles/list?workspace=default", who="ops").status_code == 200
    )
    bobs = new_experiment(app, "bob-private", who="bob")
    assert (
        app.call("GET", f"{API}/experiments/get?experiment_id={bobs}", who="ops").status_code == 200
    )
    # users/<name>/... is kept for <name>: nobody squats another user's default experiment.
    squat = app.call(
        "POST", f"{API}/experiments/create", {"name": "users/alice/default"}, who="bob"
    )
    assert squat.status_code == 403
    new_experiment(app, "users/alice/default")
    # MLflow's assistant would run a coding agent on this host for "local" callers (the
    # gateway is one): off, for admins too.
    for who in ("alice", "ops"):
        reply = app.call("GET", "ajax-api/3.0/mlflow/assistant/config", who=who)
        assert reply.status_code == 403, reply.text[:200]


def test_without_mlflow_the_gateway_says_why(tmp_path: Path) -> None:
    """MLflow not installed where the settings say: the gateway keeps answering (a managed
    service that exits would take the hub down) with 503 and what to do."""
    config = GatewayConfig(
        db_url=f"sqlite:///{tmp_path / 'mlflow.sqlite'}",
        artifacts=str(tmp_path / "artifacts"),
        home=tmp_path / "no-mlflow-here",
        state=tmp_path / "state",
    )
    gateway = Gateway(config)
    start_backend(gateway)
    assert gateway.backend.proc is None
    with running(make_app(gateway, FakeHubAuth(TOKENS))) as url:
        health = requests.get(f"{url}{PREFIX}galilean/health", timeout=30)
        assert health.status_code == 503
        assert health.json()["mlflow"] == "unavailable"
        assert "GALILEAN_MLFLOW_HOME" in health.json()["error"]
        search = f"{url}{PREFIX}{API}/experiments/search"
        reply = requests.get(search, headers={"Authorization": "token alice-token"}, timeout=30)
        assert reply.status_code == 503
        assert "not installed" in reply.json()["error"]


def training_record(**changes: Any) -> dict[str, Any]:
    """A worker's record of a training (flows/training.Training.to_json)."""
    model = pickle.dumps({"weights": [1, 2]})
    record = {
        "node": "fit",
        "code": "def train(df, params):\n    return {'auc': 0.8}, {'weights': [1, 2]}\n",
        "params": {"C": 0.5, "balanced": True, "kind": "logistic"},
        "metrics": {"auc": 0.8, "rows": 120},
        "model_format": "pickle",
        "files": {"model.pkl": base64.b64encode(model).decode()},
        "experiment": "",
        "run_name": "nightly",
    }
    return record | changes


ORIGIN = {"flow": "retrain", "version": "3", "run": "r-1"}


def record(app: MlflowGateway, owner: str, raw: Any) -> Any:
    recorder = MlflowRecorder(f"{app.url}/", "flows-token")
    return asyncio.run(recorder.record(owner, raw, ORIGIN, time.time()))


def test_a_flows_training_is_logged_as_its_owner(mlflow_gateway: MlflowGateway) -> None:
    app = mlflow_gateway
    recorded = record(app, "carol", training_record())
    assert recorded.experiment == "users/carol/default"
    run = app.ok("GET", f"{API}/runs/get?run_id={recorded.run_id}", who="carol")["run"]
    assert run["info"]["user_id"] == "carol"
    assert run["info"]["status"] == "FINISHED"
    assert run["info"]["run_name"] == "nightly"
    params = {p["key"]: p["value"] for p in run["data"]["params"]}
    assert params == {"C": "0.5", "balanced": "true", "kind": "logistic"}
    metrics = {m["key"]: m["value"] for m in run["data"]["metrics"]}
    assert metrics == {"auc": 0.8, "rows": 120.0}
    tags = {t["key"]: t["value"] for t in run["data"]["tags"]}
    assert tags["galilean.flow"] == "retrain"
    assert tags["galilean.flow_version"] == "3"
    assert tags["galilean.flow_run"] == "r-1"
    assert tags["galilean.flow_node"] == "fit"
    assert tags["mlflow.user"] == "carol"
    artifact = f"get-artifact?run_uuid={recorded.run_id}&path="
    model = app.call("GET", artifact + "model/model.pkl", who="carol")
    assert pickle.loads(model.content) == {"weights": [1, 2]}  # noqa: S301
    code = app.call("GET", artifact + "train.py", who="carol")
    assert code.text.startswith("def train")
    # Carol's as any run she logged herself: Bob sees nothing of it.
    assert app.call("GET", f"{API}/runs/get?run_id={recorded.run_id}", who="bob").status_code == 403
    # A second training goes to the experiment named, made on first use.
    named = record(app, "carol", training_record(experiment="carol-retrain", run_name=""))
    assert named.experiment_id != recorded.experiment_id
    assert app.ok("GET", f"{API}/experiments/get?experiment_id={named.experiment_id}", who="carol")


def test_only_the_flows_service_acts_for_a_user(mlflow_gateway: MlflowGateway) -> None:
    app = mlflow_gateway
    search = f"{API}/experiments/search?max_results=5"
    for token, headers, expected in (
        ("other-service-token", {"X-Galilean-Acting-For": "alice"}, "may not use MLflow"),
        ("flows-token", {}, "X-Galilean-Acting-For"),
        ("flows-token", {"X-Galilean-Acting-For": "nobody-here"}, "not a user of the hub"),
    ):
        reply = requests.get(
            f"{app.url}/{search}",
            headers={"Authorization": f"token {token}", **headers},
            timeout=30,
        )
        assert reply.status_code == 403, (token, reply.text)
        assert expected in reply.json()["error"]
    # A user who names someone else is still only themselves.
    mine = new_experiment(app, "bob-own", who="bob")
    reply = app.call(
        "GET",
        f"{API}/experiments/get?experiment_id={mine}",
        who="alice",
        headers={"X-Galilean-Acting-For": "bob"},
    )
    assert reply.status_code == 403
    # Someone else's experiment is not the owner's to write into, even through flows.
    with pytest.raises(RecordError, match="MLflow refused"):
        record(app, "alice", training_record(experiment="bob-own"))


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"metrics": {"auc": "high"}}, "metric 'auc' is not a number"),
        ({"metrics": {"auc": 10**400}}, "metric 'auc' is not a finite number"),
        ({"metrics": {"a\nb": 1}}, "is not an MLflow name"),
        ({"params": {"x": [1]}}, "parameter 'x' is not text"),
        ({"files": {"../escape": "AA=="}}, "has a bad name"),
        ({"files": {"model.pkl": "not base64!"}}, "is not base64"),
        ({"experiment": "users/bob/x\n"}, "experiment is not a valid"),
        ({"model_format": "exe"}, "unknown model format"),
        ({"node": ""}, "names no node"),
    ],
)
def test_a_bad_record_is_refused_before_mlflow(changes: dict[str, Any], expected: str) -> None:
    recorder = MlflowRecorder("http://127.0.0.1:9/services/mlflow/", "unused")
    with pytest.raises(RecordError, match=re.escape(expected)):
        asyncio.run(recorder.record("carol", training_record(**changes), ORIGIN, time.time()))
