"""Usage per user, model and day (UTC): requests and tokens, for budgets and the admin's
report. One row per (user, day, model), counted up after each answer; requests made with
the user's own provider key (own_keys.py) are counted in a table of their own, reported
but outside the budget. No web framework."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..kit.sql_store import open_engine

metadata = sa.MetaData()


def _table(name: str) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        sa.Column("user", sa.String(255), primary_key=True),
        sa.Column("day", sa.String(10), primary_key=True),  # YYYY-MM-DD, UTC
        sa.Column("model", sa.String(64), primary_key=True),
        sa.Column("requests", sa.Integer, nullable=False, server_default="0"),
        sa.Column("prompt_tokens", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("completion_tokens", sa.BigInteger, nullable=False, server_default="0"),
    )


usage = _table("ai_usage")  # the admin's keys: what budgets count
own_usage = _table("ai_usage_own_key")  # users' own keys


@dataclass(frozen=True)
class Today:
    requests: int
    tokens: int


class UsageStore:
    def __init__(self, url: str, clock: Callable[[], float] = time.time) -> None:
        self.engine = open_engine(url)
        self.clock = clock
        metadata.create_all(self.engine)

    def day(self, offset: int = 0) -> str:
        moment = datetime.fromtimestamp(self.clock(), UTC) - timedelta(days=offset)
        return moment.strftime("%Y-%m-%d")

    def today(self, user: str) -> Today:
        query = sa.select(
            sa.func.coalesce(sa.func.sum(usage.c.requests), 0),
            sa.func.coalesce(sa.func.sum(usage.c.prompt_tokens + usage.c.completion_tokens), 0),
        ).where(usage.c.user == user, usage.c.day == self.day())
        with self.engine.connect() as con:
            requests, tokens = con.execute(query).one()
        return Today(int(requests), int(tokens))

    def add(
        self,
        user: str,
        model: str,
        prompt_tokens: int,
        completion_tokens: int,
        own_key: bool = False,
    ) -> None:
        table = own_usage if own_key else usage
        day = self.day()  # once: a request at midnight counts on one day
        key = (table.c.user == user) & (table.c.day == day) & (table.c.model == model)
        counts = {
            "requests": table.c.requests + 1,
            "prompt_tokens": table.c.prompt_tokens + max(0, prompt_tokens),
            "completion_tokens": table.c.completion_tokens + max(0, completion_tokens),
        }
        for _ in range(3):  # two first requests of a day may race to insert the row
            with self.engine.begin() as con:
                if con.execute(table.update().where(key).values(**counts)).rowcount:
                    return
                try:
                    con.execute(
                        table.insert().values(
                            user=user,
                            day=day,
                            model=model,
                            requests=1,
                            prompt_tokens=max(0, prompt_tokens),
                            completion_tokens=max(0, completion_tokens),
                        )
                    )
                    return
                except IntegrityError:
                    continue

    def report(self, days: int = 30, user: str | None = None) -> list[dict[str, Any]]:
        """Rows of the last `days` days (one user's, or everyone's), newest first; each
        says whether it was made with the user's own key (`own_key`)."""
        rows: list[dict[str, Any]] = []
        for table, own in ((usage, False), (own_usage, True)):
            query = table.select().where(table.c.day >= self.day(days - 1))
            if user is not None:
                query = query.where(table.c.user == user)
            with self.engine.connect() as con:
                rows += [{**row._mapping, "own_key": own} for row in con.execute(query)]
        rows.sort(key=lambda r: (r["user"], r["model"], r["own_key"]))
        rows.sort(key=lambda r: r["day"], reverse=True)
        return rows

    def close(self) -> None:
        self.engine.dispose()
