"""Per-user secrets: name → value, each value encrypted with the vault's key (keys.py) in
one table of the hub's database (SQLite embedded, PostgreSQL in compose).

Names are like environment variables (a letter or _, then letters, digits, _; at most 64),
so a secret reads the same in Python, in a flow's parameters and in a connection form.
Values are text up to 64 KiB, at most MAX_SECRETS per user. Listing gives names and times,
never values; `reveal` is the one way to a value, for its owner's code. What is encrypted
is the owner, the name and the value together, checked on decryption: a row copied to
another owner or name in the database does not decrypt there. Nothing here logs or echoes
a value (the engine hides statement parameters from its errors), and a value that cannot
be decrypted (a lost key) says so by name instead of raising a cryptography error.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import InvalidToken, MultiFernet

from ..kit.errors import NotFound, ValidationError
from .names import check_name

MAX_VALUE_BYTES = 64 * 1024
MAX_SECRETS = 200  # per user
TABLE = "galilean_secrets"
metadata = sa.MetaData()
secrets_table = sa.Table(
    TABLE,
    metadata,
    sa.Column("owner", sa.String(255), primary_key=True),
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("token", sa.Text, nullable=False),  # the Fernet token of the value
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("updated", sa.Float, nullable=False),
)


@dataclass(frozen=True)
class SecretInfo:
    """What may be shown of a secret: never its value."""

    name: str
    created: float
    updated: float

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "created": self.created, "updated": self.updated}


def holds_secrets(engine: sa.engine.Engine) -> bool:
    """Whether the database already keeps secrets (under some key)."""
    if not sa.inspect(engine).has_table(TABLE):
        return False
    with engine.connect() as connection:
        return connection.execute(sa.select(secrets_table.c.name).limit(1)).first() is not None


def forget(engine: sa.engine.Engine, owner: str) -> int:
    """Delete every secret of `owner` (a user deleted from the hub: whoever later signs up
    under that name starts empty; no key needed); how many there were."""
    if not sa.inspect(engine).has_table(TABLE):
        return 0
    with engine.begin() as connection:
        gone = connection.execute(secrets_table.delete().where(secrets_table.c.owner == owner))
        return int(gone.rowcount or 0)


def check_value(value: Any, field: str = "value") -> str:
    if not isinstance(value, str):
        raise ValidationError(f"{field}: the secret's value must be text", [{"field": field}])
    if not value:
        raise ValidationError(f"{field}: the secret's value is empty", [{"field": field}])
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate: not text that can be kept
        raise ValidationError(
            f"{field}: the secret's value is not valid Unicode text", [{"field": field}]
        ) from None
    if size > MAX_VALUE_BYTES:
        raise ValidationError(
            f"{field}: a secret's value is at most {MAX_VALUE_BYTES // 1024} KiB",
            [{"field": field}],
        )
    return value


class Vault:
    def __init__(
        self,
        engine: sa.engine.Engine,
        keys: MultiFernet,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine, self.keys, self.clock = engine, keys, clock
        metadata.create_all(engine)

    def names(self, owner: str) -> list[SecretInfo]:
        """The owner's secrets, by name (no values)."""
        query = (
            sa.select(secrets_table.c.name, secrets_table.c.created, secrets_table.c.updated)
            .where(secrets_table.c.owner == owner)
            .order_by(secrets_table.c.name)
        )
        with self.engine.connect() as connection:
            return [SecretInfo(*row) for row in connection.execute(query)]

    def put(self, owner: str, name: Any, value: Any) -> tuple[SecretInfo, bool]:
        """Add or replace a secret; (what may be shown of it, whether it is new)."""
        name, value = check_name(name), check_value(value)
        token = self.keys.encrypt(_sealed(owner, name, value)).decode("ascii")
        now = self.clock()
        key = (secrets_table.c.owner == owner) & (secrets_table.c.name == name)
        with self.engine.begin() as connection:
            created = connection.execute(sa.select(secrets_table.c.created).where(key)).scalar()
            if created is None:
                if self.count(owner, connection) >= MAX_SECRETS:
                    raise ValidationError(
                        f"name: you have {MAX_SECRETS} secrets, the most one may keep: "
                        "delete one first",
                        [{"field": "name"}],
                        status=409,
                    )
                connection.execute(
                    secrets_table.insert().values(
                        owner=owner, name=name, token=token, created=now, updated=now
                    )
                )
                return SecretInfo(name, now, now), True
            connection.execute(secrets_table.update().where(key).values(token=token, updated=now))
            return SecretInfo(name, created, now), False

    def delete(self, owner: str, name: Any) -> None:
        name = check_name(name)
        key = (secrets_table.c.owner == owner) & (secrets_table.c.name == name)
        with self.engine.begin() as connection:
            if connection.execute(secrets_table.delete().where(key)).rowcount == 0:
                raise self._missing(name)

    def reveal(self, owner: str, name: Any) -> str:
        """The value, for its owner's code (a kernel's `secrets.get`)."""
        name = check_name(name)
        key = (secrets_table.c.owner == owner) & (secrets_table.c.name == name)
        with self.engine.connect() as connection:
            token = connection.execute(sa.select(secrets_table.c.token).where(key)).scalar()
        if token is None:
            raise self._missing(name)
        try:
            return _opened(self.keys.decrypt(token.encode("ascii")), owner, name)
        except InvalidToken:
            raise ValidationError(
                f"secret {name!r} cannot be decrypted with the vault's key (was "
                "GALILEAN_VAULT_KEY changed without keeping the old key after it?)",
                [{"field": "name", "name": name}],
                status=409,
            ) from None

    def count(self, owner: str, connection: sa.engine.Connection | None = None) -> int:
        query = sa.select(sa.func.count()).where(secrets_table.c.owner == owner)
        if connection is not None:
            return int(connection.execute(query).scalar() or 0)
        with self.engine.connect() as own:
            return int(own.execute(query).scalar() or 0)

    def rotate(self) -> int:
        """Re-encrypt every value with the first key (after a new key was put first);
        the number of values re-encrypted."""
        with self.engine.begin() as connection:
            rows = connection.execute(
                sa.select(secrets_table.c.owner, secrets_table.c.name, secrets_table.c.token)
            ).all()
            for owner, name, token in rows:
                fresh = self.keys.rotate(token.encode("ascii")).decode("ascii")
                connection.execute(
                    secrets_table.update()
                    .where((secrets_table.c.owner == owner) & (secrets_table.c.name == name))
                    .values(token=fresh)
                )
        return len(rows)

    @staticmethod
    def _missing(name: str) -> NotFound:
        return NotFound(f"no secret named {name!r}", [{"field": "name", "name": name}])


def _sealed(owner: str, name: str, value: str) -> bytes:
    """What is encrypted: the value bound to its owner and name."""
    return json.dumps({"owner": owner, "name": name, "value": value}).encode("utf-8")


def _opened(plain: bytes, owner: str, name: str) -> str:
    """The value, if it was sealed for this owner and name (else as a wrong key would)."""
    try:
        sealed = json.loads(plain)
    except ValueError:
        raise InvalidToken from None
    if not isinstance(sealed, dict) or (sealed.get("owner"), sealed.get("name")) != (owner, name):
        raise InvalidToken
    return str(sealed["value"])
