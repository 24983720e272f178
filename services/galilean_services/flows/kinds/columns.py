"""Checks and vocabularies the kinds share: column lists, SQL types, aggregate
functions, and problems with column names and expressions."""

from __future__ import annotations

import difflib
from typing import Any

import polars as pl

from ..registry import Columns
from ..sql import ExpressionError, parse_expression, referenced_columns

SQL_TYPES = ["VARCHAR", "BIGINT", "INTEGER", "DOUBLE", "BOOLEAN", "DATE", "TIMESTAMP", "DECIMAL"]
# `x-galilean` tells the designer what a string field holds (the flows' own schema checks
# ignore it): a column of the input (`x-galilean-port` names another input port), or SQL
# over the input's columns — an expression or condition, or a whole query over `input`.
COLUMN: dict[str, Any] = {"type": "string", "x-galilean": "column"}
COLUMN_LIST = {"type": "array", "items": {**COLUMN, "minLength": 1}, "minItems": 1}
SQL_EXPRESSION: dict[str, Any] = {"type": "string", "minLength": 1, "x-galilean": "sql"}
SQL_QUERY: dict[str, Any] = {"type": "string", "minLength": 1, "x-galilean": "sql-query"}


def column_of(port: str) -> dict[str, Any]:
    """A column of the input on `port` (a join's left or right)."""
    return {**COLUMN, "x-galilean-port": port}


AGGREGATES = {
    "sum": "SUM",
    "count": "COUNT",
    "count_distinct": "COUNT_DISTINCT",
    "avg": "AVG",
    "min": "MIN",
    "max": "MAX",
    "median": "MEDIAN",
}


def missing(names: list[str], known: Columns, path: str) -> list[tuple[str, str]]:
    if known is None:
        return []
    problems = []
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append((path, f"column {name!r} does not exist upstream{hint}"))
    return problems


def fits(value: Any, dtype: Any) -> bool:
    """A JSON value that a column of `dtype` holds as it is (no silent change of type)."""
    if dtype is None:
        return False
    if isinstance(value, bool):
        return bool(dtype == pl.Boolean)
    if isinstance(value, int):
        return bool(dtype.is_numeric())
    if isinstance(value, float):
        return bool(dtype.is_float())
    return isinstance(value, str) and dtype == pl.String


def expression_problems(
    text: str, known: Columns, path: str, params: dict[str, Any] | None = None
) -> list[tuple[str, str]]:
    try:
        tree = parse_expression(text)
    except ExpressionError as exc:
        return [(path, str(exc))]
    return missing(sorted(referenced_columns(tree)), known, path)
