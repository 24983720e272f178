"""Polars forms of DuckDB's integer `%` and `//`, date truncation and parts, regular
expressions, SUBSTRING and CONCAT, for polars_expr.translate. Each promises DuckDB's meaning
only for the operand types it checks (the type of a translated operand is asked of Polars);
anything else raises NoPolarsForm naming the construct.

DuckDB semantics kept: integer `%` and `//` truncate toward zero (the remainder takes the
dividend's sign) and give NULL for a zero divisor; DATE_TRUNC gives a TIMESTAMP (weeks start
on Monday); date parts are BIGINT, DAYOFWEEK counts from Sunday = 0, WEEK is the ISO week;
regexp_replace replaces the first match unless given 'g'; CONCAT skips NULLs (all NULL gives
an empty text).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import polars as pl
from sqlglot import exp

from .polars_expr import NoPolarsForm, Schema

Translate = Callable[[exp.Expression, Schema], pl.Expr]

TRUNC_UNITS = {
    "YEAR": "1y",
    "QUARTER": "1q",
    "MONTH": "1mo",
    "WEEK": "1w",
    "DAY": "1d",
    "HOUR": "1h",
    "MINUTE": "1m",
    "SECOND": "1s",
}
PARTS: dict[str, Callable[[Any], pl.Expr]] = {
    "YEAR": lambda d: d.year(),
    "QUARTER": lambda d: d.quarter(),
    "MONTH": lambda d: d.month(),
    "DAY": lambda d: d.day(),
    "DAYOFWEEK": lambda d: d.weekday() % 7,
    "DOW": lambda d: d.weekday() % 7,
    "ISODOW": lambda d: d.weekday(),
    "DAYOFYEAR": lambda d: d.ordinal_day(),
    "DOY": lambda d: d.ordinal_day(),
    "WEEK": lambda d: d.week(),
    "HOUR": lambda d: d.hour(),
    "MINUTE": lambda d: d.minute(),
    "SECOND": lambda d: d.second(),
}
PART_OF: dict[type[exp.Expression], str] = {
    exp.Year: "YEAR",
    exp.Quarter: "QUARTER",
    exp.Month: "MONTH",
    exp.Day: "DAY",
    exp.DayOfWeek: "DAYOFWEEK",
    exp.DayOfWeekIso: "ISODOW",
    exp.DayOfYear: "DAYOFYEAR",
    exp.Week: "WEEK",
    exp.Hour: "HOUR",
    exp.Minute: "MINUTE",
    exp.Second: "SECOND",
}
TIME_OF_DAY = ("HOUR", "MINUTE", "SECOND")
# Escapes whose meaning differs between RE2 (ASCII classes) and Rust's regex (Unicode).
UNSUPPORTED_REGEX = re.compile(r"\\[bBpPQE]|\(\?")
# RE2's (DuckDB's) classes are ASCII; Polars's regex engine's are Unicode: spell them out.
ASCII_CLASSES = {"d": "0-9", "s": "\\t\\n\\f\\r ", "w": "0-9A-Za-z_"}


def dtype_of(value: pl.Expr, schema: Schema) -> pl.DataType:
    """The type Polars gives `value` over a frame of `schema` (no data is read)."""
    return pl.LazyFrame(schema=dict(schema)).select(value.alias("v")).collect_schema()["v"]


def translate_call(tree: exp.Expression, schema: Schema, translate: Translate) -> pl.Expr:
    kind = type(tree)
    if isinstance(tree, exp.Mod | exp.IntDiv):
        return _integer_division(tree, schema, translate)
    if isinstance(tree, exp.TimestampTrunc | exp.DateTrunc):
        return _truncate(tree, schema, translate)
    if kind in PART_OF:
        return _part(PART_OF[kind], translate(tree.this, schema), schema)
    if isinstance(tree, exp.Extract):
        return _part(tree.this.name.upper(), translate(tree.expression, schema), schema)
    if isinstance(tree, exp.RegexpLike):
        pattern = _pattern(tree, tree.args.get("flag"))
        return translate(tree.this, schema).str.contains(pattern)
    if isinstance(tree, exp.RegexpReplace):
        return _replace(tree, schema, translate)
    if isinstance(tree, exp.Substring):
        return _substring(tree, schema, translate)
    if isinstance(tree, exp.Concat):
        parts = [translate(t, schema) for t in tree.expressions]
        if any(dtype_of(p, schema) not in (pl.String, pl.Null) for p in parts):
            raise NoPolarsForm("CONCAT of values that are not text")
        joined = pl.concat_str([p.cast(pl.String) for p in parts], ignore_nulls=True)
        return joined.fill_null("")  # all NULL: DuckDB's CONCAT gives ''
    raise NoPolarsForm(f"SQL {kind.__name__}")


def _integer_division(tree: exp.Expression, schema: Schema, translate: Translate) -> pl.Expr:
    left, right = translate(tree.this, schema), translate(tree.expression, schema)
    operator = "%" if isinstance(tree, exp.Mod) else "//"
    if not all(dtype_of(v, schema).is_integer() for v in (left, right)):
        raise NoPolarsForm(f"{operator} of values that are not integers")
    # Polars floors; DuckDB truncates: step back toward zero where the signs differ.
    remainder = left % right
    toward_zero = (remainder != 0) & ((left < 0) != (right < 0))
    if operator == "%":
        return pl.when(toward_zero).then(remainder - right).otherwise(remainder)
    quotient = left // right
    return pl.when(toward_zero).then(quotient + 1).otherwise(quotient)


def _dated(value: pl.Expr, schema: Schema, what: str) -> pl.DataType:
    dtype = dtype_of(value, schema)
    if dtype == pl.Date:
        return dtype
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is None and dtype.time_unit == "us":
        return dtype
    raise NoPolarsForm(f"{what} of a {dtype} (only DATE and TIMESTAMP)")


def _truncate(tree: exp.Expression, schema: Schema, translate: Translate) -> pl.Expr:
    unit = tree.args["unit"].name.upper() if tree.args.get("unit") is not None else ""
    if unit not in TRUNC_UNITS:
        raise NoPolarsForm(f"DATE_TRUNC to {unit or 'an unknown unit'}")
    value = translate(tree.this, schema)
    _dated(value, schema, "DATE_TRUNC")
    return value.cast(pl.Datetime("us")).dt.truncate(TRUNC_UNITS[unit])


def _part(part: str, value: pl.Expr, schema: Schema) -> pl.Expr:
    if part not in PARTS:
        raise NoPolarsForm(f"date part {part}")
    dtype = _dated(value, schema, part)
    if part in TIME_OF_DAY and dtype == pl.Date:
        raise NoPolarsForm(f"{part} of a DATE")
    return PARTS[part](value.dt).cast(pl.Int64)


def _text(tree: exp.Expression | None, what: str) -> str:
    if not (isinstance(tree, exp.Literal) and tree.is_string):
        raise NoPolarsForm(f"{what} that is not a constant text")
    return str(tree.this)


def ascii_classes(pattern: str) -> str:
    """`pattern` with \\d, \\s, \\w (and their negations) spelled as RE2 means them
    (ASCII only), for Polars's engine, where they are Unicode; NoPolarsForm for what the
    two engines read differently and cannot be spelled out (word boundaries, Unicode
    classes, inline flags, a negated class inside brackets)."""
    if UNSUPPORTED_REGEX.search(pattern):
        raise NoPolarsForm(f"regular expression {pattern!r} (its classes or flags differ)")
    out: list[str] = []
    in_brackets = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escaped = pattern[index + 1]
            out.append(_ascii_class(escaped, in_brackets, pattern))
            index += 2
            continue
        if char == "[" and not in_brackets:
            in_brackets = True
            out.append(char)
            if pattern[index + 1 : index + 2] == "^":
                out.append("^")
                index += 1
            if pattern[index + 1 : index + 2] == "]":  # a literal ] first in the class
                out.append("\\]")
                index += 1
        elif char == "]" and in_brackets:
            in_brackets = False
            out.append(char)
        else:
            out.append(char)
        index += 1
    return "".join(out)


def _ascii_class(escaped: str, in_brackets: bool, pattern: str) -> str:
    members = ASCII_CLASSES.get(escaped.lower())
    if members is None:
        return "\\" + escaped
    if escaped.islower():
        return members if in_brackets else f"[{members}]"
    if in_brackets:
        raise NoPolarsForm(f"regular expression {pattern!r} (a negated class in brackets)")
    return f"[^{members}]"


def _pattern(tree: exp.Expression, flag: exp.Expression | None) -> str:
    pattern = ascii_classes(_text(tree.expression, "a regular expression"))
    flags = _text(flag, "a regular expression option") if flag is not None else ""
    if flags not in ("", "i"):
        raise NoPolarsForm(f"regular expression options {flags!r}")
    return ("(?i)" if flags else "") + pattern


def _replace(tree: exp.Expression, schema: Schema, translate: Translate) -> pl.Expr:
    modifiers = tree.args.get("modifiers")
    flags = _text(modifiers, "a regexp_replace option") if modifiers is not None else ""
    if flags not in ("", "g"):
        raise NoPolarsForm(f"regexp_replace options {flags!r}")
    pattern = _pattern(tree, None)
    replacement = _text(tree.args.get("replacement"), "a replacement")
    if "$" in replacement or "\\" in replacement:
        raise NoPolarsForm("a replacement with group references")
    subject = translate(tree.this, schema)
    if flags == "g":
        return subject.str.replace_all(pattern, replacement)
    return subject.str.replace(pattern, replacement, n=1)


def _substring(tree: exp.Expression, schema: Schema, translate: Translate) -> pl.Expr:
    start, length = tree.args.get("start"), tree.args.get("length")
    bounds = [b for b in (start, length) if b is not None]
    if not all(isinstance(b, exp.Literal) and not b.is_string for b in bounds):
        raise NoPolarsForm("SUBSTRING with bounds that are not constant integers")
    first = int(start.this) if start is not None else 1
    count = int(length.this) if length is not None else None
    if first < 1 or (count is not None and count < 0):
        raise NoPolarsForm("SUBSTRING from before the first character or of negative length")
    return translate(tree.this, schema).str.slice(first - 1, count)
