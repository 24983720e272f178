"""SQL dialects and the registry they join: the one place that knows each database a named
connection may point at (its name, label and aliases, whether it is a file, its default
port, the SQLAlchemy driver a bare URL gets, how identifiers are quoted, sqlglot's and the
editor's name for it, and how its schemas are listed).

Galilean's own dialects register exactly as a third-party package would: with
`register_dialect(Dialect(...))`, or through a module whose `register(registry)` the
`galilean.dialects` entry point names (see `default_registry`). A connection whose backend
no dialect names (any other SQLAlchemy URL an admin gives) still works where it can:
`registry.get()` answers None and callers fall back to SQLAlchemy's generic behaviour.
No web framework here: the server extension, the kernel helper and the flows share it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

import sqlalchemy as sa

# Schemas the schema browser leaves out (compared in lower case).
SYSTEM_SCHEMAS = frozenset(
    {"information_schema", "pg_catalog", "pg_toast", "mysql", "performance_schema", "sys"}
)
SchemaLister = Callable[[sa.Engine], list[dict[str, Any]]]


@dataclass(frozen=True)
class Dialect:
    """One database, as Galilean's connections, SQL tools and editor see it."""

    name: str  # the backend name of its SQLAlchemy URLs (`url.get_backend_name()`)
    label: str  # what a person reads: "PostgreSQL"
    driver: str  # the SQLAlchemy drivername a URL without one gets: "postgresql+psycopg"
    sqlglot: str = ""  # sqlglot's dialect: the query builder and Format ("" for neither)
    editor: str = "StandardSQL"  # @codemirror/lang-sql's dialect for SQL cells
    aliases: tuple[str, ...] = ()  # other names a form or URL may give: "postgres"
    file: bool = False  # a file on disk (SQLite, DuckDB) rather than a server
    default_port: int | None = None
    identifier_quote: str = '"'
    offered: bool = True  # in the connection form's list of database types
    shown_as: str = ""  # the form shows a connection of this dialect as that one
    family: str = ""  # whose driver rules it follows ("mysql" for MariaDB); default: name
    pinned_driver: str = ""  # the DBAPI driver runs for someone else must use
    unsafe_parameters: frozenset[str] = frozenset()  # URL parameters such runs refuse
    named_schemas: bool = True  # False: one unnamed schema (SQLite)
    system_schemas: frozenset[str] = SYSTEM_SCHEMAS
    row_estimates: str = ""  # SQL answering (schema, table, estimated rows)
    list_schemas: SchemaLister | None = field(default=None, compare=False)  # own listing

    @property
    def rules(self) -> str:
        return self.family or self.name

    def public(self) -> dict[str, Any]:
        """What GET /galilean/dialects shows of it."""
        return {
            "name": self.name,
            "label": self.label,
            "offered": self.offered,
            "file": self.file,
            "default_port": self.default_port,
            "identifier_quote": self.identifier_quote,
            "editor": self.editor,
            "sqlglot": self.sqlglot or None,
            "shown_as": self.shown_as or self.name,
        }


class DialectRegistry:
    """Dialects by name, in the order they registered (the order the form offers them)."""

    def __init__(self) -> None:
        self._dialects: dict[str, Dialect] = {}
        self._aliases: dict[str, str] = {}

    def register(self, dialect: Dialect) -> None:
        for name in (dialect.name, *dialect.aliases):
            if name in self._dialects or name in self._aliases:
                raise ValueError(f"SQL dialect {name!r} is registered twice")
        self._dialects[dialect.name] = dialect
        self._aliases.update(dict.fromkeys(dialect.aliases, dialect.name))

    def get(self, name: str) -> Dialect | None:
        """The dialect of a connection's backend `name` (aliases are not backends)."""
        return self._dialects.get(name)

    def find(self, name: str) -> Dialect | None:
        """The dialect a form or a URL names, by its name or one of its aliases."""
        return self._dialects.get(self._aliases.get(name, name))

    def names(self, *, aliases: bool = False) -> list[str]:
        return [*self._dialects, *(self._aliases if aliases else ())]

    def all(self) -> list[Dialect]:
        return list(self._dialects.values())

    def with_sqlglot(self) -> dict[str, str]:
        """Backend name → sqlglot dialect, for the dialects sqlglot writes."""
        return {d.name: d.sqlglot for d in self._dialects.values() if d.sqlglot}

    def is_file(self, name: str) -> bool:
        dialect = self.get(name)
        return dialect is not None and dialect.file

    def public(self) -> dict[str, Any]:
        return {"dialects": [d.public() for d in self._dialects.values()]}


ENTRY_POINT_GROUP = "galilean.dialects"
_default: DialectRegistry | None = None


def default_registry() -> DialectRegistry:
    """Every dialect installed: Galilean's own, then third parties' (entry points)."""
    global _default
    if _default is None:
        from .builtin import register as register_builtin

        registry = DialectRegistry()
        register_builtin(registry)
        for point in entry_points(group=ENTRY_POINT_GROUP):
            point.load()(registry)
        _default = registry
    return _default


def register_dialect(dialect: Dialect) -> None:
    """Add a dialect to the registry every part of Galilean asks."""
    default_registry().register(dialect)
