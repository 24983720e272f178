"""The owner's storage against their quota, for JupyterLab's status bar (GET
/galilean/storage): the hub measures it (galilean_hub/storage_quota.py); this server asks
with its hub token, as its owner. Owner only; a shared workspace holds none of its owner's
tokens, so its guests see nothing of the owner's files."""

from __future__ import annotations

from typing import Any, cast

from jupyter_server.auth.decorator import authorized
from tornado import web

from .base import OwnerOnlyHandler
from .publish import HUB_API
from .service_upstream import Upstream


class StorageHandler(OwnerOnlyHandler):
    bridge = "storage"

    @web.authenticated
    @authorized
    async def get(self) -> None:
        hub = cast(Upstream, self.settings[HUB_API])
        self.finish(await hub.call("GET", "galilean/storage"))


ROUTES: list[tuple[str, type[Any]]] = [(r"/galilean/storage", StorageHandler)]
