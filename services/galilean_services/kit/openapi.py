"""A service's OpenAPI document, made from its routes and each handler's `docs` and
`bodies`, so it cannot drift from what the service answers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .auth import Scopes
from .errors import error_body

ERRORS = (
    "An error in the one JSON shape: 400 invalid (`errors` names each field), 401 no login "
    "or token, 403 a scope missing (named) or not yours, 404 missing (also what another "
    "user's things answer), 409 conflict, 504 too slow"
)


def error_schema(example: str, field: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["ok", "error", "errors", "status"],
        "properties": {
            "ok": {"const": False},
            "error": {"type": "string"},
            "errors": {"type": "array", "items": {"type": "object"}},
            "status": {"type": "integer"},
        },
        "example": error_body(example, 404, [{"field": field}]),
    }


def access_text(scopes: Scopes, service_name: str) -> str:
    return (
        "Send a hub API token (`Authorization: token …`) or log in through the hub (browsers). "
        f"A token needs `access:services!service={service_name}` or any one of the "
        f"custom:{scopes.service}:* scopes to be let in at all (a token with only "
        f"custom:{scopes.service}:read can read); each operation then needs its verb's scope: "
        + "; ".join(
            f"{scopes.scope(verb)}: {text.rstrip('.')}" for verb, text in scopes.verbs.items()
        )
        + ". Request bodies are JSON: integers beyond 64 bits, numbers beyond a double, text "
        "with a lone UTF-16 surrogate and nesting deeper than 64 levels are refused (400)."
    )


def _operation(handler: Any, method: str, summary: str, parameters: list[Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "parameters": parameters,
        "responses": {
            "200": {"description": "JSON"},
            "default": {
                "description": ERRORS,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        },
    }
    bodies = getattr(handler, "bodies", {})
    if method in bodies:
        operation["requestBody"] = {
            "required": False,
            "content": {"application/json": {"schema": bodies[method]}},
        }
    if not getattr(handler, "public", False):
        operation["security"] = [{"hubToken": []}]
    return operation


def document(
    routes: list[tuple[str, Any]],
    prefix: str,
    *,
    title: str,
    description: str,
    patterns: Mapping[str, str],
    schemas: Mapping[str, Any],
) -> dict[str, Any]:
    """`routes`: (template with {names}, handler class); `patterns`: each name's regex;
    `schemas`: components (an `Error` among them)."""
    paths: dict[str, Any] = {}
    for template, handler in routes:
        names = re.findall(r"\{(\w+)\}", template)
        parameters = [
            {
                "name": n,
                "in": "path",
                "required": True,
                "schema": {"type": "string", "pattern": f"^{patterns[n]}$"},
            }
            for n in names
        ]
        paths["/" + template] = {
            method: _operation(handler, method, summary, parameters)
            for method, summary in getattr(handler, "docs", {}).items()
        }
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "1", "description": description},
        "servers": [{"url": prefix.rstrip("/")}],
        "paths": paths,
        "components": {
            "schemas": dict(schemas),
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
