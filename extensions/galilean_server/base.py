"""The one base of the server extension's handlers: authenticated by the Jupyter server,
authorized on the resource "galilean" (`@authorized` on every method, as
jupyter_server_terminals does for "terminals"), errors in the one JSON shape of every
Galilean HTTP surface (kit.http: 400 naming the field, 403, 404, a 500 that reveals
nothing), JSON bodies read one way, and the managers the extension app made once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from jupyter_server.base.handlers import APIHandler

from galilean_services.kit.body import json_object
from galilean_services.kit.errors import Forbidden
from galilean_services.kit.http import JSONErrorMixin

if TYPE_CHECKING:  # imported by the manager's maker, on first use (app.py)
    from .manager import ConnectionsManager

AUTH_RESOURCE = "galilean"
CONNECTIONS = "galilean_connections"  # the web app setting: () -> the ConnectionsManager
OWNER = "galilean_server_owner"  # the server's owner (JUPYTERHUB_USER; empty: whoever signs in)
SHARED = "galilean_server_shared"  # started as a shared workspace (GALILEAN_SHARED)


class GalileanHandler(JSONErrorMixin, APIHandler):
    """Base of every Galilean handler: parse the request, call one manager method, answer
    JSON; errors map here, in one place."""

    auth_resource = AUTH_RESOURCE

    @property
    def connections(self) -> ConnectionsManager:
        make = cast("Callable[[], ConnectionsManager]", self.settings[CONNECTIONS])
        return make()

    def body_object(self) -> dict[str, Any]:
        return json_object(self.request.body)


class OwnerOnlyHandler(GalileanHandler):
    """A bridge to a hub service, which acts with the server's token, that is as the
    server's owner: only the owner may use it (a guest of a shared server gets 403)."""

    bridge = "service"  # what the refusal names

    async def prepare(self) -> None:  # type: ignore[override]
        await super().prepare()
        owner = self.settings.get(OWNER) or ""
        user = self.current_user
        if user is not None and owner and user.username != owner:
            why = f"only {owner}, whose server this is, may use its {self.bridge} bridge"
            if self.settings.get(SHARED):  # a guest: say where theirs are
                why += f" (a workspace shared with you: your own {self.bridge} is in yours)"
            raise Forbidden(why, [{"field": "user"}])
        if user is not None and self.settings.get(SHARED):
            # Its guests run code as the owner: the hub gave it none of the owner's tokens.
            raise Forbidden(
                f"this workspace is shared, so it holds none of your tokens: your "
                f"{self.bridge} is not available here (open one of your private workspaces)",
                [{"field": "workspace"}],
            )
