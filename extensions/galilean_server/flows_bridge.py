"""The designer's bridge to the flows service, under /galilean/flows/service/: the browser
has no login to the service, so the user's own server forwards with its hub token
(flows_link.py). Only the server's owner may use it (a guest of a shared server gets 403:
it would act as the owner). Every input is checked here (400 naming the field); the
service's answers and errors pass through, the service unreachable is 503."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, cast

from jupyter_server.auth.decorator import authorized
from tornado import web

from galilean_services.kit.errors import NotFound, ValidationError

from .base import OwnerOnlyHandler
from .flows_link import FlowsLink

LINK = "galilean_flows_link"  # the web app setting holding the FlowsLink
PLACES = "galilean_flows_places"  # the server's root and the folder the service sees
SEGMENT = r"([^/]+)"  # a run id or version number in a URL, checked by the handler
RUN_ID = re.compile(r"[0-9a-f]{32}")  # the service's run ids (uuid4 hex)
NUMBER = re.compile(r"[1-9][0-9]{0,8}")  # a version number
MAX_PATH = 255  # the service's flow name
MAX_TARGETS = 1000
MAX_MESSAGE = 2000  # the service's version message


def _field(name: str, message: str) -> ValidationError:
    return ValidationError(f"{name}: {message}", [{"field": name}])


@dataclass(frozen=True)
class Places:
    """The server's root (paths in requests are relative to it) and the user's folder the
    flows service runs flows in (the home when embedded, ~/shared in docker mode): a
    `.flow` file is the service flow named by its path inside that folder, whose runs read
    the files next to it."""

    root: Path
    service_root: Path

    def service_name(self, path: str) -> str:
        file = (self.root / path).resolve()
        service_root = self.service_root.resolve()
        if file.is_relative_to(service_root):
            return file.relative_to(service_root).as_posix()
        shown = service_root
        if service_root.is_relative_to(self.root.resolve()):
            shown = service_root.relative_to(self.root.resolve())
        raise _field(
            "path",
            f"the flows service runs only flows in the folder '{shown}' (the files it "
            "sees): save the flow there to run, version, publish or schedule it",
        )


def checked_path(value: Any) -> str:
    """A `.flow` file's path relative to the server's root, inside it."""
    if not isinstance(value, str) or not value.strip():
        raise _field("path", "the .flow file's path is required")
    if len(value) > MAX_PATH or "\\" in value or "\x00" in value:
        raise _field("path", f"at most {MAX_PATH} characters, with / between folders")
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts or str(path) != value:
        raise _field("path", "a path relative to the server's folder, inside it (no ..)")
    if path.suffix != ".flow":
        raise _field("path", "not a .flow file")
    return value


def checked_run_id(text: str) -> str:
    if not RUN_ID.fullmatch(text):
        raise NotFound(f"run {text[:40]} does not exist", [{"field": "run_id"}])
    return text


def checked_number(text: str, name: str = "number") -> int:
    if not NUMBER.fullmatch(text):
        raise _field(name, "a version number (1, 2, ...)")
    return int(text)


def checked_body(body: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(path, content, the rest: message, targets, params) of a save or run."""
    path = checked_path(body.get("path"))
    content = body.get("content")
    if not isinstance(content, dict):
        raise _field("content", "the .flow document (a JSON object) is required")
    rest: dict[str, Any] = {}
    message = body.get("message", "")
    if not isinstance(message, str) or len(message) > MAX_MESSAGE:
        raise _field("message", f"a text of at most {MAX_MESSAGE} characters")
    if message:
        rest["message"] = message
    if "targets" in body and body["targets"] is not None:
        targets = body["targets"]
        good = isinstance(targets, list) and 0 < len(targets) <= MAX_TARGETS
        if not good or not all(isinstance(t, str) and t for t in targets):
            raise _field("targets", "a list of node ids (at least one)")
        rest["targets"] = targets
    if "params" in body and body["params"] is not None:
        if not isinstance(body["params"], dict):
            raise _field("params", "an object of flow parameter values")
        rest["params"] = body["params"]
    return path, content, rest


