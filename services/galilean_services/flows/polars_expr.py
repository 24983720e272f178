"""A user's SQL expression (already parsed and bound by sql.parse_expression) as a Polars
expression with the same meaning as DuckDB gives it, or `NoPolarsForm` when that cannot be
promised; the flow then runs on DuckDB. tests/unit/test_flow_polars.py checks every construct
here against DuckDB on data with NULLs, negative numbers and ties.

DuckDB semantics kept: `/` is true division (dividing by zero gives ±inf or NaN); ROUND
rounds half away from zero but casts to integers round half to even; LIKE is anchored;
NULL propagates.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import polars as pl
from sqlglot import exp


class NoPolarsForm(Exception):
    """This node or expression has no Polars form with DuckDB's meaning."""


Schema = Mapping[str, pl.DataType]

POLARS_TYPES: dict[str, Any] = {
    "VARCHAR": pl.String,
    "TEXT": pl.String,
    "BIGINT": pl.Int64,
    "INTEGER": pl.Int32,
    "INT": pl.Int32,
    "DOUBLE": pl.Float64,
    "BOOLEAN": pl.Boolean,
    "DATE": pl.Date,
    "TIMESTAMP": pl.Datetime("us"),
}

COMPARISONS: dict[type[exp.Expression], Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
    exp.EQ: lambda a, b: a == b,
    exp.NEQ: lambda a, b: a != b,
    exp.GT: lambda a, b: a > b,
    exp.GTE: lambda a, b: a >= b,
    exp.LT: lambda a, b: a < b,
    exp.LTE: lambda a, b: a <= b,
    exp.Add: lambda a, b: a + b,
    exp.Sub: lambda a, b: a - b,
    exp.Mul: lambda a, b: a * b,
    exp.And: lambda a, b: a & b,
    exp.Or: lambda a, b: a | b,
}

UNARY: dict[type[exp.Expression], Callable[[pl.Expr], pl.Expr]] = {
    exp.Lower: lambda a: a.str.to_lowercase(),
    exp.Upper: lambda a: a.str.to_uppercase(),
    exp.Length: lambda a: a.str.len_chars().cast(pl.Int64),
    exp.Abs: lambda a: a.abs(),
    exp.Not: lambda a: ~a,
    exp.Neg: lambda a: -a,
    exp.Paren: lambda a: a,
    exp.Sqrt: lambda a: a.sqrt(),
}


def source_type(tree: exp.Expression, schema: Schema) -> pl.DataType | None:
    """The type of a column or literal (None when it takes more than a look)."""
    if isinstance(tree, exp.Column):
        return schema.get(tree.name)
    if isinstance(tree, exp.Literal):
        return pl.String() if tree.is_string else pl.Float64() if _is_float(tree) else pl.Int64()
    if isinstance(tree, exp.Paren):
        return source_type(tree.this, schema)
    return None


def cast_expr(value: pl.Expr, source: pl.DataType | None, target: str, strict: bool) -> pl.Expr:
    """CAST (strict) or TRY_CAST (not strict) as DuckDB does it, for the pairs both engines
    agree on."""
    target = target.upper()
    if target not in POLARS_TYPES or source is None:
        raise NoPolarsForm(f"CAST to {target}")
    to = POLARS_TYPES[target]
    if source.is_float() and to in (pl.Int64, pl.Int32):
        return value.round(0, mode="half_to_even").cast(to, strict=strict)
    if to == pl.String and (source.is_float() or isinstance(source, pl.Datetime)):
        raise NoPolarsForm("CAST of this type to text")  # the two print them differently
    if to == pl.Boolean and source == pl.String:
        raise NoPolarsForm("CAST of text to BOOLEAN")
    if to == pl.Date and source == pl.String:
        return value.str.to_date("%Y-%m-%d", strict=strict)
    if isinstance(to, pl.Datetime) and source == pl.String:
        raise NoPolarsForm("CAST of text to TIMESTAMP")
    return value.cast(to, strict=strict)


