"""Sources and a destination over a user's named SQL connections (see connections.py):
a table, a query with bound parameters, and a table writer.

They run with the flow owner's connections: a user's own file, or the admin's. In the flows
service they are held to its network policy and the owner's folder (connection_engines.engine_for).
Errors give the database's reason in one line, never a password.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
import sqlglot
from sqlglot import exp

from ...connection_engines import engine_for
from ...connections import ConnectionStore, describe_error, user_home
from ...errors import GalileanError
from ..issues import NodeError
from ..registry import Columns, CompileContext
from ..sql import sql_error
from .destinations import PassThrough
from .io import EagerSource, to_arrow

IDENT = {"type": "string", "minLength": 1, "maxLength": 128}


def _engine(params: dict[str, Any], ctx: CompileContext) -> tuple[sa.Engine, Any]:
    store = ctx.connections or ConnectionStore(user_home())
    try:
        connection = store.get(params["connection"])
        # Run for someone else (the service sets a policy), a database server is reached at
        # its checked address only, and file databases must lie in the owner's folder and
        # read nothing outside it: the service would open them with its own rights.
        policy = ctx.http_policy
        confined = ctx.base_dir if policy is not None else None
        return engine_for(connection, confined, policy, access="create"), connection.url
    except GalileanError as exc:
        raise NodeError(exc.message) from None
    except ModuleNotFoundError as exc:
        raise NodeError(f"the database driver is not installed ({exc.name})") from None


def _reason(exc: BaseException, url: Any) -> str:
    message = describe_error(exc, url)
    if message in ("not authorized", "authorization denied"):  # SQLite's authorizer
        return f"{message}: a flow run by the service may attach databases only in your folder"
    return message


def _table(params: dict[str, Any]) -> sa.Table:
    return sa.Table(params["table"], sa.MetaData(), schema=params.get("schema") or None)


class SqlSource(EagerSource):
    cacheable = False  # the database changes without the flow changing

    def read(
        self, params: dict[str, Any], ctx: CompileContext, statement: Any, binds: dict[str, Any]
    ) -> pa.Table:
        engine, url = _engine(params, ctx)
        try:
            with engine.connect() as con:
                frame = pd.read_sql(statement, con, params=binds or None)
        except sa.exc.SQLAlchemyError as exc:
            raise NodeError(_reason(exc, url)) from None
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
        statement = sa.select(sa.text("*")).select_from(_table(params))
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
        statement = sa.text(params["query"])
        names = set(statement._bindparams)
        missing = names - set(ctx.params)
        if missing:
            raise NodeError(f"query: unknown flow parameter :{sorted(missing)[0]}")
        return self.read(params, ctx, statement, {n: ctx.params[n] for n in names})


class TableWriter(PassThrough):
    name = "destination.table"
    title = "Write a table on a connection"
    category = "destination"
    writes = True
    params_schema = {
        "type": "object",
        "required": ["connection", "table"],
        "properties": {
            "connection": IDENT,
            "schema": IDENT,
            "table": IDENT,
            "mode": {"enum": ["append", "replace", "fail"], "default": "append"},
        },
        "additionalProperties": False,
    }

    def write(self, params: dict[str, Any], table: pa.Table, ctx: CompileContext) -> str:
        engine, url = _engine(params, ctx)
        mode = params.get("mode", "append")
        try:
            with engine.begin() as con:  # one transaction: all rows or none
                table.to_pandas().to_sql(
                    params["table"], con, schema=params.get("schema") or None,
                    if_exists=mode, index=False, chunksize=10_000, method="multi",
                )  # fmt: skip
        except ValueError as exc:  # pandas: the table exists and mode is "fail"
            raise NodeError(str(exc)) from None
        except sa.exc.SQLAlchemyError as exc:
            raise NodeError(_reason(exc, url)) from None
        finally:
            engine.dispose()
        return f"{ctx.node_id}: wrote {table.num_rows} rows to {params['table']} ({mode})"


KINDS = [SqlTable, SqlQuery, TableWriter]
