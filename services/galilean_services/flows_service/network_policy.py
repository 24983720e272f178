"""Which flows run without the network: a node running user code (a kind that declares
`user_code`, such as Python) could reach past the engine's allow-list, so its run never
gets the network, whatever the admin allows."""

from __future__ import annotations

import json

from ..flows.registry import Registry, default_registry

OFFLINE = (
    "network: none for this run (it has a Python node, and Python nodes never get the "
    "network: the allow-list holds only the engine's own connections)"
)


def runs_python(content: str, registry: Registry | None = None) -> bool:
    """Whether a flow (its .flow JSON) has a node running user code (a kind that declares
    `user_code`, such as Python): it then runs without the network, whatever the admin
    allows, as user code could reach past the allow-list."""
    try:
        nodes = json.loads(content).get("nodes") or []
    except (ValueError, AttributeError):
        return True  # unreadable here: the safe answer
    user_code = set((registry or default_registry()).names(lambda kind: kind.user_code))
    return any(isinstance(n, dict) and n.get("kind") in user_code for n in nodes)
