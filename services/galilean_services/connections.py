"""Named SQL connections of a user: PostgreSQL, MySQL/MariaDB, SQLite, DuckDB, or any
SQLAlchemy URL.

A user's connections live in `<home>/.galilean/connections.json`, mode 0600, written
atomically; the admin may also give read-only ones to everyone through environment
variables `GALILEAN_CONNECTION_<NAME>=<url>`. Passwords never leave this module in clear:
`public()` hides them and `describe_error()` scrubs them from drivers' messages. No web
framework here: the server extension, the kernel helper and the flows service share it.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from .errors import Forbidden, NotFound, ValidationError

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
ENV_PREFIX = "GALILEAN_CONNECTION_"
DRIVERS = {
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mysql+pymysql",
    "sqlite": "sqlite",
    "duckdb": "duckdb",
}
FILE_DIALECTS = {"sqlite", "duckdb"}
CONNECT_TIMEOUT = 5


@dataclass(frozen=True)
class Connection:
    name: str
    url: URL
    source: str = "user"  # user | environment

    @property
    def read_only(self) -> bool:
        return self.source != "user"

    @property
    def dialect(self) -> str:
        return self.url.get_backend_name()

    def public(self) -> dict[str, Any]:
        """What a page or a notebook may show: never the password."""
        return {
            "name": self.name,
            "dialect": self.dialect,
            "url": self.url.render_as_string(hide_password=True),
            "host": self.url.host,
            "port": self.url.port,
            "database": self.url.database,
            "user": self.url.username,
            "has_password": bool(self.url.password),
            "read_only": self.read_only,
            "source": self.source,
        }


def url_from(body: Mapping[str, Any]) -> URL:
    """A URL from `{"url": ...}` or from fields (dialect, host, port, database, user,
    password); ValidationError names the field at fault, never echoing the password."""
    if body.get("url"):
        try:
            url = make_url(str(body["url"]))
        except ArgumentError:
            raise ValidationError("url: not a database URL", [{"field": "url"}]) from None
    else:
        dialect = str(body.get("dialect", "")).lower()
        if dialect not in DRIVERS:
            raise ValidationError(
                f"dialect: one of {', '.join(sorted(set(DRIVERS)))}", [{"field": "dialect"}]
            )
        port = body.get("port")
        if port not in (None, "") and not str(port).isdigit():
            raise ValidationError("port: a number", [{"field": "port"}])
        url = URL.create(
            DRIVERS[dialect],
            username=body.get("user") or None,
            password=body.get("password") or None,
            host=body.get("host") or None,
            port=int(port) if port not in (None, "") else None,
            database=body.get("database") or None,
        )
    backend = url.get_backend_name()
    if backend in DRIVERS and "+" not in url.drivername:
        url = url.set(drivername=DRIVERS[backend])
    if backend not in FILE_DIALECTS and not url.host:
        raise ValidationError("host: required for a database server", [{"field": "host"}])
    return url


def user_home() -> Path:
    """The user's own folder, whichever workspace this is (the spawner says where):
    connections belong to the user, not to a workspace."""
    return Path(os.environ.get("GALILEAN_USER_HOME") or Path.home())


def database_message(exc: BaseException, url: URL | None = None) -> str:
    """The database's own message, all its lines (PostgreSQL's "LINE 2:" and caret), with
    SQLAlchemy's additions ("[SQL: ...]", background links) left out and the password (if
    any) scrubbed."""
    original = getattr(exc, "orig", None) or exc
    lines = [
        line
        for line in str(original).strip().splitlines()
        if not line.startswith(("(Background", "[SQL", "[parameters"))
    ]
    text = "\n".join(lines) or type(original).__name__
    if url is not None and url.password:
        text = text.replace(str(url.password), "***")
    return re.sub(r"(://[^:/@\s]+:)[^@\s]+@", r"\1***@", text)


def describe_error(exc: BaseException, url: URL | None = None) -> str:
    """A driver's reason in one line, with the password (if any) scrubbed."""
    return database_message(exc, url).splitlines()[0]


