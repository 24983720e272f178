"""The request body of a published endpoint as a source of rows.

The caller sends JSON records (a list of objects, one object, or a list under `records`);
the node declares the columns it takes and their types, so the flow can be validated
before any request arrives. Outside an endpoint (a run, a preview) the node gives its
`sample` rows, so the designer can show something.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa

from ...issues import NodeError
from ...registry import Columns, CompileContext, EagerKind
from ..columns import SQL_TYPES

MAX_RECORDS = 100_000
ARROW_TYPES: dict[str, pa.DataType] = {
    "VARCHAR": pa.string(),
    "BIGINT": pa.int64(),
    "INTEGER": pa.int32(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
    "DECIMAL": pa.decimal128(18, 3),
}


def _value(raw: Any, sql_type: str) -> Any:
    """One JSON value as the column's type; ValueError when it is not one."""
    if raw is None:
        return None
    if sql_type == "VARCHAR":
        if isinstance(raw, dict | list):
            raise ValueError("text expected")
        return str(raw)
    if sql_type in ("BIGINT", "INTEGER"):
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            if isinstance(raw, float) and raw.is_integer():
                return int(raw)
            raise ValueError("a whole number expected")
        return int(raw)
    if sql_type == "DOUBLE":
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise ValueError("a number expected")
        return float(raw)
    if sql_type == "BOOLEAN":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        raise ValueError("true or false expected")
    if sql_type == "DATE":
        return dt.date.fromisoformat(str(raw))
    if sql_type == "TIMESTAMP":
        return dt.datetime.fromisoformat(str(raw))
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        raise ValueError("a decimal number expected") from None


def records_of(body: Any) -> list[Any]:
    if isinstance(body, dict) and isinstance(body.get("records"), list):
        return list(body["records"])
    if isinstance(body, dict):
        return [body]
    if isinstance(body, list):
        return body
    raise NodeError("the request body must be a JSON object, a list of objects or {records: [...]}")


class RequestBodySource(EagerKind):
    name = "source.request"
    request_input = True
    title = "Request body (published endpoint)"
    category = "source"
    inputs = ()
    cacheable = False
    params_schema = {
        "type": "object",
        "required": ["columns"],
        "properties": {
            "columns": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string", "minLength": 1},
                        "type": {"enum": SQL_TYPES, "default": "VARCHAR"},
                        "required": {"type": "boolean", "default": False},
                    },
                    "additionalProperties": False,
                },
            },
            "sample": {
                "type": "array",
                "items": {"type": "object"},
                "description": "records used when the flow runs outside an endpoint",
            },
        },
        "additionalProperties": False,
    }

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        return [c["name"] for c in params["columns"]]

    def produce(
        self, params: dict[str, Any], inputs: dict[str, pa.Table], ctx: CompileContext
    ) -> pa.Table:
        if ctx.request is not None and ctx.request.get("body") is not None:
            records = records_of(ctx.request["body"])
            where = "request body"
        else:
            records = list(params.get("sample", []))
            where = "sample"
        if len(records) > MAX_RECORDS:
            raise NodeError(f"{where}: more than {MAX_RECORDS} records")
        columns: dict[str, list[Any]] = {c["name"]: [] for c in params["columns"]}
        for i, record in enumerate(records):
            if not isinstance(record, dict):
                raise NodeError(f"{where}: records[{i}] is not a JSON object")
            for col in params["columns"]:
                name, sql_type = col["name"], col.get("type", "VARCHAR")
                if col.get("required") and record.get(name) is None:
                    raise NodeError(f"{where}: records[{i}].{name} is required")
                try:
                    columns[name].append(_value(record.get(name), sql_type))
                except (ValueError, TypeError) as exc:
                    raise NodeError(
                        f"{where}: records[{i}].{name} = {record.get(name)!r}: {exc}"
                    ) from None
        return pa.table(
            {
                c["name"]: pa.array(columns[c["name"]], ARROW_TYPES[c.get("type", "VARCHAR")])
                for c in params["columns"]
            }
        )
