"""The flows service against the real hub: OAuth login through the hub, its proxy, runs
in the sandbox with history and cancel, sharing through the hub's groups, published
endpoints answered by their workers, schedules. The HTTP API alone (CRUD, versions,
scopes per verb, refusals) runs in this process: tests/unit/test_flows_service_app.py."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from flows_api import Flows, document, error_of, wait_ready
from mlflow_hub import training_flow

from conftest import admin_client, approved_user, hub_fixture
from galilean_services.folders import embedded_template, expand
from harness.client import HubClient
from harness.hub import Hub

hub = hub_fixture("flows-hub", GALILEAN_FLOWS_SCHEDULE_CHECK_SECONDS="1")


def home_of(hub: Hub, user: str) -> Path:
    """The user's folder (embedded mode): where their flows read and write."""
    return expand(embedded_template(hub.data_dir), user)


SALES: list[dict[str, Any]] = [
    {"id": 1, "region": "north", "amount": 10.0},
    {"id": 2, "region": "south", "amount": 25.5},
    {"id": 3, "region": "north", "amount": 40.0},
    {"id": 4, "region": "east", "amount": 7.25},
]


def sales_flow(**extra: Any) -> dict[str, Any]:
    return document(
        [
            {"id": "sales", "kind": "source.file", "params": {"path": "sales.csv"}},
            {"id": "big", "kind": "transform.filter", "params": {"condition": "amount >= :least"}},
            {"id": "out", "kind": "destination.display", "params": {}},
            {"id": "save", "kind": "destination.file", "params": {"path": "big.parquet"}},
        ],
        [("sales", "big"), ("big", "out"), ("big", "save")],
        parameters=[{"name": "least", "type": "number", "default": 20}],
        **extra,
    )


@pytest.fixture(scope="module")
def users(hub: Hub) -> dict[str, HubClient]:
    wait_ready(hub.url)
    admin = admin_client(hub)
    people = {"admin": admin}
    for name in ("alice", "bob", "carol"):
        people[name] = approved_user(hub, admin, name)
    home = home_of(hub, "alice")
    home.mkdir(parents=True, exist_ok=True)
    with (home / "sales.csv").open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=["id", "region", "amount"])
        writer.writeheader()
        writer.writerows(SALES)
    return people


@pytest.fixture(scope="module")
def alice_flow(hub: Hub, users: dict[str, HubClient]) -> dict[str, Any]:
    return dict(Flows.of(users["alice"]).ok("POST", "/api/flows", {"flow": sales_flow()}, 201))


def test_browser_session_logs_in_through_the_hub(hub: Hub, users: dict[str, HubClient]) -> None:
    # Cookies only: the service sends the browser through the hub's OAuth and back.
    reply = users["alice"].http.get(f"{hub.url}/services/flows/", timeout=30)
    assert reply.status_code == 200, reply.text
    me = reply.json()
    assert me["user"] == "alice"
    assert not me["admin"]
    assert "custom:flows:run" in me["scopes"]
    anonymous = requests.get(f"{hub.url}/services/flows/api/flows", timeout=30)
    assert error_of(anonymous, 401)["error"].startswith("log in to the hub")


def test_run_history_and_rows(
    hub: Hub, users: dict[str, HubClient], alice_flow: dict[str, Any]
) -> None:
    alice = Flows.of(users["alice"])
    flow_id = alice_flow["id"]
    started = alice.ok(
        "POST", f"/api/flows/{flow_id}/runs", {"version": 1, "params": {"least": 10}}, 202
    )
    assert started["status"] in ("queued", "running")
    assert started["trigger"] == "manual"
    run = alice.wait_run(started["id"])
    assert run["status"] == "succeeded", run
    expected = [s for s in SALES if s["amount"] >= 10]
    assert run["nodes"]["big"] == {"rows_in": len(SALES), "rows_out": len(expected)}
    out = run["outputs"]["out"]
    assert out["total"] == len(expected)
    ids = sorted(row[[c["name"] for c in out["columns"]].index("id")] for row in out["rows"])
    assert ids == [s["id"] for s in expected]
    assert float(run["started"]) <= float(run["ended"])
    assert "save: wrote big.parquet" in run["logs"]
    # Runs use the owner's folder.
    assert (home_of(hub, "alice") / "big.parquet").is_file()
    history = alice.ok("GET", f"/api/flows/{flow_id}/runs")
    assert history[0]["id"] == run["id"]
    assert "logs" not in history[0]
    bad = error_of(
        alice.call("POST", f"/api/flows/{flow_id}/runs", {"params": {"least": "lots"}}), 400
    )
    assert bad["errors"][0]["path"] == "least"
    assert "least" in bad["error"]


