"""The OpenAPI document, made from the routes and each handler's `docs`, so it cannot
drift from what the service answers."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from tornado import web

from ..errors import error_body
from .handlers import BaseHandler

ERROR_SCHEMA = {
    "type": "object",
    "required": ["ok", "error", "errors", "status"],
    "properties": {
        "ok": {"const": False},
        "error": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
        "status": {"type": "integer"},
    },
    "example": error_body("flow 7 does not exist", 404, [{"field": "flow_id"}]),
}


def document(routes: list[tuple[str, type[web.RequestHandler]]], prefix: str) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for template, handler in routes:
        docs = getattr(handler, "docs", {})
        names = re.findall(r"\{(\w+)\}", template)
        operations: dict[str, Any] = {}
        for method, summary in docs.items():
            operations[method] = {
                "summary": summary,
                "parameters": [
                    {"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
                    for n in names
                ],
                "responses": {
                    "200": {"description": "JSON"},
                    "default": {
                        "description": "An error (400 invalid, 401 no login, 403 no scope or "
                        "not yours, 404 missing)",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                },
            }
            if not getattr(handler, "public", False):
                operations[method]["security"] = [{"hubToken": []}]
        paths["/" + template] = operations
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Galilean flows",
            "version": "1",
            "description": "Flows, versions, runs, published endpoints and schedules. Scopes: "
            "custom:flows:read, custom:flows:write, custom:flows:run, custom:flows:execute.",
        },
        "servers": [{"url": prefix.rstrip("/")}],
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR_SCHEMA},
            "securitySchemes": {
                "hubToken": {"type": "apiKey", "in": "header", "name": "Authorization",
                             "description": "token <hub API token>"}
            },
        },
    }  # fmt: skip


class OpenAPIHandler(BaseHandler):
    public = True
    docs: ClassVar[dict[str, str]] = {"get": "This document"}

    def get(self) -> None:
        self.send(document(self.settings["routes"], self.service.config.prefix))
