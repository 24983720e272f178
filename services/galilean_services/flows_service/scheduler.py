"""Cron schedules, run by the service (a culled user server does not stop them).

Times are UTC. A cron expression has five fields (minute hour day month weekday) or six,
the sixth being seconds (croniter's convention).

Missed runs: when the service was down at a schedule's time, at start it either runs the
flow once for all the missed times (`once`, the default: a nightly job still happens,
once, however long the outage) or skips them (`skip`) and waits for the next time.
While the service runs, a schedule that fell due several times between two checks also
runs once.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any

from croniter import CroniterBadDateError, croniter

from ..errors import ValidationError
from .store import Store

log = logging.getLogger("galilean.flows")
MISSED_POLICIES = ("once", "skip")


def check_cron(expression: str, now: float | None = None) -> float:
    """A 400 naming `cron` for an expression that is not one or never comes (`0 0 31 2 *`:
    the 31st of February); else its next time after `now`."""
    fields = expression.split()
    if len(fields) not in (5, 6) or not croniter.is_valid(expression):
        raise ValidationError(
            f"cron: {expression!r} is not a cron expression (five fields: minute hour day "
            "month weekday, and optionally seconds as a sixth)",
            [{"field": "cron"}],
        )
    when = next_after(expression, time.time() if now is None else now)
    if when is None:
        raise ValidationError(
            f"cron: {expression!r} names no date that exists (such as the 31st of February)",
            [{"field": "cron"}],
        )
    return when


def next_after(expression: str, when: float) -> float | None:
    """The expression's next time after `when`; None when it has none (croniter looks
    some years ahead and gives up: a day that no month has)."""
    start = dt.datetime.fromtimestamp(when, dt.UTC)
    try:
        return float(croniter(expression, start).get_next(float))
    except CroniterBadDateError:
        return None


class Scheduler:
    def __init__(
        self,
        store: Store,
        start_run: Callable[[dict[str, Any], str], None],
        grace: float = 60.0,
    ) -> None:
        """`start_run(schedule, trigger)` starts one run of the schedule's flow."""
        self.store = store
        self.start_run = start_run
        self.grace = grace

    def catch_up(self, now: float) -> list[int]:
        """At start: apply each schedule's missed-run policy; returns flows run now."""
        ran: list[int] = []
        for schedule in self.store.schedules():
            due = schedule["next_run"]
            if due is None or due > now:
                continue
            missed = due < now - self.grace
            if not missed or schedule["missed"] == "once":
                self._fire(schedule, now, "schedule (missed)" if missed else "schedule")
                ran.append(schedule["flow_id"])
            else:
                log.info("flow %s: skipped runs missed since %s", schedule["flow_id"], due)
                self.store.update_schedule(
                    schedule["flow_id"], next_run=next_after(schedule["cron"], now)
                )
        return ran

    def tick(self, now: float) -> list[int]:
        """Start every schedule that is due; returns the flows started."""
        ran: list[int] = []
        for schedule in self.store.schedules():
            if schedule["next_run"] is not None and schedule["next_run"] <= now:
                self._fire(schedule, now, "schedule")
                ran.append(schedule["flow_id"])
        return ran

    def _fire(self, schedule: dict[str, Any], now: float, trigger: str) -> None:
        self.store.update_schedule(
            schedule["flow_id"], last_run=now, next_run=next_after(schedule["cron"], now)
        )
        try:
            self.start_run(schedule, trigger)
        except Exception:  # one broken schedule must not stop the others
            log.exception("flow %s: the scheduled run did not start", schedule["flow_id"])
