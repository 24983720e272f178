"""The designer's bridge (galilean_server/flows_bridge.py) in-process: the extension's
routes forwarding to the real flows service application (tests/flows_app.py, runs not
started) with the server owner's token. A `.flow` path links to the owner's service flow,
saving twice makes one version, versions / diff / restore / endpoint / schedule pass
through, only the owner may call, every bad input is a 400 naming the field, the
service's errors keep their status and shape, the service unreachable is 503."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from extension_server import REFUSED, Served, manager_for, serve
from flows_api import inline_flow
from flows_app import Service, app_fixture

from galilean_server.base import OWNER
from galilean_server.flows_bridge import LINK
from galilean_server.flows_link import FlowsLink, Upstream

app = app_fixture("bridge")
PATH = "work/sales.flow"
SHAPE = {"ok", "error", "errors", "status"}


def bridge_of(service_url: str, token: str, owner: str, home: Path) -> Any:
    link = FlowsLink(Upstream(service_url, token, timeout=5), owner, "/services/flows/")
    return serve(manager_for(home), **{LINK: link, OWNER: owner})


@pytest.fixture(scope="module")
def alice(app: Service, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with bridge_of(app.url, "alice-token", "alice", tmp_path_factory.mktemp("a")) as served:
        yield served


def call(
    served: Served, method: str, path: str, body: Any = None, user: str | None = "alice"
) -> requests.Response:
    return served.call(method, path, body, user=user)


def ok(served: Served, method: str, path: str, body: Any = None, user: str = "alice") -> Any:
    reply = call(served, method, f"/galilean/flows/service/{path}", body, user=user)
    assert reply.status_code == 200, (reply.status_code, reply.text)
    assert "alice-token" not in reply.text
    return reply.json()


def error(reply: requests.Response, status: int) -> dict[str, Any]:
    assert reply.status_code == status, (reply.status_code, reply.text)
    body = reply.json()
    assert set(body) == SHAPE
    assert body["status"] == status
    return dict(body)


def test_a_path_links_to_one_service_flow_and_saves_only_changes(
    app: Service, alice: Served
) -> None:
    empty = ok(alice, "GET", "flow?path=work/new.flow")
    assert empty == {
        "flow": None,
        "versions": [],
        "runs": [],
        "endpoint": None,
        "schedule": None,
        "service_url": "/services/flows/",
    }
    first = ok(alice, "POST", "save", {"path": PATH, "content": inline_flow()})
    assert first["version"] == 1
    assert first["new_version"] is True
    again = ok(alice, "POST", "save", {"path": PATH, "content": inline_flow()})
    assert again == {**first, "new_version": False}
    changed = inline_flow(description="bigger")
    ran = ok(alice, "POST", "run", {"path": PATH, "content": changed, "targets": ["big"]})
    assert (ran["flow_id"], ran["version"], ran["new_version"]) == (first["flow_id"], 2, True)
    assert ran["run"]["version"] == 2
    assert ran["run"]["caller"] == "alice"
    assert app.started_with[ran["run"]["id"]]["targets"] == ["big"]
    rerun = ok(alice, "POST", "run", {"path": PATH, "content": changed, "params": {"least": 2}})
    assert (rerun["version"], rerun["new_version"]) == (2, False)
    assert rerun["run"]["params"] == {"least": 2}
    state = ok(alice, "GET", f"flow?path={PATH}")
    assert state["flow"]["name"] == PATH
    assert state["flow"]["owner"] == "alice"
    assert [v["number"] for v in state["versions"]] == [2, 1]
    assert [r["id"] for r in state["runs"]] == [rerun["run"]["id"], ran["run"]["id"]]
    one = ok(alice, "GET", f"runs/{ran['run']['id']}")
    assert one["id"] == ran["run"]["id"]


def test_versions_diff_restore_endpoint_and_schedule_pass_through(alice: Served) -> None:
    path = "other.flow"
    ok(alice, "POST", "save", {"path": path, "content": inline_flow()})
    ok(alice, "POST", "save", {"path": path, "content": inline_flow(description="two")})
    version = ok(alice, "GET", f"versions/1?path={path}")
    assert version["number"] == 1
    assert version["content"] == version["flow"]
    assert version["content"]["description"] == ""
    diff = ok(alice, "GET", f"versions/2/diff?path={path}&against=1")
    assert (diff["from"], diff["to"]) == (1, 2)
    assert diff["flow"]
    where = f"/galilean/flows/service/versions/1/restore?path={path}"
    refused = call(alice, "POST", where, {"message": 7})
    assert error(refused, 400)["errors"] == [{"field": "message"}]
    restored = call(alice, "POST", where, {"message": "back to one"})
    assert restored.status_code == 200, restored.text
    assert restored.json()["number"] == 3
    assert restored.json()["message"] == "back to one"
    assert restored.json()["content"]["description"] == ""
    endpoint = {"name": "alice-bridge", "public": False}
    published = call(alice, "PUT", f"/galilean/flows/service/endpoint?path={path}", endpoint)
    assert published.status_code == 200, published.text
    assert ok(alice, "GET", f"endpoint?path={path}")["name"] == "alice-bridge"
    schedule = {"cron": "0 6 * * *", "missed": "skip"}
    put = call(alice, "PUT", f"/galilean/flows/service/schedule?path={path}", schedule)
    assert put.status_code == 200, put.text
    assert ok(alice, "GET", f"schedule?path={path}")["cron"] == "0 6 * * *"
    preview = ok(alice, "POST", "schedule-preview", {"cron": "0 6 * * *"})
    assert len(preview["next"]) == 5
    assert "6" in preview["text"]


def test_unpublish_and_remove_the_schedule(alice: Served) -> None:
    path, base = "gone.flow", "/galilean/flows/service"
    ok(alice, "POST", "save", {"path": path, "content": inline_flow()})
    endpoint = {"name": "alice-gone", "public": True, "version": None}
    assert call(alice, "PUT", f"{base}/endpoint?path={path}", endpoint).status_code == 200
    put = call(alice, "PUT", f"{base}/schedule?path={path}", {"cron": "0 6 * * *"})
    assert put.status_code == 200, put.text
    state = ok(alice, "GET", f"flow?path={path}")
    assert state["endpoint"]["version"] is None  # follows the latest version
    assert state["endpoint"]["recent_calls"] == []
    assert state["schedule"]["cron"] == "0 6 * * *"
    error(call(alice, "DELETE", f"{base}/endpoint?path={path}", user="bob"), 403)
    for what in ("endpoint", "schedule"):
        for _twice in range(2):  # nothing left to remove: done all the same
            gone = call(alice, "DELETE", f"{base}/{what}?path={path}")
            assert (gone.status_code, gone.text) == (204, "")
        assert ok(alice, "GET", f"{what}?path={path}") is None
    state = ok(alice, "GET", f"flow?path={path}")
    assert (state["endpoint"], state["schedule"]) == (None, None)
    error(call(alice, "DELETE", f"{base}/endpoint?path=never-saved.flow"), 404)
    refused = error(call(alice, "DELETE", f"{base}/schedule"), 400)
    assert refused["errors"] == [{"field": "path"}]


def test_another_users_bridge_does_not_see_the_flows(
    app: Service, alice: Served, tmp_path: Path
) -> None:
    ok(alice, "POST", "save", {"path": "mine.flow", "content": inline_flow()})
    with bridge_of(app.url, "bob-token", "bob", tmp_path) as bob:
        state = call(bob, "GET", "/galilean/flows/service/flow?path=mine.flow", user="bob")
        assert state.status_code == 200
        assert state.json()["flow"] is None
        error(
            call(bob, "GET", "/galilean/flows/service/versions/1?path=mine.flow", user="bob"), 404
        )


def test_only_the_servers_owner_may_use_it(alice: Served) -> None:
    body = {"path": PATH, "content": inline_flow()}
    refused = error(call(alice, "POST", "/galilean/flows/service/save", body, user="bob"), 403)
    assert "alice" in refused["error"]
    error(call(alice, "GET", "/galilean/flows/service/flow?path=a.flow", user=None), 403)
    error(call(alice, "GET", "/galilean/flows/service/flow?path=a.flow", user=REFUSED), 403)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content": {}}, "path"),
        ({"path": "/etc/x.flow", "content": {}}, "path"),
        ({"path": "../x.flow", "content": {}}, "path"),
        ({"path": "a/../../x.flow", "content": {}}, "path"),
        ({"path": "a//x.flow", "content": {}}, "path"),
        ({"path": "notes.txt", "content": {}}, "path"),
        ({"path": 3, "content": {}}, "path"),
        ({"path": "x.flow", "content": "text"}, "content"),
        ({"path": "x.flow", "content": {}, "targets": []}, "targets"),
        ({"path": "x.flow", "content": {}, "targets": [1]}, "targets"),
        ({"path": "x.flow", "content": {}, "targets": "big"}, "targets"),
        ({"path": "x.flow", "content": {}, "params": [1]}, "params"),
        ({"path": "x.flow", "content": {}, "message": 5}, "message"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    alice: Served, body: dict[str, Any], field: str
) -> None:
    for endpoint in ("save", "run"):
        reply = call(alice, "POST", f"/galilean/flows/service/{endpoint}", body, user="alice")
        assert error(reply, 400)["errors"] == [{"field": field}]


def test_bad_query_arguments_and_ids(alice: Served) -> None:
    base = "/galilean/flows/service"
    assert error(call(alice, "GET", f"{base}/flow"), 400)["errors"] == [{"field": "path"}]
    diff = call(alice, "GET", f"{base}/versions/1/diff?path=a.flow&against=x")
    assert error(diff, 400)["errors"] == [{"field": "against"}]
    assert error(call(alice, "GET", f"{base}/runs/not-a-run"), 404)["errors"] == [
        {"field": "run_id"}
    ]
    zero = call(alice, "GET", f"{base}/versions/0?path=a.flow")
    assert error(zero, 400)["errors"] == [{"field": "number"}]
    error(call(alice, "GET", f"{base}/versions/1?path=never-saved.flow"), 404)
    error(call(alice, "GET", f"{base}/runs/{'0' * 32}"), 404)


def test_the_services_errors_keep_their_status_and_shape(alice: Served) -> None:
    broken = {**inline_flow(), "galilean_flow": 99}
    reply = call(
        alice, "POST", "/galilean/flows/service/save", {"path": "b.flow", "content": broken}
    )
    assert error(reply, 400)["errors"][0]["field"] == "flow"
    bad_cron = call(alice, "POST", "/galilean/flows/service/schedule-preview", {"cron": "nope"})
    assert error(bad_cron, 400)["errors"]


def test_the_service_unreachable_is_503(tmp_path: Path) -> None:
    with bridge_of("http://127.0.0.1:9/services/flows/", "t0k3n", "alice", tmp_path) as served:
        reply = call(served, "GET", "/galilean/flows/service/flow?path=a.flow", user="alice")
        body = error(reply, 503)
        assert body["error"].startswith("The flows service is not reachable")
        assert "t0k3n" not in reply.text
    with bridge_of("", "", "alice", tmp_path) as served:
        reply = call(served, "GET", "/galilean/flows/service/flow?path=a.flow", user="alice")
        assert "GALILEAN_FLOWS_URL" in error(reply, 503)["error"]
