"""How a named connection becomes a SQLAlchemy engine, held to where it may reach.

Every server connection has a connect timeout that covers the handshake (a port that
speaks another protocol fails in seconds). Run for someone else (the flows service passes a
policy, see flows/net.py), the server's host is resolved once, checked, and the driver
connects to that address, with a statement/read timeout; file databases stay in the
owner's folder, DuckDB gets the engine's file limits and SQLite may attach nothing outside.

A file database is opened for reading (Test, the schema browser, an admin's connection),
for writing, or created: only the flows' table writer creates a missing file; everyone else
gets "file does not exist: <path>" rather than a new empty database.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.engine import URL

from .connections import Connection, describe_error, is_file
from .dialects import Dialect, default_registry
from .errors import ValidationError

CONNECT_TIMEOUT = 5  # seconds to connect and finish the handshake

# Servers: the driver a run for someone else must use and the URL parameters it refuses
# (they could change where or as whom it connects) are the dialect's (dialects/builtin.py).
# DuckDB settings a URL may carry when DuckDB is kept to a folder (others could lift it).
DUCKDB_SETTINGS = frozenset(
    {
        "access_mode",
        "threads",
        "memory_limit",
        "max_memory",
        "default_order",
        "default_null_order",
        "preserve_insertion_order",
        "timezone",
        "calendar",
    }
)


class Policy(Protocol):
    """Where a run for someone else may connect (flows.net.HttpPolicy)."""

    @property
    def sql_timeout(self) -> float: ...

    def address(self, host: str, port: int) -> str:
        """The checked address to connect to; raises (naming the host) if refused."""
        ...


Hook = Callable[[Any, Any], None]  # SQLAlchemy's "connect" event: (DBAPI connection, record)
Access = Literal["read", "write", "create"]


class MissingDatabaseFile(ValidationError):
    """A SQLite/DuckDB file that is not there (and is not to be created)."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"file does not exist: {path}", [{"field": "database"}])


def engine_for(
    connection: Connection,
    base_dir: Path | None = None,
    policy: Policy | None = None,
    *,
    access: Access | None = None,
) -> sa.Engine:
    """An engine. With `base_dir`, file databases must lie inside it and may read or attach
    no file outside it (the flows service opens them with its own rights). With `policy`
    (a run for someone else), a server is reached at its checked address only. `access`
    (file databases): "read" opens read-only, "write" an existing file, "create" may create
    it; by default an admin's connection is read and a user's own written."""
    url, args, hooks = connection.url, dict[str, Any](), list[Hook]()
    if access is None:
        access = "read" if connection.read_only else "write"
    server = _server_dialect(connection)
    if is_file(connection.dialect):
        url = _file_url(connection, base_dir)
        url, args = _opened(connection.dialect, url, access)
        if base_dir is not None and connection.dialect == "duckdb":
            hooks.append(_confined_duckdb(connection, base_dir))
        elif base_dir is not None:
            hooks.append(_confined_sqlite(base_dir))
    elif server is not None:
        url, args, hooks = _server(connection, server, policy)
    elif policy is not None:
        raise ValidationError(
            f"connection {connection.name!r}: the flows service connects only to PostgreSQL, "
            "MySQL/MariaDB, SQLite and DuckDB (it checks the address it connects to)",
            [{"field": "connection"}],
        )
    engine = sa.create_engine(url, connect_args=args, poolclass=sa.pool.NullPool)
    for hook in hooks:
        sa.event.listen(engine, "connect", hook)
    if is_file(connection.dialect) and access != "create":
        sa.event.listen(engine, "do_connect", _still_there(connection, base_dir))
    return engine


def _still_there(connection: Connection, base_dir: Path | None) -> Callable[..., None]:
    """Each connect of a kept engine (a notebook's) checks again that the file is there:
    DuckDB would create it."""
    path = _file_url(connection, base_dir).database
    on_disk = path not in (None, "", ":memory:") and not str(path).startswith("file:")

    def check_file(*_: Any) -> None:
        if on_disk and not Path(str(path)).is_file():
            raise MissingDatabaseFile(Path(str(path)))

    return check_file


def _opened(dialect: str, url: URL, access: Access) -> tuple[URL, dict[str, Any]]:
    """A file database opened as `access` allows: never created unless "create" (a missing
    file is MissingDatabaseFile), read-only for "read" (SQLite's `mode=ro` URI, DuckDB's
    read_only)."""
    if access == "create" or url.database in (None, "", ":memory:"):
        return url, {}
    if str(url.database).startswith("file:"):  # a SQLite URI as the admin wrote it
        return url, {}
    path = Path(str(url.database))
    if not path.is_file():
        raise MissingDatabaseFile(path)
    if dialect == "duckdb":
        return url, {"read_only": True} if access == "read" else {}
    mode = "ro" if access == "read" else "rw"  # rw: SQLite fails rather than create
    uri = url.set(database="file:" + quote(str(path))).update_query_dict({"uri": "true"})
    return uri.update_query_dict({"mode": mode}), {}


def _server_dialect(connection: Connection) -> Dialect | None:
    """The registered dialect of a database server whose driver Galilean pins (its rules:
    MariaDB follows MySQL's), or None."""
    dialect = default_registry().get(connection.dialect)
    rules = default_registry().get(dialect.rules) if dialect is not None else None
    return rules if rules is not None and rules.pinned_driver else None


