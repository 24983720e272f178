"""Schemas, tables and views, and their columns (with row estimates where the database
keeps them) of a named connection, cached until refreshed."""

from __future__ import annotations

import threading
import time
from typing import Any

import sqlalchemy as sa

from galilean_services.connection_engines import engine_for
from galilean_services.connections import Connection, describe_error
from galilean_services.errors import GalileanError

CACHE_SECONDS = 300
SYSTEM_SCHEMAS = {"information_schema", "pg_catalog", "pg_toast", "mysql", "performance_schema",
                  "sys"}  # fmt: skip
ROW_ESTIMATES = {
    "postgresql": (
        "SELECT n.nspname, c.relname, c.reltuples::bigint FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'm')"
    ),
    "mysql": "SELECT table_schema, table_name, table_rows FROM information_schema.tables",
    "duckdb": "SELECT schema_name, table_name, estimated_size FROM duckdb_tables()",
}


class SchemaCache:
    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def get(self, owner: str, connection: Connection, refresh: bool = False) -> dict[str, Any]:
        key = (owner, connection.url.render_as_string(hide_password=False))
        with self._lock:
            cached = self._entries.get(key)
        if cached and not refresh and time.time() - cached[0] < CACHE_SECONDS:
            return cached[1]
        described = describe(connection)
        with self._lock:
            self._entries[key] = (time.time(), described)
        return described


def describe(connection: Connection) -> dict[str, Any]:
    engine = engine_for(connection, access="read")  # a file database is never created
    try:
        if connection.dialect == "duckdb":  # duckdb-engine's inspector asks for pg_catalog
            schemas = _describe_duckdb(engine)
            return {"connection": connection.name, "dialect": "duckdb", "schemas": schemas,
                    "read_at": time.time()}  # fmt: skip
        inspector = sa.inspect(engine)
        estimates = _row_estimates(engine, connection.dialect)
        schemas = []
        for schema in _schemas(inspector, connection.dialect):
            tables = []
            kinds = [("table", inspector.get_table_names(schema=schema)),
                     ("view", inspector.get_view_names(schema=schema))]  # fmt: skip
            for kind, names in kinds:
                for name in sorted(names):
                    columns = [
                        {
                            "name": c["name"],
                            "type": str(c["type"]),
                            "nullable": c.get("nullable", True),
                        }
                        for c in inspector.get_columns(name, schema=schema)
                    ]
                    keys = (
                        inspector.get_foreign_keys(name, schema=schema) if kind == "table" else []
                    )
                    tables.append({"name": name, "kind": kind, "columns": columns,
                                   "rows": estimates.get((schema or "", name)),
                                   "foreign_keys": [_foreign_key(k, schema)
                                                    for k in keys]})  # fmt: skip
            schemas.append({"name": schema or "", "tables": tables})
    except sa.exc.SQLAlchemyError as exc:
        raise GalileanError(
            f"{connection.name}: {describe_error(exc, connection.url)}",
            [{"field": "connection"}],
            status=502,
        ) from None
    finally:
        engine.dispose()
    return {"connection": connection.name, "dialect": connection.dialect, "schemas": schemas,
            "read_at": time.time()}  # fmt: skip


def _describe_duckdb(engine: sa.Engine) -> list[dict[str, Any]]:
    with engine.connect() as con:
        tables = con.execute(sa.text(
            "SELECT table_schema, table_name, table_type FROM information_schema.tables "
            "WHERE table_schema NOT IN ('information_schema', 'pg_catalog') "
            "ORDER BY table_schema, table_name"
        )).all()  # fmt: skip
        columns = con.execute(sa.text(
            "SELECT table_schema, table_name, column_name, data_type, is_nullable "
            "FROM information_schema.columns ORDER BY table_schema, table_name, ordinal_position"
        )).all()  # fmt: skip
        sizes = con.execute(sa.text(ROW_ESTIMATES["duckdb"])).all()
    estimates = {(str(s), str(t)): int(n) for s, t, n in sizes if n is not None}
    by_table: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for schema, table, name, kind, nullable in columns:
        by_table.setdefault((schema, table), []).append(
            {"name": name, "type": kind, "nullable": nullable == "YES"}
        )
    grouped: dict[str, list[dict[str, Any]]] = {}
    for schema, table, kind in tables:
        grouped.setdefault(schema, []).append({
            "name": table, "kind": "view" if kind == "VIEW" else "table",
            "columns": by_table.get((schema, table), []),
            "rows": estimates.get((schema, table)), "foreign_keys": [],
        })  # fmt: skip
    return [{"name": schema, "tables": items} for schema, items in sorted(grouped.items())]


def _foreign_key(key: dict[str, Any], schema: str | None) -> dict[str, Any]:
    return {
        "columns": list(key["constrained_columns"]),
        "schema": key.get("referred_schema") or schema or "",
        "table": key["referred_table"],
        "referred_columns": list(key["referred_columns"]),
    }


def _schemas(inspector: Any, dialect: str) -> list[str | None]:
    if dialect == "sqlite":
        return [None]
    names = [s for s in inspector.get_schema_names() if s.lower() not in SYSTEM_SCHEMAS]
    return sorted(names)


def _row_estimates(engine: sa.Engine, dialect: str) -> dict[tuple[str, str], int | None]:
    query = ROW_ESTIMATES.get(dialect)
    if query is None:
        return {}
    try:
        with engine.connect() as con:
            rows = con.execute(sa.text(query)).all()
    except sa.exc.SQLAlchemyError:
        return {}  # estimates are a nicety: no rights on the catalogue, no estimates
    return {
        (str(s), str(t)): (int(n) if n is not None and int(n) >= 0 else None) for s, t, n in rows
    }
