"""The query of the `items` and `stats` routes, checked before any worker runs: URL query
parameters (text) become the typed arguments a worker gets, each refusal an Invalid naming
the parameter. Tables take table, sort, desc and where (a JSON list of {column, op, value});
files datasets (labelled images) take split, label, min_score, max_score, q and thumbnails
(a size in pixels, as labels/thumbnails.py draws them);
both take snapshot, offset and limit (items) or snapshot (stats). No database here: the
worker checks the columns against the table's schema (table_items.py)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from galilean_services.datasets.model import Invalid

OPS = ("=", "!=", "<", "<=", ">", ">=", "contains", "starts_with", "in", "is_null", "not_null")
NULL_OPS = ("is_null", "not_null")
DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
MAX_CONDITIONS = 32
MAX_IN_VALUES = 1000
MAX_TEXT = 1000
MAX_WHERE = 64 * 1024
INT64_MAX = 2**63 - 1

COMMON_ITEMS = ("snapshot", "offset", "limit")
ITEMS = {
    "tables": (*COMMON_ITEMS, "table", "sort", "desc", "where"),
    "files": (*COMMON_ITEMS, "split", "label", "min_score", "max_score", "q", "thumbnails"),
}
STATS = {"tables": ("snapshot", "table"), "files": ("snapshot",)}


def _whole(text: str, field: str, low: int, high: int, meaning: str) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 19 or not low <= int(text) <= high:
        raise Invalid(f"{field}: {meaning}", field=field)
    return int(text)


def _score(text: str, field: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise Invalid(f"{field}: a number", field=field)
    return value


def _flag(text: str, field: str) -> bool:
    if text.lower() in ("true", "1", "yes"):
        return True
    if text.lower() in ("false", "0", "no"):
        return False
    raise Invalid(f"{field}: true or false", field=field)


def _text(text: str, field: str) -> str:
    if not text or len(text) > MAX_TEXT or "\x00" in text:
        raise Invalid(f"{field}: a non-empty text (at most {MAX_TEXT} characters)", field=field)
    return text


def _scalar(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return -INT64_MAX - 1 <= value <= INT64_MAX
    return isinstance(value, str | bool)


def check_condition(condition: Any, index: int) -> dict[str, Any]:
    """One {column, op, value}: value a scalar, a list of them for `in`, none for the
    null tests."""
    where = f"where[{index}]"
    if not isinstance(condition, dict) or set(condition) - {"column", "op", "value"}:
        raise Invalid(f"{where}: an object {{column, op, value}}", field="where")
    column, op = condition.get("column"), condition.get("op")
    if not isinstance(column, str) or not column or len(column) > 255:
        raise Invalid(f"{where}.column: a column name", field="where")
    if op not in OPS:
        raise Invalid(f"{where}.op: one of {', '.join(OPS)}", field="where")
    value = condition.get("value")
    if op in NULL_OPS:
        if value is not None:
            raise Invalid(f"{where}.value: {op} takes no value", field="where")
    elif op == "in":
        if (
            not isinstance(value, list)
            or not 1 <= len(value) <= MAX_IN_VALUES
            or not all(_scalar(v) for v in value)
        ):
            raise Invalid(
                f"{where}.value: a list of 1 to {MAX_IN_VALUES} texts or numbers", field="where"
            )
    elif not _scalar(value) or (op in ("contains", "starts_with") and not isinstance(value, str)):
        kind = "a text" if op in ("contains", "starts_with") else "a text, number or boolean"
        raise Invalid(f"{where}.value: {kind}", field="where")
    return {"column": column, "op": op, "value": value}


def check_where(conditions: Any) -> list[dict[str, Any]]:
    """The decoded `where`: a list of conditions, all of which a row must meet."""
    if not isinstance(conditions, list) or len(conditions) > MAX_CONDITIONS:
        raise Invalid(
            f"where: a JSON list of at most {MAX_CONDITIONS} {{column, op, value}}", field="where"
        )
    return [check_condition(condition, index) for index, condition in enumerate(conditions)]


def _where(text: str, field: str) -> list[dict[str, Any]]:
    if len(text) > MAX_WHERE:
        raise Invalid(f"where: at most {MAX_WHERE} characters", field=field)
    try:
        decoded = json.loads(text, parse_constant=lambda name: math.nan)
    except ValueError:
        raise Invalid("where: JSON, a list of {column, op, value}", field=field) from None
    return check_where(decoded)


PARSERS: dict[str, Callable[[str, str], Any]] = {
    "snapshot": lambda t, f: _whole(t, f, 1, INT64_MAX, "a snapshot number (1 or more)"),
    "offset": lambda t, f: _whole(t, f, 0, INT64_MAX, "a row number (0 or more)"),
    "limit": lambda t, f: _whole(t, f, 1, MAX_LIMIT, f"1 to {MAX_LIMIT}"),
    "table": _text,
    "sort": _text,
    "desc": _flag,
    "where": _where,
    "split": _text,
    "label": _text,
    "q": _text,
    "min_score": _score,
    "max_score": _score,
    "thumbnails": lambda t, f: _whole(t, f, 16, 512, "a thumbnail size in pixels, 16 to 512"),
}


def _parsed(query: Mapping[str, Sequence[str]], known: Sequence[str]) -> dict[str, Any]:
    args: dict[str, Any] = {}
    for name, values in query.items():
        if name not in known:
            raise Invalid(f"{name}: not a parameter here: {', '.join(known)}", field=name)
        if len(values) != 1:
            raise Invalid(f"{name}: given more than once", field=name)
        args[name] = PARSERS[name](values[0], name)
    return args


def _driver(driver: str, known: Mapping[str, Sequence[str]]) -> Sequence[str]:
    if driver not in known:
        raise Invalid(f"driver {driver!r} has no items", field="driver")
    return known[driver]


def parse_items(query: Mapping[str, Sequence[str]], driver: str) -> dict[str, Any]:
    """The items route's arguments, with offset and limit filled in."""
    args = _parsed(query, _driver(driver, ITEMS))
    lows, highs = args.get("min_score"), args.get("max_score")
    if lows is not None and highs is not None and lows > highs:
        raise Invalid("min_score: above max_score", field="min_score")
    return {"offset": 0, "limit": DEFAULT_LIMIT, **args}


def parse_stats(query: Mapping[str, Sequence[str]], driver: str) -> dict[str, Any]:
    return _parsed(query, _driver(driver, STATS))