class ConnectionStore:
    """One user's connections (their own file) plus the admin's (environment)."""

    def __init__(self, home: Path, environ: Mapping[str, str] | None = None) -> None:
        self.home = home
        self.path = home / ".galilean" / "connections.json"
        self.environ = os.environ if environ is None else environ

    def _own(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}
        except ValueError:
            raise ValidationError(
                f"{self.path}: not valid JSON; fix or remove it", [{"file": str(self.path)}]
            ) from None
        return {str(k): str(v["url"]) for k, v in data.get("connections", {}).items()}

    def _environment(self) -> dict[str, str]:
        return {
            key[len(ENV_PREFIX) :].lower(): value
            for key, value in self.environ.items()
            if key.startswith(ENV_PREFIX) and value
        }

    def all(self) -> list[Connection]:
        found = {
            n: Connection(n, make_url(u), "environment") for n, u in self._environment().items()
        }
        for name, url in self._own().items():
            found.setdefault(name, Connection(name, make_url(url)))
        return [found[n] for n in sorted(found)]

    def get(self, name: str) -> Connection:
        for connection in self.all():
            if connection.name == name:
                return connection
        raise NotFound(f"no connection named {name!r}", [{"field": "connection"}])

    def save(self, name: str, body: Mapping[str, Any], *, keep_password: bool = True) -> Connection:
        if not NAME.match(name):
            raise ValidationError(
                "name: a letter, then letters, digits, '-' or '_' (64 at most)", [{"field": "name"}]
            )
        if name.lower() in self._environment():
            raise Forbidden(f"connection {name!r} is set by the admin and read-only")
        url = url_from(body)
        own = self._own()
        if keep_password and not url.password and name in own and "password" not in body:
            url = url.set(password=make_url(own[name]).password)  # an edit keeps it
        own[name] = url.render_as_string(hide_password=False)
        self._write(own)
        return Connection(name, url)

    def delete(self, name: str) -> None:
        if name.lower() in self._environment():
            raise Forbidden(f"connection {name!r} is set by the admin and read-only")
        own = self._own()
        if name not in own:
            raise NotFound(f"no connection named {name!r}", [{"field": "connection"}])
        del own[name]
        self._write(own)

    def _write(self, own: dict[str, str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        payload = json.dumps(
            {"connections": {n: {"url": u} for n, u in sorted(own.items())}}, indent=2
        )
        fd, partial = tempfile.mkstemp(dir=self.path.parent, prefix=".connections-")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(payload)
            os.replace(partial, self.path)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise


def engine_for(connection: Connection, base_dir: Path | None = None) -> sa.Engine:
    """An engine; with `base_dir`, file databases must lie inside it (the flows service
    opens them with its own rights, so a user may not point it at other files)."""
    url = connection.url
    if connection.dialect in FILE_DIALECTS and url.database not in (None, "", ":memory:"):
        path = Path(url.database or "")
        if base_dir is not None:
            full = (base_dir / path).resolve()
            if not full.is_relative_to(base_dir.resolve()):
                raise ValidationError(
                    f"connection {connection.name!r}: its database file is outside your folder",
                    [{"field": "connection"}],
                )
            url = url.set(database=str(full))
    args: dict[str, Any] = {}
    if connection.dialect == "postgresql" or connection.dialect == "mysql":
        args["connect_timeout"] = CONNECT_TIMEOUT
    return sa.create_engine(url, connect_args=args, poolclass=sa.pool.NullPool)


def check(connection: Connection, base_dir: Path | None = None) -> tuple[bool, str]:
    """Connect and run a trivial query: (True, "connected: <server version>") or (False,
    the driver's reason in one line, no password)."""
    try:
        engine = engine_for(connection, base_dir)
        with engine.connect() as con:
            con.execute(sa.text("SELECT 1"))
            version = engine.dialect.server_version_info
        engine.dispose()
    except ValidationError as exc:
        return False, exc.message
    except ModuleNotFoundError as exc:
        return False, f"the driver for {connection.dialect} is not installed ({exc.name})"
    except Exception as exc:  # every driver has its own error classes
        return False, describe_error(exc, connection.url)
    shown = ".".join(str(v) for v in version) if version else connection.dialect
    return True, f"connected ({connection.dialect} {shown})"
