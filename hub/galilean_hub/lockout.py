"""Failed logins counted per (account, client address), kept in the hub's database.

NativeAuthenticator counts failures per account in memory: five wrong passwords from
anywhere lock the account, the admin's included, for everyone, and a restart forgets it.
Here an address that failed `GALILEAN_LOGIN_MAX_FAILURES` times for an account waits
`GALILEAN_LOGIN_LOCKOUT_SECONDS` before trying that account again, and each further failure
doubles the wait (up to GALILEAN_LOGIN_LOCKOUT_MAX_SECONDS): the owner, from another
address, is not affected. Unknown accounts are counted and locked exactly like real ones,
so a lockout says nothing about which names exist. The rows live in a table of our own
(``galilean_login_failures``) in the hub's database (SQLite or PostgreSQL), created when
missing, so lockouts outlive a restart; an admin lifts one on the authorization page.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Column, DateTime, Engine, Integer, MetaData, Table, Unicode, delete, select
from sqlalchemy.orm import Session

from .client_address import ProxyTrust
from .settings import Settings

ACCOUNT_MAX = 255
ADDRESS_MAX = 64
# Doubling stops mattering long before this (2**40 s is 35 000 years).
MAX_DOUBLINGS = 40

metadata = MetaData()
failures_table = Table(
    "galilean_login_failures",
    metadata,
    Column("account", Unicode(ACCOUNT_MAX), primary_key=True),
    Column("address", Unicode(ADDRESS_MAX), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure", DateTime, nullable=False, index=True),
    Column("locked_until", DateTime, nullable=True),
)


def naive_utc(seconds: float) -> datetime:
    """Seconds since the epoch as naive UTC (what SQLite and a DateTime column without
    zone keep)."""
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


def create_table(engine: Engine | Any) -> None:
    failures_table.create(engine, checkfirst=True)


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int
    first_seconds: int
    max_seconds: int

    def wait_after(self, failures: int) -> int:
        """Seconds an address waits after its `failures`-th failure in a row."""
        if self.max_failures <= 0 or failures < self.max_failures:
            return 0
        doublings = min(failures - self.max_failures, MAX_DOUBLINGS)
        return int(min(self.max_seconds, self.first_seconds * 2**doublings))


@dataclass(frozen=True)
class Lockout:
    account: str
    address: str
    failures: int
    seconds_left: int

    @property
    def wait_text(self) -> str:
        """The time left in words a reader takes in at a glance ("598 s" is not)."""
        seconds = self.seconds_left
        if seconds < 120:
            return f"{seconds} s"
        minutes = math.ceil(seconds / 60)
        if minutes < 120:
            return f"{minutes} min"
        return f"{minutes // 60} h {minutes % 60} min"


class LockoutStore:
    """The failures table, read and written through the caller's session (the hub's).
    `clock` gives seconds since the epoch (tests pass a fake one)."""

    def __init__(self, policy: LockoutPolicy, clock: Callable[[], float] = time.time) -> None:
        self.policy = policy
        self.clock = clock

    def _now(self) -> datetime:
        return naive_utc(self.clock())

    @staticmethod
    def _key(account: str, address: str) -> tuple[str, str]:
        return account[:ACCOUNT_MAX], address[:ADDRESS_MAX]

    def _row(self, db: Session, account: str, address: str) -> Any:
        account, address = self._key(account, address)
        query = select(failures_table).where(
            failures_table.c.account == account, failures_table.c.address == address
        )
        return db.execute(query).first()

    def _left(self, locked_until: datetime | None, now: datetime) -> int:
        if locked_until is None or locked_until <= now:
            return 0
        return max(1, math.ceil((locked_until - now).total_seconds()))

    def remaining(self, db: Session, account: str, address: str) -> int:
        """Seconds this address still waits before trying this account (0: it may try)."""
        if self.policy.max_failures <= 0:
            return 0
        row = self._row(db, account, address)
        return self._left(row.locked_until, self._now()) if row is not None else 0

    def failed(self, db: Session, account: str, address: str) -> int:
        """Count a failure; returns the seconds the address must now wait (0: none)."""
        if self.policy.max_failures <= 0:
            return 0
        now = self._now()
        forgotten = now - timedelta(seconds=self.policy.max_seconds)
        key_account, key_address = self._key(account, address)
        try:
            # Failures that no longer count go (this one's earlier ones too, if that old),
            # so the table stays small.
            db.execute(delete(failures_table).where(failures_table.c.last_failure < forgotten))
            row = self._row(db, account, address)
            count = 1 if row is None else row.failures + 1
            wait = self.policy.wait_after(count)
            values = {
                "failures": count,
                "last_failure": now,
                "locked_until": now + timedelta(seconds=wait) if wait else None,
            }
            if row is None:
                db.execute(
                    failures_table.insert().values(
                        account=key_account, address=key_address, **values
                    )
                )
            else:
                db.execute(
                    failures_table.update()
                    .where(
                        failures_table.c.account == key_account,
                        failures_table.c.address == key_address,
                    )
                    .values(**values)
                )
            db.commit()
        except Exception:
            db.rollback()
            raise
        return wait

    def clear(self, db: Session, account: str, address: str) -> bool:
        """Forget this address's failures for this account (a success, or an admin's
        unlock); returns whether there were any."""
        key_account, key_address = self._key(account, address)
        try:
            done = db.execute(
                delete(failures_table).where(
                    failures_table.c.account == key_account,
                    failures_table.c.address == key_address,
                )
            )
            db.commit()
        except Exception:
            db.rollback()
            raise
        return bool(getattr(done, "rowcount", 0))

    def current(self, db: Session) -> list[Lockout]:
        """Lockouts in force now, the longest first."""
        now = self._now()
        query = (
            select(failures_table)
            .where(failures_table.c.locked_until > now)
            .order_by(failures_table.c.locked_until.desc(), failures_table.c.account)
        )
        return [
            Lockout(row.account, row.address, row.failures, self._left(row.locked_until, now))
            for row in db.execute(query)
        ]


def configure_lockout(c: Any, settings: Settings) -> None:
    """The lockout's settings (configurable-http-proxy already appends the address that
    connected to it to X-Forwarded-For: it does unless run with ``--no-x-forward``)."""
    ProxyTrust(settings.trusted_proxies)  # a wrong entry stops the hub, named
    c.GalileanAuthenticator.lockout_max_seconds = max(
        settings.login_lockout_max_seconds, settings.login_lockout_seconds
    )
    c.GalileanAuthenticator.trusted_proxies = list(settings.trusted_proxies)
