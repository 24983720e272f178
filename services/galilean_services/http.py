"""Kept for the modules that import from here: request bodies are `kit.body`, the tornado
glue `kit.http`."""

from __future__ import annotations

from .kit.body import MAX_JSON_BODY, MAX_JSON_DEPTH, check_json, json_body, json_object
from .kit.http import JSONErrorMixin

__all__ = [
    "MAX_JSON_BODY",
    "MAX_JSON_DEPTH",
    "JSONErrorMixin",
    "check_json",
    "json_body",
    "json_object",
]
