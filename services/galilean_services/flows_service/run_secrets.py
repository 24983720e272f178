"""A run's secrets: the owner's, for the connections their flow uses (a connection may take
its password from one of their secrets, issue 17) and the `{"$secret": name}` values its
HTTP nodes send (flows/secret_refs.py).

A run executes as its owner, apart from this service, and reads the owner's connections
from their folder; what it cannot read there is a secret, kept encrypted by the hub. For a
flow with a node that opens a named connection, the service asks the hub for the owner's
secrets with its own token (the hub answers the flows service only:
galilean_hub.vault_api.SecretsForHandler) and hands them to the run on its standard input
with the job. They are in no environment, no log and no record; errors name no value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from tornado.httpclient import AsyncHTTPClient, HTTPRequest

from ..flows.registry import Registry
from ..flows.secret_refs import secret_names
from .network_policy import has_kind

TIMEOUT = 30.0


class SecretsUnavailable(Exception):
    """The hub did not give the owner's secrets (its message says why)."""


def uses_connections(content: str, registry: Registry | None = None) -> bool:
    """Whether a flow (its .flow JSON) has a node that opens a named SQL connection (a
    kind with a `connection` parameter). Unreadable: no (the run fails on it)."""
    return has_kind(content, lambda kind: "connection" in _properties(kind), False, registry)


def named_secrets(content: str) -> frozenset[str]:
    """The secrets a flow's nodes name as `{"$secret": name}`. Unreadable: none."""
    try:
        nodes = json.loads(content).get("nodes") or []
    except (ValueError, AttributeError):
        return frozenset()
    return frozenset(secret_names([n.get("params") for n in nodes if isinstance(n, dict)]))


async def secrets_for(
    secrets: OwnerSecrets | None, owner: str, content: str
) -> dict[str, str] | None:
    """What a run or an endpoint of this flow gets of its owner's secrets: all of them when
    it opens named connections (which of them a connection reads is in the owner's files,
    read by the run), those its nodes name otherwise, none (None) when it needs none."""
    if secrets is None or not owner:
        return None
    named = named_secrets(content)
    every = uses_connections(content)
    if not every and not named:
        return None
    given = await secrets.of(owner)
    return given if every else {k: v for k, v in given.items() if k in named}


def _properties(kind: Any) -> Mapping[str, Any]:
    schema = getattr(kind, "params_schema", None) or {}
    found = schema.get("properties") if isinstance(schema, dict) else None
    return found if isinstance(found, dict) else {}


class OwnerSecrets:
    """The hub's answer for an owner's secrets, asked with the service's token."""

    def __init__(self, api_url: str, token: str, timeout: float = TIMEOUT) -> None:
        self.api_url = api_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    async def of(self, owner: str) -> dict[str, str]:
        request = HTTPRequest(
            f"{self.api_url}/galilean/secrets-for/{quote(owner, safe='')}",
            headers={"Authorization": f"token {self.token}"},
            connect_timeout=min(5.0, self.timeout),
            request_timeout=self.timeout,
            follow_redirects=False,
        )
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
        except OSError as exc:
            raise SecretsUnavailable(f"the hub is not reachable ({type(exc).__name__})") from None
        try:
            body = json.loads(response.body or b"null")
        except ValueError:
            body = None
        if response.code != 200:
            said = body.get("error") if isinstance(body, dict) else None
            raise SecretsUnavailable(str(said or f"the hub answered {response.code}"))
        found = body.get("secrets") if isinstance(body, dict) else None
        if not isinstance(found, dict):
            raise SecretsUnavailable("the hub's answer has no secrets")
        return {str(k): str(v) for k, v in found.items() if isinstance(v, str)}
