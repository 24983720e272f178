"""`destination.table`: rows written to a table of a named SQL connection."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from ...issues import NodeError
from ...registry import CompileContext
from ..sql_connection import IDENT, connection_engine, connection_reason
from .base import PassThrough


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
        import sqlalchemy as sa

        engine, url = connection_engine(params, ctx)
        mode = params.get("mode", "append")
        try:
            with engine.begin() as con:  # one transaction: all rows or none
                table.to_pandas().to_sql(
                    params["table"],
                    con,
                    schema=params.get("schema") or None,
                    if_exists=mode,
                    index=False,
                    chunksize=10_000,
                    method="multi",
                )
        except ValueError as exc:  # pandas: the table exists and mode is "fail"
            raise NodeError(str(exc)) from None
        except sa.exc.SQLAlchemyError as exc:
            raise NodeError(connection_reason(exc, url)) from None
        finally:
            engine.dispose()
        return f"{ctx.node_id}: wrote {table.num_rows} rows to {params['table']} ({mode})"
