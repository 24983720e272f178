"""What a secret's name may be (like an environment variable: a letter or _, then letters,
digits, _; at most 64), so a secret reads the same in Python, a connection form and a flow.
Apart from the vault (vault.py) so that what only names a secret (a connection) imports no
cipher."""

from __future__ import annotations

import re
from typing import Any

from ..kit.errors import ValidationError

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
# A user's own key for an AI provider (the AI gateway uses it for their requests only):
# AI_KEY_OPENAI, AI_KEY_ANTHROPIC, AI_KEY_AZURE. The gateway reads these names, no others.
AI_KEY_PREFIX = "AI_KEY_"


def ai_key_name(provider: str) -> str:
    """The secret that holds a user's own key for `provider` (litellm's provider name)."""
    return AI_KEY_PREFIX + provider.upper()


def check_name(name: Any, field: str = "name") -> str:
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise ValidationError(
            f"{field}: a secret's name is a letter or _, then letters, digits or _ (at most 64)",
            [{"field": field}],
        )
    return name
