"""Who calls a service, and per-verb custom scopes.

A service names its verbs (`Scopes`): the hub defines one custom scope per verb
(`custom:<service>:<verb>`), every user gets them, and the service checks the verb each
request needs (`Caller.need`, 403 naming the scope). Which things a verb reaches (own,
shared through groups, all for admins) is the service's business: `sees` and `owns` answer
it for a thing with an `owner` and `groups`. No web framework here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import Forbidden


@dataclass(frozen=True)
class Scopes:
    """A service's verbs and what each allows (the scope's description in the hub)."""

    service: str
    verbs: Mapping[str, str]

    def scope(self, verb: str) -> str:
        return f"custom:{self.service}:{verb}"

    def names(self) -> list[str]:
        return [self.scope(verb) for verb in self.verbs]

    def custom_scopes(self) -> dict[str, dict[str, str]]:
        """JupyterHub.custom_scopes entries."""
        return {self.scope(verb): {"description": text} for verb, text in self.verbs.items()}

    def letting_in(self, service_name: str) -> set[str]:
        """Scopes of which any one lets a caller through HubAuth (check_scopes is "any
        of"): access to the service, or any of its verbs; `Caller.need` checks the verb."""
        return {f"access:services!service={service_name}", *self.names()}


@dataclass(frozen=True)
class Caller:
    name: str
    admin: bool = False
    groups: frozenset[str] = field(default_factory=frozenset)
    verbs: frozenset[str] = field(default_factory=frozenset)
    service: str = ""

    @classmethod
    def from_hub_model(
        cls,
        model: dict[str, Any],
        check: Callable[[set[str], dict[str, Any]], Iterable[str]],
        scopes: Scopes,
    ) -> Caller:
        """`check` is HubAuth.check_scopes: it expands filters and `inherit` for us."""
        verbs = frozenset(v for v in scopes.verbs if check({scopes.scope(v)}, model))
        return cls(
            name=str(model["name"]),
            admin=bool(model.get("admin")),
            groups=frozenset(model.get("groups") or ()),
            verbs=verbs,
            service=scopes.service,
        )

    def need(self, verb: str) -> None:
        if verb not in self.verbs:
            name = f"custom:{self.service}:{verb}"
            raise Forbidden(
                f"your token or session lacks the {name} scope",
                [{"field": "scope", "scope": name}],
            )

    def sees(self, thing: dict[str, Any]) -> bool:
        """Its owner, the people of its groups, and admins."""
        return self.admin or thing["owner"] == self.name or bool(self.groups & set(thing["groups"]))

    def owns(self, thing: dict[str, Any]) -> bool:
        return self.admin or thing["owner"] == self.name
