"""Tornado glue shared by the services and the server extension: every error leaves in
the one JSON shape (`errors.error_body`)."""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from types import TracebackType
from typing import Any

from tornado import web

from .errors import GalileanError, error_body

log = logging.getLogger("galilean")


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class JSONErrorMixin:
    """Mix into a tornado RequestHandler (before it): every error leaves as `error_body` JSON.

    A raised `GalileanError` keeps its message and status (400, 403, 404, ...); a
    `tornado.web.HTTPError` keeps its status and message; anything else is logged with
    its traceback and answered with a 500 that reveals nothing of the exception.
    """

    def send_error(self, status_code: int = 500, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        if exc_info and isinstance(exc_info[1], GalileanError):
            status_code = exc_info[1].status
        super().send_error(status_code, **kwargs)  # type: ignore[misc]

    def log_exception(
        self,
        typ: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if isinstance(value, GalileanError):
            log.info("%s: %s", type(value).__name__, value.message)
            return
        super().log_exception(typ, value, tb)  # type: ignore[misc]

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        handler: web.RequestHandler = self  # type: ignore[assignment]
        message = _phrase(status_code)
        errors: list[dict[str, Any]] = []
        exc_info = kwargs.get("exc_info")
        exc = exc_info[1] if exc_info else None
        if isinstance(exc, GalileanError):
            message, errors = exc.message, exc.errors
        elif isinstance(exc, web.HTTPError):
            text = exc.log_message % exc.args if exc.log_message and exc.args else exc.log_message
            message = text or exc.reason or message
        elif exc is not None:
            message = "Internal error: the server log has the details"
        handler.set_header("Content-Type", "application/json")
        handler.finish(json.dumps(error_body(message, status_code, errors)))
