"""HTTP handlers: each parses the request, calls one manager method and answers JSON;
errors map in one place (base.py). Every method is authenticated and authorized."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from jupyter_server.auth.decorator import authorized
from tornado import web
from tornado.ioloop import IOLoop

from .ai_bridge import ROUTES as AI_BRIDGE_ROUTES
from .ai_bridge import jupyternaut_config
from .base import SHARED, GalileanHandler
from .datasets_bridge import ROUTES as DATASETS_BRIDGE_ROUTES
from .features import Context, platform_status
from .flows_bridge import ROUTES as BRIDGE_ROUTES
from .history_handlers import ROUTES as HISTORY_ROUTES
from .publish import ROUTES as PUBLISH_ROUTES
from .secrets_bridge import ROUTES as SECRETS_BRIDGE_ROUTES
from .storage import ROUTES as STORAGE_ROUTES

if TYPE_CHECKING:
    from .flows_designer import FlowsDesigner

# The web app setting holding a function that gives the FlowsDesigner, made on first use
# (the engine's libraries are imported then, not when the server starts).
DESIGNER = "galilean_flows_designer"


class StatusHandler(GalileanHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        ai_config = await jupyternaut_config(self.settings, self.serverapp)
        manager = getattr(self.serverapp, "extension_manager", None)
        loaded = frozenset(
            name for name, ext in (manager.extensions if manager else {}).items() if ext.enabled
        )
        context = Context(os.environ, loaded, ai_config)
        status = platform_status(self.settings.get("galilean_mode", "embedded"), context)
        # A shared workspace holds none of its owner's rights: JupyterLab hides what needs
        # them (publishing).
        status["shared"] = bool(self.settings.get(SHARED))
        self.finish(status)


class DialectsHandler(GalileanHandler):
    """The SQL dialects, in the order the connection form offers them."""

    @web.authenticated
    @authorized
    def get(self) -> None:
        self.finish(self.connections.dialects())


class ConnectionsHandler(GalileanHandler):
    @web.authenticated
    @authorized
    def get(self) -> None:
        self.finish(self.connections.listing())


class ConnectionHandler(GalileanHandler):
    @web.authenticated
    @authorized
    def get(self, name: str) -> None:
        self.finish(self.connections.get(name))

    @web.authenticated
    @authorized
    def put(self, name: str) -> None:
        self.finish(self.connections.save(name, self.body_object()))

    @web.authenticated
    @authorized
    def delete(self, name: str) -> None:
        self.connections.delete(name)
        self.set_status(204)
        self.finish()


class ConnectionTestHandler(GalileanHandler):
    """A saved connection (its name in the path), or what the form holds (the body)."""

    @web.authenticated
    @authorized
    def post(self, name: str = "") -> None:
        self.finish(self.connections.test(name, None if name else self.body_object()))


class SchemaHandler(GalileanHandler):
    @web.authenticated
    @authorized
    def get(self, name: str) -> None:
        refresh = self.get_query_argument("refresh", "") in ("1", "true")
        self.finish(self.connections.schema(name, refresh))


class BuildHandler(GalileanHandler):
    """The query builder's SQL for this connection's dialect."""

    @web.authenticated
    @authorized
    def post(self, name: str) -> None:
        self.finish(self.connections.build(name, self.body_object()))


class FormatHandler(GalileanHandler):
    """A SQL cell's query formatted in its connection's dialect (sql_format.py)."""

    @web.authenticated
    @authorized
    def post(self, name: str) -> None:
        self.finish(self.connections.format(name, self.body_object()))


class FlowsHandler(GalileanHandler):
    """The pipeline designer's endpoints: the engine runs in the user's server, in a
    worker thread (never on the event loop)."""

    @property
    def designer(self) -> FlowsDesigner:
        made: FlowsDesigner = self.settings[DESIGNER]()
        return made

    async def answer(self, method: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        body = self.body_object()
        self.finish(await IOLoop.current().run_in_executor(self.designer.executor, method, body))


class FlowKindsHandler(FlowsHandler):
    """The node kinds the designer's palette offers (third parties' included)."""

    @web.authenticated
    @authorized
    def get(self) -> None:
        self.finish(self.designer.kinds())


class FlowValidateHandler(FlowsHandler):
    @web.authenticated
    @authorized
    async def post(self) -> None:
        await self.answer(self.designer.validate)


class FlowPreviewHandler(FlowsHandler):
    @web.authenticated
    @authorized
    async def post(self) -> None:
        await self.answer(self.designer.preview)


class FlowCodeHandler(FlowsHandler):
    @web.authenticated
    @authorized
    async def post(self) -> None:
        await self.answer(self.designer.code)


class FlowLineageHandler(FlowsHandler):
    """Where a column of a node comes from (flows_designer.py `lineage`)."""

    @web.authenticated
    @authorized
    async def post(self) -> None:
        await self.answer(self.designer.lineage)


NAME = r"([A-Za-z][A-Za-z0-9_-]{0,63})"
ROUTES: list[tuple[str, type[Any]]] = [
    (r"/galilean/status", StatusHandler),
    (r"/galilean/dialects", DialectsHandler),
    (r"/galilean/connections", ConnectionsHandler),
    (r"/galilean/connection-test", ConnectionTestHandler),
    (rf"/galilean/connections/{NAME}", ConnectionHandler),
    (rf"/galilean/connections/{NAME}/test", ConnectionTestHandler),
    (rf"/galilean/connections/{NAME}/schema", SchemaHandler),
    (rf"/galilean/connections/{NAME}/build", BuildHandler),
    (rf"/galilean/connections/{NAME}/format", FormatHandler),  # the SQL cells' Format button
    (r"/galilean/flows/kinds", FlowKindsHandler),  # the pipeline designer (flows_designer.py)
    (r"/galilean/flows/validate", FlowValidateHandler),
    (r"/galilean/flows/preview", FlowPreviewHandler),
    (r"/galilean/flows/code", FlowCodeHandler),
    (r"/galilean/flows/lineage", FlowLineageHandler),  # column lineage (flows/lineage.py)
    *BRIDGE_ROUTES,  # the designer's bridge to the flows service (flows_bridge.py)
    *DATASETS_BRIDGE_ROUTES,  # the Datasets panel's bridge (datasets_bridge.py)
    *SECRETS_BRIDGE_ROUTES,  # the Secrets panel's bridge to the hub's vault
    *AI_BRIDGE_ROUTES,  # the AI status item (ai_bridge.py)
    *HISTORY_ROUTES,  # notebooks' version history (history_handlers.py)
    *PUBLISH_ROUTES,  # read-only views of notebooks, kept by the hub (publish.py)
    *STORAGE_ROUTES,  # the owner's storage against their quota (storage.py)
]