def python_flow(code: str, **limits: Any) -> dict[str, Any]:
    return document(
        [
            {"id": "sales", "kind": "source.file", "params": {"path": "sales.csv"}},
            {"id": "py", "kind": "transform.python", "params": {"code": code, **limits}},
            {"id": "out", "kind": "destination.display", "params": {}},
        ],
        [("sales", "py"), ("py", "out")],
    )


def test_cancel_a_running_flow(users: dict[str, HubClient]) -> None:
    alice = Flows.of(users["alice"])
    slow = "import time\ndef transform(df):\n    time.sleep(120)\n    return df\n"
    flow = alice.ok("POST", "/api/flows", {"flow": python_flow(slow, timeout_seconds=300)}, 201)
    run = alice.ok("POST", f"/api/flows/{flow['id']}/runs", {}, 202)
    deadline = time.monotonic() + 30
    while alice.ok("GET", f"/api/runs/{run['id']}")["status"] != "running":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    cancelled = alice.ok("POST", f"/api/runs/{run['id']}/cancel")
    assert cancelled["status"] == "cancelled"
    assert alice.wait_run(run["id"])["status"] == "cancelled"
    again = error_of(alice.call("POST", f"/api/runs/{run['id']}/cancel"), 409)
    assert "already cancelled" in again["error"]


@pytest.mark.parametrize(
    ("code", "limits", "expected"),
    [
        (
            "def transform(df):\n    while True:\n        pass\n",
            {"timeout_seconds": 2},
            "timed out",
        ),
        (
            "def transform(df):\n    x = [bytearray(10**8) for _ in range(100)]\n    return df\n",
            {"memory_mb": 512},
            "memory",
        ),
        (
            "import os\ndef transform(df):\n    os.system('id')\n    return df\n",
            {},
            "os.system is not allowed",
        ),
    ],
    ids=["infinite-loop", "memory-blow-up", "os-system"],
)
def test_hostile_python_fails_the_run_not_the_service(
    users: dict[str, HubClient], code: str, limits: dict[str, Any], expected: str
) -> None:
    alice = Flows.of(users["alice"])
    flow = alice.ok("POST", "/api/flows", {"flow": python_flow(code, **limits)}, 201)
    run = alice.wait_run(alice.ok("POST", f"/api/flows/{flow['id']}/runs", {}, 202)["id"])
    assert run["status"] == "failed"
    assert run["error"]["node"] == "py"
    assert expected in run["error"]["message"] or expected.split()[0] in run["error"]["message"]
    assert alice.ok("GET", "/health")["ok"]


def test_python_cannot_read_another_users_files(hub: Hub, users: dict[str, HubClient]) -> None:
    secret = home_of(hub, "bob") / "secret.txt"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text("bob's")
    secret.parent.parent.chmod(0o700)
    code = f"def transform(df):\n    print(open({str(secret)!r}).read())\n    return df\n"
    alice = Flows.of(users["alice"])
    flow = alice.ok("POST", "/api/flows", {"flow": python_flow(code)}, 201)
    run = alice.wait_run(alice.ok("POST", f"/api/flows/{flow['id']}/runs", {}, 202)["id"])
    assert run["status"] == "failed"
    # Isolated: the other user's folder does not exist in the sandbox; not isolated: 0700.
    assert run["error"]["message"].startswith(("FileNotFoundError", "PermissionError"))
    assert "bob's" not in json.dumps(run)
    assert "bob's" not in str(run)


def test_groups_of_the_hub_share(
    hub: Hub, users: dict[str, HubClient], alice_flow: dict[str, Any]
) -> None:
    flow_id = alice_flow["id"]
    bob, carol = Flows.of(users["bob"]), Flows.of(users["carol"])
    assert bob.ok("GET", "/api/flows") == []
    admin = users["admin"]
    assert admin.api("POST", "/groups/analysts", json={"users": ["carol"]}).status_code == 201
    Flows.of(users["alice"]).ok("PATCH", f"/api/flows/{flow_id}", {"groups": ["analysts"]})
    assert [f["id"] for f in carol.ok("GET", "/api/flows")] == [flow_id]
    run = carol.wait_run(carol.ok("POST", f"/api/flows/{flow_id}/runs", {}, 202)["id"])
    assert run["status"] == "succeeded"
    assert run["caller"] == "carol"
    refused = error_of(carol.call("PATCH", f"/api/flows/{flow_id}", {"name": "x"}), 403)
    assert "belongs to alice" in refused["error"]
    assert bob.ok("GET", "/api/flows") == []
    everything = Flows.of(admin).ok("GET", "/api/flows")
    assert flow_id in [f["id"] for f in everything]


