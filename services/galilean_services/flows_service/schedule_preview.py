"""A cron expression read aloud and its next times, for the designer's schedule editor.

The reading comes from cron-descriptor (a maintained library); the times from croniter,
as the scheduler computes them (scheduler.py). The scheduler runs in UTC; `timezone`
only changes how the next times are shown (and the reading names it).
"""

from __future__ import annotations

import datetime as dt
import functools
import time
import zoneinfo
from typing import Any

from ..kit.errors import ValidationError
from .scheduler import check_cron, next_after

COUNT = 5


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


def zone(name: Any) -> zoneinfo.ZoneInfo:
    """An IANA time zone: only a name the system's time zone database lists (a path or
    any other text: 400 naming `timezone`, never a file opened)."""
    if not isinstance(name, str) or name not in _zone_names():
        shown = repr(name)[:80]
        raise ValidationError(
            f"timezone: {shown} is not an IANA time zone name such as 'UTC' or 'Europe/Paris'",
            [{"field": "timezone"}],
        )
    return zoneinfo.ZoneInfo(name)


def reading(expression: str) -> str:
    """English for the expression, e.g. "At 06:00" (croniter's sixth field is seconds,
    cron-descriptor's first: moved before it is read); "cron <expression>" when the
    library cannot read it (or is not installed)."""
    fields = expression.split()
    if len(fields) == 6:
        fields = [fields[5], *fields[:5]]
    try:
        from cron_descriptor import ExpressionDescriptor, Options

        options = Options(locale_code="en_US", use_24hour_time_format=True)
        return str(ExpressionDescriptor(" ".join(fields), options).get_description())
    except Exception:  # an expression croniter takes and it does not: say it plainly
        return f"cron {expression}"


def next_times(expression: str, tz: zoneinfo.ZoneInfo, now: float, count: int = COUNT) -> list[str]:
    """The expression's next `count` times after `now` (UTC, as the scheduler runs
    them), in ISO 8601 in `tz`."""
    times: list[str] = []
    when = now
    while len(times) < count:
        found = next_after(expression, when)
        if found is None:
            break
        when = found
        times.append(dt.datetime.fromtimestamp(when, tz).isoformat())
    return times


def preview(body: dict[str, Any], now: float | None = None) -> dict[str, Any]:
    """{cron, timezone?} → {text, next: [5 ISO times], timezone}; 400 naming `cron` or
    `timezone`."""
    cron = body.get("cron")
    if not isinstance(cron, str) or not cron.strip() or len(cron) > 128:
        raise ValidationError("cron: a cron expression is required", [{"field": "cron"}])
    name = body.get("timezone", "UTC")
    tz = zone(name)
    now = time.time() if now is None else now
    check_cron(cron, now)  # 400 naming cron
    return {
        "cron": cron,
        "text": f"{reading(cron)} (UTC)",
        "next": next_times(cron, tz, now),
        "timezone": name,
    }
