"""`destination.webhook`: notify a webhook of a run's rows."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from ...registry import CompileContext
from ...sql import resolve
from .http import HEADER_VALUE, HttpDestination, send


class Webhook(HttpDestination):
    name = "destination.webhook"
    title = "Notify a webhook"
    params_schema = {
        "type": "object",
        "required": ["url"],
        "properties": {
            "url": {"type": "string", "pattern": "^https?://"},
            "message": {
                "type": "string",
                "default": "{rows} rows",
                "description": "text sent as `text` (Slack, Mattermost, Teams take it); "
                "{rows} is the number of rows that reached the node",
            },
            "headers": {"type": "object", "additionalProperties": HEADER_VALUE},
        },
        "additionalProperties": False,
    }

    def write(self, params: dict[str, Any], table: pa.Table, ctx: CompileContext) -> str:
        url = str(resolve(params["url"], ctx.params))
        text = str(params.get("message", "{rows} rows")).replace("{rows}", str(table.num_rows))
        send(ctx, "POST", url, {"text": text, "rows": table.num_rows}, self.headers(params, ctx))
        return f"{ctx.node_id or self.name}: notified ({table.num_rows} rows)"
