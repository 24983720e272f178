"""`source.http_json`: JSON records from an HTTP API."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from ...issues import NodeError
from ...net import http_request, shown
from ...registry import CompileContext
from ...secret_refs import SENT_SCALAR, SENT_TEXT, sent_each, sent_headers
from ...sql import resolve
from .base import EagerSource, to_arrow

MAX_RESPONSE_BYTES = 256 * 1024 * 1024


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
            "query": {"type": "object", "additionalProperties": SENT_SCALAR},
            "headers": {
                "type": "object",
                "description": "e.g. Authorization: Bearer …, taken from one of your secrets",
                "additionalProperties": SENT_TEXT,
            },
        },
        "additionalProperties": False,
    }

    def produce(
        self, params: dict[str, Any], inputs: dict[str, pa.Table], ctx: CompileContext
    ) -> pa.Table:
        import pandas as pd
        import requests
        import urllib3

        url = str(resolve(params["url"], ctx.params))
        query = sent_each(params.get("query"), ctx, "query")
        headers = sent_headers(params, ctx)
        # The service's policy: the checked address only, no redirects (see net.py).
        with http_request(
            ctx.http_policy, "GET", url, params=query, headers=headers, stream=True
        ) as reply:
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
