"""The usage service's routes: the dashboard (admins only), its JSON, pins and stops."""

from __future__ import annotations

import asyncio
import os
from typing import Any, ClassVar

from tornado import web

from ..kit.app import service_app
from ..kit.auth import Scopes
from ..kit.body import text
from ..kit.errors import GalileanError
from ..kit.handlers import BaseHandler
from . import page
from .service import UsageService

# No verbs: only admins (whose role reaches every service) get in; users do not see it.
SCOPES = Scopes("usage", {})


class UsageHandler(BaseHandler):
    scopes: ClassVar[Scopes] = SCOPES
    service: UsageService
    # Any hub user's token gets in, to be told it is for admins (403, not 401); a browser
    # reaches it only if the hub's OAuth lets the user (admins: their role reaches it).
    allow_all = True

    def prepare(self) -> None:
        super().prepare()
        if not self.public:
            self.need_admin()

    def need_admin(self) -> None:
        if not self.caller.admin:
            raise GalileanError("the usage dashboard is for admins", status=403)

    def target(self, fields: dict[str, Any]) -> tuple[str, str]:
        return text(fields, "user"), text(fields, "server", default="")


class DashboardHandler(UsageHandler):
    docs: ClassVar[dict[str, str]] = {"get": "The dashboard (HTML)."}

    def prepare(self) -> None:  # browsers are sent to the hub's login instead of a 401
        pass

    @web.authenticated
    async def get(self) -> None:
        self.need_admin()
        summary = await asyncio.to_thread(self.service.summary)
        base = os.environ.get("JUPYTERHUB_BASE_URL", "/")
        self.set_header("Cache-Control", "no-store")
        self.finish(page.dashboard(summary, self.xsrf_form_html(), base, self.service.clock()))


class SummaryHandler(UsageHandler):
    docs: ClassVar[dict[str, str]] = {"get": "What the dashboard shows, as JSON."}

    async def get(self) -> None:
        self.send(await asyncio.to_thread(self.service.summary))


class PinsHandler(UsageHandler):
    docs: ClassVar[dict[str, str]] = {
        "put": "Pin a running workspace {user, server}: the idle culler leaves it running.",
        "delete": "Unpin a workspace {user, server}.",
    }

    async def put(self) -> None:
        user, server = self.target(self.body_object())
        await asyncio.to_thread(self.service.pin, user, server, self.caller.name)
        self.send({"user": user, "server": server, "pinned": True})

    async def delete(self) -> None:
        user, server = self.target(self.body_object())
        await asyncio.to_thread(self.service.unpin, user, server)
        self.send({"user": user, "server": server, "pinned": False})


class StopHandler(UsageHandler):
    docs: ClassVar[dict[str, str]] = {"post": "Stop a running workspace {user, server}."}

    async def post(self) -> None:
        user, server = self.target(self.body_object())
        await asyncio.to_thread(self.service.stop, user, server, self.caller.name)
        self.send({"user": user, "server": server, "stopping": True}, status=202)


class ProfileHandler(UsageHandler):
    docs: ClassVar[dict[str, str]] = {
        "put": "Set a user's profile {user, profile} ('': the hub's default again)."
    }

    async def put(self) -> None:
        body = self.body_object()
        user, profile = text(body, "user"), text(body, "profile", default="")
        await asyncio.to_thread(self.service.assign_profile, user, profile, self.caller.name)
        self.send({"user": user, "profile": profile})


class QuotaHandler(UsageHandler):
    docs: ClassVar[dict[str, str]] = {
        "put": "Set a user's storage quota {user, quota}: a size (20G), 'none', or '' (their "
        "groups' or the hub's again)."
    }

    async def put(self) -> None:
        body = self.body_object()
        user, quota = text(body, "user"), text(body, "quota", default="")
        await asyncio.to_thread(self.service.assign_quota, user, quota, self.caller.name)
        self.send({"user": user, "quota": quota.strip()})


class ActionsHandler(UsageHandler):
    """The dashboard's forms: pin, unpin, stop; then back to the dashboard."""

    async def post(self) -> None:
        keys = ("user", "server", "action", "profile", "quota")
        fields = {key: self.get_body_argument(key, "") for key in keys}
        user, server = self.target(fields)
        verb = fields["action"]
        if verb == "profile":
            profile = fields["profile"]
            await asyncio.to_thread(self.service.assign_profile, user, profile, self.caller.name)
        elif verb == "quota":
            quota = fields["quota"]
            await asyncio.to_thread(self.service.assign_quota, user, quota, self.caller.name)
        elif verb == "pin":
            await asyncio.to_thread(self.service.pin, user, server, self.caller.name)
        elif verb == "unpin":
            await asyncio.to_thread(self.service.unpin, user, server)
        elif verb == "stop":
            await asyncio.to_thread(self.service.stop, user, server, self.caller.name)
        else:
            raise GalileanError("action: pin, unpin, stop, profile or quota", [{"field": "action"}])
        self.redirect(self.service.config.prefix, status=303)


class HealthHandler(UsageHandler):
    public = True

    def get(self) -> None:
        self.send({"ok": True})


ROUTES: list[tuple[str, type[web.RequestHandler]]] = [
    ("", DashboardHandler),
    ("api/summary", SummaryHandler),
    ("api/pins", PinsHandler),
    ("api/stop", StopHandler),
    ("api/profile", ProfileHandler),
    ("api/quota", QuotaHandler),
    ("actions", ActionsHandler),
    ("health", HealthHandler),
]


def make_app(service: UsageService, hub_auth: Any = None) -> web.Application:
    return service_app(service.config.prefix, ROUTES, {}, service, hub_auth)
