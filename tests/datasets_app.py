"""The datasets service in this process, for unit tests: its real application on a port
the system picks, the hub replaced by a table of tokens (kit.testing), and its work done by
real worker processes (the execution plane without isolation: a plain child process in the
owner's folder)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from galilean_services.datasets_service.access import SCOPES
from galilean_services.datasets_service.app import make_app
from galilean_services.datasets_service.config import ServiceConfig
from galilean_services.datasets_service.service import DatasetsService
from galilean_services.folders import expand
from galilean_services.kit.testing import FakeHubAuth, running, user_model

PREFIX = "/services/datasets/"
EVERY_SCOPE = sorted(SCOPES.letting_in("datasets"))
TOKENS = {
    "alice-token": user_model("alice", EVERY_SCOPE, ("lab",)),
    "bob-token": user_model("bob", EVERY_SCOPE, ("team",)),
    "read-only-token": user_model("alice", [SCOPES.scope("read")]),
    "no-datasets-token": user_model("alice", ["read:users:name!user=alice"]),
    "admin-token": user_model("root", EVERY_SCOPE, admin=True),
}


class Service:
    def __init__(self, url: str, service: DatasetsService) -> None:
        self.url = url
        self.service = service

    def call(
        self, method: str, path: str, body: Any = None, who: str | None = "alice"
    ) -> requests.Response:
        """`who`: the token `{who}-token` of TOKENS; None: no token."""
        payload = None if body is None else json.dumps(body)
        sent = {"Authorization": f"token {who}-token"} if who else {}
        return requests.request(method, self.url + path, data=payload, timeout=60, headers=sent)

    def ok(self, method: str, path: str, body: Any = None, status: int = 200, **kw: Any) -> Any:
        reply = self.call(method, path, body, **kw)
        assert reply.status_code == status, (reply.status_code, reply.text)
        return reply.json()

    def folder_of(self, user: str) -> Path:
        folder = expand(self.service.config.files_root, user)
        folder.mkdir(parents=True, exist_ok=True)
        return folder


@pytest.fixture(scope="module")
def datasets_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    folder = tmp_path_factory.mktemp("datasets-service")
    config = ServiceConfig(
        db_url=f"sqlite:///{folder / 'datasets.sqlite'}",
        files_root=str(folder / "users/{user}/home"),
        prefix=PREFIX,
        isolation="none",
    )
    service = DatasetsService(config)
    try:
        with running(make_app(config, service, FakeHubAuth(TOKENS))) as url:
            yield Service(url + PREFIX.rstrip("/"), service)
    finally:
        service.plane.close()
        service.store.close()
