"""`transform.sql`: a SQL query over the input."""

from __future__ import annotations

from typing import Any

import polars as pl
import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from ...registry import Columns, CompileContext, NodeKind
from ...sql import DIALECT, sql_error
from ..columns import SQL_QUERY


class SqlTransform(NodeKind):
    """A SELECT written by the user over its input, which it reads as `input`."""

    name = "transform.sql"
    title = "SQL transform"
    category = "transform"
    params_schema = {
        "type": "object",
        "required": ["query"],
        "properties": {"query": SQL_QUERY},
        "additionalProperties": False,
    }

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        return None

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        try:
            self._parse(params["query"])
        except ValueError as exc:
            return [("query", str(exc))]
        return []

    @staticmethod
    def _parse(text: str) -> exp.Query:
        try:
            statements = sqlglot.parse(text, read=DIALECT)
        except SqlglotError as exc:  # ParseError, and TokenError (an unclosed quote)
            raise ValueError(f"not valid SQL: {sql_error(exc)}") from None
        if len(statements) != 1 or not isinstance(statements[0], exp.Query):
            raise ValueError("write one SELECT query (reading the input as `input`)")
        tree = statements[0]
        tables = {t.name for t in tree.find_all(exp.Table)} - {
            cte.alias for cte in tree.find_all(exp.CTE)
        }
        if tables - {"input"}:
            raise ValueError(
                f"a SQL transform reads only `input`, not {sorted(tables - {'input'})}"
            )
        if any(isinstance(t.this, exp.Func) for t in tree.find_all(exp.Table)):
            raise ValueError("a SQL transform reads only `input`, not table functions")
        return tree

    def compile(
        self, params: dict[str, Any], inputs: dict[str, exp.Table], ctx: CompileContext
    ) -> exp.Query:
        tree = self._parse(params["query"])
        for table in tree.find_all(exp.Table):
            if table.name == "input":
                table.replace(inputs["in"].copy().as_(table.alias or "input"))
        return tree

    def lazy(
        self, params: dict[str, Any], inputs: dict[str, pl.LazyFrame], ctx: CompileContext
    ) -> pl.LazyFrame:
        from ...sql_polars import lazy_query  # only for flows with a SQL node (and no cycle)

        return lazy_query(self._parse(params["query"]), inputs["in"])
