"""`source.sql_table` and `source.sql_query`: rows from a named SQL connection."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import sqlglot
from sqlglot import exp

from ...issues import NodeError
from ...registry import Columns, CompileContext
from ...sql import sql_error
from ..sql_connection import IDENT, connection_engine, connection_reason, sa_table
from .base import EagerSource, to_arrow


class SqlSource(EagerSource):
    cacheable = False  # the database changes without the flow changing

    def read(
        self, params: dict[str, Any], ctx: CompileContext, statement: Any, binds: dict[str, Any]
    ) -> pa.Table:
        import pandas as pd
        import sqlalchemy as sa

        engine, url = connection_engine(params, ctx)
        try:
            with engine.connect() as con:
                frame = pd.read_sql(statement, con, params=binds or None)
        except sa.exc.SQLAlchemyError as exc:
            raise NodeError(connection_reason(exc, url)) from None
        finally:
            engine.dispose()
        return to_arrow(frame)


class SqlTable(SqlSource):
    name = "source.sql_table"
    title = "Table from a connection"
    params_schema = {
        "type": "object",
        "required": ["connection", "table"],
        "properties": {
            "connection": IDENT,
            "schema": IDENT,
            "table": IDENT,
            "limit": {"type": "integer", "minimum": 1},
        },
        "additionalProperties": False,
    }

    def produce(
        self, params: dict[str, Any], inputs: dict[str, pa.Table], ctx: CompileContext
    ) -> pa.Table:
        import sqlalchemy as sa

        statement = sa.select(sa.text("*")).select_from(sa_table(params))
        if params.get("limit"):
            statement = statement.limit(int(params["limit"]))
        return self.read(params, ctx, statement, {})


class SqlQuery(SqlSource):
    name = "source.sql_query"
    title = "SQL query on a connection"
    params_schema = {
        "type": "object",
        "required": ["connection", "query"],
        "properties": {
            "connection": IDENT,
            "query": {
                "type": "string",
                "minLength": 1,
                "description": "one SELECT; `:name` is a flow parameter, sent as a bound value",
            },
        },
        "additionalProperties": False,
    }

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        try:
            statements = [s for s in sqlglot.parse(params["query"]) if s is not None]
        except sqlglot.errors.SqlglotError as exc:  # ParseError, TokenError (a lone quote)
            return [("query", f"not valid SQL: {sql_error(exc)}")]
        if len(statements) != 1 or not isinstance(statements[0], exp.Query):
            return [("query", "one SELECT query (no other statements)")]
        return []

    def produce(
        self, params: dict[str, Any], inputs: dict[str, pa.Table], ctx: CompileContext
    ) -> pa.Table:
        import sqlalchemy as sa

        statement = sa.text(params["query"])
        names = set(statement._bindparams)
        missing = names - set(ctx.params)
        if missing:
            raise NodeError(f"query: unknown flow parameter :{sorted(missing)[0]}")
        return self.read(params, ctx, statement, {n: ctx.params[n] for n in names})
