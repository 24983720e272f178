"""Sources and destinations that need Python rather than SQL: Excel files and HTTP JSON."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pyarrow as pa
import requests
import urllib3

from ..issues import NodeError
from ..net import http_request, shown
from ..paths import file_identity, flow_file, path_problem, written_atomically
from ..registry import Columns, CompileContext, EagerKind
from ..sql import resolve
from .destinations import FileDestination

MAX_RESPONSE_BYTES = 256 * 1024 * 1024


def to_arrow(frame: pd.DataFrame) -> pa.Table:
    # Mixed-type object columns (common in spreadsheets) become text rather than failing.
    for name in frame.columns:
        if frame[name].dtype == object:
            kinds = {type(v) for v in frame[name].dropna()}
            if len(kinds) > 1:
                frame[name] = frame[name].map(lambda v: None if pd.isna(v) else str(v))
    return pa.Table.from_pandas(frame, preserve_index=False)


class EagerSource(EagerKind):
    category = "source"
    inputs = ()

    def columns(self, params: dict[str, Any], upstream: dict[str, Columns]) -> Columns:
        return None


class ExcelSource(EagerSource):
    name = "source.excel"
    title = "Excel file"
    params_schema = {
        "type": "object",
        "required": ["path"],
        "properties": {
            "path": {"type": "string", "minLength": 1},
            "sheet": {"type": ["string", "integer"], "default": 0},
            "header_row": {"type": "integer", "minimum": 0, "default": 0},
        },
        "additionalProperties": False,
    }

    def check(self, params: dict[str, Any], upstream: dict[str, Columns]) -> list[tuple[str, str]]:
        return path_problem(params["path"])

    def fingerprint(self, params: dict[str, Any], ctx: CompileContext) -> str:
        return file_identity(ctx, params["path"])

    def produce(
        self, params: dict[str, Any], inputs: dict[str, pa.Table], ctx: CompileContext
    ) -> pa.Table:
        path = flow_file(ctx, params["path"])
        try:
            frame = pd.read_excel(
                path, sheet_name=params.get("sheet", 0), header=params.get("header_row", 0)
            )
        except FileNotFoundError:
            raise NodeError(f"no file {path.name!r} in the flow's folder") from None
        except (ValueError, KeyError) as exc:
            raise NodeError(f"cannot read {path.name!r}: {exc}") from None
        return to_arrow(frame)


class HttpJsonSource(EagerSource):
    name = "source.http_json"
    title = "HTTP JSON API"
    cacheable = False  # the remote data changes without the parameters changing
    params_schema = {
        "type": "object",
        "required": ["url"],
        "properties": {
            "url": {"type": "string", "pattern": "^https?://"},
            "records_path": {
                "type": "string",
                "description": "dotted path to the list of records in the answer, e.g. data.items",
            },
            "query": {
                "type": "object",
                "additionalProperties": {"type": ["string", "number", "boolean"]},
            },
        },
        "additionalProperties": False,
    }

    def produce(
        self, params: dict[str, Any], inputs: dict[str, pa.Table], ctx: CompileContext
    ) -> pa.Table:
        url = str(resolve(params["url"], ctx.params))
        query = {k: resolve(v, ctx.params) for k, v in params.get("query", {}).items()}
        # The service's policy: the checked address only, no redirects (see net.py).
        with http_request(ctx.http_policy, "GET", url, params=query, stream=True) as reply:
            if reply.status_code >= 400:
                raise NodeError(f"{shown(url)} answered HTTP {reply.status_code}")
            try:
                body = reply.raw.read(MAX_RESPONSE_BYTES + 1, decode_content=True)
            except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
                raise NodeError(f"cannot read {shown(url)}: {type(exc).__name__}") from None
        if len(body) > MAX_RESPONSE_BYTES:
            raise NodeError(f"{shown(url)} answered more than {MAX_RESPONSE_BYTES // 2**20} MB")
        try:
            data: Any = json.loads(body)
        except ValueError:
            raise NodeError(f"{shown(url)} did not answer JSON") from None
        for key in filter(None, params.get("records_path", "").split(".")):
            if not isinstance(data, dict) or key not in data:
                raise NodeError(f"records_path: no {key!r} in the answer")
            data = data[key]
        if isinstance(data, dict):
            data = [data]
        if not isinstance(data, list):
            raise NodeError("the answer (at records_path) is not a list of records")
        return to_arrow(pd.json_normalize(data))


class ExcelWriter(FileDestination):
    name = "destination.excel"
    title = "Write an Excel file"
    writes = True
    params_schema = {
        "type": "object",
        "required": ["path"],
        "properties": {
            "path": {"type": "string", "pattern": r"\.xlsx$"},
            "sheet": {"type": "string", "default": "data"},
        },
        "additionalProperties": False,
    }

    def write(self, params: dict[str, Any], table: pa.Table, ctx: CompileContext) -> str:
        target = flow_file(ctx, params["path"])
        with (
            written_atomically(target, ctx.base_dir) as partial,
            pd.ExcelWriter(partial, engine="openpyxl") as book,
        ):
            table.to_pandas().to_excel(book, sheet_name=params.get("sheet", "data"), index=False)
        return f"wrote {target.name} ({table.num_rows} rows)"


KINDS = [ExcelSource, HttpJsonSource, ExcelWriter]
