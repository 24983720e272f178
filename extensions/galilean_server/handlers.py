"""HTTP handlers: parse the request, call one function, let errors map in one place."""

from __future__ import annotations

import os

from jupyter_server.base.handlers import APIHandler
from tornado import web

from galilean_services.http import JSONErrorMixin

from .features import Context, platform_status


class GalileanHandler(JSONErrorMixin, APIHandler):
    """Base of every Galilean handler: authenticated, errors in the one JSON shape."""


class StatusHandler(GalileanHandler):
    @web.authenticated
    def get(self) -> None:
        manager = getattr(self.serverapp, "extension_manager", None)
        loaded = frozenset(
            name for name, ext in (manager.extensions if manager else {}).items() if ext.enabled
        )
        context = Context(os.environ, loaded, self.settings.get("jupyternaut.config_manager"))
        self.finish(platform_status(self.settings.get("galilean_mode", "embedded"), context))
