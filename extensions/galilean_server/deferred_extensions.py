"""Server extensions loaded after the server answers: the AI chat's engine when the user
turns to the chat, the tools' server sides a few seconds after the start.

Measured (issue 17): importing jupyter-ai's `jupyter_ai_jupyternaut` (Jupyternaut,
langchain, litellm) and `jupyter_ai_litellm` (litellm's model list) is ~4 s of a user
server's start, most of the difference between a bare JupyterLab and Galilean's;
`jupyter_ai_acp_client` (the Agent Client Protocol personas, pydantic models of the
protocol) another 0.2 s; nbdime's (its diff tool's routes, which the History panel does
not use: it imports nbdime's diff when asked) 0.1 s. The hub starts servers with all of
them disabled (`--ServerApp.jpserver_extensions=<name>=False`, galilean_hub.config); this
imports them in a background thread (at a lower CPU priority) and then links, loads and
starts them through the server's own extension manager, as it would have at start.

Two batches:

- the AI chat's (`AI_CHAT`) only when something needs it: the chat's side panel shown (the
  labextension asks `POST /galilean/ai/prepare`), a chat opened (its personas are made
  once the batch is loaded: ai_persona.py), Jupyternaut's settings or model list asked
  for, the About panel's AI entry. Loaded, they hold ~190 MB and cost 5-8 s of CPU (measured on a
  page's first load, 2-core machine): a server whose user does not chat never pays it.
  JupyterLab's page asks Jupyternaut's `get-example` route as it loads (a template route
  upstream kept: it answers a fixed sentence); it is answered here, without loading them;
- the tools' (`TOOLS`: nbdime, jupyter-server-proxy, marimo's routes) `delay` seconds after
  the server listens, or at once when one of their routes is asked. The delay is for the
  Monday morning: ten servers starting together on two cores finish their starts first.

Nothing the page needs is missing meanwhile: collaboration, the chat documents and the
persona manager load at start (they are cheap). A batch's routes are held until they exist,
then redirected to themselves (307 keeps the method and body), so a settings panel opened in
those seconds waits instead of seeing a 404. Code that needs the AI chat's awaits `ready`
(the chat's first answer, the About panel's AI entry).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web


@dataclass(frozen=True)
class Batch:
    """Extensions loaded late together: their names (in load order), the modules imported
    first in the background (the expensive part), the routes held until they exist, the
    seconds after the start when they load unasked (None: only when asked), and routes
    answered meanwhile with a fixed JSON body, without loading anything (before the held
    ones: the first match wins)."""

    names: tuple[str, ...]
    heavy_modules: tuple[str, ...]
    held_routes: tuple[str, ...]
    delay: float | None
    answered_routes: tuple[tuple[str, dict[str, Any]], ...] = ()


DELAY_SECONDS = 20.0  # the tools' batch, after the server listens, unless needed sooner
AI_CHAT = Batch(
    names=("jupyter_ai_acp_client", "jupyter_ai_litellm", "jupyter_ai_jupyternaut"),
    heavy_modules=(
        "jupyter_ai_acp_client",
        "litellm",
        "jupyter_ai_litellm",
        "jupyter_ai_jupyternaut",
        "jupyter_ai_jupyternaut.jupyternaut.jupyternaut",
        "galilean_server.ai_jupyternaut",
    ),
    held_routes=(r"api/jupyternaut/.*", r"api/ai/models/chat.*", r"ai/acp/.*"),
    delay=None,
    # Jupyternaut's template route, which its page plugin asks as JupyterLab loads: upstream
    # answers this fixed sentence.
    answered_routes=(
        (
            r"api/jupyternaut/get-example/?",
            {"data": "This is /api/jupyternaut/get-example endpoint!"},
        ),
    ),
)
TOOLS = Batch(
    # marimo notebooks: jupyter-server-proxy (which starts marimo when one opens) and
    # marimo's own routes, whose load runs `marimo --version` (bench/spawn_tools.py: +1.2 s
    # of a start when loaded at start).
    names=("nbdime", "jupyter_server_proxy", "marimo_jupyter_extension.handlers"),
    heavy_modules=(
        "nbdime.webapp.nb_server_extension",
        "jupyter_server_proxy",
        "marimo_jupyter_extension.handlers",
    ),
    held_routes=(r"nbdime/.*", r"marimo/.*", r"marimo-tools/.*", r"server-proxy/.*", r"proxy/.*"),
    delay=DELAY_SECONDS,
)
# Every extension loaded late (the hub disables the same names at start).
DEFERRED = AI_CHAT.names + TOOLS.names
LOADER = "galilean_deferred_extensions"  # the web app setting: the batches' loaders
WAIT_SECONDS = 90.0  # longest a held request or a caller waits
NICENESS = 10  # the import thread's, above the server's
_ai_chat: DeferredExtensions | None = None  # this server's AI chat batch (one server per process)


def ai_chat_loaded() -> bool:
    """Whether the AI chat's extensions are loaded (True when none are deferred)."""
    return _ai_chat is None or _ai_chat.ready.is_set()


