"""The one base of Galilean's routes inside the hub (the vault's, the hub's secrets',
sharing's): JupyterHub resolves who asks; errors leave in Galilean's one JSON shape — a
GalileanError with its status and fields, JupyterHub's own (401, 403, 404 …) with theirs."""

from __future__ import annotations

import json
from typing import Any

from jupyterhub.apihandlers.base import APIHandler

from galilean_services.kit.errors import GalileanError, error_body


class GalileanAPIHandler(APIHandler):
    def reads_all_users(self) -> bool:
        """Whether the token may read every user (read:users: admins, the usage dashboard)."""
        scopes = set(getattr(self, "expanded_scopes", set()))
        return bool({"read:users", "admin:users"} & scopes)

    def answer_uncached(self, body: Any) -> None:
        """A JSON answer that no cache keeps (it says who has what, now)."""
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(body))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        error = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(error, GalileanError):
            status_code = error.status
            body = error_body(error.message, status_code, error.errors)
        else:
            message = getattr(error, "log_message", None) or self._reason
            body = error_body(str(message), status_code)
        self.set_status(status_code)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))
