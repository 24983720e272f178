"""The one JSON error shape, guarded on a real tornado server and on the server extension."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from tornado import web
from tornado.httpserver import HTTPServer

from galilean_services.errors import NotFound, ValidationError, error_body
from galilean_services.http import JSONErrorMixin
from harness.processes import free_port

SHAPE = {"ok", "error", "errors", "status"}


class Raises(JSONErrorMixin, web.RequestHandler):
    def get(self, kind: str) -> None:
        if kind == "validation":
            raise ValidationError(
                "flow is not valid", errors=[{"node": "n1", "message": "unknown kind"}]
            )
        if kind == "missing":
            raise NotFound("no flow named 'x'")
        if kind == "http":
            raise web.HTTPError(405, "use %s", "POST")
        secret = "token-abc123"
        raise RuntimeError(f"boom with {secret}")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = free_port()
    loop = asyncio.new_event_loop()
    started = threading.Event()
    holder: dict[str, Any] = {}

    def run() -> None:
        asyncio.set_event_loop(loop)
        app = web.Application([(r"/(\w+)", Raises)])
        holder["server"] = HTTPServer(app)
        holder["server"].listen(port, "127.0.0.1")
        loop.call_soon(started.set)
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    started.wait(10)
    yield f"http://127.0.0.1:{port}"
    loop.call_soon_threadsafe(holder["server"].stop)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def body_of(reply: requests.Response) -> dict[str, Any]:
    assert reply.headers["Content-Type"].startswith("application/json")
    body = reply.json()
    assert set(body) == SHAPE
    assert body["ok"] is False
    assert body["status"] == reply.status_code
    return dict(body)


def test_validation_is_400_with_each_problem(server: str) -> None:
    body = body_of(requests.get(f"{server}/validation", timeout=10))
    assert body["status"] == 400
    assert body["errors"] == [{"node": "n1", "message": "unknown kind"}]


def test_missing_is_404(server: str) -> None:
    body = body_of(requests.get(f"{server}/missing", timeout=10))
    assert body == error_body("no flow named 'x'", 404)


def test_http_errors_keep_status_and_message(server: str) -> None:
    body = body_of(requests.get(f"{server}/http", timeout=10))
    assert body["status"] == 405
    assert body["error"] == "use POST"


def test_unexpected_errors_reveal_nothing(server: str) -> None:
    reply = requests.get(f"{server}/crash", timeout=10)
    body = body_of(reply)
    assert body["status"] == 500
    assert "token-abc123" not in reply.text
    assert "Traceback" not in reply.text


def test_error_body_is_plain_json() -> None:
    assert json.loads(json.dumps(error_body("x", 400, [{"field": "name"}])))["errors"] == [
        {"field": "name"}
    ]
