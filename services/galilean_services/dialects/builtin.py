"""Galilean's own SQL dialects, registered as a third party's would be (in the order the
connection form offers them)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from . import Dialect, DialectRegistry

MYSQL_UNSAFE = frozenset(
    {
        "host",
        "port",
        "unix_socket",
        "read_default_file",
        "read_default_group",
        "local_infile",
        "client_flag",
        "ssl",
        "ssl_ca",
        "ssl_capath",
        "ssl_cert",
        "ssl_key",
    }
)
POSTGRESQL_UNSAFE = frozenset(
    {
        "host",
        "hostaddr",
        "port",
        "service",
        "servicefile",
        "passfile",
        "sslkey",
        "sslcert",
        "sslrootcert",
        "sslcrl",
        "sslcrldir",
    }
)
DUCKDB_SIZES = "SELECT schema_name, table_name, estimated_size FROM duckdb_tables()"


def duckdb_schemas(engine: sa.Engine) -> list[dict[str, Any]]:
    """DuckDB's schemas, tables and views from its information_schema."""
    with engine.connect() as con:
        tables = con.execute(
            sa.text(
                "SELECT table_schema, table_name, table_type FROM information_schema.tables "
                "WHERE table_schema NOT IN ('information_schema', 'pg_catalog') "
                "ORDER BY table_schema, table_name"
            )
        ).all()
        columns = con.execute(
            sa.text(
                "SELECT table_schema, table_name, column_name, data_type, is_nullable FROM "
                "information_schema.columns ORDER BY table_schema, table_name, ordinal_position"
            )
        ).all()
        sizes = con.execute(sa.text(DUCKDB_SIZES)).all()
    estimates = {(str(s), str(t)): int(n) for s, t, n in sizes if n is not None}
    by_table: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for schema, table, name, kind, nullable in columns:
        by_table.setdefault((schema, table), []).append(
            {"name": name, "type": kind, "nullable": nullable == "YES"}
        )
    grouped: dict[str, list[dict[str, Any]]] = {}
    for schema, table, kind in tables:
        grouped.setdefault(schema, []).append(
            {
                "name": table,
                "kind": "view" if kind == "VIEW" else "table",
                "columns": by_table.get((schema, table), []),
                "rows": estimates.get((schema, table)),
                "foreign_keys": [],
            }
        )
    return [{"name": schema, "tables": items} for schema, items in sorted(grouped.items())]


BUILTIN: tuple[Dialect, ...] = (
    Dialect(
        "postgresql",
        "PostgreSQL",
        "postgresql+psycopg",
        sqlglot="postgres",
        editor="PostgreSQL",
        aliases=("postgres",),
        default_port=5432,
        pinned_driver="psycopg",
        unsafe_parameters=POSTGRESQL_UNSAFE,
        row_estimates=(
            "SELECT n.nspname, c.relname, c.reltuples::bigint FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'm')"
        ),
    ),
    Dialect(
        "mariadb",
        "MariaDB",
        "mysql+pymysql",
        sqlglot="mysql",
        editor="MariaSQL",
        default_port=3306,
        identifier_quote="`",
        family="mysql",  # connected to by MySQL's rules (driver, unsafe parameters)
    ),
    Dialect(
        "mysql",
        "MySQL",
        "mysql+pymysql",
        sqlglot="mysql",
        editor="MySQL",
        default_port=3306,
        identifier_quote="`",
        shown_as="mariadb",  # a saved MariaDB connection's URL says mysql
        pinned_driver="pymysql",
        unsafe_parameters=MYSQL_UNSAFE,
        row_estimates=(
            "SELECT table_schema, table_name, table_rows FROM information_schema.tables"
        ),
    ),
    Dialect(
        "sqlite",
        "SQLite",
        "sqlite",
        sqlglot="sqlite",
        editor="SQLite",
        file=True,
        named_schemas=False,
    ),
    Dialect(
        "duckdb",
        "DuckDB",
        "duckdb",
        sqlglot="duckdb",
        file=True,
        row_estimates=DUCKDB_SIZES,
        list_schemas=duckdb_schemas,  # duckdb-engine's inspector asks for pg_catalog
    ),
)


def register(registry: DialectRegistry) -> None:
    for dialect in BUILTIN:
        registry.register(dialect)