def _file_url(connection: Connection, base_dir: Path | None) -> URL:
    url = connection.url
    if url.database in (None, "", ":memory:") or base_dir is None:
        return url
    full = (base_dir / url.database).resolve()
    if not full.is_relative_to(base_dir.resolve()):
        raise ValidationError(
            f"connection {connection.name!r}: its database file is outside your folder",
            [{"field": "connection"}],
        )
    return url.set(database=str(full))


def _server(
    connection: Connection, dialect: Dialect, policy: Policy | None
) -> tuple[URL, dict[str, Any], list[Hook]]:
    """PostgreSQL or MySQL: timeouts always; under a policy, the checked address."""
    url, family = connection.url, dialect.name
    if "+" not in url.drivername:  # an admin's `postgresql://...`: this project's driver
        url = url.set(drivername=dialect.driver)
    driver = url.get_driver_name()
    args: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT}  # psycopg: handshake included
    hooks: list[Hook] = []
    if driver == "pymysql":  # it reads the server's greeting with read_timeout: bound it too
        args |= {"read_timeout": CONNECT_TIMEOUT, "write_timeout": CONNECT_TIMEOUT}
        hooks.append(_pymysql_timeout(policy.sql_timeout if policy is not None else None))
    if policy is None:
        return url, args, hooks
    name = connection.name
    if driver != dialect.pinned_driver:
        raise ValidationError(
            f"connection {name!r}: the flows service uses the {dialect.pinned_driver} driver "
            f"for {family} (it checks the address it connects to)",
            [{"field": "connection"}],
        )
    unsafe = sorted(k for k in url.query if k.lower() in dialect.unsafe_parameters)
    if unsafe:
        raise ValidationError(
            f"connection {name!r}: the flows service does not use {unsafe[0]!r} in a connection "
            "URL (it could change where it connects or make it read the service's files)",
            [{"field": "connection"}],
        )
    address = policy.address(url.host or "", url.port or dialect.default_port or 0)
    if driver == "pymysql":
        # pymysql connects to the host it is given; LOAD DATA LOCAL would let the server
        # ask for any file the service can read.
        return url.set(host=address), {**args, "local_infile": False}, hooks
    # psycopg: hostaddr is where libpq connects (no lookup of its own); host stays for TLS.
    # statement_timeout bounds each query on the server; keepalives notice a dead peer.
    given = url.query.get("options")
    options = [given] if isinstance(given, str) else list(given or ())
    options.append(f"-c statement_timeout={int(policy.sql_timeout * 1000)}")
    tcp = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}
    return url, {**args, **tcp, "hostaddr": address, "options": " ".join(options)}, hooks


def _pymysql_timeout(seconds: float | None) -> Hook:
    """After the handshake, queries get `seconds` (None: no limit) to answer: pymysql keeps
    its timeouts in these attributes and applies them on the next read or write."""

    def relax(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection._read_timeout = seconds
        dbapi_connection._write_timeout = seconds

    return relax


def _confined_duckdb(connection: Connection, base_dir: Path) -> Hook:
    """The engine's own DuckDB limits (flows/runner.py connect()): files under the folder
    only, no other file or network access, and a locked configuration so no SET lifts them.
    URL settings apply before this hook, so only harmless ones are taken."""
    other = sorted(k for k in connection.url.query if k.lower() not in DUCKDB_SETTINGS)
    if other:
        raise ValidationError(
            f"connection {connection.name!r}: the DuckDB setting {other[0]!r} cannot be used "
            "here (DuckDB is kept to your folder)",
            [{"field": "connection"}],
        )
    folder = str(base_dir.resolve()).rstrip("/") + "/"

    def confine(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("SET allowed_directories = $dirs", {"dirs": [folder]})
        dbapi_connection.execute("SET enable_external_access = false")
        dbapi_connection.execute("SET lock_configuration = true")

    return confine


def _confined_sqlite(base_dir: Path) -> Hook:
    """SQLite may attach only databases in the folder (a relative name is read from the
    process's folder, as SQLite reads it); URIs and computed names are refused."""
    root = base_dir.resolve()

    def authorize(action: int, name: str | None, *_: Any) -> int:
        if action != sqlite3.SQLITE_ATTACH or name in ("", ":memory:"):
            return sqlite3.SQLITE_OK
        if name is None or name.lower().startswith("file:"):
            return sqlite3.SQLITE_DENY
        inside = Path(name).resolve().is_relative_to(root)
        return sqlite3.SQLITE_OK if inside else sqlite3.SQLITE_DENY

    def confine(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.set_authorizer(authorize)

    return confine


def check(connection: Connection, base_dir: Path | None = None) -> tuple[bool, str]:
    """Connect and run a trivial query: (True, "connected: <server version>") or (False,
    the driver's reason in one line, no password). A file database is opened read-only
    (never created); a missing one raises MissingDatabaseFile."""
    try:
        engine = engine_for(connection, base_dir, access="read")
        with engine.connect() as con:
            con.execute(sa.text("SELECT 1"))
            version = engine.dialect.server_version_info
        engine.dispose()
    except MissingDatabaseFile:
        raise
    except ValidationError as exc:
        return False, exc.message
    except ModuleNotFoundError as exc:
        return False, f"the driver for {connection.dialect} is not installed ({exc.name})"
    except Exception as exc:  # every driver has its own error classes
        return False, describe_error(exc, connection.url)
    shown = ".".join(str(v) for v in version) if version else connection.dialect
    where = f": {connection.url.database}" if is_file(connection.dialect) else ""
    return True, f"connected ({connection.dialect} {shown}){where}"
