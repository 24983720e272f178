"""Sharing a workspace on the lab hub (embedded mode; issue 18): only the owner manages its
shares; a running private workspace is shared only with a restart, and comes back without
any of its owner's tokens; the guest reaches that workspace and nothing else of the
owner's; revoking cuts the guest off at once; share codes are accepted by a logged-in user
and expire; bad input is a 400 naming the field."""

from __future__ import annotations

import re
import time
from typing import Any

import requests

from conftest import admin_client, approved_user, group_with
from harness.client import HubClient
from harness.hub import Hub
from harness.processes import wait_until

SHARES = "/galilean/shares"
WS = "proj"


def field_of(reply: requests.Response) -> str:
    errors = reply.json().get("errors") or [{}]
    return str(errors[0].get("field", ""))


def reaches(client: HubClient, owner: str, server: str = "") -> int:
    """The status a user's token gets from a workspace's server (its contents API)."""
    path = f"/user/{owner}/{server + '/' if server else ''}api/contents"
    return client.api("GET", path, allow_redirects=False).status_code


def token_scopes(hub: Hub, token: str) -> set[str]:
    reply = requests.get(
        f"{hub.url}/hub/api/user", headers={"Authorization": f"token {token}"}, timeout=30
    )
    assert reply.status_code == 200, reply.text
    return set(reply.json()["scopes"])


