"""PostgreSQL databases in a backup: dumped with `pg_dump` (its custom format) and put
back with `pg_restore`, as PostgreSQL's own tools do it. The password goes to them in
their environment (PGPASSWORD), never on a command line, and never into a message.

The tools run where the backup runs, or — docker mode's `GALILEAN_BACKUP_DB_CONTAINER`,
compose's db service — in the database's own container through the Docker API, whose
tools are of the server's version (pg_dump refuses a newer server).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Connection, Engine, make_url

from .backup_parts import BackupError, postgres_database

TIMEOUT = 3600  # seconds a dump or a restore may take


def _command(tool: str, url: str, container: str = "") -> tuple[list[str], dict[str, str]]:
    found = tool if container else shutil.which(tool)
    if found is None:
        raise BackupError(f"{tool} not found: install PostgreSQL's client tools")
    parsed = make_url(url)
    conninfo = [f"dbname={postgres_database(url)}"]
    if parsed.host:
        conninfo.append(f"host={parsed.host}")
    if parsed.port:
        conninfo.append(f"port={parsed.port}")
    if parsed.username:
        conninfo.append(f"user={parsed.username}")
    for key, value in parsed.query.items():  # sslmode and the like
        conninfo.append(f"{key}={value if isinstance(value, str) else value[0]}")
    env = {"PGCONNECT_TIMEOUT": "10"}
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    return [found, "--dbname", " ".join(conninfo)], env


def _run(tool: str, url: str, *args: str) -> None:
    command, env = _command(tool, url)
    done = subprocess.run(
        [*command, *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        _failed(tool, url, done.stderr.strip() or done.stdout.strip())


def _failed(tool: str, url: str, said: str) -> None:
    shown = _masked(said[-600:], url)
    raise BackupError(f"{tool} of database {postgres_database(url)!r} failed: {shown}")


DUMP_ARGS = ("--format=custom", "--no-owner", "--no-privileges")


def dump(url: str, into: Path, container: str = "") -> None:
    if container:
        from .backup_db_container import run_in

        with into.open("wb") as out:
            run_in(container, url, *_command("pg_dump", url, container), DUMP_ARGS, out)
        return
    _run("pg_dump", url, *DUMP_ARGS, f"--file={into}")


def _maintenance(url: str, **options: Any) -> Engine:
    """An engine on the server's `postgres` database, where databases are listed and made."""
    return create_engine(_sqlalchemy(make_url(url).set(database="postgres")), **options)


def _listed(connection: Connection, name: str) -> bool:
    query = text("SELECT 1 FROM pg_database WHERE datname = :name")
    return connection.execute(query, {"name": name}).first() is not None


def exists(url: str) -> bool:
    """Whether the server has this database (MLflow's is made on its first start)."""
    engine = _maintenance(url)
    try:
        with engine.connect() as connection:
            found = _listed(connection, postgres_database(url))
    except Exception as exc:  # said without the URL or its password
        why = _reason(exc, url)
        raise BackupError(
            f"the server of database {postgres_database(url)!r} cannot be reached: {why}"
        ) from None
    finally:
        engine.dispose()
    return found


def has_tables(url: str) -> bool:
    """Whether the database exists and holds tables (a restore would replace them)."""
    engine = create_engine(_sqlalchemy(url))
    try:
        with engine.connect() as connection:
            count = connection.execute(
                text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            ).scalar_one()
    except Exception as exc:  # no such database: nothing to replace
        if "does not exist" in str(exc):
            return False
        raise BackupError(
            f"database {postgres_database(url)!r} cannot be reached: {_reason(exc, url)}"
        ) from None
    finally:
        engine.dispose()
    return bool(count)


def ensure_database(url: str) -> None:
    """Create the database when the server has none of that name (MLflow's, on a new
    machine); its owner is the URL's user."""
    engine = _maintenance(url, isolation_level="AUTOCOMMIT")
    name = postgres_database(url)
    try:
        with engine.connect() as connection:
            if not _listed(connection, name):
                quoted = connection.dialect.identifier_preparer.quote(name)
                connection.execute(text(f"CREATE DATABASE {quoted}"))
    except Exception:  # its message can hold the URL
        raise BackupError(f"database {name!r} could not be created on its server") from None
    finally:
        engine.dispose()


RESTORE_ARGS = ("--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction")


def restore(url: str, dumped: Path, container: str = "") -> None:
    ensure_database(url)
    if container:
        from .backup_db_container import copied_in, run_in

        with copied_in(container, dumped) as inside:
            tool = _command("pg_restore", url, container)
            run_in(container, url, *tool, (*RESTORE_ARGS, inside))
        return
    _run("pg_restore", url, *RESTORE_ARGS, str(dumped))


def _reason(exc: BaseException, url: str) -> str:
    """The driver's first line (psycopg's: who, where, why), the password masked."""
    said = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return _masked(said[0][:300] if said else type(exc).__name__, url)


def _masked(said: str, url: str) -> str:
    password = make_url(url).password
    return said.replace(password, "***") if password else said


def _sqlalchemy(url: str | URL) -> URL:
    """The URL with the psycopg driver (the hub's), whatever the setting named."""
    return make_url(url).set(drivername="postgresql+psycopg")
