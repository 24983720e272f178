"""Named SQL connections of a user: PostgreSQL, MySQL/MariaDB, SQLite, DuckDB (the dialects
Galilean knows, and how: dialects/), or any other SQLAlchemy URL.

A user's connections live in `<home>/.galilean/connections.json`, mode 0600, written
atomically; the admin may also give read-only ones to everyone through environment
variables `GALILEAN_CONNECTION_<NAME>=<url>`. A SQLite or DuckDB file given by a relative path
(or `~/...`) lies in the user's home, the folder every workspace shares, so one saved
connection opens the same file in each workspace; its absolute path is what is shown.
Passwords (in the user info or as a query
parameter such as `?password=`) never leave this module in clear: `public()` masks them and
`describe_error()` scrubs them from drivers' messages. A connection may instead take its
password from one of the user's secrets (`password_secret`, the vault of issue 17): then
the file holds the secret's name only, and `for_use()` fills the password in when an
engine is made, from the store's `secrets` (the vault as the owner, or the values a flow
run was given). No web framework here: the server extension, the kernel helper and the
flows service share it.

How a connection becomes an engine (timeouts, the network policy, file limits):
connection_engines.py.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from .dialects import default_registry
from .errors import Forbidden, NotFound, ValidationError
from .secrets.names import check_name
from .secrets.readers import SecretReader

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
ENV_PREFIX = "GALILEAN_CONNECTION_"
# Query parameters that are credentials: stored, never shown (compared in lower case).
SECRET_KEYS = frozenset(
    {"password", "pwd", "passwd", "sslpassword", "token", "secret", "api_key", "access_token"}
)
SECRET_PARAMETER = re.compile(
    r"(?i)\b(" + "|".join(sorted(SECRET_KEYS)) + r")(\s*=\s*)('[^']*'|\"[^\"]*\"|[^\s&;,]+)"
)
MASK = "***"
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def secret_keys(url: URL) -> list[str]:
    return [key for key in url.query if key.lower() in SECRET_KEYS]


def secrets_of(url: URL) -> list[str]:
    """Every credential in `url`: the user info's password and secret query values."""
    found = [str(url.password)] if url.password else []
    for key in secret_keys(url):
        value = url.query[key]
        found.extend([value] if isinstance(value, str) else value)
    return [v for v in found if v]


def shown_url(url: URL) -> str:
    """`url` with every credential masked."""
    masked = url.set(query={k: MASK if k in secret_keys(url) else v for k, v in url.query.items()})
    return masked.render_as_string(hide_password=True).replace(quote(MASK, safe=""), MASK)


@dataclass(frozen=True)
class Connection:
    name: str
    url: URL
    source: str = "user"  # user | environment
    password_secret: str | None = None  # the user's secret holding the password

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
            "url": shown_url(self.url),
            "host": self.url.host,
            "port": self.url.port,
            "database": self.url.database,
            "user": self.url.username,
            "has_password": bool(secrets_of(self.url)) or bool(self.password_secret),
            "password_secret": self.password_secret,
            "read_only": self.read_only,
            "source": self.source,
        }


def _text(body: Mapping[str, Any], field: str) -> str | None:
    """A text field: None if left empty; no control characters or lone surrogates (no
    driver takes them)."""
    value = body.get(field)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{field}: text", [{"field": field}])
    if CONTROL.search(value) or not _encodable(value):
        raise ValidationError(
            f"{field}: control characters and lone surrogates are not allowed", [{"field": field}]
        )
    return value


def _encodable(value: str) -> bool:
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def _port(value: Any, field: str) -> int | None:
    if value is None or value == "":
        return None
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if (
        not isinstance(text, str)
        or not re.fullmatch(r"[0-9]{1,5}", text)
        or not (1 <= int(text) <= 65535)
    ):
        raise ValidationError(f"{field}: a port number from 1 to 65535", [{"field": field}])
    return int(text)


