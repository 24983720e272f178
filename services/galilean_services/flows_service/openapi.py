"""The flows service's OpenAPI document (kit.openapi over its routes)."""

from __future__ import annotations

from typing import Any, ClassVar

from tornado import web

from ..flows.schema import FLOW_SCHEMA
from ..kit import openapi
from .access import SCOPES
from .handlers import BaseHandler


def document(routes: list[tuple[str, type[web.RequestHandler]]], prefix: str) -> dict[str, Any]:
    from .app import ARGUMENT_PATTERNS  # app imports this module

    flow_schema = {k: v for k, v in FLOW_SCHEMA.items() if not k.startswith("$")}
    return openapi.document(
        routes,
        prefix,
        title="Galilean flows",
        description="Flows, versions, runs, published endpoints and schedules. "
        + openapi.access_text(SCOPES, "flows"),
        patterns=ARGUMENT_PATTERNS,
        schemas={
            "Error": openapi.error_schema("flow 7 does not exist", "flow_id"),
            "Flow": flow_schema,
        },
    )


class OpenAPIHandler(BaseHandler):
    public = True
    docs: ClassVar[dict[str, str]] = {"get": "This document"}

    def get(self) -> None:
        self.send(document(self.settings["routes"], self.service.config.prefix))
