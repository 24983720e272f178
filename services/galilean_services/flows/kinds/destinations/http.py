"""Destinations that call out over HTTP: send the rows to an API, or notify a webhook.

Rows travel as JSON (dates as ISO text); the service's HTTP policy applies (see net.py:
the checked address only, no redirects, connect and read timeouts). A refused or failed
call fails the node, naming the status, never echoing headers or the query (they may carry
a token).
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from ...issues import NodeError
from ...net import http_request, shown
from ...registry import CompileContext
from ...secret_refs import SENT_TEXT, sent_headers
from ...sql import resolve
from ...values import jsonable
from .base import PassThrough

# A header's value: text, a flow parameter, or one of the owner's secrets (an API key).
HEADER_VALUE = SENT_TEXT


def send(ctx: CompileContext, method: str, url: str, payload: Any, headers: dict[str, str]) -> int:
    body = json.dumps(payload, default=jsonable)
    headers = {"Content-Type": "application/json", **headers}
    with http_request(ctx.http_policy, method, url, data=body, headers=headers) as reply:
        status = reply.status_code
    if status >= 400:
        raise NodeError(f"{shown(url)} answered HTTP {status}")
    return status


class HttpDestination(PassThrough):
    """Common: the node's result is its input; subclasses say what to send."""

    category = "destination"
    writes = True

    @staticmethod
    def headers(params: dict[str, Any], ctx: CompileContext) -> dict[str, str]:
        return sent_headers(params, ctx)


class HttpRequest(HttpDestination):
    name = "destination.http"
    title = "Send rows to an HTTP API"
    params_schema = {
        "type": "object",
        "required": ["url"],
        "properties": {
            "url": {"type": "string", "pattern": "^https?://"},
            "method": {"enum": ["POST", "PUT", "PATCH"], "default": "POST"},
            "batch_size": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1000},
            "headers": {"type": "object", "additionalProperties": HEADER_VALUE},
        },
        "additionalProperties": False,
    }

    def write(self, params: dict[str, Any], table: pa.Table, ctx: CompileContext) -> str:
        url = str(resolve(params["url"], ctx.params))
        size = int(params.get("batch_size", 1000))
        headers = self.headers(params, ctx)
        rows = table.to_pylist()
        batches = 0
        for start in range(0, len(rows), size):
            send(ctx, params.get("method", "POST"), url, rows[start : start + size], headers)
            batches += 1
        return f"{ctx.node_id or self.name}: sent {len(rows)} rows in {batches} request(s)"
