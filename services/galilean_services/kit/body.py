"""Request bodies: JSON parsed with the limits everything downstream needs, and checks of
their fields that answer a 400 naming the field. No web framework here."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from .errors import NotFound, ValidationError

MAX_JSON_BODY = 10 * 1024 * 1024
# Deeper JSON is refused: Python code that walks it (a schema check, repr in a message,
# json.dumps into the database) would hit the recursion limit and answer 500.
MAX_JSON_DEPTH = 64
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# Seen only in text that may hold a UTF-16 surrogate (alone, it is not Unicode: sqlite and
# PostgreSQL cannot store it): its escape, or its UTF-8-style bytes, which json.loads
# decodes with "surrogatepass".
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")


class _Unfit(Exception):
    pass


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _value_problem(value: Any) -> str:
    """Why one JSON scalar cannot be used (integers and floats beyond what the database
    and the engines hold, text that is not Unicode), or ""."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return "" if INT64_MIN <= value <= INT64_MAX else "an integer beyond 64 bits"
    if isinstance(value, float):
        return "" if math.isfinite(value) else "a number beyond the range of a double"
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "text with a lone UTF-16 surrogate (not Unicode)"
    return ""


def _checked_int(text: str) -> int:
    if len(text) < 19:  # fits 64 bits: the common case, kept cheap
        return int(text)
    value = int(text)
    if _value_problem(value):
        raise _Unfit(text)
    return value


def _checked_float(text: str) -> float:
    value = float(text)
    if _value_problem(value):
        raise _Unfit(text)
    return value


def _field(path: list[str | int]) -> str:
    """`["params", "x"]` → "params.x"; `["records", 0, "n"]` → "records[0].n"."""
    text = ""
    for part in path:
        if isinstance(part, str):  # a key may itself be what is wrong: keep it printable
            part = part.encode("utf-8", "backslashreplace").decode("utf-8")
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "body"


def _within_depth(data: Any) -> bool:
    level = [data] if type(data) is dict or type(data) is list else []
    for _ in range(MAX_JSON_DEPTH):
        inner: list[Any] = []
        for value in level:
            values = value.values() if type(value) is dict else value
            inner += [v for v in values if type(v) is dict or type(v) is list]
        if not inner:
            return True
        level = inner
    return False


def _unicode(raw: bytes, data: Any) -> bool:
    """False when some text in the body (parsed: `data`) holds a lone surrogate."""
    if (b"\\u" not in raw and b"\xed" not in raw) or not _SURROGATE.search(raw):
        return True
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_json(data: Any) -> None:
    """A 400 naming the first place where parsed JSON is nested deeper than
    MAX_JSON_DEPTH or holds a value `_value_problem` refuses (slow: run to find it)."""
    # (value, depth, path): iterative, so a deep document cannot exhaust the stack.
    stack: list[tuple[Any, int, list[str | int]]] = [(data, 0, [])]
    while stack:
        value, depth, path = stack.pop()
        if isinstance(value, dict):
            items: Any = value.items()
        elif isinstance(value, list):
            items = enumerate(value)
        else:
            if _value_problem(value):
                raise ValidationError(
                    f"{_field(path)}: {_value_problem(value)}", [{"field": _field(path)}]
                )
            continue
        if depth >= MAX_JSON_DEPTH:  # named by its top-level field, not 64 levels of path
            where = _field(path[:1]) if path and isinstance(path[0], str) else "body"
            raise ValidationError(
                f"{where}: JSON nested deeper than {MAX_JSON_DEPTH} levels", [{"field": where}]
            )
        for key, item in items:
            if isinstance(key, str) and _value_problem(key):
                where = _field([*path, key])
                raise ValidationError(f"{where}: {_value_problem(key)}", [{"field": where}])
            stack.append((item, depth + 1, [*path, key]))


def json_body(raw: bytes) -> Any:
    """A request body as JSON (empty: {}); a 400 naming the body or the field when it is
    not JSON, is nested more than MAX_JSON_DEPTH deep, or holds an integer beyond 64
    bits, a number beyond a double, or text with a lone surrogate (nothing downstream can
    keep those: the database refuses them, Python's recursion limit stops at depth)."""
    if not raw:
        return {}
    if len(raw) > MAX_JSON_BODY:
        raise ValidationError(f"body: larger than {MAX_JSON_BODY // 2**20} MB", [{"field": "body"}])
    try:
        data = json.loads(
            raw, parse_int=_checked_int, parse_float=_checked_float, parse_constant=_no_constant
        )
    except _Unfit:
        data, fits = json.loads(raw), False
    except RecursionError:
        raise ValidationError(
            f"body: JSON nested deeper than {MAX_JSON_DEPTH} levels", [{"field": "body"}]
        ) from None
    except ValueError as exc:
        raise ValidationError(f"body: not JSON ({exc})", [{"field": "body"}]) from None
    else:
        fits = _unicode(raw, data)
    if not fits or not _within_depth(data):
        check_json(data)  # slower: finds the place and names it
    return data


def json_object(raw: bytes) -> dict[str, Any]:
    """A request body that must be a JSON object."""
    data = json_body(raw)
    if not isinstance(data, dict):
        raise ValidationError("body: a JSON object is required", [{"field": "body"}])
    return data


# -- fields of a JSON object body: each refusal is a 400 naming the field ------------------


def text(body: dict[str, Any], key: str, default: str | None = None, limit: int = 255) -> str:
    """A text field; `default` None: required and not blank."""
    value = body.get(key, default)
    if not isinstance(value, str) or (default is None and not value.strip()):
        what = "a non-empty text" if default is None else "a text"
        raise ValidationError(f"{key}: {what} is required", [{"field": key}])
    if len(value) > limit:
        raise ValidationError(f"{key}: at most {limit} characters", [{"field": key}])
    return value


def names(body: dict[str, Any], key: str, what: str) -> list[str] | None:
    """A list of non-empty texts (`what`: "group names"), or None when absent."""
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValidationError(f"{key}: a list of {what} is required", [{"field": key}])
    return value


def mapping(body: dict[str, Any], key: str, what: str) -> dict[str, Any]:
    """An object field (`what`: "parameter values"); absent or null: {}."""
    value = body.get(key) or {}
    if not isinstance(value, dict):
        raise ValidationError(f"{key}: an object of {what}", [{"field": key}])
    return value


def flag(body: dict[str, Any], key: str, default: bool) -> bool:
    value = body.get(key, default)
    if not isinstance(value, bool):
        raise ValidationError(f"{key}: true or false", [{"field": key}])
    return value


# Ids and numbers are INTEGER columns: 32 bits on PostgreSQL. A larger one names nothing
# (and would make the database raise): it does not exist.
MAX_ID = 2**31 - 1


def known_id(value: int, what: str, field: str) -> int:
    """An id or number from a request, or NotFound for one no row can have."""
    if not 0 <= value <= MAX_ID:
        raise NotFound(f"{what} {value} does not exist", [{"field": field}])
    return value


def optional_number(body: dict[str, Any], key: str) -> int | None:
    """A `key` number (a row's id or number) or null."""
    value = body.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValidationError(f"{key}: a {key} number or null", [{"field": key}])
    return None if value is None else known_id(value, key, key)
