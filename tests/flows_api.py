"""A small client of the flows service for tests: a hub user's token, JSON in and out."""

from __future__ import annotations

import json
import time
from typing import Any

import requests
from flow_builders import document

from harness.client import HubClient, wait_for_service

__all__ = ["SERVICE", "Flows", "document", "error_of", "inline_flow", "wait_ready"]

SERVICE = "/services/flows"


class Flows:
    def __init__(self, hub_url: str, token: str | None) -> None:
        self.base = f"{hub_url}{SERVICE}"
        self.token = token

    @classmethod
    def of(cls, client: HubClient) -> Flows:
        return cls(client.url, client.token)

    def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"token {self.token}"} if self.token else {}
        headers |= kwargs.pop("headers", {})
        data = kwargs.pop("data", None) if body is None else json.dumps(body)
        return requests.request(
            method, f"{self.base}{path}", data=data, headers=headers, timeout=60, **kwargs
        )

    def ok(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        reply = self.call(method, path, body)
        assert reply.status_code == status, (reply.status_code, reply.text)
        return reply.json() if reply.content else None

    def wait_run(self, run_id: str, timeout: float = 90) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.ok("GET", f"/api/runs/{run_id}")
            if run["status"] in ("succeeded", "failed", "cancelled"):
                return dict(run)
            time.sleep(0.3)
        raise AssertionError(f"run {run_id} did not finish in {timeout} s")


def wait_ready(hub_url: str, timeout: float = 120) -> None:
    """The service answers 503 while it imports the engine (see launch.py)."""
    wait_for_service(hub_url, f"{SERVICE}/health", "the flows service", timeout)


def error_of(reply: requests.Response, status: int) -> dict[str, Any]:
    """The one error shape, with the expected status."""
    assert reply.status_code == status, (reply.status_code, reply.text)
    body = reply.json()
    assert body["ok"] is False
    assert body["status"] == status
    assert isinstance(body["errors"], list)
    return dict(body)


def inline_flow(**extra: Any) -> dict[str, Any]:
    """data (two inline rows of x) → filter `x >= :least` → display; `least` an integer
    parameter (default 0)."""
    return document(
        [
            {
                "id": "data",
                "kind": "source.inline",
                "params": {"columns": [{"name": "x", "type": "BIGINT"}], "rows": [[1], [2]]},
            },
            {"id": "big", "kind": "transform.filter", "params": {"condition": "x >= :least"}},
            {"id": "out", "kind": "destination.display", "params": {}},
        ],
        [("data", "big"), ("big", "out")],
        parameters=[{"name": "least", "type": "integer", "default": 0}],
        **extra,
    )
