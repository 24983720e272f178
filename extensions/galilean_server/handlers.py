"""HTTP handlers: parse the request, call one function, let errors map in one place."""

from __future__ import annotations

from jupyter_server.base.handlers import APIHandler
from tornado import web

from galilean_services.http import JSONErrorMixin

from .features import platform_status


class GalileanHandler(JSONErrorMixin, APIHandler):
    """Base of every Galilean handler: authenticated, errors in the one JSON shape."""


class StatusHandler(GalileanHandler):
    @web.authenticated
    def get(self) -> None:
        self.finish(platform_status(self.settings.get("galilean_mode", "embedded")))
