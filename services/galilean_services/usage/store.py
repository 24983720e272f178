"""What the usage service keeps: samples of every running workspace (CPU, memory, disk),
events (a workspace culled, kept because pinned, stopped by an admin) and pins (workspaces
the idle culler must leave running). Samples and events older than the retention are
deleted as new ones come. SQLite in embedded mode, the hub's PostgreSQL in docker mode.
No web framework."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..kit.sql_store import open_engine

metadata = sa.MetaData()

samples = sa.Table(
    "galilean_usage_samples",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Float, nullable=False, index=True),
    sa.Column("user", sa.String(255), nullable=False),
    sa.Column("server", sa.String(255), nullable=False),
    sa.Column("cpu", sa.Float, nullable=False),  # percent of one core
    sa.Column("memory", sa.BigInteger, nullable=False),  # bytes
    sa.Column("memory_limit", sa.BigInteger),
    sa.Column("cpu_limit", sa.Float),
    sa.Column("disk", sa.BigInteger),  # bytes of the workspace's home; None: not measured
)

events = sa.Table(
    "galilean_usage_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Float, nullable=False, index=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("user", sa.String(255), nullable=False),
    sa.Column("server", sa.String(255), nullable=False),
    sa.Column("detail", sa.String(500), nullable=False, server_default=""),
)

pins = sa.Table(
    "galilean_usage_pins",
    metadata,
    sa.Column("user", sa.String(255), primary_key=True),
    sa.Column("server", sa.String(255), primary_key=True),
    sa.Column("by", sa.String(255), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)

CULLED = "culled"
KEPT_PINNED = "kept-pinned"
STOPPED = "stopped-by-admin"
PROFILE = "profile-changed"
QUOTA = "quota-changed"


@dataclass(frozen=True)
class Sample:
    user: str
    server: str
    cpu: float
    memory: int
    memory_limit: int | None = None
    cpu_limit: float | None = None
    disk: int | None = None
    at: float = 0.0


class UsageStore:
    """`retention`: seconds samples and events are kept; `clock`: seconds since the epoch."""

    def __init__(self, url: str, retention: float, clock: Callable[[], float] = time.time) -> None:
        self.engine = open_engine(url)
        self.retention = retention
        self.clock = clock
        metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # -- samples --------------------------------------------------------------------------

    def record(self, taken: Iterable[Sample]) -> None:
        """Keep these samples (taken now unless they say when) and forget the old."""
        now = self.clock()
        rows = [{**asdict(sample), "at": sample.at or now} for sample in taken]
        with self.engine.begin() as con:
            if rows:
                con.execute(samples.insert(), rows)
            self._forget(con, now)

    def _forget(self, con: sa.Connection, now: float) -> None:
        cutoff = now - self.retention
        con.execute(samples.delete().where(samples.c.at < cutoff))
        con.execute(events.delete().where(events.c.at < cutoff))

    def latest(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Each workspace's newest sample, with the newest disk size measured for it."""
        newest = (
            sa.select(samples.c.user, samples.c.server, sa.func.max(samples.c.at).label("at"))
            .group_by(samples.c.user, samples.c.server)
            .subquery()
        )
        query = sa.select(samples).join(
            newest,
            (samples.c.user == newest.c.user)
            & (samples.c.server == newest.c.server)
            & (samples.c.at == newest.c.at),
        )
        found: dict[tuple[str, str], dict[str, Any]] = {}
        with self.engine.connect() as con:
            for row in con.execute(query).mappings():
                found[(row["user"], row["server"])] = dict(row)
            disks = con.execute(
                sa.select(samples.c.user, samples.c.server, samples.c.disk)
                .where(samples.c.disk.is_not(None))
                .order_by(samples.c.at)
            )
            for user, server, disk in disks:
                if (user, server) in found:
                    found[(user, server)]["disk"] = disk
        return found

    def series(self, since: float) -> dict[tuple[str, str], list[tuple[float, float, int]]]:
        """(at, cpu, memory) of each workspace since `since`, oldest first."""
        query = (
            sa.select(samples.c.user, samples.c.server, samples.c.at, samples.c.cpu)
            .add_columns(samples.c.memory)
            .where(samples.c.at >= since)
            .order_by(samples.c.at)
        )
        found: dict[tuple[str, str], list[tuple[float, float, int]]] = {}
        with self.engine.connect() as con:
            for user, server, at, cpu, memory in con.execute(query):
                found.setdefault((user, server), []).append((at, cpu, memory))
        return found

    # -- events ---------------------------------------------------------------------------

    def event(self, kind: str, user: str, server: str, detail: str = "") -> None:
        now = self.clock()
        with self.engine.begin() as con:
            con.execute(
                events.insert().values(
                    at=now, kind=kind, user=user, server=server, detail=detail[:500]
                )
            )
            self._forget(con, now)

    def last_event(self, user: str, server: str) -> dict[str, Any] | None:
        query = (
            sa.select(events)
            .where(events.c.user == user, events.c.server == server)
            .order_by(events.c.at.desc(), events.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as con:
            row = con.execute(query).mappings().first()
        return dict(row) if row else None

    def events(self, limit: int = 100) -> list[dict[str, Any]]:
        query = sa.select(events).order_by(events.c.at.desc(), events.c.id.desc()).limit(limit)
        with self.engine.connect() as con:
            return [dict(row) for row in con.execute(query).mappings()]

    # -- pins -----------------------------------------------------------------------------

    def pin(self, user: str, server: str, by: str) -> None:
        try:
            with self.engine.begin() as con:
                con.execute(pins.insert().values(user=user, server=server, by=by, at=self.clock()))
        except IntegrityError:
            pass  # pinned already

    def unpin(self, user: str, server: str) -> None:
        with self.engine.begin() as con:
            con.execute(pins.delete().where(pins.c.user == user, pins.c.server == server))

    def pinned(self) -> dict[tuple[str, str], dict[str, Any]]:
        with self.engine.connect() as con:
            return {
                (row["user"], row["server"]): dict(row)
                for row in con.execute(sa.select(pins)).mappings()
            }

    def is_pinned(self, user: str, server: str) -> bool:
        query = sa.select(pins.c.user).where(pins.c.user == user, pins.c.server == server)
        with self.engine.connect() as con:
            return con.execute(query).first() is not None