async def extensions_ready(timeout: float = WAIT_SECONDS) -> bool:
    """Whether the AI chat's deferred extensions are loaded, loading them now if they are
    not yet (True when none are deferred)."""
    return True if _ai_chat is None else await _ai_chat.wait(timeout)


def prepare_ai_chat() -> None:
    """Start loading the AI chat's extensions in the background, if not yet (the user
    turned to the chat: they are ready, or nearly, when a chat opens)."""
    if _ai_chat is not None:
        _ai_chat.load_now()


class DeferredExtensions:
    """A batch's extensions the server was told not to load at start (present in its
    extension manager, disabled), loaded by `load()` once it runs."""

    def __init__(self, serverapp: Any, batch: Batch) -> None:
        self.serverapp = serverapp
        self.batch = batch
        extensions = serverapp.extension_manager.extensions
        self.names = [n for n in batch.names if n in extensions and not extensions[n].enabled]
        self.ready = asyncio.Event()
        self._rule: Any = None
        self._task: asyncio.Task[None] | None = None
        if not self.names:
            self.ready.set()
        if batch is AI_CHAT:
            global _ai_chat
            _ai_chat = self

    async def wait(self, timeout: float = WAIT_SECONDS) -> bool:
        """Whether the batch is loaded, loading it now if it is not loading yet (waiting up
        to `timeout` seconds)."""
        self.load_now()
        try:
            await asyncio.wait_for(self.ready.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def hold_routes(self) -> None:
        if not self.names:
            return
        web_app = self.serverapp.web_app
        base = web_app.settings["base_url"]
        routes: list[tuple[str, type[APIHandler], dict[str, Any]]] = [
            (url_path_join(base, route), FixedAnswerHandler, {"answer": answer})
            for route, answer in self.batch.answered_routes
        ]
        for route in self.batch.held_routes:
            routes.append((url_path_join(base, route), HeldRouteHandler, {"loader": self}))
        before = list(web_app.default_router.rules)
        web_app.add_handlers(".*$", routes)
        added = [rule for rule in web_app.default_router.rules if rule not in before]
        self._rule = added[0] if added else None

    def start(self) -> None:
        """Load them `delay` seconds from now, if the batch has one (called once the
        server's loop runs)."""
        if self.names and self.batch.delay is not None:
            asyncio.get_running_loop().call_later(self.batch.delay, self.load_now)

    def load_now(self) -> None:
        if self.names and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self.load())

    async def load(self) -> None:
        log = self.serverapp.log
        try:
            await imported_in_background(self.batch.heavy_modules)
        except Exception:  # each extension then says what failed as it loads
            log.warning("Galilean: importing %s failed", ", ".join(self.names), exc_info=True)
        manager = self.serverapp.extension_manager
        try:
            # Linked and loaded (their settings, handlers and Jupyternaut's config manager
            # exist then), then started, as at a server's start.
            for name in self.names:
                manager.add_extension(name, enabled=True)
                manager.link_extension(name)
                manager.load_extension(name)
            for name in self.names:
                await manager.start_extension(name)
            log.info("Galilean: loaded after start: %s", ", ".join(self.names))
        finally:
            rules = self.serverapp.web_app.default_router.rules
            if self._rule is not None and self._rule in rules:
                rules.remove(self._rule)
            self.ready.set()


async def imported_in_background(modules: Iterable[str]) -> None:
    """Import `modules` in a daemon thread (an executor's threads would hold up the server's
    exit), the event loop free meanwhile."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()

    def run() -> None:
        # This thread only (a Linux thread is a task of its own): the server keeps its
        # priority. Not Linux, or not allowed: the same priority.
        with contextlib.suppress(AttributeError, OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)
        try:
            for name in modules:
                importlib.import_module(name)
        except BaseException as exc:  # handed to the loop, raised there
            loop.call_soon_threadsafe(_settle, done, exc)
        else:
            loop.call_soon_threadsafe(_settle, done, None)

    threading.Thread(target=run, name="galilean-deferred-imports", daemon=True).start()
    await done


def _settle(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)


class HeldRouteHandler(APIHandler):
    """A request for a deferred extension's route: held until its batch is loaded (which
    the request starts), then sent to the same URL again (307: same method and body), which
    the real handler now answers."""

    def initialize(self, loader: DeferredExtensions) -> None:
        self.loader = loader

    @web.authenticated
    async def get(self, *args: Any) -> None:
        if not await self.loader.wait():
            raise web.HTTPError(503, f"{', '.join(self.loader.names)} are still loading")
        self.redirect(self.request.uri or "/", status=307)

    post = put = patch = delete = get


class FixedAnswerHandler(APIHandler):
    """A batch's route answered with a fixed body while it is not loaded (Jupyternaut's
    `get-example`, answered as upstream does, so that a page's load does not load the AI
    chat)."""

    def initialize(self, answer: dict[str, Any]) -> None:
        self.answer = answer

    @web.authenticated
    async def get(self) -> None:
        self.finish(self.answer)
