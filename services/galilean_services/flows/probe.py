"""Columns known before a run: a file's header (DuckDB's DESCRIBE reads only the header,
a sample or the Parquet footer), and which node a failed query's error belongs to.

Both use a DuckDB connection that can touch files only under the flow's folder (defence
in depth under the kinds' own path checks: user expressions run in this engine)."""

from __future__ import annotations

from pathlib import Path

import duckdb
from sqlglot import exp

from .issues import NodeError, first_line
from .sql import to_sql


def connect(base_dir: Path, memory_limit: str = "") -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    folder = str(base_dir.resolve()).rstrip("/") + "/"
    con.execute("SET allowed_directories = $dirs", {"dirs": [folder]})
    con.execute("SET enable_external_access = false")
    if memory_limit:
        con.execute("SET memory_limit = $limit", {"limit": memory_limit})
    return con


def describe(query: exp.Query, base_dir: Path) -> list[str] | None:
    """The columns `query` gives, without running it; None when DuckDB cannot tell (a
    missing file: the run says so, naming the node)."""
    try:
        with connect(base_dir) as con:
            return [str(row[0]) for row in con.execute(f"DESCRIBE {to_sql(query)}").fetchall()]
    except (duckdb.Error, NodeError, OSError, ValueError):
        return None


def binds(con: duckdb.DuckDBPyConnection, sql: str) -> str | None:
    """Why DuckDB cannot plan `sql` (an unknown column, a wrong type), or None when it
    can: EXPLAIN binds the query without reading a row."""
    try:
        con.execute(f"EXPLAIN {sql}")
    except duckdb.Error as exc:
        return first_line(exc)
    return None


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    query = exp.select("*").from_(exp.Table(this=exp.to_identifier(name, quoted=True)))
    return binds(con, to_sql(query)) is None
