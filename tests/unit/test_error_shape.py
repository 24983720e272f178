"""The one JSON error shape (kit.errors) and the JSON body limits (kit.body), guarded on a
real tornado server with the kit's JSONErrorMixin, which every service and the server
extension mix into their handlers (the extension's own handlers: test_extension_errors.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from tornado import web

from galilean_services.kit.body import MAX_JSON_DEPTH, json_body
from galilean_services.kit.errors import NotFound, ValidationError, error_body
from galilean_services.kit.http import JSONErrorMixin
from galilean_services.kit.testing import running

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
    with running(web.Application([(r"/(\w+)", Raises)])) as url:
        yield url


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


@pytest.mark.parametrize(
    ("raw", "field", "words"),
    [
        (b'{"version": 99999999999999999999}', "version", "beyond 64 bits"),
        (b'{"v": -9223372036854775809}', "v", "beyond 64 bits"),
        (b'{"params": {"x": 1e400}}', "params.x", "beyond the range of a double"),
        (b'{"rows": [[1, "\\ud800"]]}', "rows[0][1]", "lone UTF-16 surrogate"),
        (b'{"\\udc00": 1}', "\\udc00", "lone UTF-16 surrogate"),
        (b"[" * 100_000 + b"]" * 100_000, "body", "nested deeper"),
        (
            b'{"a": ' + b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1) + b"}",
            "a",
            "nested deeper",
        ),
        (b'{"x": NaN}', "body", "not JSON"),
        (b'{"x": Infinity}', "body", "not JSON"),
        (b'{"x": 1', "body", "not JSON"),
        (b'"\xed\xa0\x80"', "body", "lone UTF-16 surrogate"),
    ],
)
def test_json_bodies_nothing_downstream_can_keep_are_400(
    raw: bytes, field: str, words: str
) -> None:
    """Refused where the body is parsed, naming the field, before any code sees it."""
    with pytest.raises(ValidationError) as info:
        json_body(raw)
    assert info.value.status == 400
    assert info.value.errors == [{"field": field}]
    assert words in info.value.message
    json.dumps(error_body(info.value.message, 400, info.value.errors))  # printable


def test_json_bodies_within_the_limits_pass() -> None:
    edge = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH
    assert json_body(edge) is not None
    assert json_body(b'{"v": -9223372036854775808, "w": 9223372036854775807}')["w"] == 2**63 - 1
    assert json_body(b'"\\ud83d\\ude00 1e308"') == "\U0001f600 1e308"  # a surrogate pair is fine
    assert json_body(b"null") is None
    assert json_body(b"") == {}
