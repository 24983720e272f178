"""What the designer asks of versions beyond saving and reading them: the diff of two
versions, restoring an old one as a new version, and checking the nodes a run is limited
to ("run up to here"). Plain functions over the store; FlowsService checks scopes and
access and calls them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..flows.diff import diff_flows
from ..kit import body as body_checks
from ..kit.errors import NotFound, ValidationError
from .store import Store

MAX_TARGETS = 1000


def against(text: str | None, number: int) -> int:
    """The `against` query argument of a diff: a version number; absent: the version
    before `number` (400 naming `against` when there is none, or it is not a number)."""
    if text is None:
        if number <= 1:
            raise ValidationError(
                "against: version 1 has no version before it; name one (?against=N)",
                [{"field": "against"}],
            )
        return number - 1
    if not text.isdigit() or not text.isascii():
        raise ValidationError(
            f"against: a version number is required, not {text!r}", [{"field": "against"}]
        )
    return body_checks.known_id(int(text), "version", "against")


def _stored(store: Store, flow_id: int, number: int, field: str) -> str:
    """Version `number`'s .flow text (404 naming `field` when there is no such version)."""
    try:
        return str(store.version(flow_id, number)["content"])
    except NotFound:
        raise NotFound(f"flow {flow_id} has no version {number}", [{"field": field}]) from None


def _content(store: Store, flow_id: int, number: int, field: str) -> dict[str, Any]:
    data = json.loads(_stored(store, flow_id, number, field))
    return data if isinstance(data, dict) else {}


def diff(store: Store, flow_id: int, number: int, base: int) -> dict[str, Any]:
    """What changed from version `base` to version `number` (404 naming `number` or
    `against` for a version that does not exist)."""
    new = _content(store, flow_id, number, "number")
    old = _content(store, flow_id, base, "against")
    return diff_flows(old, new, base, number)


def restore(
    store: Store,
    flow_id: int,
    number: int,
    author: str,
    body: dict[str, Any],
    check: Callable[[str], str],
) -> int:
    """A new version with version `number`'s content (nothing is lost: versions never
    change); returns its number. `message` defaults to "Restored version N"; `check`
    validates the content again (the node kinds may have changed since: 400 with the
    issues) and gives the text to store."""
    message = body_checks.text(body, "message", "", 2000) or f"Restored version {number}"
    content = check(_stored(store, flow_id, number, "number"))
    return store.add_version(flow_id, content, author, message)


def targets(body: dict[str, Any], node_ids: set[str]) -> list[str] | None:
    """The `targets` of a run: the nodes it runs up to (each a node of the version run,
    in the order given, without repeats); absent or null: None (every destination)."""
    value = body.get("targets")
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or not value
        or len(value) > MAX_TARGETS
        or not all(isinstance(v, str) and v for v in value)
    ):
        raise ValidationError(
            "targets: a non-empty list of node ids is required", [{"field": "targets"}]
        )
    unknown = [v for v in value if v not in node_ids]
    if unknown:
        raise ValidationError(
            f"targets: the version run has no node {', '.join(map(repr, unknown[:5]))}",
            [{"field": "targets", "nodes": unknown[:20]}],
        )
    return list(dict.fromkeys(value))