def translate(tree: exp.Expression, schema: Schema) -> pl.Expr:
    kind = type(tree)
    if isinstance(tree, exp.Column):
        if tree.name not in schema:
            raise NoPolarsForm(f"column {tree.name!r}")
        return pl.col(tree.name)
    if isinstance(tree, exp.Literal):
        if tree.is_string:
            return pl.lit(tree.this, dtype=pl.String)
        return pl.lit(float(tree.this) if _is_float(tree) else int(tree.this))
    if isinstance(tree, exp.Boolean):
        return pl.lit(bool(tree.this))
    if isinstance(tree, exp.Null):
        return pl.lit(None)
    if kind in COMPARISONS:
        left, right = translate(tree.this, schema), translate(tree.expression, schema)
        return COMPARISONS[kind](left, right)
    if kind in UNARY:
        return UNARY[kind](translate(tree.this, schema))
    if isinstance(tree, exp.Div):
        left, right = translate(tree.this, schema), translate(tree.expression, schema)
        return left / right  # true division; x / 0 is ±inf (or NaN) in both
    if isinstance(tree, exp.Is) and isinstance(tree.expression, exp.Null):
        return translate(tree.this, schema).is_null()
    if isinstance(tree, exp.In) and not tree.args.get("query"):
        values = [_constant(v) for v in tree.expressions]
        subject = translate(tree.this, schema)
        found = subject.is_in([v for v in values if v is not None])
        # SQL: no match but a NULL in the list (or a NULL subject) is unknown.
        unknown = subject.is_null() | pl.lit(None in values)
        return pl.when(found).then(True).when(unknown).then(None).otherwise(False)
    if isinstance(tree, exp.Between):
        subject = translate(tree.this, schema)
        low, high = translate(tree.args["low"], schema), translate(tree.args["high"], schema)
        return (subject >= low) & (subject <= high)
    if isinstance(tree, exp.Coalesce):
        return pl.coalesce([translate(tree.this, schema), *_all(tree.expressions, schema)])
    if isinstance(tree, exp.Case):
        return _case(tree, schema)
    if isinstance(tree, exp.If):
        otherwise = tree.args.get("false")
        chain = pl.when(translate(tree.this, schema)).then(translate(tree.args["true"], schema))
        return chain.otherwise(translate(otherwise, schema) if otherwise else pl.lit(None))
    if isinstance(tree, exp.Cast):  # TryCast is a Cast too
        strict = not isinstance(tree, exp.TryCast)
        target = tree.to.sql(dialect="duckdb")
        return cast_expr(
            translate(tree.this, schema), source_type(tree.this, schema), target, strict
        )
    if isinstance(tree, exp.DPipe):
        return pl.concat_str([translate(tree.this, schema), translate(tree.expression, schema)])
    if isinstance(tree, exp.Round):
        decimals = tree.args.get("decimals")
        places = int(_constant(decimals)) if decimals is not None else 0
        subject = translate(tree.this, schema)
        return subject.round(places, mode="half_away_from_zero")
    if isinstance(tree, exp.Like | exp.ILike) and isinstance(tree.expression, exp.Literal):
        pattern = _like_regex(tree.expression.this, isinstance(tree, exp.ILike))
        matched = translate(tree.this, schema).str.contains(pattern)
        return ~matched if tree.args.get("negate") else matched
    if isinstance(tree, exp.Trim) and not tree.args.get("expression"):
        return translate(tree.this, schema).str.strip_chars(" ")
    if isinstance(tree, exp.Nullif):
        subject = translate(tree.this, schema)
        return pl.when(subject == translate(tree.expression, schema)).then(None).otherwise(subject)
    from .polars_calls import translate_call  # it builds on this module

    return translate_call(tree, schema, translate)


def _case(tree: exp.Case, schema: Schema) -> pl.Expr:
    subject = tree.this
    chain: Any = pl
    for branch in tree.args.get("ifs", []):
        condition = branch.this if subject is None else exp.EQ(this=subject, expression=branch.this)
        then = translate(branch.args["true"], schema)
        chain = chain.when(translate(condition, schema)).then(then)
    default = tree.args.get("default")
    if chain is pl:
        raise NoPolarsForm("CASE without WHEN")
    return chain.otherwise(translate(default, schema) if default is not None else pl.lit(None))


def _all(trees: list[exp.Expression], schema: Schema) -> list[pl.Expr]:
    return [translate(t, schema) for t in trees]


def _is_float(literal: exp.Literal) -> bool:
    return any(c in literal.this for c in ".eE")


def _constant(tree: exp.Expression) -> Any:
    if isinstance(tree, exp.Literal):
        if tree.is_string:
            return tree.this
        return float(tree.this) if _is_float(tree) else int(tree.this)
    if isinstance(tree, exp.Null):
        return None
    if isinstance(tree, exp.Boolean):
        return bool(tree.this)
    if isinstance(tree, exp.Neg) and isinstance(tree.this, exp.Literal):
        return -_constant(tree.this)
    raise NoPolarsForm("a list value that is not a constant")


def _like_regex(pattern: str, ignore_case: bool) -> str:
    parts = []
    for char in pattern:
        parts.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
    return ("(?is)" if ignore_case else "(?s)") + "^" + "".join(parts) + "$"


def schema_of(frame: pl.LazyFrame) -> Schema:
    return dict(frame.collect_schema())


def aggregate(function: str, value: pl.Expr | None) -> pl.Expr:
    """One SQL aggregate of `value` (None: COUNT(*)) over a group or a window, as DuckDB
    computes it: NULLs are skipped, a SUM of nothing but NULLs is NULL, counts are 64-bit."""
    if value is None:
        if function != "count":
            raise NoPolarsForm(f"{function} without a column")
        return pl.len().cast(pl.Int64)
    if function == "sum":
        return pl.when(value.count() > 0).then(value.sum())
    if function == "count":
        return value.count().cast(pl.Int64)
    if function == "count_distinct":
        # NULL is not a value to SQL (and dropping NULLs first is slower in a group-by).
        return (value.n_unique() - (value.null_count() > 0).cast(pl.UInt32)).cast(pl.Int64)
    if function == "avg":
        return value.mean()
    if function == "min":
        return value.min()
    if function == "max":
        return value.max()
    if function == "median":
        return value.median()
    raise NoPolarsForm(f"aggregate {function}")


def column_or_star(params: dict[str, Any]) -> pl.Expr | None:
    return pl.col(params["column"]) if "column" in params else None
