"""Which models exist (GALILEAN_AI_MODELS), which a user may use and how much per day:
everyone's models and budget from the settings, more from their hub groups' properties
(`galilean.ai_models`, `galilean.ai_daily_tokens`, `galilean.ai_daily_requests`; the
largest wins, as for resource limits). No web framework here."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..kit.settings import ConfigError

MODELS_KEY = "galilean.ai_models"
TOKENS_KEY = "galilean.ai_daily_tokens"
REQUESTS_KEY = "galilean.ai_daily_requests"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,62}")
TARGET = re.compile(r"[a-z_]+/[A-Za-z0-9_.:/+-]{1,200}")
PROVIDERS = ("openai", "anthropic", "azure", "ollama", "ollama_chat")


@dataclass(frozen=True)
class Model:
    name: str  # what users ask for (the OpenAI API's `model`)
    target: str  # litellm's model id: provider/model
    api_base: str = ""  # its own base URL (else the provider's variable)

    @property
    def provider(self) -> str:
        return self.target.split("/", 1)[0]


def parse_models(text: str, variable: str = "GALILEAN_AI_MODELS") -> list[Model]:
    """`name=provider/model[@base URL]`, comma-separated (ConfigError names the entry)."""
    models: list[Model] = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        name, equals, rest = entry.partition("=")
        target, at, base = rest.strip().partition("@")
        name, target, base = name.strip(), target.strip(), base.strip()
        if not equals or not NAME.fullmatch(name):
            raise ConfigError(f"{variable}: {entry!r} is not name=provider/model")
        if not TARGET.fullmatch(target) or target.split("/", 1)[0] not in PROVIDERS:
            raise ConfigError(
                f"{variable}: {name}: {target!r} is not provider/model with a provider of "
                f"{', '.join(PROVIDERS)}"
            )
        if at and urlsplit(base).scheme not in ("http", "https"):
            raise ConfigError(f"{variable}: {name}: the base URL must be http(s)://…")
        if any(m.name == name for m in models):
            raise ConfigError(f"{variable}: the name {name!r} is given twice")
        models.append(Model(name, target, base))
    return models


@dataclass(frozen=True)
class Allowance:
    """What one user may use: model names, and tokens and requests per day (0: no limit)."""

    models: frozenset[str]
    daily_tokens: int
    daily_requests: int


@dataclass(frozen=True)
class Catalogue:
    models: tuple[Model, ...]
    default: str
    everyone: frozenset[str]  # names, or {"*"}
    daily_tokens: int
    daily_requests: int

    @classmethod
    def from_settings(
        cls, models_text: str, default: str, everyone: str, daily_tokens: int, daily_requests: int
    ) -> Catalogue:
        models = parse_models(models_text)
        names = {m.name for m in models}
        if default and default not in names:
            raise ConfigError(
                f"GALILEAN_AI_DEFAULT_MODEL: {default!r} is not in GALILEAN_AI_MODELS"
            )
        listed = _names(everyone)
        unknown = sorted(listed - names - {"*"})
        if unknown and models:
            raise ConfigError(f"GALILEAN_AI_EVERYONE: {unknown[0]!r} is not in GALILEAN_AI_MODELS")
        for variable, value in (
            ("GALILEAN_AI_DAILY_TOKENS", daily_tokens),
            ("GALILEAN_AI_DAILY_REQUESTS", daily_requests),
        ):
            if value < 0:
                raise ConfigError(f"{variable} must be 0 (no limit) or more")
        return cls(
            tuple(models),
            default or (models[0].name if models else ""),
            frozenset(listed),
            daily_tokens,
            daily_requests,
        )

    def model(self, name: str) -> Model | None:
        return next((m for m in self.models if m.name == name), None)

    def allowance(self, group_properties: Iterable[Mapping[str, Any]]) -> Allowance:
        """A user's, from the properties of each of their groups (bad values are skipped:
        a typo in one group must not lock everyone out)."""
        names = set(self.everyone)
        tokens, requests = [self.daily_tokens], [self.daily_requests]
        for properties in group_properties:
            names |= _names(properties.get(MODELS_KEY))
            tokens.append(_count(properties.get(TOKENS_KEY)))
            requests.append(_count(properties.get(REQUESTS_KEY)))
        every = {m.name for m in self.models}
        allowed = every if "*" in names else names & every
        return Allowance(frozenset(allowed), _most(tokens), _most(requests))


def _names(value: Any) -> set[str]:
    if isinstance(value, list | tuple):
        return {str(v).strip() for v in value if str(v).strip()}
    if isinstance(value, str):
        return {part.strip() for part in value.split(",") if part.strip()}
    return set()


def _count(value: Any) -> int:
    """A group's limit: a whole number ≥ 0 (0: no limit); None when absent or bad."""
    if isinstance(value, bool) or value is None:
        return -1
    try:
        number = int(value)
    except (TypeError, ValueError):
        return -1
    return number if number >= 0 else -1


def _most(values: list[int]) -> int:
    """The largest limit, where 0 (no limit) beats any number; -1 entries are absent."""
    present = [v for v in values if v >= 0]
    if not present or 0 in present:
        return 0
    return max(present)
