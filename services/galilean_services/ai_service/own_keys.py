"""The providers' keys the gateway holds besides its environment (stack.env), asked of the
hub with the gateway's own token and kept KEY_TTL seconds in memory, never on disk or in
a log:

- a user's own keys (issue 17: "users may add their own keys in the vault, used only for
  them"): the secrets AI_KEY_OPENAI, AI_KEY_ANTHROPIC, AI_KEY_AZURE in the user's vault
  (the hub gives the AI service those names only: galilean_hub.vault_api). A request of
  that user to a model of that provider carries their key instead of the admin's and is
  not counted against the admin's daily budget (it is recorded apart);
- the hub's keys, which an admin saves in the Secrets panel's *Hub secrets*
  (OPENAI_API_KEY, ANTHROPIC_API_KEY, AZURE_API_KEY: galilean_hub.hub_secrets_api), used
  in place of stack.env's, without a restart.

Which models a user may use stays the admin's choice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from tornado import web

from ..secrets.names import ai_key_name
from .catalogue import PROVIDERS

log = logging.getLogger(__name__)
KEY_TTL = 15.0  # a key added or replaced is used within this many seconds
# Providers reached with a key (a local Ollama needs none).
KEYED = tuple(p for p in PROVIDERS if not p.startswith("ollama"))
# The hub's secret (as stack.env's variable) holding the admin's key for each of them.
HUB_KEY = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY", "azure": "AZURE_API_KEY"}


class OwnKeys:
    def __init__(self, clock: Callable[[], float] = time.time, ttl: float = KEY_TTL) -> None:
        self.clock, self.ttl = clock, ttl
        self._cache: dict[str, tuple[float, dict[str, str]]] = {}

    async def of(self, auth: Any, user: str) -> dict[str, str]:
        """The user's own keys by provider ({} when they have none, or the hub does not
        answer: then the admin's keys and budget apply, as without own keys)."""
        cached = self._cache.get(user)
        if cached is not None and self.clock() - cached[0] < self.ttl:
            return cached[1]
        try:
            answer = await auth._api_request(
                "GET", f"{auth.api_url}/galilean/secrets-for/{quote(user, safe='')}"
            )
        except web.HTTPError as error:
            log.warning("the hub did not give %s's own AI keys (%s)", user, error.status_code)
            answer = None
        found = answer.get("secrets") if isinstance(answer, dict) else None
        secrets = found if isinstance(found, dict) else {}
        keys = {
            provider: str(secrets[ai_key_name(provider)])
            for provider in KEYED
            if isinstance(secrets.get(ai_key_name(provider)), str)
        }
        self._cache[user] = (self.clock(), keys)
        return keys


class HubKeys:
    """The admin's keys saved as the hub's secrets, by provider."""

    def __init__(self, clock: Callable[[], float] = time.time, ttl: float = KEY_TTL) -> None:
        self.clock, self.ttl = clock, ttl
        self._cache: tuple[float, dict[str, str]] | None = None

    async def of(self, auth: Any) -> dict[str, str]:
        if self._cache is not None and self.clock() - self._cache[0] < self.ttl:
            return self._cache[1]
        try:
            answer = await auth._api_request(
                "GET", f"{auth.api_url}/galilean/hub-secrets-for-service"
            )
        except web.HTTPError as error:
            log.warning("the hub did not give its AI keys (%s)", error.status_code)
            answer = None
        found = answer.get("secrets") if isinstance(answer, dict) else None
        secrets = found if isinstance(found, dict) else {}
        keys = {
            provider: str(secrets[variable])
            for provider, variable in HUB_KEY.items()
            if isinstance(secrets.get(variable), str)
        }
        self._cache = (self.clock(), keys)
        return keys
