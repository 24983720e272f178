"""A user's SQL expression as the text of a Polars expression, for the flow's Polars script
(polars_script.py): the same meaning as polars_expr.translate gives it, written as code.

An expression gets code only where the engine itself has a Polars form (translate is asked
first, on the same bound tree) and where this module can write that form; otherwise
NoPolarsForm names the construct, and the script runs the node on DuckDB. Flow parameters
(`:name`) are written as `params["name"]`, read from the script's `params` dict.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from sqlglot import exp

from .polars_expr import POLARS_TYPES, NoPolarsForm, Schema, source_type, translate
from .sql import literal, parse_expression

OPERATORS: dict[type[exp.Expression], str] = {
    exp.EQ: "==",
    exp.NEQ: "!=",
    exp.GT: ">",
    exp.GTE: ">=",
    exp.LT: "<",
    exp.LTE: "<=",
    exp.Add: "+",
    exp.Sub: "-",
    exp.Mul: "*",
    exp.Div: "/",
    exp.And: "&",
    exp.Or: "|",
}
UNARY: dict[type[exp.Expression], Callable[[str], str]] = {
    exp.Lower: lambda a: f"{a}.str.to_lowercase()",
    exp.Upper: lambda a: f"{a}.str.to_uppercase()",
    exp.Length: lambda a: f"{a}.str.len_chars().cast(pl.Int64)",
    exp.Abs: lambda a: f"{a}.abs()",
    exp.Not: lambda a: f"~{a}",
    exp.Neg: lambda a: f"-{a}",
    exp.Paren: lambda a: a,
    exp.Sqrt: lambda a: f"{a}.sqrt()",
}


def dtype_code(dtype: Any) -> str:
    """`pl.Int64`, `pl.Datetime(time_unit='us', time_zone=None)`: a Polars type as code."""
    text = repr(dtype() if isinstance(dtype, type) else dtype)
    return "pl." + text.removesuffix("()")


@dataclass
class Bound:
    """An expression with its flow parameters bound as literals (as the engine binds
    them), remembering which literal came from which parameter."""

    tree: exp.Expression
    names: dict[int, str] = field(default_factory=dict)  # id(literal) → parameter name


def bind(text: str, params: dict[str, Any]) -> Bound:
    """`text` parsed and bound as sql.parse_expression binds it."""
    parse_expression(text, params)  # its errors (unknown parameter, a statement) first
    tree = parse_expression(text)
    names: dict[int, str] = {}

    def bind_one(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder):
            value = literal(params[node.name])
            names[id(value)] = node.name
            return value
        return node

    return Bound(tree.transform(bind_one), names)


def expression_code(text: str, params: dict[str, Any], schema: Schema) -> str:
    """The Polars code of the SQL expression `text` over a frame of `schema`."""
    bound = bind(text, params)
    translate(bound.tree, schema)  # NoPolarsForm where the engine has no Polars form
    return Writer(schema, bound.names).code(bound.tree)


def cast_code(value: str, source: pl.DataType | None, target: str, strict: bool) -> str:
    """polars_expr.cast_expr as code."""
    target = target.upper()
    if target not in POLARS_TYPES or source is None:
        raise NoPolarsForm(f"CAST to {target}")
    to = POLARS_TYPES[target]
    to_code, strict_code = dtype_code(to), f"strict={strict}"
    if source.is_float() and to in (pl.Int64, pl.Int32):
        return f'{value}.round(0, mode="half_to_even").cast({to_code}, {strict_code})'
    if to == pl.Date and source == pl.String:
        return f'{value}.str.to_date("%Y-%m-%d", {strict_code})'
    return f"{value}.cast({to_code}, {strict_code})"


class Writer:
    """Code for a bound tree whose Polars form translate has already checked exists."""

    def __init__(self, schema: Schema, names: dict[int, str]) -> None:
        self.schema, self.names = schema, names

    def code(self, tree: exp.Expression) -> str:
        kind = type(tree)
        if id(tree) in self.names:
            return f'pl.lit(params["{self.names[id(tree)]}"])'
        if isinstance(tree, exp.Column):
            return f"pl.col({tree.name!r})"
        if isinstance(tree, exp.Literal | exp.Boolean | exp.Null):
            value = self.constant(tree)
            return f"pl.lit({value}, dtype=pl.String)" if tree.is_string else f"pl.lit({value})"
        if kind in OPERATORS:
            left, right = self.code(tree.this), self.code(tree.expression)
            return f"({left} {OPERATORS[kind]} {right})"
        if kind in UNARY:
            return UNARY[kind](self.code(tree.this))
        return self.special(tree)

    def special(self, tree: exp.Expression) -> str:
        if isinstance(tree, exp.Is) and isinstance(tree.expression, exp.Null):
            return f"{self.code(tree.this)}.is_null()"
        if isinstance(tree, exp.In) and not tree.args.get("query"):
            return self.is_in(tree)
        if isinstance(tree, exp.Between):
            subject = self.code(tree.this)
            low, high = self.code(tree.args["low"]), self.code(tree.args["high"])
            return f"(({subject} >= {low}) & ({subject} <= {high}))"
        if isinstance(tree, exp.Coalesce):
            parts = [self.code(tree.this), *(self.code(t) for t in tree.expressions)]
            return f"pl.coalesce([{', '.join(parts)}])"
        if isinstance(tree, exp.Case):
            return self.case(tree)
        if isinstance(tree, exp.If):
            otherwise = tree.args.get("false")
            rest = self.code(otherwise) if otherwise else "pl.lit(None)"
            condition, then = self.code(tree.this), self.code(tree.args["true"])
            return f"pl.when({condition}).then({then}).otherwise({rest})"
        if isinstance(tree, exp.Cast):
            strict = not isinstance(tree, exp.TryCast)
            source = source_type(tree.this, self.schema)
            target = tree.to.sql(dialect="duckdb")
            return cast_code(self.code(tree.this), source, target, strict)
        if isinstance(tree, exp.DPipe):
            return f"pl.concat_str([{self.code(tree.this)}, {self.code(tree.expression)}])"
        return self.text_or_number(tree)

    def text_or_number(self, tree: exp.Expression) -> str:
        if isinstance(tree, exp.Round):
            decimals = tree.args.get("decimals")
            places = int(self.constant(decimals, raw=True)) if decimals is not None else 0
            return f'{self.code(tree.this)}.round({places}, mode="half_away_from_zero")'
        if isinstance(tree, exp.Like | exp.ILike) and isinstance(tree.expression, exp.Literal):
            from .polars_expr import _like_regex

            pattern = _like_regex(tree.expression.this, isinstance(tree, exp.ILike))
            matched = f"{self.code(tree.this)}.str.contains({pattern!r})"
            return f"~{matched}" if tree.args.get("negate") else matched
        if isinstance(tree, exp.Trim) and not tree.args.get("expression"):
            return f'{self.code(tree.this)}.str.strip_chars(" ")'
        if isinstance(tree, exp.Nullif):
            subject, other = self.code(tree.this), self.code(tree.expression)
            return f"pl.when({subject} == {other}).then(None).otherwise({subject})"
        # The engine has a Polars form (polars_calls.py) this module does not write yet.
        raise NoPolarsForm(f"SQL {type(tree).__name__} (no Polars code written for it)")

    def is_in(self, tree: exp.In) -> str:
        values = [self.constant(v) for v in tree.expressions]
        subject = self.code(tree.this)
        found = f"{subject}.is_in([v for v in [{', '.join(values)}] if v is not None])"
        unknown = f"{subject}.is_null() | pl.lit(None in [{', '.join(values)}])"
        return f"pl.when({found}).then(True).when({unknown}).then(None).otherwise(False)"

    def case(self, tree: exp.Case) -> str:
        subject = tree.this
        chain = "pl"
        for branch in tree.args.get("ifs", []):
            condition = (
                branch.this if subject is None else exp.EQ(this=subject, expression=branch.this)
            )
            chain += f".when({self.code(condition)}).then({self.code(branch.args['true'])})"
        default = tree.args.get("default")
        rest = self.code(default) if default is not None else "pl.lit(None)"
        return f"{chain}.otherwise({rest})"

    def constant(self, tree: exp.Expression, raw: bool = False) -> str:
        """A constant as Python code (a parameter's as `params["name"]`)."""
        if id(tree) in self.names and not raw:
            return f'params["{self.names[id(tree)]}"]'
        if isinstance(tree, exp.Literal):
            if tree.is_string:
                return repr(str(tree.this))
            return repr(float(tree.this) if any(c in tree.this for c in ".eE") else int(tree.this))
        if isinstance(tree, exp.Null):
            return "None"
        if isinstance(tree, exp.Boolean):
            return repr(bool(tree.this))
        if isinstance(tree, exp.Neg) and isinstance(tree.this, exp.Literal):
            return f"-{self.constant(tree.this)}"
        raise NoPolarsForm("a list value that is not a constant")


def aggregate_code(function: str, column: str | None) -> str:
    """polars_expr.aggregate as code (`column` None: COUNT(*))."""
    if column is None:
        if function != "count":
            raise NoPolarsForm(f"{function} without a column")
        return "pl.len().cast(pl.Int64)"
    value = f"pl.col({column!r})"
    forms = {
        "sum": f"pl.when({value}.count() > 0).then({value}.sum())",
        "count": f"{value}.count().cast(pl.Int64)",
        "count_distinct": (
            f"({value}.n_unique() - ({value}.null_count() > 0).cast(pl.UInt32)).cast(pl.Int64)"
        ),
        "avg": f"{value}.mean()",
        "min": f"{value}.min()",
        "max": f"{value}.max()",
        "median": f"{value}.median()",
    }
    if function not in forms:
        raise NoPolarsForm(f"aggregate {function}")
    return forms[function]


def path_code(raw: Any) -> str:
    """A node's `path` parameter as code: the text, or `params["name"]` for a parameter."""
    if isinstance(raw, dict) and set(raw) == {"$param"}:
        return f'params["{raw["$param"]}"]'
    return repr(str(raw))


def value_code(raw: Any) -> str:
    """A value of a node's parameters as code (`{"$param": name}` read from `params`)."""
    if isinstance(raw, dict) and set(raw) == {"$param"}:
        return f'params["{raw["$param"]}"]'
    return repr(raw)
