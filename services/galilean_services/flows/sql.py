"""SQL pieces built with sqlglot, so one compiled flow can be printed for several engines."""

from __future__ import annotations

from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError, TokenError

DIALECT = "duckdb"


class ExpressionError(ValueError):
    pass


def column(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


def ident(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def literal(value: Any) -> exp.Expression:
    if value is None:
        return exp.null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


def sql_error(exc: Exception) -> str:
    """sqlglot's reason a user's SQL does not parse, in one line. Catch SqlglotError, the
    base: a lone quote raises TokenError, not ParseError."""
    if isinstance(exc, TokenError):
        inner = exc.__cause__ or exc.__context__
        where = f" ({inner})" if isinstance(inner, TokenError) else ""  # "Missing ' from 1:4"
        return f"a quote or a comment is not closed{where}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def parse_expression(text: str, params: dict[str, Any] | None = None) -> Any:
    """A user's SQL expression (not a statement); `:name` is a flow parameter, bound as a
    literal (never pasted as text)."""
    try:
        tree = sqlglot.parse_one(text, read=DIALECT, into=exp.Condition)
    except (SqlglotError, ValueError) as exc:
        raise ExpressionError(f"not a valid SQL expression: {sql_error(exc)}") from None
    if tree.find(exp.Query, exp.Command, exp.DDL, exp.DML):
        raise ExpressionError("an expression may not contain a query or a statement")
    if params is not None:
        for placeholder in list(tree.find_all(exp.Placeholder)):
            if placeholder.name not in params:
                raise ExpressionError(f"unknown flow parameter :{placeholder.name}")

        def bind(node: exp.Expression) -> exp.Expression:
            if isinstance(node, exp.Placeholder):
                return literal(params[node.name])
            return node

        return tree.transform(bind)  # the whole expression may be one parameter
    return tree


def referenced_columns(tree: exp.Expression) -> set[str]:
    return {col.name for col in tree.find_all(exp.Column)}


def resolve(value: Any, params: dict[str, Any]) -> Any:
    """`{"$param": "name"}` → the flow parameter's value; anything else as is."""
    if isinstance(value, dict) and set(value) == {"$param"}:
        return params[value["$param"]]
    return value


def to_sql(query: Any, dialect: str = DIALECT) -> str:
    return query.sql(dialect=dialect)