class BridgeHandler(OwnerOnlyHandler):
    """Signed in (the server's login), authorized on "galilean", and the server's owner."""

    bridge = "flows service"

    @property
    def link(self) -> FlowsLink:
        return cast(FlowsLink, self.settings[LINK])

    def path(self) -> str:
        return self.service_name(checked_path(self.get_query_argument("path", None)))

    def service_name(self, path: str) -> str:
        """The service flow's name for a checked path (see Places)."""
        places = self.settings.get(PLACES)
        return places.service_name(path) if isinstance(places, Places) else path

    def body_or_empty(self) -> dict[str, Any]:
        return self.body_object() if self.request.body.strip() else {}


class ServiceFlowHandler(BridgeHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.finish(await self.link.state(self.path()))


class ServiceSaveHandler(BridgeHandler):
    @web.authenticated
    @authorized
    async def post(self) -> None:
        path, content, rest = checked_body(self.body_object())
        name = self.service_name(path)
        self.finish(await self.link.save(name, content, rest.get("message", "")))


class ServiceRunHandler(BridgeHandler):
    @web.authenticated
    @authorized
    async def post(self) -> None:
        path, content, rest = checked_body(self.body_object())
        self.finish(await self.link.run(self.service_name(path), content, rest))


class ServiceRunOneHandler(BridgeHandler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        self.finish(await self.link.run_call(checked_run_id(run_id)))


class ServiceCancelHandler(BridgeHandler):
    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        self.finish(await self.link.run_call(checked_run_id(run_id), cancel=True))


class ServiceVersionHandler(BridgeHandler):
    @web.authenticated
    @authorized
    async def get(self, number: str) -> None:
        self.finish(await self.link.version(self.path(), checked_number(number)))


class ServiceDiffHandler(BridgeHandler):
    @web.authenticated
    @authorized
    async def get(self, number: str) -> None:
        against = self.get_query_argument("against", "")
        query = {"against": str(checked_number(against, "against"))} if against else {}
        self.finish(await self.link.version(self.path(), checked_number(number), "diff", **query))


class ServiceRestoreHandler(BridgeHandler):
    @web.authenticated
    @authorized
    async def post(self, number: str) -> None:
        message = self.body_or_empty().get("message", "")
        if not isinstance(message, str) or len(message) > MAX_MESSAGE:
            raise _field("message", f"a text of at most {MAX_MESSAGE} characters")
        body = {"message": message} if message else {}
        path, version = self.path(), checked_number(number)
        self.finish(await self.link.version(path, version, "restore", body))


class ServiceSettingHandler(BridgeHandler):
    """The flow's endpoint or schedule (`what`, from the route): read, set, remove."""

    what = ""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        found = await self.link.setting(self.path(), self.what, None)
        if found is None:  # none set: JSON null, as the service answers (finish writes nothing)
            self.set_header("Content-Type", "application/json")
            self.finish("null")
            return
        self.finish(found)

    @web.authenticated
    @authorized
    async def put(self) -> None:
        self.finish(await self.link.setting(self.path(), self.what, self.body_object()))

    @web.authenticated
    @authorized
    async def delete(self) -> None:
        """Unpublish, or remove the schedule: 204, as the service answers."""
        await self.link.remove(self.path(), self.what)
        self.set_status(204)
        self.finish()


class ServiceEndpointHandler(ServiceSettingHandler):
    what = "endpoint"


class ServiceScheduleHandler(ServiceSettingHandler):
    what = "schedule"


class ServiceSchedulePreviewHandler(BridgeHandler):
    @web.authenticated
    @authorized
    async def post(self) -> None:
        self.finish(await self.link.call("POST", "api/schedule-preview", self.body_object()))


BASE = r"/galilean/flows/service"
ROUTES: list[tuple[str, type[Any]]] = [
    (rf"{BASE}/flow", ServiceFlowHandler),
    (rf"{BASE}/save", ServiceSaveHandler),
    (rf"{BASE}/run", ServiceRunHandler),
    (rf"{BASE}/runs/{SEGMENT}", ServiceRunOneHandler),
    (rf"{BASE}/runs/{SEGMENT}/cancel", ServiceCancelHandler),
    (rf"{BASE}/versions/{SEGMENT}", ServiceVersionHandler),
    (rf"{BASE}/versions/{SEGMENT}/diff", ServiceDiffHandler),
    (rf"{BASE}/versions/{SEGMENT}/restore", ServiceRestoreHandler),
    (rf"{BASE}/endpoint", ServiceEndpointHandler),
    (rf"{BASE}/schedule", ServiceScheduleHandler),
    (rf"{BASE}/schedule-preview", ServiceSchedulePreviewHandler),
]
