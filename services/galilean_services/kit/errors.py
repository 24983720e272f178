"""The one JSON error shape of every Galilean HTTP surface, and the errors that map to it.

    {"ok": false, "error": "what went wrong", "errors": [{...}, ...], "status": 400}

`error` is one sentence for a person; `errors` lists each problem (with the field, node
or file at fault) for a program or a form to highlight. Validation is 400, missing is
404, refused is 403. Nothing here imports a web framework.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class GalileanError(Exception):
    """An error a caller can act on; its message is safe to show (no secrets)."""

    status = 400

    def __init__(
        self, message: str, errors: Iterable[dict[str, Any]] = (), status: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors = list(errors)
        if status is not None:
            self.status = status


class ValidationError(GalileanError):
    status = 400


class Forbidden(GalileanError):
    status = 403


class NotFound(GalileanError):
    status = 404


def error_body(message: str, status: int, errors: Iterable[dict[str, Any]] = ()) -> dict[str, Any]:
    """The JSON body of an error response."""
    return {"ok": False, "error": message, "errors": list(errors), "status": status}
