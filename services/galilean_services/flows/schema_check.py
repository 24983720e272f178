"""A quick check that a document conforms to a JSON Schema, so that a valid flow (the usual
case) is accepted without importing `jsonschema` (whose import builds an RFC 3987 grammar:
most of a second of a cold start).

`conforms` is conservative: True only when Draft 2020-12 would report no error for certain
(the keywords Galilean's schemas use, with `jsonschema`'s meaning). On False, or any keyword
it does not know, the caller asks `jsonschema` itself, whose messages are the ones users see.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

# Keywords that only annotate: they never make a document invalid (so do `x-…` ones,
# such as `x-galilean`, which tells the designer a field names a column or holds SQL).
_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "title", "description", "default"})

_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}
_SCALARS = (str, int, float, bool, type(None))


def conforms(schema: Any, value: Any) -> bool:
    """True when `value` certainly conforms to `schema`; False when it does not or when
    this check cannot tell (then ask `jsonschema`)."""
    if schema is True:
        return True
    if not isinstance(schema, dict):
        return False
    return all(_keyword(key, rule, schema, value) for key, rule in schema.items())


def _keyword(key: str, rule: Any, schema: dict[str, Any], value: Any) -> bool:
    if key in _ANNOTATIONS or key.startswith("x-"):
        return True
    check = _CHECKS.get(key)
    return check is not None and check(rule, schema, value)


def _type(rule: Any, schema: dict[str, Any], value: Any) -> bool:
    names = rule if isinstance(rule, list) else [rule]
    return any(name in _TYPES and _TYPES[name](value) for name in names)


def _same(a: Any, b: Any) -> bool:
    return isinstance(a, _SCALARS) and type(a) is type(b) and a == b


def _enum(rule: Any, schema: dict[str, Any], value: Any) -> bool:
    return isinstance(rule, list) and any(_same(choice, value) for choice in rule)


def _const(rule: Any, schema: dict[str, Any], value: Any) -> bool:
    return _same(rule, value)


def _properties(rule: Any, schema: dict[str, Any], value: Any) -> bool:
    if not isinstance(value, dict):
        return True
    return all(conforms(sub, value[name]) for name, sub in rule.items() if name in value)


def _additional(rule: Any, schema: dict[str, Any], value: Any) -> bool:
    if not isinstance(value, dict):
        return True
    if "patternProperties" in schema:
        return False
    known = schema.get("properties", {})
    return all(conforms(rule, item) for name, item in value.items() if name not in known)


def _any_of(rule: Any, schema: dict[str, Any], value: Any) -> bool:
    return isinstance(rule, list) and any(conforms(sub, value) for sub in rule)


def _required(rule: Any, schema: dict[str, Any], value: Any) -> bool:
    return not isinstance(value, dict) or all(name in value for name in rule)


def _items(rule: Any, schema: dict[str, Any], value: Any) -> bool:
    if not isinstance(value, list):
        return True
    return isinstance(rule, dict | bool) and all(conforms(rule, item) for item in value)


def _unique(rule: Any, schema: dict[str, Any], value: Any) -> bool:
    if rule is not True or not isinstance(value, list):
        return rule is False or not isinstance(value, list)
    return all(isinstance(v, str) for v in value) and len(set(value)) == len(value)


def _bound(test: Callable[[Any, Any], bool], of: Callable[[Any], bool]) -> Any:
    def check(rule: Any, schema: dict[str, Any], value: Any) -> bool:
        return not of(value) or test(value, rule)

    return check


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _is_list(value: Any) -> bool:
    return isinstance(value, list)


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _pattern(rule: Any, schema: dict[str, Any], value: Any) -> bool:
    return not isinstance(value, str) or _regex(rule).search(value) is not None


_CHECKS: dict[str, Callable[[Any, dict[str, Any], Any], bool]] = {
    "type": _type,
    "enum": _enum,
    "const": _const,
    "properties": _properties,
    "additionalProperties": _additional,
    "required": _required,
    "anyOf": _any_of,
    "items": _items,
    "uniqueItems": _unique,
    "pattern": _pattern,
    "minimum": _bound(lambda v, r: v >= r, _is_number),
    "maximum": _bound(lambda v, r: v <= r, _is_number),
    "exclusiveMinimum": _bound(lambda v, r: v > r, _is_number),
    "exclusiveMaximum": _bound(lambda v, r: v < r, _is_number),
    "minLength": _bound(lambda v, r: len(v) >= r, _is_text),
    "maxLength": _bound(lambda v, r: len(v) <= r, _is_text),
    "minItems": _bound(lambda v, r: len(v) >= r, _is_list),
    "maxItems": _bound(lambda v, r: len(v) <= r, _is_list),
}