def test_sharing_a_workspace(lab_hub: Hub) -> None:
    admin = admin_client(lab_hub)
    owner = approved_user(lab_hub, admin, "wsowner")
    guest = approved_user(lab_hub, admin, "wsguest")
    other = approved_user(lab_hub, admin, "wsother")
    group_with(lab_hub, "ws-team", ["wsother"])
    owner.begin_server()
    owner.begin_server(WS)
    owner.wait_server("", ready=True, timeout=180)
    owner.wait_server(WS, ready=True, timeout=180)
    private = lab_hub.server_environment("wsowner", WS)
    assert private["GALILEAN_VAULT_TOKEN"]
    assert any(
        s.startswith("access:services")
        for s in token_scopes(lab_hub, private["JUPYTERHUB_API_TOKEN"])
    )
    # The owner's named connection lives in the user's folder (every private workspace).
    saved = owner.api(
        "PUT",
        "/user/wsowner/galilean/connections/warehouse",
        json={"dialect": "sqlite", "url": "sqlite:///warehouse.db"},
    )
    assert saved.status_code in (200, 201), saved.text

    listed = owner.api("GET", f"{SHARES}/{WS}").json()
    assert (listed["running"], listed["shared"], listed["shares"]) == (True, False, [])

    # A running private workspace: not without a restart (409 naming the field).
    refused = owner.api("POST", f"{SHARES}/{WS}", json={"user": "wsguest"})
    assert refused.status_code == 409, refused.text
    assert field_of(refused) == "restart"
    assert reaches(guest, "wsowner", WS) in (302, 403, 404)
    for body, field in (
        ({"user": "nobody-here", "restart": True}, "user"),
        ({"group": "no-such-team", "restart": True}, "group"),
        ({"user": "wsowner", "restart": True}, "user"),
        ({"user": "wsguest", "group": "ws-team"}, "user"),
        ({"user": ["wsguest"]}, "user"),
        ({"colour": "red"}, "colour"),
    ):
        bad = owner.api("POST", f"{SHARES}/{WS}", json=body)
        assert bad.status_code == 400, (body, bad.text)
        assert field_of(bad) == field, (body, bad.text)
    assert owner.api("POST", f"{SHARES}/{WS}", data=b"[1]").status_code == 400
    # Only the owner manages it: the guest, another user and the admin's token get 404
    # (they have no workspace of that name) for their own path, nothing of the owner's.
    for someone in (guest, other):
        assert someone.api("GET", f"{SHARES}/{WS}").status_code == 404

    shared = owner.api("POST", f"{SHARES}/{WS}", json={"user": "wsguest", "restart": True})
    assert shared.status_code == 200, shared.text
    owner.wait_server(WS, ready=True, timeout=180)
    state = owner.api("GET", f"{SHARES}/{WS}").json()
    assert state["running_shared"] is True
    assert [(s["kind"], s["name"]) for s in state["shares"]] == [("user", "wsguest")]

    # Restarted shared: nothing of the owner's in its environment.
    environ = lab_hub.server_environment("wsowner", WS)
    assert environ["GALILEAN_SHARED"] == "1"
    assert environ["GALILEAN_VAULT_TOKEN"] == ""
    assert environ.get("OPENAI_API_KEY", "") == ""
    assert environ.get("MLFLOW_TRACKING_TOKEN", "") == ""
    scopes = token_scopes(lab_hub, environ["JUPYTERHUB_API_TOKEN"])
    assert not any(s.startswith(("access:services", "custom:")) for s in scopes), scopes
    # Nor can it publish a notebook's read-only view as the owner.
    published = requests.put(
        f"{lab_hub.url}/hub/api/galilean/published",
        headers={"Authorization": f"token {environ['JUPYTERHUB_API_TOKEN']}"},
        json={"path": "a.ipynb", "title": "a", "html": "<p>from the guest</p>"},
        timeout=30,
    )
    assert published.status_code == 403, published.text
    assert field_of(published) == "token"
    listing = requests.get(  # nor list the owner's views (their ids open link views)
        f"{lab_hub.url}/hub/api/galilean/published",
        headers={"Authorization": f"token {environ['JUPYTERHUB_API_TOKEN']}"},
        timeout=30,
    )
    assert listing.status_code == 403, listing.text

    # The guest reaches this workspace, not the owner's default one, not its connections.
    assert reaches(guest, "wsowner", WS) == 200
    assert reaches(guest, "wsowner") in (302, 403, 404)
    assert reaches(other, "wsowner", WS) in (302, 403, 404)
    connections = guest.api("GET", f"/user/wsowner/{WS}/galilean/connections")
    assert connections.status_code == 200, connections.text
    assert [c["name"] for c in connections.json()["connections"]] == []
    bridge = guest.api("GET", f"/user/wsowner/{WS}/galilean/secrets")
    assert bridge.status_code == 403, bridge.text
    assert "shared with you: your own vault is in yours" in bridge.json()["error"]
    # The designer's bridge to the flows service would act as the owner: refused first
    # for not being the owner.
    flows = guest.api("GET", f"/user/wsowner/{WS}/galilean/flows/service/flow?path=a.flow")
    assert flows.status_code == 403, flows.text
    assert flows.json()["error"].startswith("only wsowner"), flows.text

    # A group share reaches its members (the server keeps the hub's refusal a second).
    assert owner.api("POST", f"{SHARES}/{WS}", json={"group": "ws-team"}).status_code == 200
    wait_until(lambda: reaches(other, "wsowner", WS) == 200, 10, "the group's member in")

    # Revoking restarts the workspace: the guest is out at once.
    revoked = owner.api("DELETE", f"{SHARES}/{WS}?user=wsguest")
    assert revoked.status_code == 200, revoked.text
    owner.wait_server(WS, ready=True, timeout=180)
    assert reaches(guest, "wsowner", WS) in (302, 403, 404)
    assert reaches(other, "wsowner", WS) == 200
    assert owner.api("DELETE", f"{SHARES}/{WS}?user=nobody-here").status_code == 404
    assert owner.api("DELETE", f"{SHARES}/{WS}?group=ws-team").status_code == 200
    owner.wait_server(WS, ready=True, timeout=180)
    # No guest left, yet it stays shared: a guest may have left code in its files for the
    # next start. The owner's default workspace, never shared, starts private.
    assert owner.api("GET", f"{SHARES}/{WS}").json()["shares"] == []
    owner.stop_server(WS)
    owner.start_server(WS)
    assert lab_hub.server_environment("wsowner", WS)["GALILEAN_VAULT_TOKEN"] == ""
    assert lab_hub.server_environment("wsowner")["GALILEAN_VAULT_TOKEN"]
    # Names are searched with the user's own token, not with a shared server's.
    server_token = lab_hub.server_environment("wsowner", WS)["JUPYTERHUB_API_TOKEN"]
    search = requests.get(
        f"{lab_hub.url}/hub/api/galilean/share-candidates?q=ws",
        headers={"Authorization": f"token {server_token}"},
        timeout=30,
    )
    assert search.status_code == 403, search.text
    # JupyterHub's own share API does not share (not even for an admin): it would reach a
    # running private workspace without the restart.
    for path in (f"/shares/wsowner/{WS}", f"/share-codes/wsowner/{WS}"):
        refused = admin.api("POST", path, json={"user": "wsguest"})
        assert refused.status_code == 403, (path, refused.text)
    assert admin.api("GET", f"/shares/wsowner/{WS}").status_code == 200
    owner.stop_server(WS)
    owner.stop_server()


