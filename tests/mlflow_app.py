"""The MLflow gateway in this process (its real application, the hub replaced by a table of
tokens) in front of a real MLflow server started by its real Backend, for tests that need
no hub: one MLflow per module (it takes ~20 s to start)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from galilean_services.kit.testing import FakeHubAuth, running, service_model, user_model
from galilean_services.mlflow_service.access import SCOPES
from galilean_services.mlflow_service.app import Gateway, make_app
from galilean_services.mlflow_service.config import GatewayConfig
from galilean_services.mlflow_service.launch import healthy, new_store_keys
from galilean_services.mlflow_service.settings import MlflowSettings

PREFIX = "/services/mlflow/"
EVERY_SCOPE = sorted(SCOPES.letting_in("mlflow"))
TOKENS = {
    "alice-token": user_model("alice", EVERY_SCOPE, ("lab",)),
    "bob-token": user_model("bob", EVERY_SCOPE, ("team-b",)),
    "carol-token": user_model("carol", EVERY_SCOPE, ("team-a",)),
    "ops-token": user_model("ops", EVERY_SCOPE, ("mlflow-admins",)),
    "no-mlflow-token": user_model("alice", ["read:users:name!user=alice"]),
    # Hub services: flows may act for a user (the gateway trusts it), another may not.
    "flows-token": service_model("flows", ["access:services!service=mlflow"]),
    "other-service-token": service_model("datasets", ["access:services!service=mlflow"]),
}
START_TIMEOUT = 180


class MlflowGateway:
    def __init__(self, url: str, gateway: Gateway, hub: FakeHubAuth) -> None:
        self.url = url  # the gateway's prefix, without its trailing slash
        self.gateway = gateway
        self.hub = hub  # its hub: tokens, the hub's secrets for MLflow

    def call(
        self, method: str, path: str, body: Any = None, who: str | None = "alice", **kw: Any
    ) -> requests.Response:
        headers = dict(kw.pop("headers", {}))
        if who:
            headers["Authorization"] = f"token {who}-token"
        return requests.request(
            method, f"{self.url}/{path}", json=body, headers=headers, timeout=60, **kw
        )

    def ok(self, method: str, path: str, body: Any = None, status: int = 200, **kw: Any) -> Any:
        reply = self.call(method, path, body, **kw)
        assert reply.status_code == status, (reply.status_code, reply.text[:500])
        return reply.json()


def wait_healthy(gateway: Gateway) -> None:
    backend = gateway.backend
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        gone = backend.exited()
        assert gone is None, gone
        if asyncio.run(healthy(backend)):
            backend.ready_after = time.monotonic() - backend.started
            return
        time.sleep(0.5)
    raise AssertionError(f"MLflow did not start in {START_TIMEOUT} s")


@contextmanager
def gateway_in_process(
    folder: Path,
    artifacts: str = "",
    s3_endpoint_url: str = "",
    hub_secrets: dict[str, str] | None = None,
) -> Iterator[MlflowGateway]:
    """A real MLflow (fresh SQLite in `folder`; artifacts there, or where `artifacts` says)
    behind the gateway's application, served in this process with FakeHubAuth (whose
    hub's secrets are `hub_secrets`); stopped on exit."""
    settings = MlflowSettings()
    config = GatewayConfig(
        db_url=settings.mlflow_database_url("", folder),
        artifacts=artifacts or settings.mlflow_artifacts_path(folder),
        home=settings.mlflow_environment(),
        state=folder / "mlflow",
        prefix=PREFIX,
        s3_endpoint_url=s3_endpoint_url,
    )
    gateway = Gateway(config)
    hub = FakeHubAuth(TOKENS, hub_secrets=hub_secrets)
    asyncio.run(new_store_keys(gateway.backend, hub))  # as the service does at start
    gateway.backend.start()
    try:
        wait_healthy(gateway)
        with running(make_app(gateway, hub)) as url:
            yield MlflowGateway(url + PREFIX.rstrip("/"), gateway, hub)
    finally:
        gateway.backend.stop()


@pytest.fixture(scope="module")
def mlflow_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowGateway]:
    with gateway_in_process(tmp_path_factory.mktemp("mlflow-gateway")) as app:
        yield app
