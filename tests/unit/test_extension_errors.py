"""The one JSON error shape on the server extension (its handlers in-process): a 400 names
the field at fault, a missing connection is 404, an unexpected error is a 500 that reveals
nothing, and every handler method is authenticated and authorized."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from extension_server import REFUSED, Served, manager_for, serve

from galilean_server.base import AUTH_RESOURCE
from galilean_server.handlers import ROUTES
from galilean_server.manager import ConnectionsManager
from galilean_services.kit.errors import error_body

SHAPE = {"ok", "error", "errors", "status"}
METHODS = ("get", "put", "post", "delete")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    home = tmp_path_factory.mktemp("home")
    with serve(manager_for(home)) as served:
        reply = served.call("PUT", "/galilean/connections/saved", {"dialect": "sqlite"})
        assert reply.status_code == 200, reply.text
        yield served


def shape(reply: requests.Response, status: int) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    assert reply.headers["Content-Type"].startswith("application/json")
    body = reply.json()
    assert set(body) == SHAPE
    assert body["ok"] is False
    assert body["status"] == status
    assert "Traceback" not in reply.text
    return dict(body)


X, SAVED, TEST = (
    "/galilean/connections/x",
    "/galilean/connections/saved",
    "/galilean/connection-test",
)
MARIADB_PORT_0 = {"dialect": "mariadb", "host": "h", "port": 0}
MISSING_FILE = {"dialect": "sqlite", "database": "no.db"}
LIMIT_0 = {"table": {"name": "t"}, "limit": 0}
# (method, path, body, the field at fault, listed in `errors` (else named by the message))
BAD = [
    ("PUT", X, {"dialect": "nosuch"}, "dialect", True),
    ("PUT", X, {"dialect": "postgresql"}, "host", True),
    ("PUT", X, MARIADB_PORT_0, "port", True),
    ("PUT", X, {"url": "not a url"}, "url", True),
    ("PUT", X, [], "body", True),
    ("POST", TEST, MISSING_FILE, "database", True),
    ("POST", f"{SAVED}/build", LIMIT_0, "limit", True),
    ("POST", f"{SAVED}/build", {"table": {}}, "table", True),
    ("POST", f"{SAVED}/format", {}, "sql", False),
    ("POST", f"{SAVED}/format", {"sql": "select (", "first_line": 3}, "sql", False),
    ("POST", f"{SAVED}/format", {"sql": "select", "first_line": 0}, "first_line", False),
]


@pytest.mark.parametrize(("method", "path", "body", "field", "listed"), BAD)
def test_bad_requests_are_400_naming_the_field(
    server: Served, method: str, path: str, body: Any, field: str, listed: bool
) -> None:
    answer = shape(server.call(method, path, body), 400)
    assert answer["errors"] == ([{"field": field}] if listed else [])
    if not listed:  # named by the message
        assert answer["error"].startswith(f"{field}: "), answer["error"]


def test_a_body_that_is_not_json_is_400_naming_the_body(server: Served) -> None:
    reply = server.call("PUT", "/galilean/connections/x", raw=b'{"dialect": ')
    assert shape(reply, 400)["errors"] == [{"field": "body"}]


def test_a_password_given_is_never_echoed_in_an_error(server: Served) -> None:
    body = {"dialect": "postgresql", "password": "hunter2-secret", "port": "x"}
    reply = server.call("PUT", "/galilean/connections/x", body)
    assert shape(reply, 400)["errors"] == [{"field": "port"}]
    assert "hunter2-secret" not in reply.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/galilean/connections/missing"),
        ("DELETE", "/galilean/connections/missing"),
        ("POST", "/galilean/connections/missing/test"),
        ("GET", "/galilean/connections/missing/schema"),
        ("POST", "/galilean/connections/missing/build"),
        ("POST", "/galilean/connections/missing/format"),
    ],
)
def test_a_missing_connection_is_404(server: Served, method: str, path: str) -> None:
    body = {"sql": "select 1"} if path.endswith("format") else {}
    answer = shape(server.call(method, path, body), 404)
    assert answer == error_body("no connection named 'missing'", 404, [{"field": "connection"}])


def test_an_unknown_path_or_method_keeps_the_shape(server: Served) -> None:
    shape(server.call("PATCH", "/galilean/connections/saved", {}), 405)


class Crashing(ConnectionsManager):
    def dialects(self) -> dict[str, Any]:
        raise RuntimeError("boom with token-abc123")


def test_unexpected_errors_are_500_revealing_nothing(tmp_path: Path) -> None:
    manager = manager_for(tmp_path)
    crashing = Crashing(manager.store, manager.schemas, manager.registry)
    with serve(crashing) as served:
        reply = served.call("GET", "/galilean/dialects")
    answer = shape(reply, 500)
    assert answer["error"] == "Internal error: the server log has the details"
    assert "token-abc123" not in reply.text


def calls() -> list[tuple[str, str]]:
    """Every method of every route, with `x` as the connection name."""
    found = []
    for pattern, handler in ROUTES:
        path = re.sub(r"\(\[.*?\)", "x", pattern)
        found += [(m.upper(), path) for m in METHODS if m in vars(handler)]
    return found


@pytest.mark.parametrize(("method", "path"), calls())
def test_every_handler_is_authenticated_and_authorized(
    server: Served, method: str, path: str
) -> None:
    body: dict[str, Any] | None = {} if method in ("PUT", "POST") else None
    assert "Not signed in" not in shape(server.call(method, path, body, user=None), 403)["error"]
    server.authorizer.asked.clear()
    refused = shape(server.call(method, path, body, user=REFUSED), 403)
    assert AUTH_RESOURCE in refused["error"]
    assert [resource for _, resource in server.authorizer.asked] == [AUTH_RESOURCE]
