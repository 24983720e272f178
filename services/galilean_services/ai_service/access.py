"""The AI gateway's one verb: chatting with the models your groups allow."""

from __future__ import annotations

from ..kit.auth import Scopes

# The hub's usage dashboard (its service token, which reaches this service) reads everyone's
# usage, as an admin does; it cannot chat (no `use`).
DASHBOARD_SERVICE = "usage"

SCOPES = Scopes(
    "ai",
    {"use": "Chat with the AI models your groups may use, within your daily budget."},
)
