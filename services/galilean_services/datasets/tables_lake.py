"""Opening a DuckLake lake for the `tables` driver and reading facts from its catalog.

The catalog is SQLite (`store/catalog.sqlite`, in WAL mode so readers never block the one
writer) or PostgreSQL (a URL; each dataset keeps its catalog in its own schema). Data files
go under `store/data/`. The lake is attached as `lake`; its catalog database is reachable
as `__ducklake_metadata_lake`. Data inlining is off: every write makes Parquet files, so
the catalog stays small and table changes come from files."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from pathlib import Path

import duckdb

from galilean_services.datasets.duckdb_ext import load_extension, offline

LAKE = "lake"
META = "__ducklake_metadata_lake"
USER_SCHEMA = "main"
OWN_SCHEMA = "galilean"
POSTGRES_URL = re.compile(r"postgres(?:ql)?(?:\+\w+)?://")


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def catalog_schema(store: Path) -> str:
    """One PostgreSQL schema per dataset, named from its folder."""
    digest = hashlib.sha256(str(store.resolve()).encode()).hexdigest()[:16]
    return f"galilean_ds_{digest}"


def attach_target(store: Path, catalog: str | None) -> tuple[str, str]:
    """The ATTACH string and the extension its catalog needs."""
    if catalog is None:
        path = store / "catalog.sqlite"
        if not path.exists():
            with sqlite3.connect(path) as created:
                created.execute("PRAGMA journal_mode=WAL").fetchall()
        return f"ducklake:sqlite:{path}", "sqlite_scanner"
    if not POSTGRES_URL.match(catalog):
        raise ValueError("catalog: give a postgresql:// URL, or none for SQLite")
    url = re.sub(r"^postgres(?:ql)?(?:\+\w+)?://", "postgresql://", catalog)
    return f"ducklake:postgres:{url}", "postgres_scanner"


def open_lake(store: Path, catalog: str | None) -> duckdb.DuckDBPyConnection:
    (store / "data").mkdir(parents=True, exist_ok=True)
    target, extension = attach_target(store, catalog)
    connection = duckdb.connect()
    try:
        offline(connection)
        load_extension(connection, "ducklake")
        load_extension(connection, extension)
        options = [f"DATA_PATH {quote(str(store / 'data') + '/')}", "DATA_INLINING_ROW_LIMIT 0"]
        if catalog is not None:
            options.append(f"METADATA_SCHEMA {quote(catalog_schema(store))}")
        connection.execute(f"ATTACH {quote(target)} AS {LAKE} ({', '.join(options)})")
        connection.execute(f"CREATE SCHEMA IF NOT EXISTS {LAKE}.{OWN_SCHEMA}")
    except BaseException:
        connection.close()
        raise
    return connection


def metadata_prefix(store: Path, catalog: str | None) -> str:
    """Where the catalog's own tables are, as DuckDB names them."""
    return META if catalog is None else f"{META}.{catalog_schema(store)}"


def tables_at(connection: duckdb.DuckDBPyConnection, version: int, meta: str) -> dict[str, int]:
    """The user tables alive at a DuckLake snapshot: name → table id."""
    rows = connection.execute(
        f"""SELECT t.table_name, t.table_id FROM {meta}.ducklake_table t
            JOIN {meta}.ducklake_schema s ON s.schema_id = t.schema_id
            WHERE s.schema_name = ? AND t.begin_snapshot <= ?
              AND (t.end_snapshot IS NULL OR t.end_snapshot > ?)
              AND s.begin_snapshot <= ? AND (s.end_snapshot IS NULL OR s.end_snapshot > ?)""",
        [USER_SCHEMA, version, version, version, version],
    ).fetchall()
    return {str(name): int(table_id) for name, table_id in rows}


def columns_of(
    connection: duckdb.DuckDBPyConnection, table: str, version: int | None = None
) -> list[tuple[str, str]]:
    """(name, type) of a user table's columns, now or at a DuckLake snapshot."""
    at = "" if version is None else f" AT (VERSION => {int(version)})"
    rows = connection.execute(
        f"DESCRIBE SELECT * FROM {LAKE}.{USER_SCHEMA}.{ident(table)}{at}"
    ).fetchall()
    return [(str(row[0]), str(row[1])) for row in rows]
