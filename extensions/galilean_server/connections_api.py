"""Named connections over HTTP for the JupyterLab UI: list, read, save, delete, test, and
the schema browser. Handlers parse, call one function, and answer JSON."""

from __future__ import annotations

from typing import Any

from tornado import web

from galilean_services.connection_engines import check
from galilean_services.connections import (
    Connection,
    ConnectionStore,
    kept_secrets,
    url_from,
    user_home,
)
from galilean_services.http import json_object

from .handlers import GalileanHandler
from .query_builder import build
from .schema_browser import SchemaCache

BUILTIN = {
    "name": "duckdb",
    "dialect": "duckdb",
    "url": "duckdb:///:memory:",
    "read_only": True,
    "source": "builtin",
    "description": "DuckDB in the notebook's kernel: reads the kernel's DataFrames and your files",
}


class ConnectionsBase(GalileanHandler):
    @property
    def store(self) -> ConnectionStore:
        return ConnectionStore(user_home())

    def body_object(self) -> dict[str, Any]:
        return json_object(self.request.body)


class ConnectionsHandler(ConnectionsBase):
    @web.authenticated
    def get(self) -> None:
        listed = [c.public() for c in self.store.all()]
        # Where a relative SQLite/DuckDB path lies (the form shows the absolute path).
        self.finish({"connections": listed, "builtin": [BUILTIN], "home": str(self.store.home)})


class ConnectionHandler(ConnectionsBase):
    @web.authenticated
    def get(self, name: str) -> None:
        self.finish(self.store.get(name).public())

    @web.authenticated
    def put(self, name: str) -> None:
        self.finish(self.store.save(name, self.body_object()).public())

    @web.authenticated
    def delete(self, name: str) -> None:
        self.store.delete(name)
        self.set_status(204)
        self.finish()


class TestHandler(ConnectionsBase):
    @web.authenticated
    def post(self, name: str = "") -> None:
        if name:
            connection = self.store.get(name)
        else:  # not saved yet, or being edited: test what the form holds
            body = self.body_object()
            url = url_from(body)
            existing = body.get("existing")
            if existing:  # a password left out or sent back masked is the saved one
                url = kept_secrets(url, self.store.get(str(existing)).url, body)
            connection = Connection("unsaved", self.store.resolve(url))
        ok, message = check(connection)  # a file database: opened read-only, never created
        self.finish({"ok": ok, "message": message})


class SchemaHandler(ConnectionsBase):
    cache = SchemaCache()

    @web.authenticated
    def get(self, name: str) -> None:
        refresh = self.get_query_argument("refresh", "") in ("1", "true")
        connection = self.store.get(name)
        self.finish(self.cache.get(str(user_home()), connection, refresh))


class BuildHandler(ConnectionsBase):
    """The query builder's SQL for this connection's dialect."""

    @web.authenticated
    def post(self, name: str) -> None:
        connection = self.store.get(name)
        self.finish({"sql": build(self.body_object(), connection.dialect)})


NAME = r"([A-Za-z][A-Za-z0-9_-]{0,63})"
HANDLERS = [
    (r"/galilean/connections", ConnectionsHandler),
    (r"/galilean/connection-test", TestHandler),
    (rf"/galilean/connections/{NAME}", ConnectionHandler),
    (rf"/galilean/connections/{NAME}/test", TestHandler),
    (rf"/galilean/connections/{NAME}/schema", SchemaHandler),
    (rf"/galilean/connections/{NAME}/build", BuildHandler),
]
