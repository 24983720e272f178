"""The Galilean server extension application."""

from __future__ import annotations

import os

from jupyter_server.extension.application import ExtensionApp
from traitlets import Unicode, default

from .connections_api import HANDLERS as CONNECTION_HANDLERS
from .examples import set_up
from .handlers import StatusHandler
from .sql_format import HANDLERS as FORMAT_HANDLERS


class GalileanServerApp(ExtensionApp):
    name = "galilean_server"
    load_other_extensions = True

    mode = Unicode(
        config=True,
        help="How this server was started: 'embedded' or 'docker' (GALILEAN_MODE).",
    )

    @default("mode")
    def _default_mode(self) -> str:
        return os.environ.get("GALILEAN_MODE", "embedded")

    def initialize_settings(self) -> None:
        self.settings["galilean_mode"] = self.mode
        set_up(self.serverapp)  # the galilean CLI on PATH, the example flows

    def initialize_handlers(self) -> None:
        self.handlers.extend([(r"/galilean/status", StatusHandler), *CONNECTION_HANDLERS])
        self.handlers.extend(FORMAT_HANDLERS)  # the SQL cells' Format button
