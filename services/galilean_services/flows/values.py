"""Arrow/Python values as JSON (dates as ISO text, decimals as numbers)."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any


def jsonable(value: Any) -> Any:
    """`json.dumps(..., default=jsonable)`: what JSON does not know, made plain."""
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)
