"""`{{ name }}` references in SQL cells become bind parameters, never text.

A reference may only stand where a value can: it is replaced by a placeholder the driver
fills in. Lists and tuples expand to IN lists; values that are not plain values (a
DataFrame, a dict, an object) are refused with a message naming the reference.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

REFERENCE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
PLAIN = (str, int, float, bool, decimal.Decimal, dt.date, dt.datetime, dt.time, type(None))


class TemplateError(ValueError):
    """A reference that cannot be bound; the message names it."""


def bind(sql: str, namespace: Mapping[str, Any]) -> tuple[str, dict[str, Any], set[str]]:
    """(SQL with `:galilean_N` placeholders, their values, names of lists to expand)."""
    values: dict[str, Any] = {}
    expanding: set[str] = set()
    by_name: dict[str, str] = {}

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in by_name:
            return f":{by_name[name]}"
        if name not in namespace:
            raise TemplateError(f"{{{{ {name} }}}}: no variable {name!r} in the kernel")
        value = namespace[name]
        key = f"galilean_{len(values)}"
        if isinstance(value, list | tuple | set | frozenset):
            items = list(value)
            if not items:
                raise TemplateError(f"{{{{ {name} }}}}: an empty list cannot be an IN list")
            if not all(isinstance(v, PLAIN) for v in items):
                raise TemplateError(f"{{{{ {name} }}}}: a list of plain values is required")
            expanding.add(key)
            values[key] = items
        elif isinstance(value, PLAIN):
            values[key] = value
        else:
            raise TemplateError(
                f"{{{{ {name} }}}} is a {type(value).__name__}: only text, numbers, dates, "
                "booleans and lists of them can be sent as values"
            )
        by_name[name] = key
        return f":{key}"

    # Colons the user wrote (casts like ::int, time literals) must stay text, not binds.
    escaped = re.sub(r"(?<!\\):", r"\\:", sql)
    return REFERENCE.sub(replace, escaped), values, expanding


def statement(sql: str, namespace: Mapping[str, Any]) -> tuple[sa.TextClause, dict[str, Any]]:
    text, values, expanding = bind(sql, namespace)
    clause = sa.text(text)
    if values:
        clause = clause.bindparams(
            *[sa.bindparam(key, expanding=key in expanding) for key in values]
        )
    return clause, values