def url_from(body: Mapping[str, Any]) -> URL:
    """A URL from `{"url": ...}` or from fields (dialect, host, port, database, user,
    password); ValidationError names the field at fault, never echoing the password."""
    if body.get("url"):
        text = _text(body, "url") or ""
        try:
            url = make_url(text)
        except ArgumentError:
            raise ValidationError(
                "url: not a database URL (dialect://user:password@host:port/database)",
                [{"field": "url"}],
            ) from None
        except ValueError:  # the port is not a number
            url = None
        if url is None or not (url.port is None or 1 <= url.port <= 65535):
            raise ValidationError(
                "url: the port must be a number from 1 to 65535", [{"field": "url"}]
            )
    else:
        dialect = body.get("dialect")
        known = default_registry().find(dialect.lower()) if isinstance(dialect, str) else None
        if known is None:
            names = sorted(default_registry().names(aliases=True))
            raise ValidationError(f"dialect: one of {', '.join(names)}", [{"field": "dialect"}])
        fields = {f: _text(body, f) for f in ("host", "database", "user", "password")}
        url = URL.create(
            known.driver,
            username=fields["user"],
            password=fields["password"],
            host=fields["host"],
            port=_port(body.get("port"), "port"),
            database=fields["database"],
        )
    backend = url.get_backend_name()
    known = default_registry().find(backend)
    if known is not None and "+" not in url.drivername:
        url = url.set(drivername=known.driver)
    if not is_file(backend) and not url.host:
        raise ValidationError("host: required for a database server", [{"field": "host"}])
    return url


def password_secret_of(body: Mapping[str, Any], url: URL, old: str | None = None) -> str | None:
    """The secret a form names for the password: `password_secret` (a secret's name; empty
    or null: none), or, when the form says nothing of it and gives no new password (`url`
    is what it gives), the one the saved connection had (`old`)."""
    if "password_secret" not in body:
        return None if url.password and url.password != MASK else old
    value = body.get("password_secret")
    if value in (None, ""):
        return None
    return check_name(value, "password_secret")


def kept_secrets(url: URL, old: URL, body: Mapping[str, Any]) -> URL:
    """An edit of a saved connection keeps its credentials: a password left out (no
    `password` field) or sent back masked, and masked query values."""
    if (not url.password and "password" not in body) or url.password == MASK:
        url = url.set(password=old.password)
    keep = {k: old.query[k] for k in secret_keys(url) if url.query[k] == MASK and k in old.query}
    return url.update_query_dict(keep) if keep else url


def is_file(backend: str) -> bool:
    """Whether a connection of this backend is a file database (SQLite, DuckDB)."""
    return default_registry().is_file(backend)


def file_path(database: str | None, home: Path) -> Path | None:
    """The absolute path of a SQLite/DuckDB `database`: relative (or `~/...`) to `home`;
    None for an in-memory database or a SQLite `file:` URI (taken as given)."""
    if database in (None, "", ":memory:") or database.startswith("file:"):
        return None
    if database == "~" or database.startswith("~/"):
        database = database[2:]
    return Path(os.path.normpath(home / database))


def resolved(url: URL, home: Path) -> URL:
    """`url` with a relative file database made absolute against `home`."""
    if not is_file(url.get_backend_name()):
        return url
    path = file_path(url.database, home)
    return url if path is None else url.set(database=str(path))


def stored(url: URL, home: Path) -> URL:
    """`url` as saved: a file database inside `home` relative to it, so the connection
    still finds it where the home is mounted elsewhere (the flows service)."""
    path = file_path(url.database, home) if is_file(url.get_backend_name()) else None
    folder = Path(os.path.normpath(home))
    if path is None or path == folder or not path.is_relative_to(folder):
        return url
    return url.set(database=str(path.relative_to(folder)))


def user_home() -> Path:
    """The user's own folder, whichever workspace this is (the spawner says where):
    connections belong to the user, not to a workspace."""
    from .folders import user_home as folder  # one rule for the user's folder

    return folder()


def database_message(exc: BaseException, url: URL | None = None) -> str:
    """The database's own message, all its lines (PostgreSQL's "LINE 2:" and caret), with
    SQLAlchemy's additions ("[SQL: ...]", background links) left out and credentials (the
    URL's, and anything that looks like `password=...`) scrubbed."""
    original = getattr(exc, "orig", None) or exc
    lines = [
        line
        for line in str(original).strip().splitlines()
        if not line.startswith(("(Background", "[SQL", "[parameters"))
    ]
    return scrubbed("\n".join(lines) or type(original).__name__, url)


def scrubbed(text: str, url: URL | None = None) -> str:
    """`text` without the credentials of `url`, user info passwords or `key=secret` pairs."""
    for secret in sorted(secrets_of(url) if url is not None else [], key=len, reverse=True):
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
            text = text.replace(form, MASK)
    text = SECRET_PARAMETER.sub(rf"\1\2{MASK}", text)
    return re.sub(r"(://[^:/@\s]+:)[^@\s]+@", rf"\1{MASK}@", text)


def describe_error(exc: BaseException, url: URL | None = None) -> str:
    """A driver's reason in one line, with the password (if any) scrubbed."""
    return database_message(exc, url).splitlines()[0]


