"""The server extension's handlers in-process: a tornado app made from its routes (the
ones `GalileanServerApp` registers) with a test identity and authorizer, served on a
thread at a port the system picks. No Jupyter server, hub or kernel."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from jupyter_server.auth.authorizer import Authorizer
from jupyter_server.auth.identity import IdentityProvider, User
from tornado import web
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from galilean_server.base import CONNECTIONS
from galilean_server.handlers import ROUTES
from galilean_server.manager import ConnectionsManager
from galilean_server.schema_browser import SchemaCache
from galilean_services.connections import ConnectionStore
from galilean_services.dialects import DialectRegistry, default_registry

USER = "tester"
REFUSED = "refused"  # signed in, but the authorizer refuses every action


class FakeIdentity(IdentityProvider):
    """`Authorization: token <user name>` signs in as that user; nothing else does."""

    def get_user(self, handler: web.RequestHandler) -> User | None:
        header = handler.request.headers.get("Authorization", "")
        return User(header.removeprefix("token ")) if header.startswith("token ") else None


class FakeAuthorizer(Authorizer):
    """Allows every user but REFUSED; remembers each (action, resource) it was asked."""

    asked: list[tuple[str, str]]

    def is_authorized(self, handler: Any, user: User, action: str, resource: str) -> bool:
        self.asked.append((action, resource))
        return user.username != REFUSED


def manager_for(home: Path, dialects: DialectRegistry | None = None) -> ConnectionsManager:
    registry = dialects or default_registry()
    store = ConnectionStore(home, environ={})
    return ConnectionsManager(store, SchemaCache(300.0, dialects=registry), registry)


class Served:
    def __init__(self, url: str, authorizer: FakeAuthorizer) -> None:
        self.url = url
        self.authorizer = authorizer

    def call(
        self, method: str, path: str, body: Any = None, user: str | None = USER, raw: bytes = b""
    ) -> requests.Response:
        headers = {"Authorization": f"token {user}"} if user else {}
        data = raw or (None if body is None else json.dumps(body))
        return requests.request(method, self.url + path, data=data, headers=headers, timeout=30)


@contextmanager
def serve(manager: ConnectionsManager, **settings: Any) -> Iterator[Served]:
    """The extension's routes, answering at 127.0.0.1 on a free port, until the block ends
    (`settings`: more of the application's settings, e.g. a designer)."""
    authorizer = FakeAuthorizer()
    authorizer.asked = []
    app = web.Application(
        ROUTES,
        identity_provider=FakeIdentity(),
        authorizer=authorizer,
        disable_check_xsrf=True,
        serverapp=None,
        galilean_mode="embedded",
        **{CONNECTIONS: lambda: manager, **settings},
    )
    sockets = bind_sockets(0, "127.0.0.1")
    port = sockets[0].getsockname()[1]
    loop = asyncio.new_event_loop()
    started = threading.Event()
    holder: dict[str, HTTPServer] = {}

    def run() -> None:
        asyncio.set_event_loop(loop)
        holder["server"] = HTTPServer(app)
        holder["server"].add_sockets(sockets)
        loop.call_soon(started.set)
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    started.wait(10)
    try:
        yield Served(f"http://127.0.0.1:{port}", authorizer)
    finally:
        loop.call_soon_threadsafe(holder["server"].stop)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
