"""The AI gateway's one verb: chatting with the models your groups allow."""

from __future__ import annotations

from ..kit.auth import Scopes

SCOPES = Scopes(
    "ai",
    {"use": "Chat with the AI models your groups may use, within your daily budget."},
)
