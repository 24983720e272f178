"""The flows service's HTTP surface under bad and hostile input, on a real hub, through
its proxy: what only the hub can show (the scopes in its tokens, its groups). The same
refusals in this process, and the fuzzing: tests/unit/test_flows_service_inputs.py."""

from __future__ import annotations

import pytest
from flows_api import Flows, error_of, inline_flow, wait_ready

from conftest import admin_client, approved_user, hub_fixture
from harness.client import HubClient
from harness.hub import Hub

# -- on a real hub ----------------------------------------------------------------------------

hub = hub_fixture("hostile-inputs-hub")


@pytest.fixture(scope="module")
def people(hub: Hub) -> dict[str, HubClient]:
    wait_ready(hub.url)
    admin = admin_client(hub)
    return {"admin": admin, **{n: approved_user(hub, admin, n) for n in ("alice", "bob")}}


def read_only_token(hub: Hub, person: HubClient) -> str:
    """A token made with custom:flows:read alone (no access:services!service=flows)."""
    made = person.http.post(
        f"{hub.url}/hub/api/users/{person.username}/tokens",
        json={"scopes": ["custom:flows:read"]},
        headers={"X-XSRFToken": person.xsrf_cookie()},
        timeout=30,
    )
    assert made.status_code == 201, made.text
    return str(made.json()["token"])


def test_on_the_real_hub(hub: Hub, people: dict[str, HubClient]) -> None:
    alice, bob = Flows.of(people["alice"]), Flows.of(people["bob"])
    flow = alice.ok("POST", "/api/flows", {"flow": inline_flow()}, 201)
    # Bad input through the proxy.
    error_of(alice.call("GET", "/api/flows/99999999999999999999"), 404)
    deep = alice.call("POST", "/api/flows", None, data=b"[" * 100_000 + b"]" * 100_000)
    assert error_of(deep, 400)["errors"] == [{"field": "body"}]
    cron = alice.call("PUT", f"/api/flows/{flow['id']}/schedule", {"cron": "0 0 31 2 *"})
    assert error_of(cron, 400)["errors"] == [{"field": "cron"}]
    # Another user's run.
    run = alice.ok("POST", f"/api/flows/{flow['id']}/runs", {}, 202)
    hidden = error_of(bob.call("GET", f"/api/runs/{run['id']}"), 404)
    assert hidden["error"] == f"run {run['id']} does not exist"
    # A token made with custom:flows:read only (no access:services) reads, and is refused
    # writes with the scope named.
    narrow = Flows(hub.url, read_only_token(hub, people["alice"]))
    assert [f["id"] for f in narrow.ok("GET", "/api/flows")] == [flow["id"]]
    refused = error_of(narrow.call("POST", f"/api/flows/{flow['id']}/runs", {}), 403)
    assert "custom:flows:run" in refused["error"]
    # The hub's model for such a token still has the user's groups: shared flows show.
    team = people["admin"].api("POST", "/groups/team", json={"users": ["bob"]})
    assert team.status_code == 201, team.text
    alice.ok("PATCH", f"/api/flows/{flow['id']}", {"groups": ["team"]})
    bobs = Flows(hub.url, read_only_token(hub, people["bob"]))
    assert [f["id"] for f in bobs.ok("GET", "/api/flows")] == [flow["id"]]
    alice.wait_run(run["id"])
