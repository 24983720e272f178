"""What the dashboard reads from the other services with its own token (they let it):
everyone's AI usage, every flow's runs and schedules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

TIMEOUT = 10


def get_json(url: str, token: str, **params: Any) -> Any:
    reply = requests.get(
        url, params=params, headers={"Authorization": f"token {token}"}, timeout=TIMEOUT
    )
    reply.raise_for_status()
    return reply.json()


def ai_usage(url: str, token: str, days: int = 7) -> list[dict[str, Any]]:
    """Everyone's AI use over `days` days per user (the gateway's report, summed), most
    tokens first; [] without a gateway. Raises requests' errors."""
    if not url:
        return []
    reply = requests.get(
        f"{url}api/usage",
        params={"days": days},
        headers={"Authorization": f"token {token}"},
        timeout=10,
    )
    reply.raise_for_status()
    users: dict[str, dict[str, Any]] = {}
    for row in reply.json().get("usage") or []:
        user = users.setdefault(
            row["user"], {"user": row["user"], "requests": 0, "tokens": 0, "own_key_requests": 0}
        )
        tokens = int(row.get("prompt_tokens") or 0) + int(row.get("completion_tokens") or 0)
        if row.get("own_key"):
            user["own_key_requests"] += int(row.get("requests") or 0)
        else:
            user["requests"] += int(row.get("requests") or 0)
            user["tokens"] += tokens
    return sorted(users.values(), key=lambda u: (-u["tokens"], u["user"]))


def flows_overview(url: str, token: str) -> dict[str, Any]:
    """The flows service's overview: runs of the last 7 days (failures first), schedules."""
    return dict(get_json(f"{url}api/overview", token))


def guarded(read: Callable[[], Any], what: str, empty: Any) -> dict[str, Any]:
    """{ok, data} or {ok: False, problem} when the service does not answer as it should."""
    try:
        return {"ok": True, "data": read()}
    except (requests.RequestException, ValueError, KeyError, TypeError) as error:
        return {"ok": False, "data": empty, "problem": f"{what}: {type(error).__name__}"}
