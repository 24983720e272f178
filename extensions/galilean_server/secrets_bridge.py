"""The Secrets panel's bridge to the hub's vault, under /galilean/secrets: the browser's
login is this server's, not the hub's API, so the server forwards with its vault token
($GALILEAN_VAULT_TOKEN, made for this server's start: galilean_hub/server_tokens.py), as its
owner only (a guest of a shared server gets 403). The panel lists names, adds, replaces
and deletes — values go in, never out: there is no route here that reads a value (code
reads them with `secrets.get` in a kernel). The hub checks every field and its errors pass
through (400 naming the field, 404). /galilean/hub-secrets does the same for the hub's own
secrets (an admin's: the hub answers 403 to anyone else; galilean_hub.hub_secrets_api)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast
from urllib.parse import quote

from jupyter_server.auth.decorator import authorized
from tornado import web

from .base import OwnerOnlyHandler
from .service_upstream import Upstream

VAULT = "galilean_vault_upstream"  # the web app setting holding the Upstream
VAULT_TOKEN_ENV = "GALILEAN_VAULT_TOKEN"  # noqa: S105 (the variable's name)
BASE = r"/galilean/secrets"


def vault_upstream(environ: Mapping[str, str]) -> Upstream:
    """The hub's API (JUPYTERHUB_API_URL, e.g. http://127.0.0.1:8081/hub/api/)."""
    return Upstream(
        environ.get("JUPYTERHUB_API_URL", ""),
        environ.get(VAULT_TOKEN_ENV, ""),
        service="vault",
        settings=f"JUPYTERHUB_API_URL and {VAULT_TOKEN_ENV}",
    )


class VaultBridgeHandler(OwnerOnlyHandler):
    bridge = "vault"
    collection = "galilean/secrets"  # the hub's route (users' own; the hub's: HUB)

    @property
    def upstream(self) -> Upstream:
        return cast(Upstream, self.settings[VAULT])

    def send(self, status: int, data: Any) -> None:
        self.set_status(status)
        if data is None:
            self.finish()
            return
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(data))


class SecretNamesHandler(VaultBridgeHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.send(200, await self.upstream.call("GET", self.collection))


class SecretValueHandler(VaultBridgeHandler):
    """Add or replace (PUT {"value": ...}) and delete; answers the name and times only."""

    @web.authenticated
    @authorized
    async def put(self, name: str) -> None:
        body = self.body_object()
        path = f"{self.collection}/{quote(name, safe='')}"
        self.send(200, await self.upstream.call("PUT", path, body))

    @web.authenticated
    @authorized
    async def delete(self, name: str) -> None:
        await self.upstream.call("DELETE", f"{self.collection}/{quote(name, safe='')}")
        self.send(204, None)


HUB = "galilean/hub-secrets"


class HubSecretNamesHandler(SecretNamesHandler):
    collection = HUB


class HubSecretValueHandler(SecretValueHandler):
    collection = HUB


ROUTES: list[tuple[str, type[Any]]] = [
    (BASE, SecretNamesHandler),
    (rf"{BASE}/([^/]+)", SecretValueHandler),
    (r"/galilean/hub-secrets", HubSecretNamesHandler),
    (r"/galilean/hub-secrets/([^/]+)", HubSecretValueHandler),
]
