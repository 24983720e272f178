"""Named connections for the JupyterLab UI: list, read, save, delete, test, the schema
browser, the query builder, the SQL cells' Format button, and the SQL dialects. One
manager per server, made once by the extension app (app.py); the handlers call one of its
methods each. No web framework here."""

from __future__ import annotations

from typing import Any

from galilean_services.connection_engines import check
from galilean_services.connections import (
    Connection,
    ConnectionStore,
    kept_secrets,
    password_secret_of,
    url_from,
)
from galilean_services.dialects import DialectRegistry
from galilean_services.kit.errors import NotFound

from .query_builder import build
from .schema_browser import SchemaCache
from .sql_format import format_request, format_sql

BUILTIN = {
    "name": "duckdb",
    "dialect": "duckdb",
    "url": "duckdb:///:memory:",
    "read_only": True,
    "source": "builtin",
    "description": "DuckDB in the notebook's kernel: reads the kernel's DataFrames and your files",
}


class ConnectionsManager:
    """One user's named connections (`store`), their schemas (`schemas`, cached) and the
    SQL dialects Galilean knows (`dialects`)."""

    def __init__(
        self, store: ConnectionStore, schemas: SchemaCache, dialects: DialectRegistry
    ) -> None:
        self.store = store
        self.schemas = schemas
        self.registry = dialects

    def listing(self) -> dict[str, Any]:
        listed = [c.public() for c in self.store.all()]
        # Where a relative SQLite/DuckDB path lies (the form shows the absolute path).
        return {"connections": listed, "builtin": [BUILTIN], "home": str(self.store.home)}

    def get(self, name: str) -> dict[str, Any]:
        return self.store.get(name).public()

    def save(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.store.save(name, body).public()

    def delete(self, name: str) -> None:
        self.store.delete(name)

    def test(self, name: str, body: dict[str, Any] | None) -> dict[str, Any]:
        """Connect to a saved connection (`name`), or to what the form holds (`body`: not
        saved yet, or being edited). A file database is opened read-only, never created."""
        if body is None:
            connection = self.store.get(name)
        else:
            url = url_from(body)
            existing = body.get("existing")
            saved = self.store.get(str(existing)) if existing else None
            secret = password_secret_of(body, url, saved.password_secret if saved else None)
            if saved is not None:  # a password left out or sent back masked is the saved one
                url = kept_secrets(url, saved.url, body)
            connection = Connection("unsaved", self.store.resolve(url), password_secret=secret)
        ok, message = check(self.store.with_password(connection))
        return {"ok": ok, "message": message}

    def schema(self, name: str, refresh: bool) -> dict[str, Any]:
        return self.schemas.get(str(self.store.home), self.store.for_use(name), refresh)

    def build(self, name: str, spec: dict[str, Any]) -> dict[str, Any]:
        """The query builder's SQL for this connection's dialect."""
        return {"sql": build(spec, self.store.get(name).dialect, self.registry)}

    def format(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        sql, first_line = format_request(body)
        return {"sql": format_sql(sql, self.dialect_of(name), first_line, self.registry)}

    def dialect_of(self, name: str) -> str:
        try:
            return self.store.get(name).dialect
        except NotFound:
            if name == BUILTIN["name"]:  # the built-in DuckDB of the kernel
                return str(BUILTIN["dialect"])
            raise

    def dialects(self) -> dict[str, Any]:
        return self.registry.public()
