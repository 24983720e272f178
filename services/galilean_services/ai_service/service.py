"""What the gateway's handlers share: the catalogue, the usage store, and each caller's
allowance (their groups' properties, asked of the hub with the gateway's token and kept
for GROUP_TTL seconds). Budgets are checked before a request and counted after it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

from tornado import web

from ..kit.auth import Caller
from ..kit.errors import Forbidden, GalileanError
from .catalogue import Allowance, Model
from .config import ServiceConfig
from .own_keys import ProviderKeys
from .usage import UsageStore

GROUP_TTL = 30.0
MAX_RUNNING = 4  # a user's requests in flight at once
NO_MODELS = (
    "no AI model is set up on this hub: the admin sets GALILEAN_AI_MODELS (and the "
    "provider's key, e.g. OPENAI_API_KEY) in stack.env and restarts Galilean"
)


class AiService:
    def __init__(self, config: ServiceConfig, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.catalogue = config.catalogue
        self.usage = UsageStore(config.db_url, clock)
        self.clock = clock
        self._groups: dict[str, tuple[float, dict[str, Any]]] = {}
        self._running: dict[str, int] = {}
        self.keys = ProviderKeys(clock)

    async def key_for(self, auth: Any, user: str, model: Model) -> tuple[str | None, bool]:
        """The key a request of `user` to `model` carries, and whether it is their own
        (own_keys.py): theirs for the model's provider, else the hub's secret for it
        (never to a server of the model's own: a base URL the admin gave), else None
        (litellm reads the gateway's environment)."""
        own = (await self.keys.own(auth, user)).get(model.provider)
        if own is not None:
            return own, True
        if model.api_base:
            return None, False
        return (await self.keys.hub(auth)).get(model.provider), False

    async def properties(self, auth: Any, group: str) -> dict[str, Any]:
        """A hub group's properties ({} when the hub does not say)."""
        cached = self._groups.get(group)
        if cached is not None and self.clock() - cached[0] < GROUP_TTL:
            return cached[1]
        try:
            model = await auth._api_request(
                "GET", f"{auth.api_url}/groups/{quote(group, safe='')}", allow_403=True
            )
        except web.HTTPError:
            model = None
        found = model.get("properties") if isinstance(model, dict) else None
        properties = found if isinstance(found, dict) else {}
        self._groups[group] = (self.clock(), properties)
        return properties

    async def allowance(self, auth: Any, caller: Caller) -> Allowance:
        groups = [await self.properties(auth, g) for g in sorted(caller.groups)]
        return self.catalogue.allowance(groups)

    def model_for(self, name: str, allowance: Allowance) -> Model:
        """The model `name`, if the caller may use it (else 403 naming it)."""
        if not self.catalogue.models:
            raise GalileanError(NO_MODELS, [{"field": "model"}], status=503)
        model = self.catalogue.model(name)
        if model is None or name not in allowance.models:
            choices = ", ".join(sorted(allowance.models)) or "none"
            raise Forbidden(
                f"model: {name!r} is not a model you may use (yours: {choices})",
                [{"field": "model"}],
            )
        return model

    @contextmanager
    def running(self, user: str) -> Iterator[None]:
        """One of the user's requests in flight: at most MAX_RUNNING at once (429)."""
        if self._running.get(user, 0) >= MAX_RUNNING:
            raise GalileanError(
                f"you have {MAX_RUNNING} AI requests running: wait for one to finish",
                status=429,
            )
        self._running[user] = self._running.get(user, 0) + 1
        try:
            yield
        finally:
            self._running[user] -= 1
            if not self._running[user]:
                del self._running[user]

    def check_budget(self, user: str, allowance: Allowance) -> int | None:
        """Refuse (429) a user past today's budget; the tokens left (None: no limit)."""
        today = self.usage.today(user)
        if allowance.daily_requests and today.requests >= allowance.daily_requests:
            raise GalileanError(
                f"you made your {allowance.daily_requests} AI requests for today; the budget "
                "starts again at midnight UTC (your admin can raise it)",
                status=429,
            )
        if allowance.daily_tokens and today.tokens >= allowance.daily_tokens:
            raise GalileanError(
                f"you used your {allowance.daily_tokens} AI tokens for today ({today.tokens}); "
                "the budget starts again at midnight UTC (your admin can raise it)",
                status=429,
            )
        return allowance.daily_tokens - today.tokens if allowance.daily_tokens else None

    def close(self) -> None:
        self.usage.close()
