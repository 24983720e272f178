"""What the kernel helpers that call Galilean's HTTP APIs as the server's owner (datasets,
secrets) share: reading their settings from an environment (the process's unless one is
given, for tests), and one JSON request with the server's hub token whose failures become
the helper's own error — the API's message and the field it names, or "not reachable"
(503) — never a requests or JSON exception, and never the token."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import requests


class ServiceError(Exception):
    """A failed call, with the field the API named (if any) and its HTTP status."""

    def __init__(self, message: str, field: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.field = field
        self.status = status


class FromEnviron:
    """Settings from `environ`, or from os.environ when none is given."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = environ

    @property
    def _env(self) -> Mapping[str, str]:
        return os.environ if self._environ is None else self._environ


def request_json(
    method: str,
    url: str,
    token: str,
    *,
    what: str,
    error: type[ServiceError],
    timeout: float,
    body: Any = None,
    query: Mapping[str, Any] | None = None,
) -> Any:
    """The JSON answer of `url` (None when empty); `error` raised naming `what` (e.g.
    "the datasets service") when it cannot be reached or answers an error."""
    try:
        reply = requests.request(
            method,
            url,
            json=body,
            params=query or None,
            headers={"Authorization": f"token {token}"},
            timeout=timeout,
        )
    except requests.RequestException as exc:
        raise error(f"{what} is not reachable ({type(exc).__name__})", status=503) from None
    try:
        data = reply.json() if reply.content else None
    except ValueError:  # a proxy's HTML page, say
        data = None
    if reply.status_code >= 400:
        problem = data if isinstance(data, dict) else {}
        errors = problem.get("errors") or [{}]
        raise error(
            str(problem.get("error") or f"{what} answered {reply.status_code}"),
            errors[0].get("field") if isinstance(errors[0], dict) else None,
            reply.status_code,
        )
    return data
