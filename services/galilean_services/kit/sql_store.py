"""A service's database engine: SQLAlchemy over SQLite (embedded) or PostgreSQL (compose).
A SQLite file and its -wal/-shm are made readable by this account only (they hold every
user's records) before SQLite creates them; SQLite runs with WAL and foreign keys."""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path
from typing import Any

import sqlalchemy as sa


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL (None: another database, or one in memory)."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    name = parsed.database or ""
    if name in ("", ":memory:") or parsed.query.get("mode") == "memory":
        return None
    if name.startswith("file:"):  # a URI filename (?uri=true)
        name = name.removeprefix("file:").split("?", 1)[0]
    return Path(name).absolute()


def keep_private(database: Path) -> None:
    """The database and its -wal and -shm files readable by this account only."""
    for path in (database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))):
        with suppress(FileNotFoundError):
            os.chmod(path, 0o600)


def create_private(database: Path) -> None:
    """Make the database's folder (0700) and an empty file (0600) before SQLite does, so
    that neither is ever readable by others."""
    missing = [p for p in (database.parent, *database.parent.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    keep_private(database)


def open_engine(url: str) -> sa.engine.Engine:
    engine = sa.create_engine(url, future=True)
    if engine.dialect.name != "sqlite":
        return engine
    database = sqlite_file(url)
    if database is not None:
        create_private(database)

    @sa.event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi: Any, _record: Any) -> None:
        cursor = dbapi.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
        if database is not None:  # -wal and -shm exist from here on
            keep_private(database)

    return engine


def add_missing_columns(engine: sa.engine.Engine, table: sa.Table) -> list[str]:
    """Columns of `table` that a database made by an older release lacks, added (each
    must be nullable or have a server default); their names. create_all makes new tables
    only, so a release that adds a column calls this after it."""
    present = {column["name"] for column in sa.inspect(engine).get_columns(table.name)}
    added = []
    with engine.begin() as con:
        for column in table.columns:
            if column.name in present:
                continue
            kind = column.type.compile(dialect=engine.dialect)
            default = column.server_default
            clause = "" if default is None else f" DEFAULT {default.arg}"  # type: ignore[attr-defined]
            con.execute(
                sa.text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}{clause}')
            )
            added.append(column.name)
    return added
