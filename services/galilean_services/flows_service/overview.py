"""Every flow's recent runs and schedules, for the hub's usage dashboard and admins: runs of
the last `days` days, failures first, then the newest; each schedule with its flow's last
scheduled run. No web framework."""

from __future__ import annotations

import json
import time
from typing import Any

import sqlalchemy as sa

from .tables import flows, runs, schedules

ERROR_CHARS = 300


def error_text(stored: str | None) -> str:
    """A run's error as one line: its node and message (stored as JSON)."""
    if not stored:
        return ""
    try:
        error = json.loads(stored)
    except ValueError:
        return stored[:ERROR_CHARS]
    if isinstance(error, dict):
        node = f"{error['node']}: " if error.get("node") else ""
        return f"{node}{error.get('message', '')}"[:ERROR_CHARS]
    return str(error)[:ERROR_CHARS]


def overview(
    engine: sa.engine.Engine, days: float = 7, limit: int = 50, now: float | None = None
) -> dict[str, Any]:
    since = (time.time() if now is None else now) - days * 86400
    failed_first = sa.case((runs.c.status == "failed", 0), else_=1)
    recent = (
        sa.select(
            runs.c.id,
            runs.c.flow_id,
            flows.c.name.label("flow"),
            flows.c.owner,
            runs.c.version,
            runs.c.caller,
            runs.c.trigger,
            runs.c.status,
            runs.c.created,
            runs.c.ended,
            runs.c.error,
        )
        .join(flows, flows.c.id == runs.c.flow_id)
        .where(runs.c.created >= since)
        .order_by(failed_first, runs.c.created.desc())
        .limit(limit)
    )
    counts = (
        sa.select(runs.c.status, sa.func.count())
        .where(runs.c.created >= since)
        .group_by(runs.c.status)
    )
    last_scheduled = (
        sa.select(runs.c.flow_id, sa.func.max(runs.c.created).label("created"))
        .where(runs.c.trigger == "schedule")
        .group_by(runs.c.flow_id)
        .subquery()
    )
    planned = (
        sa.select(
            schedules.c.flow_id,
            flows.c.name.label("flow"),
            flows.c.owner,
            schedules.c.cron,
            schedules.c.enabled,
            schedules.c.next_run,
            schedules.c.last_run,
            runs.c.status.label("last_status"),
        )
        .join(flows, flows.c.id == schedules.c.flow_id)
        .outerjoin(last_scheduled, last_scheduled.c.flow_id == schedules.c.flow_id)
        .outerjoin(
            runs,
            (runs.c.flow_id == schedules.c.flow_id)
            & (runs.c.created == last_scheduled.c.created)
            & (runs.c.trigger == "schedule"),
        )
        .order_by(sa.case((runs.c.status == "failed", 0), else_=1), schedules.c.next_run.asc())
    )
    with engine.connect() as con:
        found_runs = [dict(row) for row in con.execute(recent).mappings()]
        totals = {status: int(count) for status, count in con.execute(counts)}
        found_schedules = [dict(row) for row in con.execute(planned).mappings()]
    for run in found_runs:
        run["error"] = error_text(run["error"])
    return {"days": days, "totals": totals, "runs": found_runs, "schedules": found_schedules}