def endpoint_flow() -> dict[str, Any]:
    return document(
        [
            {
                "id": "body",
                "kind": "source.request",
                "params": {
                    "columns": [
                        {"name": "item", "type": "VARCHAR", "required": True},
                        {"name": "qty", "type": "BIGINT"},
                    ],
                    "sample": [{"item": "sample", "qty": 1}],
                },
            },
            {"id": "enough", "kind": "transform.filter", "params": {"condition": "qty >= :least"}},
            {"id": "result", "kind": "destination.display", "params": {}},
        ],
        [("body", "enough"), ("enough", "result")],
        parameters=[{"name": "least", "type": "integer", "default": 2}],
    )


def test_published_endpoint(hub: Hub, users: dict[str, HubClient]) -> None:
    alice = Flows.of(users["alice"])
    flow = alice.ok("POST", "/api/flows", {"flow": endpoint_flow()}, 201)
    published = alice.ok("PUT", f"/api/flows/{flow['id']}/endpoint", {"name": "orders"})
    assert published["name"] == "orders"
    assert published["public"] is False
    body = [{"item": "pen", "qty": 1}, {"item": "ink", "qty": 5}, {"item": "pad", "qty": "3"}]

    reply = alice.call("POST", "/execute/orders", body)
    assert reply.status_code == 200, reply.text
    rows = reply.json()["results"]["result"]["rows"]
    assert sorted((r["item"], r["qty"]) for r in rows) == [("ink", 5), ("pad", 3)]
    got = alice.ok("POST", "/execute/orders?least=5", {"records": body})
    assert [r["item"] for r in got["results"]["result"]["rows"]] == ["ink"]
    got = alice.ok("POST", "/execute/orders", {"least": 1, "records": body})
    assert got["results"]["result"]["total"] == 3
    sample = alice.ok("GET", "/execute/orders?least=0")  # no body: the node's sample rows
    assert sample["results"]["result"]["rows"] == [{"item": "sample", "qty": 1}]

    no_token = error_of(Flows(hub.url, None).call("POST", "/execute/orders", body), 401)
    assert "custom:flows:execute" in no_token["error"]
    error_of(Flows.of(users["bob"]).call("POST", "/execute/orders", body), 403)
    wrong = error_of(alice.call("GET", "/execute/orders?least=many"), 400)
    assert wrong["errors"][0]["path"] == "least"
    unknown = error_of(alice.call("GET", "/execute/orders?most=1"), 400)
    assert "most" in unknown["error"]
    missing = error_of(alice.call("POST", "/execute/orders", [{"qty": 4}]), 400)
    assert "records[0].item is required" in missing["error"]
    typed = error_of(alice.call("POST", "/execute/orders", [{"item": "x", "qty": "lots"}]), 400)
    assert "records[0].qty" in typed["error"]
    error_of(alice.call("GET", "/execute/nothing-here"), 404)

    # A token without the execute scope is refused, even the owner's.
    narrow = users["alice"].http.post(
        f"{hub.url}/hub/api/users/alice/tokens",
        json={"scopes": ["access:services!service=flows", "custom:flows:read"]},
        headers={"X-XSRFToken": users["alice"].xsrf_cookie()},
        timeout=30,
    )
    assert narrow.status_code == 201, narrow.text
    read_only = Flows(hub.url, narrow.json()["token"])
    assert read_only.ok("GET", f"/api/flows/{flow['id']}")["endpoint"]["name"] == "orders"
    error_of(read_only.call("POST", "/execute/orders", body), 403)
    error_of(read_only.call("POST", f"/api/flows/{flow['id']}/runs", {}), 403)

    alice.ok("PUT", f"/api/flows/{flow['id']}/endpoint", {"name": "orders", "public": True})
    anyone = Flows(hub.url, None).ok("POST", "/execute/orders", body)
    assert anyone["results"]["result"]["total"] == 2
    taken = Flows.of(users["bob"])
    bobs = taken.ok("POST", "/api/flows", {"flow": endpoint_flow()}, 201)
    error_of(taken.call("PUT", f"/api/flows/{bobs['id']}/endpoint", {"name": "orders"}), 400)
    error_of(alice.call("PUT", f"/api/flows/{flow['id']}/endpoint", {"name": "Bad Name"}), 400)
    alice.ok("DELETE", f"/api/flows/{flow['id']}/endpoint", status=204)
    error_of(Flows(hub.url, None).call("POST", "/execute/orders", body), 404)