def accept(client: HubClient, url: str) -> requests.Response:
    """The accept-share page, as the logged-in user (its form posts back with the XSRF)."""
    xsrf = client._xsrf(url)  # the page answers (200) and holds its form's field
    return client.http.post(
        f"{client.url}{url}", data={"_xsrf": xsrf}, timeout=60, allow_redirects=False
    )


def test_share_codes(lab_hub: Hub) -> None:
    admin = admin_client(lab_hub)
    owner = approved_user(lab_hub, admin, "codeowner")
    taker = approved_user(lab_hub, admin, "codetaker")
    late = approved_user(lab_hub, admin, "codelate")
    for expires_in in (0, -5, 10**9, "soon", True):
        bad = owner.api("POST", f"{SHARES}/{WS}/codes", json={"expires_in": expires_in})
        assert bad.status_code in (400, 404), bad.text
    # The workspace does not exist yet: 404 naming it.
    missing = owner.api("POST", f"{SHARES}/{WS}/codes", json={})
    assert (missing.status_code, field_of(missing)) == (404, "workspace")
    assert owner.api("POST", f"/users/codeowner/servers/{WS}").status_code in (201, 202)
    owner.wait_server(WS, ready=True, timeout=180)
    owner.stop_server(WS)

    made = owner.api("POST", f"{SHARES}/{WS}/codes", json={"expires_in": 600})
    assert made.status_code == 201, made.text
    code: dict[str, Any] = made.json()
    assert code["accept_url"].startswith("/hub/accept-share?code=")
    short = owner.api("POST", f"{SHARES}/{WS}/codes", json={"expires_in": 1}).json()
    listed = owner.api("GET", f"{SHARES}/{WS}").json()
    assert {c["id"] for c in listed["codes"]} == {code["id"], short["id"]}
    assert "code" not in str(listed["codes"][0].keys())  # the code itself is shown once

    owner.start_server(WS)  # it has a code: it starts shared
    assert lab_hub.server_environment("codeowner", WS)["GALILEAN_SHARED"] == "1"
    accepted = accept(taker, code["accept_url"])
    assert accepted.status_code in (200, 302), accepted.text[:300]
    assert reaches(taker, "codeowner", WS) == 200
    time.sleep(1.2)  # the one-second code is past its time (the hub's clock)
    expired = late.http.get(f"{late.url}{short['accept_url']}", timeout=30)
    assert expired.status_code == 404, expired.status_code
    assert "expired" in expired.text.lower(), re.findall(r"<(?:h1|p)>([^<]*)<", expired.text)
    assert reaches(late, "codeowner", WS) in (302, 403, 404)
    gone = owner.api("DELETE", f"{SHARES}/{WS}/codes/{code['id']}")
    assert gone.status_code == 200
    assert owner.api("DELETE", f"{SHARES}/{WS}/codes/sc_999999").status_code == 404
    owner.stop_server(WS)


def test_share_candidates(lab_hub: Hub) -> None:
    admin = admin_client(lab_hub)
    finder = approved_user(lab_hub, admin, "candfinder")
    approved_user(lab_hub, admin, "candmatch")
    group_with(lab_hub, "cand-team", ["candmatch"])
    found = finder.api("GET", "/galilean/share-candidates?q=cand").json()
    assert "candmatch" in found["users"]
    assert "candfinder" not in found["users"]
    assert found["groups"] == ["cand-team"]
    assert finder.api("GET", "/galilean/share-candidates?q=%25").json()["users"] == []
    empty = finder.api("GET", "/galilean/share-candidates?q=")
    assert (empty.status_code, field_of(empty)) == (400, "q")
    anonymous = requests.get(f"{lab_hub.url}/hub/api/galilean/share-candidates?q=c", timeout=30)
    assert anonymous.status_code in (401, 403)
