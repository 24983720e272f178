"""The published JSON Schema of a `.flow` file (node parameters have their own, per kind)."""

from __future__ import annotations

from typing import Any

# The largest flow accepted (far above any drawn by hand): checking and planning a flow
# takes time in its size, so a bigger one is refused (400 naming `nodes` or `edges`).
MAX_NODES = 2_000
MAX_EDGES = 10_000

ID = {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_-]{0,63}$"}
PORT_REF = {
    "type": "object",
    "required": ["node"],
    "properties": {"node": ID, "port": {"type": "string"}},
    "additionalProperties": False,
}

FLOW_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://galilean.dev/schemas/flow-1.json",
    "title": "Galilean flow",
    "type": "object",
    "required": ["galilean_flow", "name", "nodes"],
    "properties": {
        "galilean_flow": {"const": 1},
        "name": {"type": "string", "minLength": 1},
        "description": {"type": "string"},
        "parameters": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "type"],
                "properties": {
                    "name": ID,
                    "type": {"enum": ["string", "integer", "number", "boolean"]},
                    "default": {},
                    "description": {"type": "string"},
                    "shared": {"type": "boolean", "default": False},
                },
                "additionalProperties": False,
            },
        },
        "nodes": {
            "type": "array",
            "maxItems": MAX_NODES,
            "items": {
                "type": "object",
                "required": ["id", "kind"],
                "properties": {
                    "id": ID,
                    "kind": {"type": "string"},
                    "params": {"type": "object"},
                    "position": {
                        "type": "object",
                        "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
                    },
                },
                "additionalProperties": False,
            },
        },
        "edges": {
            "type": "array",
            "maxItems": MAX_EDGES,
            "items": {
                "type": "object",
                "required": ["id", "from", "to"],
                "properties": {"id": ID, "from": PORT_REF, "to": PORT_REF},
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}
