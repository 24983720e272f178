"""PostgreSQL databases in a backup: dumped with `pg_dump` (its custom format) and put
back with `pg_restore`, as PostgreSQL's own tools do it. The password goes to them in
their environment (PGPASSWORD), never on a command line, and never into a message.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from .backup_parts import BackupError, postgres_database

TIMEOUT = 3600  # seconds a dump or a restore may take


def parse(url: str) -> URL:
    return make_url(url)


def database_name(url: str) -> str:
    return postgres_database(url)


def _command(tool: str, url: str) -> tuple[list[str], dict[str, str]]:
    found = shutil.which(tool)
    if found is None:
        raise BackupError(f"{tool} not found: install PostgreSQL's client tools")
    parsed = parse(url)
    conninfo = [f"dbname={database_name(url)}"]
    if parsed.host:
        conninfo.append(f"host={parsed.host}")
    if parsed.port:
        conninfo.append(f"port={parsed.port}")
    if parsed.username:
        conninfo.append(f"user={parsed.username}")
    for key, value in parsed.query.items():  # sslmode and the like
        conninfo.append(f"{key}={value if isinstance(value, str) else value[0]}")
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    return [found, "--dbname", " ".join(conninfo)], env


def _run(tool: str, url: str, *args: str) -> None:
    command, env = _command(tool, url)
    done = subprocess.run(
        [*command, *args], env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    if done.returncode != 0:
        said = (done.stderr.strip() or done.stdout.strip())[-600:]
        password = parse(url).password
        if password:
            said = said.replace(password, "***")
        raise BackupError(f"{tool} of database {database_name(url)!r} failed: {said}")


def dump(url: str, into: Path) -> None:
    _run("pg_dump", url, "--format=custom", "--no-owner", "--no-privileges", f"--file={into}")


def exists(url: str) -> bool:
    """Whether the server has this database (MLflow's is made on its first start)."""
    parsed = parse(url)
    engine = create_engine(_sqlalchemy(parsed.set(database="postgres").render_as_string(False)))
    try:
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": database_name(url)},
            ).first()
    except Exception as exc:  # said without the URL or its password
        raise BackupError(
            f"the server of database {database_name(url)!r} cannot be reached: {_reason(exc, url)}"
        ) from None
    finally:
        engine.dispose()
    return found is not None


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
            f"database {database_name(url)!r} cannot be reached: {_reason(exc, url)}"
        ) from None
    finally:
        engine.dispose()
    return bool(count)


def ensure_database(url: str) -> None:
    """Create the database when the server has none of that name (MLflow's, on a new
    machine); its owner is the URL's user."""
    parsed = parse(url)
    maintenance = _sqlalchemy(parsed.set(database="postgres").render_as_string(False))
    engine = create_engine(maintenance, isolation_level="AUTOCOMMIT")
    name = database_name(url)
    try:
        with engine.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if exists is None:
                quoted = connection.dialect.identifier_preparer.quote(name)
                connection.execute(text(f"CREATE DATABASE {quoted}"))
    except Exception:  # its message can hold the URL
        raise BackupError(f"database {name!r} could not be created on its server") from None
    finally:
        engine.dispose()


def restore(url: str, dumped: Path) -> None:
    ensure_database(url)
    _run(
        "pg_restore",
        url,
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        str(dumped),
    )


def _reason(exc: BaseException, url: str) -> str:
    """The driver's first line (psycopg's: who, where, why), the password masked."""
    said = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    line = said[0][:300] if said else type(exc).__name__
    password = parse(url).password
    return line.replace(password, "***") if password else line


def _sqlalchemy(url: str) -> str:
    """The URL with the psycopg driver (the hub's), whatever the setting named."""
    return parse(url).set(drivername="postgresql+psycopg").render_as_string(False)
