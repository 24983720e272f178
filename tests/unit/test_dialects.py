"""The SQL dialect registry: Galilean's own dialects as GET /galilean/dialects shows them
(the labextension's form, schema browser and editor read them), and a third party's
dialect registered the same way reaching every part that asks the registry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from extension_server import manager_for, serve

from galilean_server.query_builder import build
from galilean_server.sql_format import format_sql
from galilean_services import dialects
from galilean_services.connections import Connection, is_file, resolved, url_from
from galilean_services.dialects import Dialect, DialectRegistry
from galilean_services.dialects.builtin import register as register_builtin
from galilean_services.kit.errors import ValidationError

COMMON = {"offered": True, "sqlglot": None}
BUILTIN: list[dict[str, Any]] = [
    {
        "name": "postgresql",
        "label": "PostgreSQL",
        "file": False,
        "default_port": 5432,
        "identifier_quote": '"',
        "editor": "PostgreSQL",
        "sqlglot": "postgres",
    },
    {
        "name": "mariadb",
        "label": "MariaDB",
        "file": False,
        "default_port": 3306,
        "identifier_quote": "`",
        "editor": "MariaSQL",
        "sqlglot": "mysql",
    },
    {
        "name": "mysql",
        "label": "MySQL",
        "file": False,
        "default_port": 3306,
        "identifier_quote": "`",
        "editor": "MySQL",
        "sqlglot": "mysql",
        "shown_as": "mariadb",
    },
    {
        "name": "sqlite",
        "label": "SQLite",
        "file": True,
        "default_port": None,
        "identifier_quote": '"',
        "editor": "SQLite",
        "sqlglot": "sqlite",
    },
    {
        "name": "duckdb",
        "label": "DuckDB",
        "file": True,
        "default_port": None,
        "identifier_quote": '"',
        "editor": "StandardSQL",
        "sqlglot": "duckdb",
    },
]
MSSQL = Dialect(
    "mssql",
    "SQL Server",
    "mssql+pyodbc",
    sqlglot="tsql",
    editor="MSSQL",
    aliases=("sqlserver",),
    default_port=1433,
    identifier_quote="[",
)


def expected(entry: dict[str, Any]) -> dict[str, Any]:
    return {**COMMON, "shown_as": entry["name"], **entry}


@pytest.fixture
def registry() -> DialectRegistry:
    fresh = DialectRegistry()
    register_builtin(fresh)
    return fresh


def test_galileans_dialects_in_the_order_the_form_offers_them(registry: DialectRegistry) -> None:
    assert registry.public() == {"dialects": [expected(e) for e in BUILTIN]}
    assert dialects.default_registry().public() == registry.public()


def test_a_third_party_dialect_shows_up_in_galilean_dialects(
    registry: DialectRegistry, tmp_path: Path
) -> None:
    registry.register(MSSQL)
    with serve(manager_for(tmp_path, registry)) as served:
        reply = served.call("GET", "/galilean/dialects")
    assert reply.status_code == 200, reply.text
    listed = reply.json()["dialects"]
    assert [d["name"] for d in listed] == [*(e["name"] for e in BUILTIN), "mssql"]
    assert listed[-1] == {
        "name": "mssql",
        "label": "SQL Server",
        "offered": True,
        "file": False,
        "default_port": 1433,
        "identifier_quote": "[",
        "editor": "MSSQL",
        "sqlglot": "tsql",
        "shown_as": "mssql",
    }


def test_a_name_or_alias_is_registered_once(registry: DialectRegistry) -> None:
    with pytest.raises(ValueError, match="'postgres' is registered twice"):
        registry.register(Dialect("postgres", "Postgres again", "postgresql+psycopg"))
    registry.register(MSSQL)
    with pytest.raises(ValueError, match="'sqlserver' is registered twice"):
        registry.register(Dialect("other", "Other", "other", aliases=("sqlserver",)))


def test_lookups_by_backend_name_and_by_alias(registry: DialectRegistry) -> None:
    assert registry.get("postgres") is None  # an alias is not a backend
    postgresql = registry.find("postgres")
    assert postgresql is not None
    assert postgresql.name == "postgresql"
    assert registry.is_file("duckdb")
    assert not registry.is_file("mysql")
    assert not registry.is_file("oracle")  # any other SQLAlchemy URL: a server
    assert registry.with_sqlglot()["mariadb"] == "mysql"


def test_register_dialect_reaches_connections_the_builder_and_format(
    monkeypatch: pytest.MonkeyPatch, registry: DialectRegistry
) -> None:
    monkeypatch.setattr(dialects, "_default", registry)
    dialects.register_dialect(MSSQL)
    dialects.register_dialect(Dialect("filedb", "File DB", "filedb", file=True))
    url = url_from({"dialect": "SQLServer", "host": "db", "database": "sales"})
    assert url.drivername == "mssql+pyodbc"
    assert url_from({"url": "mssql://db/sales"}).drivername == "mssql+pyodbc"
    with pytest.raises(ValidationError) as refused:
        url_from({"dialect": "nosuch"})
    assert "filedb" in refused.value.message
    assert "sqlserver" in refused.value.message
    assert url_from({"dialect": "filedb", "database": "data.fdb"}).host is None  # no host
    assert is_file("filedb")
    assert resolved(url_from({"url": "filedb:///data.fdb"}), Path("/home/u")).database == (
        "/home/u/data.fdb"
    )
    spec = {"table": {"schema": "dbo", "name": "orders"}, "columns": [{"column": "id"}]}
    assert build(spec, "mssql") == "SELECT\n  t0.[id]\nFROM [dbo].[orders] AS t0"
    assert format_sql("select a from t", "mssql") == "SELECT\n  a\nFROM t"
    with pytest.raises(ValidationError, match="formatting supports duckdb, mariadb, mssql"):
        format_sql("select 1", "filedb")


def test_a_backend_no_dialect_names_is_still_a_connection(registry: DialectRegistry) -> None:
    connection = Connection("legacy", url_from({"url": "oracle://scott@db/orcl"}))
    assert connection.dialect == "oracle"
    with pytest.raises(ValidationError, match="the builder writes SQL for duckdb, mariadb"):
        build({"table": {"name": "t"}}, connection.dialect, registry)
