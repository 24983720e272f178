"""Who may do what: custom scopes say which verbs a caller may use at all; ownership and
group sharing say on which flows. Admins see, run, stop and delete everything, but only a
flow's owner changes what it runs or when (`owned`): it runs as the owner."""

from __future__ import annotations

from typing import Any

from ..kit.auth import Caller, Scopes
from ..kit.errors import Forbidden, NotFound

# The verbs and what they allow (the hub defines the custom scopes from this).
SCOPES = Scopes(
    "flows",
    {
        "read": "See flows, versions, runs, endpoints and schedules shared with you.",
        "write": "Create and change your flows, publish them, schedule them.",
        "run": "Run flows and cancel runs.",
        "execute": "Call published flow endpoints.",
    },
)
SCOPE_HELP = SCOPES.verbs
VERBS = tuple(SCOPE_HELP)
scope = SCOPES.scope
__all__ = [
    "SCOPES",
    "SCOPE_HELP",
    "VERBS",
    "Caller",
    "changeable",
    "owned",
    "scope",
    "visible",
]


def visible(caller: Caller, flow: dict[str, Any]) -> dict[str, Any]:
    """The flow, or NotFound: a flow one may not see is not confirmed to exist."""
    if not caller.sees(flow):
        raise NotFound(f"flow {flow['id']} does not exist", [{"field": "flow_id"}])
    return flow


def changeable(caller: Caller, flow: dict[str, Any]) -> dict[str, Any]:
    """The flow, for its owner or an admin (renaming it, deleting it, stopping its endpoint
    or schedule); 403 for the people it is shared with."""
    visible(caller, flow)
    if not caller.owns(flow):
        raise Forbidden(
            f"flow {flow['id']} belongs to {flow['owner']}: shared flows can be read and run, "
            "not changed",
            [{"field": "flow_id"}],
        )
    return flow


OWNER_ONLY = "only the flow's owner may change what it runs"


def owned(caller: Caller, flow: dict[str, Any]) -> dict[str, Any]:
    """The flow, for its owner only: deciding what runs with the owner's files and
    connections, or when (a version, an endpoint, a schedule, more groups). An admin is
    refused too (403): their code or their choice would run as someone else."""
    changeable(caller, flow)
    if flow["owner"] != caller.name:
        raise Forbidden(
            f"{OWNER_ONLY}: flow {flow['id']} belongs to {flow['owner']} and runs as them",
            [{"field": "flow_id"}],
        )
    return flow
