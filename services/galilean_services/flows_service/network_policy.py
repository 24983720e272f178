"""Which flows run without the network: a node running user code (a kind that declares
`user_code`, such as Python) could reach past the engine's allow-list, so its run never
gets the network, whatever the admin allows."""

from __future__ import annotations

import json
from collections.abc import Callable

from ..flows.registry import NodeKind, Registry, default_registry

OFFLINE = (
    "network: none for this run (it has a Python node, and Python nodes never get the "
    "network: the allow-list holds only the engine's own connections)"
)


def has_kind(
    content: str,
    where: Callable[[NodeKind], bool],
    unreadable: bool,
    registry: Registry | None = None,
) -> bool:
    """Whether a flow (its .flow JSON) has a node of a kind `where` picks; `unreadable`:
    the answer for a document that cannot be read here (the run then fails on it)."""
    try:
        nodes = json.loads(content).get("nodes") or []
    except (ValueError, AttributeError):
        return unreadable
    kinds = set((registry or default_registry()).names(where))
    return any(isinstance(n, dict) and n.get("kind") in kinds for n in nodes)


def runs_python(content: str, registry: Registry | None = None) -> bool:
    """Whether a flow (its .flow JSON) has a node running user code (a kind that declares
    `user_code`, such as Python): it then runs without the network, whatever the admin
    allows, as user code could reach past the allow-list. Unreadable: the safe answer."""
    return has_kind(content, lambda kind: kind.user_code, True, registry)
