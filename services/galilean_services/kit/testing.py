"""Test doubles of the hub, for in-process tests of a service through its `make_app`.

`FakeHubAuth` is JupyterHub's own HubOAuth (token parsing, the scope check against the
handler's `hub_scopes`, `check_scopes`) with the hub's answer for a token looked up in a
table instead of asked over HTTP. `running(app)` serves an application on a port the
system picks (port 0), in a thread, for a test's HTTP client.
"""

from __future__ import annotations

import asyncio
import copy
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote

from jupyterhub.services.auth import HubOAuth
from tornado import netutil, web
from tornado.httpserver import HTTPServer

# Nothing listens there: a request that reached the "hub" would fail loudly.
NO_HUB = "http://127.0.0.1:9/hub/api"


def service_model(name: str, scopes: list[str]) -> dict[str, Any]:
    """A service model as the hub's /api/user gives it for a service's token."""
    return {"kind": "service", "name": name, "scopes": scopes}


def user_model(
    name: str, scopes: list[str], groups: tuple[str, ...] = (), admin: bool = False
) -> dict[str, Any]:
    """A user model as the hub's /api/user gives it for a token."""
    return {"kind": "user", "name": name, "admin": admin, "groups": list(groups), "scopes": scopes}


class FakeHubAuth(HubOAuth):
    """HubOAuth whose hub is `tokens` (token → user model, see `user_model`)."""

    def __init__(
        self,
        tokens: Mapping[str, dict[str, Any]],
        groups: Mapping[str, dict[str, Any]] | None = None,
        secrets: Mapping[str, dict[str, str]] | None = None,
        hub_secrets: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(api_url=NO_HUB, **kwargs)
        self.tokens = dict(tokens)
        self.groups = dict(groups or {})  # group name → its properties
        # user → what the hub's secrets-for gives this service of theirs (vault_api)
        self.secrets = {user: dict(values) for user, values in (secrets or {}).items()}
        # what the hub's hub-secrets-for-service gives this service (hub_secrets_api)
        self.hub_secrets = hub_secrets if hub_secrets is not None else {}

    async def _check_hub_authorization(
        self, url: str, api_token: str, cache_key: str | None = None, use_cache: bool = True
    ) -> dict[str, Any] | None:
        model = self.tokens.get(api_token)
        return None if model is None else copy.deepcopy(model)

    async def _api_request(self, method: str, url: str, **kwargs: Any) -> Any:
        """The hub's `GET /users/<name>` (a service looking a user up: the model of that
        name in the table, without its scopes) and `GET /groups/<name>` (its properties
        from `groups`), `GET /galilean/secrets-for/<name>` (from `secrets`),
        `GET /galilean/hub-secrets-for-service` (`hub_secrets`); no such user
        or group raises as HubAuth does on the hub's 404 (a 500 "Failed to check
        authorization")."""
        prefix = f"{NO_HUB}/users/"
        groups = f"{NO_HUB}/groups/"
        secrets = f"{NO_HUB}/galilean/secrets-for/"
        if method == "GET" and url == f"{NO_HUB}/galilean/hub-secrets-for-service":
            return {"secrets": dict(self.hub_secrets)}
        if method == "GET" and url.startswith(secrets):
            return {"secrets": dict(self.secrets.get(unquote(url.removeprefix(secrets)), {}))}
        if method == "GET" and url.startswith(groups):
            group = unquote(url.removeprefix(groups))
            if group not in self.groups:
                raise web.HTTPError(500, "Failed to check authorization: Not Found")
            return {"kind": "group", "name": group, "properties": dict(self.groups[group])}
        if method != "GET" or not url.startswith(prefix):
            raise AssertionError(f"the fake hub does not answer {method} {url}")
        name = unquote(url.removeprefix(prefix))
        for model in self.tokens.values():
            if model.get("kind", "user") == "user" and model["name"] == name:
                return {k: copy.deepcopy(v) for k, v in model.items() if k != "scopes"}
        raise web.HTTPError(500, "Failed to check authorization: Not Found")


@contextmanager
def running(app: web.Application) -> Iterator[str]:
    """Serve `app` on 127.0.0.1, on a port the system picks; yields "http://127.0.0.1:<port>"."""
    sockets = netutil.bind_sockets(0, "127.0.0.1")
    port = sockets[0].getsockname()[1]
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict[str, HTTPServer] = {}

    def serve() -> None:
        asyncio.set_event_loop(loop)
        holder["server"] = HTTPServer(app)
        holder["server"].add_sockets(sockets)
        loop.call_soon(ready.set)
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    if not ready.wait(30):
        raise RuntimeError("the in-process server did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        loop.call_soon_threadsafe(holder["server"].stop)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
