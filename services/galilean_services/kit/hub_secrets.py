"""A service asks the hub for the secrets it may use (galilean_hub's
`galilean/secrets-for/<user>` and `galilean/hub-secrets-for-service`), with its own token:
the answer's `secrets` mapping, or None when the hub did not give it (logged with `what`,
never a value)."""

from __future__ import annotations

import logging
from typing import Any

from tornado import web

log = logging.getLogger(__name__)


async def secrets_from_hub(auth: Any, path: str, what: str) -> dict[str, Any] | None:
    try:  # HubAuth turns every failure to reach the hub into an HTTPError
        answer = await auth._api_request("GET", f"{auth.api_url}/{path}")
    except web.HTTPError as error:
        log.warning("the hub did not give %s (%s)", what, error.status_code)
        return None
    found = answer.get("secrets") if isinstance(answer, dict) else None
    return found if isinstance(found, dict) else {}
