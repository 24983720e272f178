"""Tornado glue shared by the services and the server extension: errors as one JSON shape."""

from __future__ import annotations

import json
import logging
import math
import re
from http import HTTPStatus
from types import TracebackType
from typing import Any

from tornado import web

from .errors import GalileanError, ValidationError, error_body

log = logging.getLogger("galilean")
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


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class JSONErrorMixin:
    """Mix into a tornado RequestHandler (before it): every error leaves as `error_body` JSON.

    A raised `GalileanError` keeps its message and status (400, 403, 404, ...); a
    `tornado.web.HTTPError` keeps its status and message; anything else is logged with
    its traceback and answered with a 500 that reveals nothing of the exception.
    """

    def send_error(self, status_code: int = 500, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        if exc_info and isinstance(exc_info[1], GalileanError):
            status_code = exc_info[1].status
        super().send_error(status_code, **kwargs)  # type: ignore[misc]

    def log_exception(
        self,
        typ: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if isinstance(value, GalileanError):
            log.info("%s: %s", type(value).__name__, value.message)
            return
        super().log_exception(typ, value, tb)  # type: ignore[misc]

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        handler: web.RequestHandler = self  # type: ignore[assignment]
        message = _phrase(status_code)
        errors: list[dict[str, Any]] = []
        exc_info = kwargs.get("exc_info")
        exc = exc_info[1] if exc_info else None
        if isinstance(exc, GalileanError):
            message, errors = exc.message, exc.errors
        elif isinstance(exc, web.HTTPError):
            text = exc.log_message % exc.args if exc.log_message and exc.args else exc.log_message
            message = text or exc.reason or message
        elif exc is not None:
            message = "Internal error: the server log has the details"
        handler.set_header("Content-Type", "application/json")
        handler.finish(json.dumps(error_body(message, status_code, errors)))
