"""Who may do what: custom scopes say which verbs a caller may use at all; ownership and
group sharing say on which flows. Admins see, run, stop and delete everything, but only a
flow's owner changes what it runs or when (`owned`): it runs as the owner."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..errors import Forbidden, NotFound

SCOPE_PREFIX = "custom:flows:"
# The verbs and what they allow (the hub defines the custom scopes from this).
SCOPE_HELP = {
    "read": "See flows, versions, runs, endpoints and schedules shared with you.",
    "write": "Create and change your flows, publish them, schedule them.",
    "run": "Run flows and cancel runs.",
    "execute": "Call published flow endpoints.",
}
VERBS = tuple(SCOPE_HELP)


def scope(verb: str) -> str:
    return SCOPE_PREFIX + verb


@dataclass(frozen=True)
class Caller:
    name: str
    admin: bool = False
    groups: frozenset[str] = field(default_factory=frozenset)
    verbs: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_hub_model(
        cls, model: dict[str, Any], check: Callable[[set[str], dict[str, Any]], Iterable[str]]
    ) -> Caller:
        """`check` is HubAuth.check_scopes: it expands filters and `inherit` for us."""
        verbs = frozenset(v for v in VERBS if check({scope(v)}, model))
        return cls(
            name=str(model["name"]),
            admin=bool(model.get("admin")),
            groups=frozenset(model.get("groups") or ()),
            verbs=verbs,
        )

    def need(self, verb: str) -> None:
        if verb not in self.verbs:
            raise Forbidden(
                f"your token or session lacks the {scope(verb)} scope",
                [{"field": "scope", "scope": scope(verb)}],
            )

    def sees(self, flow: dict[str, Any]) -> bool:
        return self.admin or flow["owner"] == self.name or bool(self.groups & set(flow["groups"]))

    def owns(self, flow: dict[str, Any]) -> bool:
        return self.admin or flow["owner"] == self.name


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