Secrets = SecretReader  # a secret's name → its value (the owner's; LookupError: none)


class ConnectionStore:
    """One user's connections (their own file) plus the admin's (environment). `secrets`
    reads one of the user's secrets, for connections that take their password from one."""

    def __init__(
        self,
        home: Path,
        environ: Mapping[str, str] | None = None,
        secrets: Secrets | None = None,
    ) -> None:
        self.home = home
        self.path = home / ".galilean" / "connections.json"
        self.environ = os.environ if environ is None else environ
        self.secrets = secrets

    def _entries(self) -> dict[str, dict[str, str]]:
        """The file's connections: name → {"url", and "password_secret" if it has one}."""
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}
        except ValueError:
            raise ValidationError(
                f"{self.path}: not valid JSON; fix or remove it", [{"file": str(self.path)}]
            ) from None
        entries: dict[str, dict[str, str]] = {}
        for name, value in data.get("connections", {}).items():
            entry = {"url": str(value["url"])}
            if isinstance(value.get("password_secret"), str):
                entry["password_secret"] = value["password_secret"]
            entries[str(name)] = entry
        return entries

    def _environment(self) -> dict[str, str]:
        return {
            key[len(ENV_PREFIX) :].lower(): value
            for key, value in self.environ.items()
            if key.startswith(ENV_PREFIX) and value
        }

    def resolve(self, url: URL) -> URL:
        """`url` with a relative file database made absolute against this home."""
        return resolved(url, self.home)

    def all(self) -> list[Connection]:
        found = {
            n: Connection(n, self.resolve(make_url(u)), "environment")
            for n, u in self._environment().items()
        }
        for name, entry in self._entries().items():
            found.setdefault(
                name,
                Connection(
                    name,
                    self.resolve(make_url(entry["url"])),
                    password_secret=entry.get("password_secret"),
                ),
            )
        return [found[n] for n in sorted(found)]

    def get(self, name: str) -> Connection:
        for connection in self.all():
            if connection.name == name:
                return connection
        raise NotFound(f"no connection named {name!r}", [{"field": "connection"}])

    def for_use(self, name: str) -> Connection:
        """The connection `name`, ready for an engine: its password read from its secret
        if it takes it from one."""
        return self.with_password(self.get(name))

    def with_password(self, connection: Connection) -> Connection:
        secret = connection.password_secret
        if not secret:
            return connection
        if self.secrets is None:
            raise ValidationError(
                f"connection {connection.name!r}: its password is your secret {secret!r}, "
                "which cannot be read here (only in your server, a notebook or a flow run)",
                [{"field": "password_secret"}],
            )
        try:
            value = self.secrets(secret)
        except LookupError:
            raise ValidationError(
                f"connection {connection.name!r}: its password is your secret {secret!r}, "
                "which does not exist: add it in the Secrets panel",
                [{"field": "password_secret"}],
            ) from None
        return replace(connection, url=connection.url.set(password=value))

    def save(self, name: str, body: Mapping[str, Any], *, keep_password: bool = True) -> Connection:
        if not NAME.match(name):
            raise ValidationError(
                "name: a letter, then letters, digits, '-' or '_' (64 at most)", [{"field": "name"}]
            )
        if name.lower() in self._environment():
            raise Forbidden(f"connection {name!r} is set by the admin and read-only")
        url = url_from(body)
        own = self._entries()
        old = own.get(name)
        secret = password_secret_of(body, url, old.get("password_secret") if old else None)
        if keep_password and old is not None:
            url = kept_secrets(url, make_url(old["url"]), body)
        if secret:  # the password is the secret's: none in the file (set() keeps on None)
            url = url._replace(password=None)
        entry = {"url": stored(url, self.home).render_as_string(hide_password=False)}
        if secret:
            entry["password_secret"] = secret
        own[name] = entry
        self._write(own)
        return Connection(name, self.resolve(url), password_secret=secret)

    def delete(self, name: str) -> None:
        if name.lower() in self._environment():
            raise Forbidden(f"connection {name!r} is set by the admin and read-only")
        own = self._entries()
        if name not in own:
            raise NotFound(f"no connection named {name!r}", [{"field": "connection"}])
        del own[name]
        self._write(own)

    def _write(self, own: dict[str, dict[str, str]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        payload = json.dumps({"connections": dict(sorted(own.items()))}, indent=2)
        fd, partial = tempfile.mkstemp(dir=self.path.parent, prefix=".connections-")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(payload)
            os.replace(partial, self.path)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
