"""Per-user secrets: name → value, each value encrypted with the vault's key (keys.py) in
one table of the hub's database (SQLite embedded, PostgreSQL in compose).

Names are like environment variables (a letter or _, then letters, digits, _; at most 64),
so a secret reads the same in Python, in a flow's parameters and in a connection form.
Values are text up to 64 KiB. Listing gives names and times, never values; `reveal` is
the one way to a value, for its owner's code. Nothing here logs or echoes a value, and a
value that cannot be decrypted (a lost key) says so by name instead of raising a
cryptography error.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import InvalidToken, MultiFernet

from ..kit.errors import NotFound, ValidationError

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
MAX_VALUE_BYTES = 64 * 1024
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


def check_name(name: Any, field: str = "name") -> str:
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise ValidationError(
            f"{field}: a secret's name is a letter or _, then letters, digits or _ (at most 64)",
            [{"field": field}],
        )
    return name


def check_value(value: Any, field: str = "value") -> str:
    if not isinstance(value, str):
        raise ValidationError(f"{field}: the secret's value must be text", [{"field": field}])
    if not value:
        raise ValidationError(f"{field}: the secret's value is empty", [{"field": field}])
    if len(value.encode("utf-8")) > MAX_VALUE_BYTES:
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
        token = self.keys.encrypt(value.encode("utf-8")).decode("ascii")
        now = self.clock()
        key = (secrets_table.c.owner == owner) & (secrets_table.c.name == name)
        with self.engine.begin() as connection:
            created = connection.execute(sa.select(secrets_table.c.created).where(key)).scalar()
            if created is None:
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
            return self.keys.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise ValidationError(
                f"secret {name!r} cannot be decrypted with the vault's key (was "
                "GALILEAN_VAULT_KEY changed without keeping the old key after it?)",
                [{"field": "name", "name": name}],
                status=409,
            ) from None

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
