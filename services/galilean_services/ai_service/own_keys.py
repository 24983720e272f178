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

import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from ..kit.hub_secrets import secrets_from_hub
from ..secrets.names import ai_key_name
from .catalogue import PROVIDERS

KEY_TTL = 15.0  # a key added or replaced is used within this many seconds
# Providers reached with a key (a local Ollama needs none).
KEYED = tuple(p for p in PROVIDERS if not p.startswith("ollama"))
# The hub's secret (as stack.env's variable) holding the admin's key for each of them.
HUB_KEY = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY", "azure": "AZURE_API_KEY"}


# The user's own secret for each of them.
OWN_KEY = {provider: ai_key_name(provider) for provider in KEYED}


class ProviderKeys:
    """Both kinds of keys by provider, each answer of the hub remembered KEY_TTL seconds
    ({} when the hub does not answer: then stack.env's key and the budget apply)."""

    def __init__(self, clock: Callable[[], float] = time.time, ttl: float = KEY_TTL) -> None:
        self.clock, self.ttl = clock, ttl
        self._cache: dict[str, tuple[float, dict[str, str]]] = {}

    async def own(self, auth: Any, user: str) -> dict[str, str]:
        """The user's own keys."""
        path = f"galilean/secrets-for/{quote(user, safe='')}"
        return await self._keys(auth, path, OWN_KEY, f"{user}'s own AI keys")

    async def hub(self, auth: Any) -> dict[str, str]:
        """The admin's keys saved as the hub's secrets."""
        return await self._keys(auth, "galilean/hub-secrets-for-service", HUB_KEY, "its AI keys")

    async def _keys(
        self, auth: Any, path: str, names: Mapping[str, str], what: str
    ) -> dict[str, str]:
        cached = self._cache.get(path)
        if cached is not None and self.clock() - cached[0] < self.ttl:
            return cached[1]
        secrets = await secrets_from_hub(auth, path, what) or {}
        keys = {
            provider: str(secrets[name])
            for provider, name in names.items()
            if isinstance(secrets.get(name), str)
        }
        self._cache[path] = (self.clock(), keys)
        return keys
