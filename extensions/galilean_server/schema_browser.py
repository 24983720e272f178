"""Schemas, tables and views, and their columns (with row estimates where the database
keeps them) of a named connection, cached until refreshed. What differs between databases
(one unnamed schema, system schemas, the row estimates' query, a listing of its own) is
the dialect's (galilean_services.dialects)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from galilean_services.connection_engines import engine_for
from galilean_services.connections import Connection, describe_error
from galilean_services.dialects import Dialect, DialectRegistry, default_registry
from galilean_services.kit.errors import GalileanError

GENERIC = Dialect("", "SQL", "")  # a backend no dialect names: SQLAlchemy's inspector


class SchemaCache:
    """Described schemas by (owner, connection URL), kept `seconds` by `clock`."""

    def __init__(
        self,
        seconds: float,
        clock: Callable[[], float] = time.monotonic,
        dialects: DialectRegistry | None = None,
    ) -> None:
        self.seconds = seconds
        self.clock = clock
        self.dialects = dialects or default_registry()
        self._entries: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def get(self, owner: str, connection: Connection, refresh: bool = False) -> dict[str, Any]:
        key = (owner, connection.url.render_as_string(hide_password=False))
        with self._lock:
            cached = self._entries.get(key)
        if cached and not refresh and self.clock() - cached[0] < self.seconds:
            return cached[1]
        described = describe(connection, self.dialects)
        with self._lock:
            self._entries[key] = (self.clock(), described)
        return described


def describe(connection: Connection, dialects: DialectRegistry | None = None) -> dict[str, Any]:
    dialect = (dialects or default_registry()).get(connection.dialect) or GENERIC
    engine = engine_for(connection, access="read")  # a file database is never created
    try:
        if dialect.list_schemas is not None:
            schemas = dialect.list_schemas(engine)
        else:
            schemas = _inspected(engine, dialect)
    except sa.exc.SQLAlchemyError as exc:
        raise GalileanError(
            f"{connection.name}: {describe_error(exc, connection.url)}",
            [{"field": "connection"}],
            status=502,
        ) from None
    finally:
        engine.dispose()
    return {
        "connection": connection.name,
        "dialect": connection.dialect,
        "schemas": schemas,
        "read_at": time.time(),
    }


def _inspected(engine: sa.Engine, dialect: Dialect) -> list[dict[str, Any]]:
    """Every schema through SQLAlchemy's inspector."""
    inspector = sa.inspect(engine)
    estimates = _row_estimates(engine, dialect.row_estimates)
    schemas = []
    for schema in _schemas(inspector, dialect):
        kinds = [
            ("table", inspector.get_table_names(schema=schema)),
            ("view", inspector.get_view_names(schema=schema)),
        ]
        tables = [
            _table(inspector, schema, kind, name, estimates.get((schema or "", name)))
            for kind, names in kinds
            for name in sorted(names)
        ]
        schemas.append({"name": schema or "", "tables": tables})
    return schemas


def _table(
    inspector: Any, schema: str | None, kind: str, name: str, rows: int | None
) -> dict[str, Any]:
    columns = [
        {"name": c["name"], "type": str(c["type"]), "nullable": c.get("nullable", True)}
        for c in inspector.get_columns(name, schema=schema)
    ]
    keys = inspector.get_foreign_keys(name, schema=schema) if kind == "table" else []
    return {
        "name": name,
        "kind": kind,
        "columns": columns,
        "rows": rows,
        "foreign_keys": [_foreign_key(k, schema) for k in keys],
    }


def _foreign_key(key: dict[str, Any], schema: str | None) -> dict[str, Any]:
    return {
        "columns": list(key["constrained_columns"]),
        "schema": key.get("referred_schema") or schema or "",
        "table": key["referred_table"],
        "referred_columns": list(key["referred_columns"]),
    }


def _schemas(inspector: Any, dialect: Dialect) -> list[str | None]:
    if not dialect.named_schemas:
        return [None]
    hidden = dialect.system_schemas
    return sorted(s for s in inspector.get_schema_names() if s.lower() not in hidden)


def _row_estimates(engine: sa.Engine, query: str) -> dict[tuple[str, str], int | None]:
    if not query:
        return {}
    try:
        with engine.connect() as con:
            rows = con.execute(sa.text(query)).all()
    except sa.exc.SQLAlchemyError:
        return {}  # estimates are a nicety: no rights on the catalogue, no estimates
    return {
        (str(s), str(t)): (int(n) if n is not None and int(n) >= 0 else None) for s, t, n in rows
    }
