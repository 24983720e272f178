"""Columns known before a run: a file's header (DuckDB's DESCRIBE reads only the header,
a sample or the Parquet footer), and which node a failed query's error belongs to.

Both use a DuckDB connection that can touch files only under the flow's folder (defence
in depth under the kinds' own path checks: user expressions run in this engine)."""

from __future__ import annotations

from pathlib import Path

import duckdb
from sqlglot import exp

from .budget import Budget
from .issues import NodeError, first_line
from .sql import to_sql


def connect(
    base_dir: Path, memory_limit: str = "", spill_root: Path | None = None
) -> duckdb.DuckDBPyConnection:
    """A connection confined to `base_dir`; with a `memory_limit` (the run's budget:
    1GB, 512MiB; budget.py) DuckDB keeps to its share of it, spilling what does not fit
    into a folder of its own (under `spill_root`, else the temporary folder)."""
    con = duckdb.connect()
    folder = str(base_dir.resolve()).rstrip("/") + "/"
    con.execute(f"SET allowed_directories = [{_text(folder)}]")
    budget = Budget.of(memory_limit, spill_root)
    if budget is not None:
        con.execute(f"SET memory_limit = {_text(budget.duckdb_limit())}")
        con.execute(f"SET temp_directory = {_text(budget.spill_folder())}")
    con.execute("SET enable_external_access = false")
    return con


def _text(value: str) -> str:
    """`value` as a DuckDB string literal. (Settings are spelled in the SQL: binding a
    Python parameter makes DuckDB import pandas, a quarter of a second.)"""
    return exp.Literal.string(value).sql(dialect="duckdb")


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