def test_schedule_runs_in_the_service(
    users: dict[str, HubClient], alice_flow: dict[str, Any]
) -> None:
    alice = Flows.of(users["alice"])
    flow_id = alice_flow["id"]
    bad = error_of(alice.call("PUT", f"/api/flows/{flow_id}/schedule", {"cron": "every day"}), 400)
    assert bad["errors"] == [{"field": "cron"}]
    wrong = {"cron": "* * * * *", "params": {"least": "x"}}
    error_of(alice.call("PUT", f"/api/flows/{flow_id}/schedule", wrong), 400)
    # Six fields: the last is seconds (every 2 s here, to keep the test short).
    schedule = alice.ok("PUT", f"/api/flows/{flow_id}/schedule", {"cron": "* * * * * */2"})
    assert schedule["missed"] == "once"
    assert schedule["next_run"] > time.time() - 1
    deadline = time.monotonic() + 30
    scheduled: list[dict[str, Any]] = []
    while not scheduled:
        assert time.monotonic() < deadline, "no scheduled run within 30 s"
        time.sleep(0.5)
        runs = alice.ok("GET", f"/api/flows/{flow_id}/runs")
        scheduled = [r for r in runs if r["trigger"] == "schedule"]
    assert alice.wait_run(scheduled[-1]["id"])["status"] == "succeeded"
    assert scheduled[-1]["caller"] == "alice"
    alice.ok("DELETE", f"/api/flows/{flow_id}/schedule", status=204)
    assert alice.ok("GET", f"/api/flows/{flow_id}/schedule") is None


def test_a_training_without_mlflow_fails_at_its_node(users: dict[str, HubClient]) -> None:
    """This hub runs no MLflow: the training runs, but a retrain nobody can find is lost,
    so the run fails at the node, saying what the admin must set."""
    carol = Flows.of(users["carol"])
    created = carol.ok("POST", "/api/flows", {"flow": training_flow()}, 201)
    run = carol.wait_run(carol.ok("POST", f"/api/flows/{created['id']}/runs", {}, 202)["id"])
    assert run["status"] == "failed"
    assert run["error"]["node"] == "fit"
    assert "GALILEAN_MLFLOW_ENABLED" in run["error"]["message"]
    assert "fit: transform.train, 3 rows in, 1 out" in run["logs"]


def test_service_database_file_is_private(hub: Hub, users: dict[str, HubClient]) -> None:
    database = Path(hub.data_dir) / "flows.sqlite"
    assert database.is_file()


def test_a_service_run_snapshots_a_dataset_naming_itself(
    hub: Hub, users: dict[str, HubClient]
) -> None:
    """destination.dataset in a service run (as alice, in her sandbox): the snapshot's
    origin names the flow, its version and the run; the datasets service lists it."""
    alice = Flows.of(users["alice"])
    flow = document(
        [
            {"id": "sales", "kind": "source.file", "params": {"path": "sales.csv"}},
            {
                "id": "keep",
                "kind": "destination.dataset",
                "params": {"dataset": "sales-history", "table": "sales", "key": ["id"]},
            },
        ],
        [("sales", "keep")],
    )
    made = alice.ok("POST", "/api/flows", {"flow": flow, "name": "keep_sales.flow"}, 201)
    started = alice.ok("POST", f"/api/flows/{made['id']}/runs", {}, 202)
    run = alice.wait_run(started["id"])
    assert run["status"] == "succeeded", run
    assert "to sales-history.sales (snapshot 1)" in run["logs"]
    api = f"{hub.url}/services/datasets/api"
    headers = {"Authorization": f"token {users['alice'].token}"}
    created = requests.post(
        f"{api}/datasets",
        json={"name": "sales-history", "driver": "tables"},
        headers=headers,
        timeout=60,
    )
    assert created.status_code == 201, created.text
    snapshots = requests.get(
        f"{api}/datasets/{created.json()['id']}/snapshots", headers=headers, timeout=60
    ).json()
    assert snapshots[0]["origin"] == {
        "flow": "keep_sales.flow",
        "version": "1",
        "run": run["id"],
    }
    assert snapshots[0]["author"] == "alice"
