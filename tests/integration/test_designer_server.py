"""The pipeline designer's endpoints in a real user's server behind the real hub: the
engine reads the flow's folder in the server's root, previews reuse the user's own result
cache (in the user's folder), and another user cannot reach them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import admin_client, approved_user, hub_fixture
from galilean_server.examples import SHIPPED
from harness.client import HubClient
from harness.hub import Hub

hub = hub_fixture("designer-hub")
FLOW = "examples/flows/sales_by_region.flow"  # copied into the root when the server starts


@pytest.fixture(scope="module")
def users(hub: Hub) -> Iterator[dict[str, HubClient]]:
    admin = admin_client(hub)
    people = {name: approved_user(hub, admin, name) for name in ("fay", "gil")}
    people["fay"].start_server()
    try:
        yield people
    finally:
        people["fay"].stop_server()


def call(client: HubClient, owner: str, endpoint: str, body: Any = None) -> tuple[int, Any]:
    method = "GET" if body is None else "POST"
    data = None if body is None else json.dumps(body)
    reply = client.api(method, f"/user/{owner}/galilean/flows/{endpoint}", data=data)
    return reply.status_code, reply.json()


def test_the_user_previews_from_their_own_server_with_their_cache(
    hub: Hub, users: dict[str, HubClient]
) -> None:
    fay = users["fay"]
    content = json.loads((SHIPPED / "sales_by_region.flow").read_text())
    status, kinds = call(fay, "fay", "kinds")
    assert status == 200, kinds
    assert "source.file" in {k["kind"] for k in kinds["kinds"]}
    status, checked = call(fay, "fay", "validate", {"path": FLOW, "content": content})
    assert status == 200, checked
    assert checked["columns"]["per_region"] == ["region", "revenue", "orders", "average_order"]
    body = {"path": FLOW, "content": content, "node": "show", "limit": 5}
    first = call(fay, "fay", "preview", body)[1]
    again = call(fay, "fay", "preview", body)[1]
    assert first["reused"] == []
    assert again["reused"] == ["per_region"]
    assert again["rows"] == first["rows"]
    assert list((hub.home_of("fay") / ".galilean" / "cache" / "flows").glob("*.parquet"))
    status, refused = call(fay, "fay", "preview", {**body, "path": "../../etc/x.flow"})
    assert status == 400
    assert refused["errors"] == [{"field": "path"}]


def test_another_user_cannot_reach_them(users: dict[str, HubClient]) -> None:
    gil = users["gil"]
    content = json.loads((SHIPPED / "sales_by_region.flow").read_text())
    reply = gil.api(
        "POST",
        "/user/fay/galilean/flows/preview",
        data=json.dumps({"path": FLOW, "content": content, "node": "show"}),
        allow_redirects=False,
    )
    assert reply.status_code == 403, (reply.status_code, reply.text[:300])
    assert "rows" not in reply.text
