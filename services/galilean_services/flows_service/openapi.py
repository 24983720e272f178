"""The OpenAPI document, made from the routes and each handler's `docs` and `bodies`, so
it cannot drift from what the service answers."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from tornado import web

from ..errors import error_body
from ..flows.schema import FLOW_SCHEMA
from .access import SCOPE_HELP, scope
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
ERRORS = (
    "An error in the one JSON shape: 400 invalid (`errors` names each field or node), "
    "401 no login or token, 403 a scope missing (named) or not yours, 404 missing (also "
    "what another user's flow or run answers), 409 conflict, 504 an endpoint too slow"
)
ACCESS = (
    "Send a hub API token (`Authorization: token …`) or log in through the hub (browsers). "
    "A token needs `access:services!service=flows` or any one of the custom:flows:* "
    "scopes to be let in at all (a token with only custom:flows:read can read); each "
    "operation then needs its verb's scope: "
    + "; ".join(f"{scope(verb)}: {text.rstrip('.')}" for verb, text in SCOPE_HELP.items())
    + ". Request bodies are JSON: integers beyond 64 bits, numbers beyond a double, text "
    "with a lone UTF-16 surrogate and nesting deeper than 64 levels are refused (400)."
)


def _argument_schema(name: str) -> dict[str, Any]:
    from .app import ARGUMENT_PATTERNS  # app imports this module

    return {"type": "string", "pattern": f"^{ARGUMENT_PATTERNS[name]}$"}


def document(routes: list[tuple[str, type[web.RequestHandler]]], prefix: str) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for template, handler in routes:
        docs = getattr(handler, "docs", {})
        bodies = getattr(handler, "bodies", {})
        names = re.findall(r"\{(\w+)\}", template)
        operations: dict[str, Any] = {}
        for method, summary in docs.items():
            operation: dict[str, Any] = {
                "summary": summary,
                "parameters": [
                    {"name": n, "in": "path", "required": True, "schema": _argument_schema(n)}
                    for n in names
                ],
                "responses": {
                    "200": {"description": "JSON"},
                    "default": {
                        "description": ERRORS,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                },
            }
            if method in bodies:
                operation["requestBody"] = {
                    "required": False,
                    "content": {"application/json": {"schema": bodies[method]}},
                }
            if not getattr(handler, "public", False):
                operation["security"] = [{"hubToken": []}]
            operations[method] = operation
        paths["/" + template] = operations
    flow_schema = {k: v for k, v in FLOW_SCHEMA.items() if not k.startswith("$")}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Galilean flows",
            "version": "1",
            "description": "Flows, versions, runs, published endpoints and schedules. " + ACCESS,
        },
        "servers": [{"url": prefix.rstrip("/")}],
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR_SCHEMA, "Flow": flow_schema},
            "securitySchemes": {
                "hubToken": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "token <hub API token>",
                }
            },
        },
    }


class OpenAPIHandler(BaseHandler):
    public = True
    docs: ClassVar[dict[str, str]] = {"get": "This document"}

    def get(self) -> None:
        self.send(document(self.settings["routes"], self.service.config.prefix))
