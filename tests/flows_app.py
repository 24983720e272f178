"""The flows service in this process, for unit tests: its real application (`make_app`)
on a port the system picks, the hub replaced by a table of tokens (kit.testing), and no
run or endpoint worker started (the HTTP surface is under test; runs are integration's)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from galilean_services.flows_service.access import SCOPES
from galilean_services.flows_service.app import make_app
from galilean_services.flows_service.config import ServiceConfig
from galilean_services.flows_service.service import FlowsService
from galilean_services.folders import expand
from galilean_services.kit.testing import FakeHubAuth, running, service_model, user_model

PREFIX = "/services/flows/"
EVERY_SCOPE = sorted(SCOPES.letting_in("flows"))
TOKENS = {
    "alice-token": user_model("alice", EVERY_SCOPE),
    "bob-token": user_model("bob", EVERY_SCOPE, ("team",)),
    "carol-token": user_model("carol", EVERY_SCOPE, ("analysts",)),
    "read-only-token": user_model("alice", [SCOPES.scope("read")]),
    "no-flows-token": user_model("alice", ["read:users:name!user=alice"]),
    "admin-token": user_model("root", EVERY_SCOPE, admin=True),
    # The hub's usage dashboard reads the overview; another service does not.
    "usage-dashboard-token": service_model("usage", ["access:services!service=flows"]),
    "other-service-token": service_model("datasets", ["access:services!service=flows"]),
}


class Service:
    """The app's URL; `call` sends a request as one of TOKENS."""

    def __init__(
        self,
        url: str,
        service: FlowsService,
        started: list[str],
        started_with: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.url = url
        self.service = service
        self.started = started  # the run ids the service asked to start
        # run id → the keyword arguments of RunManager.start (targets, ...)
        self.started_with = started_with if started_with is not None else {}

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        who: str = "alice",
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        """`who`: the token `{who}-token` of TOKENS; None: no token."""
        payload = data if data is not None else (None if body is None else json.dumps(body))
        sent = {"Authorization": f"token {who}-token"} if who else {}
        return requests.request(
            method, self.url + path, data=payload, timeout=30, headers=sent | (headers or {})
        )

    def ok(self, method: str, path: str, body: Any = None, status: int = 200, **kw: Any) -> Any:
        reply = self.call(method, path, body, **kw)
        assert reply.status_code == status, (reply.status_code, reply.text)
        return reply.json() if reply.content else None

    def folder_of(self, user: str) -> Path:
        return expand(self.service.config.files_root, user)


def app_fixture(name: str) -> Any:
    """A module-scoped fixture: the service in this process, with its own database."""

    @pytest.fixture(scope="module")
    def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
        folder = tmp_path_factory.mktemp(name)
        config = ServiceConfig(
            db_url=f"sqlite:///{folder / 'flows.sqlite'}",
            files_root=str(folder / "users/{user}/home"),
            prefix=PREFIX,
        )
        service = FlowsService(config)
        started: list[str] = []
        started_with: dict[str, dict[str, Any]] = {}

        def start(run_id: str, *args: Any, **kwargs: Any) -> None:
            started.append(run_id)
            started_with[run_id] = kwargs

        # No run starts a worker here: these tests are about the HTTP surface.
        service.runs.start = start
        try:
            with running(make_app(config, service, FakeHubAuth(TOKENS))) as url:
                yield Service(url + PREFIX.rstrip("/"), service, started, started_with)
        finally:
            service.store.close()

    return app
